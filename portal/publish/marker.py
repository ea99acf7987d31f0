"""The build marker, `.portal-build.json`: what the portal wrote in a build folder. Read and
written here only; whatever it holds is checked before anyone uses it (it may be damaged)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BuildError

MARKER = ".portal-build.json"
VERSION = 3  # of the format: a marker of another version is read, but nothing in it is reused
MAX_BYTES = 200_000_000
HASH = re.compile(r"'sha256-[A-Za-z0-9+/]+=*'")


@dataclass(frozen=True)
class Marker:
    """A build folder's record of itself."""

    files: dict[str, Any] | list[str]  # each file written -> its stamp (older versions: names)
    version: int | None = VERSION
    compression: str = ""  # the compressor the .gz files were made with (compress.key())
    script_hashes: tuple[str, ...] = ()  # CSP hashes of inline scripts (none since version 3)
    wasm: bool = False  # whether the search needs WebAssembly in the CSP
    fingerprinted: tuple[str, ...] = ()  # assets under their hashed names
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit id -> key, links, files

    @property
    def written(self) -> set[str]:
        return set(self.files)

    def to_json(self) -> str:
        return json.dumps({"version": self.version, "compression": self.compression,
                           "script_hashes": list(self.script_hashes), "wasm": self.wasm,
                           "fingerprinted": list(self.fingerprinted), "files": self.files,
                           "units": {unit: self.units[unit] for unit in sorted(self.units)}},
                          separators=(",", ":"))


def write(folder: Path, marker: Marker) -> None:
    (folder / MARKER).write_text(marker.to_json(), encoding="utf-8")


def read(folder: Path) -> Marker | None:
    """The marker of a build folder (None when there is none); BuildError when it is damaged."""
    path = folder / MARKER
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink() or not path.is_file():
        raise BuildError(f"{path} is damaged (not a file): build the site again into a new "
                         f"folder, or remove {folder} yourself")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError("too large")
        return _parse(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{path} is damaged ({exc.__class__.__name__}): build the site again "
                         f"into a new folder, or remove {folder} yourself") from None


def _parse(data: Any) -> Marker:
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict | list):
        raise ValueError("not a marker")
    hashes = data.get("script_hashes", [])
    if not isinstance(hashes, list) or not all(isinstance(h, str) and HASH.fullmatch(h)
                                               for h in hashes):
        raise ValueError("script hashes")
    wasm, units = data.get("wasm", False), data.get("units", {})
    fingerprinted = data.get("fingerprinted", [])
    if not isinstance(wasm, bool) or not isinstance(units, dict) or not isinstance(fingerprinted, list):
        raise ValueError("fields")
    version = data.get("version")
    return Marker(files=data["files"], version=version if isinstance(version, int) else None,
                  compression=str(data.get("compression", "")), script_hashes=tuple(hashes),
                  wasm=wasm, fingerprinted=tuple(map(str, fingerprinted)), units=units)
