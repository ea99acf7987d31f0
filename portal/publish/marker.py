"""The build marker, `.portal-build.json`: what the portal wrote in a build folder, read in one place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import BuildError

MARKER = ".portal-build.json"
MAX_BYTES = 200_000_000


def read(folder: Path) -> dict[str, Any] | None:
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
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("files"), dict | list):
            raise ValueError("not a marker")
    except (OSError, ValueError) as exc:
        raise BuildError(f"{path} is damaged ({exc.__class__.__name__}): build the site again "
                         f"into a new folder, or remove {folder} yourself") from None
    return data
