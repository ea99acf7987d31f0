"""Content-hashed asset names (`portal.3f2a1b9c0d.css`), with every reference rewritten."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

STATIC_REF = re.compile(r"/static/[A-Za-z0-9_.\-/]+")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.DOTALL)
TEXT_SUFFIXES = (".html", ".css", ".js", ".xml", ".json", ".svg", ".txt", ".webmanifest")


def _hashed_name(path: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{path.stem}.{digest}{path.suffix}"


def _rewrite(text: str, mapping: dict[str, str]) -> str:
    return STATIC_REF.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)


def fingerprint(root: Path) -> dict[str, str]:
    """Rename every file under static/ to include its hash; rewrite references to it everywhere.

    Style sheets are hashed after the files they refer to, so their hash covers the new names.
    """
    static = root / "static"
    mapping: dict[str, str] = {}
    if not static.is_dir():
        return mapping
    files = sorted(p for p in static.rglob("*") if p.is_file())
    for path in sorted(files, key=lambda p: (p.suffix == ".css", p.as_posix())):
        data = path.read_bytes()
        if path.suffix == ".css":
            data = _rewrite(data.decode("utf-8"), mapping).encode("utf-8")
            path.write_bytes(data)
        target = path.with_name(_hashed_name(path, data))
        path.rename(target)
        mapping["/" + path.relative_to(root).as_posix()] = "/" + target.relative_to(root).as_posix()
    for path in sorted(root.rglob("*")):
        if path.suffix in TEXT_SUFFIXES and path.is_file() and static not in path.parents:
            text = path.read_text(encoding="utf-8")
            new = _rewrite(text, mapping)
            if new != text:
                path.write_text(new, encoding="utf-8")
    return mapping


def inline_script_hashes(root: Path) -> list[str]:
    """CSP `sha256-…` sources for every inline script in the built pages."""
    hashes = set()
    for path in root.rglob("*.html"):
        for body in INLINE_SCRIPT.findall(path.read_text(encoding="utf-8")):
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            hashes.add(f"'sha256-{digest}'")
    return sorted(hashes)
