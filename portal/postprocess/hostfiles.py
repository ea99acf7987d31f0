"""`_headers` and `_redirects`: the server config for static hosts that read these files."""

from __future__ import annotations

from pathlib import Path

from ..server import IMMUTABLE, REVALIDATE, Policy, security_headers
from ..settings import Settings


def write(root: Path, settings: Settings, policy: Policy) -> None:
    headers = security_headers(policy)
    lines = ["/*", *(f"  {name}: {value}" for name, value in headers.items()),
             f"  Cache-Control: {REVALIDATE}", "", "/static/*", f"  Cache-Control: {IMMUTABLE}", ""]
    (root / "_headers").write_text("\n".join(lines), encoding="utf-8")
    redirects = [f"/  /{code}/  302  Language={code}" for code in settings.codes]
    redirects.append(f"/  /{settings.default_language}/  302")  # a language we do not have
    (root / "_redirects").write_text("\n".join(redirects) + "\n", encoding="utf-8")
