"""Content-hashed asset names (`portal.3f2a1b9c0d.css`), known before rendering.

The names are computed from static/ before any page is rendered, so each page is written once
with the final names (no second pass over every file), and a page's output depends only on its
inputs and these names.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ...load import files as project_files

STATIC_REF = re.compile(r"/static/[A-Za-z0-9_.\-/]+")


@dataclass(frozen=True)
class Assets:
    """The files of static/ under their hashed names."""

    mapping: dict[str, str]  # "/static/css/portal.css" -> "/static/css/portal.3f2a1b9c0d.css"
    files: dict[str, bytes]  # hashed URL -> the bytes to write there

    @property
    def key(self) -> str:
        """Changes whenever any asset's name or bytes change."""
        return hashlib.sha256("\n".join(sorted(self.files)).encode()).hexdigest()


def rewrite(text: str, mapping: dict[str, str]) -> str:
    """Every `/static/…` reference in a text, under its hashed name."""
    return STATIC_REF.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)


def _hashed_name(url: str, data: bytes) -> str:
    stem, dot, suffix = url.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{url}.{digest}"


def plan(static: Path) -> Assets:
    """Hash every file under static/. Style sheets are hashed after the files they refer to,
    with those references rewritten, so their hash covers the new names."""
    mapping: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if not static.is_dir():
        return Assets(mapping, files)
    root = static.parent
    paths = project_files.walk(static, root).files  # refused links and special files: see check_static
    for path in sorted(paths, key=lambda p: (p.suffix == ".css", p.as_posix())):
        url = "/static/" + path.relative_to(static).as_posix()
        data = project_files.read(path, root, limit=50_000_000)
        if path.suffix == ".css":
            data = rewrite(data.decode("utf-8"), mapping).encode("utf-8")
        mapping[url] = _hashed_name(url, data)
        files[mapping[url]] = data
    return Assets(mapping, files)
