"""`_headers` and `_redirects`: the server config for static hosts that read these files."""

from __future__ import annotations

from pathlib import Path

from ..server import IMMUTABLE, Policy, security_headers
from ..settings import Settings


def write(root: Path, settings: Settings, policy: Policy) -> None:
    """Write both files. Hosts combine the values of every rule that matches a path, so
    Cache-Control is set only for /static/*: pages keep the host's default (revalidate)."""
    headers = security_headers(policy)
    lines = ["/*", *(f"  {name}: {value}" for name, value in headers.items()), "",
             "/static/*", f"  Cache-Control: {IMMUTABLE}", ""]
    (root / "_headers").write_text("\n".join(lines), encoding="utf-8")
    # `302!` because / has an index.html, which would otherwise win; a browser with none of
    # these languages gets the language chooser.
    redirects = [f"/  /{code}/  302!  Language={code}" for code in settings.codes]
    (root / "_redirects").write_text("\n".join(redirects) + "\n", encoding="utf-8")
