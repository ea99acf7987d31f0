"""`_headers` and `_redirects`: the server config for static hosts that read these files."""

from __future__ import annotations

from ...load.cms import ADMIN
from ...load.settings import Settings
from ..headers import IMMUTABLE, Policy, admin_headers, security_headers


def files(settings: Settings, policy: Policy) -> dict[str, bytes]:
    """Both files by name. Hosts combine the values of every rule that matches a path, so
    Cache-Control is set only for /static/*: pages keep the host's default (revalidate)."""
    headers = security_headers(policy)
    lines = ["/*", *(f"  {name}: {value}" for name, value in headers.items()), "",
             "/static/*", f"  Cache-Control: {IMMUTABLE}", ""]
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
    return {"_headers": "\n".join(lines).encode("utf-8"),
            "_redirects": ("\n".join(redirects) + "\n").encode("utf-8")}
