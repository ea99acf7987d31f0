"""The search index: Pagefind, one bundle per language in `pagefind/<lang>/`.

One bundle per language keeps each Pagefind run small (its memory grows with the pages it
indexes), lets two languages be indexed at once, and lets a rebuild skip every language whose
pages did not change. Each language's search page loads only its own bundle.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build stops and the previous site stays as it was."""


def sources(code: str) -> str:
    """The pages Pagefind reads for a language (not posters): only their data-pagefind-body."""
    return f"{code}/{{index.html,*/index.html}}"


SOURCE = re.compile(r"([^/]+)/(?:[^/]+/)?index\.html")  # `sources` as a pattern


def language_read(rel: str) -> str | None:
    """The language whose bundle reads this file of the build (as `sources` selects it)."""
    match = SOURCE.fullmatch(rel)
    return match.group(1) if match else None


def output(code: str) -> str:
    return f"pagefind/{code}"


def _index(root: Path, code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(root), "--glob", sources(code),
         "--output-path", str(root / output(code)), "--silent"],
        capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0 or not (root / output(code) / "pagefind.js").is_file():
        raise SearchIndexError(f"the search index for {code!r} could not be built: "
                               f"{result.stderr.strip()}")
    # Pagefind writes its ready-made interfaces too; the portal has its own.
    for extra in (root / output(code)).glob("pagefind-*"):
        if extra.suffix in (".js", ".css") and extra.name != "pagefind-worker.js":
            extra.unlink()
    # Sorted keys, so that two builds of the same pages are byte-identical.
    entry = root / output(code) / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
                     encoding="utf-8")


def index(root: Path, codes: list[str], jobs: int = 2) -> None:
    """Write the bundles of the given languages, `jobs` Pagefind processes at a time."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(lambda code: _index(root, code), codes))
