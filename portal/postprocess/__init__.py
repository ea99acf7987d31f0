"""After freezing, inside the staging folder: fingerprint assets, write host files, compress."""

from __future__ import annotations

from pathlib import Path

from ..server import Policy
from ..site import Site
from . import assets, compress, hostfiles, links, search


def run(staging: Path, site: Site) -> dict[str, object]:
    """Post-process a frozen site in place; return facts for the server config."""
    links.check(staging)
    search.index(staging)
    renamed = assets.fingerprint(staging)
    policy = Policy(tuple(assets.inline_script_hashes(staging)), wasm=True)
    hostfiles.write(staging, site.settings, policy)
    compress.precompress(staging)
    return {"script_hashes": list(policy.script_hashes), "wasm": policy.wasm,
            "fingerprinted": sorted(renamed.values())}
