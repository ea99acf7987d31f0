"""`_headers` and `_redirects`: the server config for static hosts that read these files."""

from __future__ import annotations

from ...load.cms import ADMIN
from ...load.settings import Settings
from ..headers import API_CACHE, API_HEADERS, API_PATH, IMMUTABLE, Policy, admin_headers, security_headers


def files(settings: Settings, policy: Policy) -> dict[str, bytes]:
    """Both files by name. Hosts combine the values of every rule that matches a path, so
    Cache-Control is set only for /static/*: pages keep the host's default (revalidate)."""
    headers = security_headers(policy)
    # /api/* adds its own Cross-Origin-Resource-Policy: a host that joins it with the site's
    # gives `same-origin, cross-origin`, which browsers ignore as invalid (Fetch standard), so
    # either way other sites may read the API; Access-Control-Allow-Origin is /api/'s alone.
    api = {**API_HEADERS, "Cache-Control": API_CACHE}
    lines = ["/*", *(f"  {name}: {value}" for name, value in headers.items()), "",
             "/static/*", f"  Cache-Control: {IMMUTABLE}", "",
             f"{API_PATH}*", *(f"  {name}: {value}" for name, value in api.items()), ""]
    if settings.cms is not None:
        # The editor's own, looser policy, for /admin/ only. `! Name` detaches the value the
        # /* rule set (Cloudflare Pages); hosts without it send both policies, which only
        # adds restrictions: see docs/cms.md.
        changed = {name: value for name, value in admin_headers(settings).items()
                   if headers.get(name) != value}
        lines += [f"{ADMIN}*", *(f"  ! {name}" for name in changed if name in headers),
                  *(f"  {name}: {value}" for name, value in changed.items()), ""]
    # `302!` because / has an index.html, which would otherwise win; a browser with none of
    # these languages gets the language chooser.
    redirects = [f"/  /{code}/  302!  Language={code}" for code in settings.codes]
    # A missing page under a language's address: that language's 404 page (the host serves
    # /404.html for the rest).
    redirects += [f"/{code}/*  /{code}/404.html  404" for code in settings.codes]
    return {"_headers": "\n".join(lines).encode("utf-8"),
            "_redirects": ("\n".join(redirects) + "\n").encode("utf-8")}
