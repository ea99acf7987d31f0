"""Precompressed `.gz` files next to text files, for nginx's gzip_static."""

from __future__ import annotations

import gzip
from pathlib import Path

COMPRESSIBLE = (".html", ".css", ".js", ".xml", ".txt", ".svg", ".json", ".webmanifest")
MIN_BYTES = 256


def precompress(root: Path) -> list[Path]:
    """Write `name.gz` beside each compressible file where it saves bytes; deterministic output."""
    written = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in COMPRESSIBLE or not path.is_file() or path.name.startswith("."):
            continue
        data = path.read_bytes()
        if len(data) < MIN_BYTES:
            continue
        packed = gzip.compress(data, compresslevel=6, mtime=0)  # 9 is ~2x slower for ~1% less
        if len(packed) < len(data):
            target = path.with_name(path.name + ".gz")
            target.write_bytes(packed)
            written.append(target)
    return written
