"""The search index: Pagefind, run over the frozen pages, one index per `<html lang>`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build stops and the previous site stays as it was."""


def index(root: Path) -> None:
    """Write `pagefind/` into the site. Only elements marked data-pagefind-body are indexed."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(root), "--glob", "**/*.html", "--silent"],
        capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0 or not (root / "pagefind" / "pagefind.js").is_file():
        raise SearchIndexError(f"the search index could not be built: {result.stderr.strip()}")
    # Pagefind lists the languages in a different order each run: sort them, so that two builds
    # of the same content are byte-identical.
    entry = root / "pagefind" / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
                     encoding="utf-8")
