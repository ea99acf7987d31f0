"""Precompressed `.gz` files next to text files, for nginx's gzip_static."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

COMPRESSIBLE = (".html", ".css", ".js", ".xml", ".txt", ".svg", ".json", ".webmanifest")
MIN_BYTES = 256


def worth_packing(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.endswith(COMPRESSIBLE) and not name.startswith(".")


def pack(data: bytes) -> bytes | None:
    """The gzip file for some bytes, or None where it would not save any. Deterministic
    (no time stamp); level 6, since 9 is about twice as slow for about 1% less."""
    if len(data) < MIN_BYTES:
        return None
    packed = gzip.compress(data, compresslevel=6, mtime=0)
    return packed if len(packed) < len(data) else None


def key() -> str:
    """What the .gz files depend on besides their page: this compressor and zlib."""
    source = Path(__file__).read_bytes() + zlib.ZLIB_RUNTIME_VERSION.encode()
    return hashlib.sha256(source).hexdigest()[:32]
