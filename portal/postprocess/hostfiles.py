"""`_headers` and `_redirects`: the server config for static hosts that read these files."""

from __future__ import annotations

from ..server import IMMUTABLE, Policy, security_headers
from ..settings import Settings


def files(settings: Settings, policy: Policy) -> dict[str, bytes]:
    """Both files by name. Hosts combine the values of every rule that matches a path, so
    Cache-Control is set only for /static/*: pages keep the host's default (revalidate)."""
    headers = security_headers(policy)
    lines = ["/*", *(f"  {name}: {value}" for name, value in headers.items()), "",
             "/static/*", f"  Cache-Control: {IMMUTABLE}", ""]
    # `302!` because / has an index.html, which would otherwise win; a browser with none of
    # these languages gets the language chooser.
    redirects = [f"/  /{code}/  302!  Language={code}" for code in settings.codes]
    # A missing page under a language's address: that language's 404 page (the host serves
    # /404.html for the rest).
    redirects += [f"/{code}/*  /{code}/404.html  404" for code in settings.codes]
    return {"_headers": "\n".join(lines).encode("utf-8"),
            "_redirects": ("\n".join(redirects) + "\n").encode("utf-8")}
