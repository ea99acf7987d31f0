"""After freezing, inside the staging folder: fingerprint assets, write host files, compress."""

from __future__ import annotations

from pathlib import Path

from ..site import Site
from . import assets, compress, hostfiles


def run(staging: Path, site: Site) -> dict[str, list[str]]:
    """Post-process a frozen site in place; return facts for the server config (script hashes)."""
    renamed = assets.fingerprint(staging)
    hashes = assets.inline_script_hashes(staging)
    hostfiles.write(staging, site.settings, hashes)
    compress.precompress(staging)
    return {"script_hashes": hashes, "fingerprinted": sorted(renamed.values())}
