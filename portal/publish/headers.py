"""What a web server must send with the site: security headers, caching, language redirects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..load.settings import Settings

if TYPE_CHECKING:
    from .cms import Cms

HSTS_SECONDS = 63_072_000  # two years; Mozilla Observatory asks for at least six months
IMMUTABLE = "public, max-age=31536000, immutable"
# Pages are not kept in the browser's disk cache: someone checking the device later should not
# find them there. (Assets under /static/ are the same for everyone and reveal little.)
REVALIDATE = "no-store"
PERMISSIONS = ("accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
               "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
               "publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()")


@dataclass(frozen=True)
class Policy:
    """The site's own needs, from which the Content-Security-Policy is made."""

    script_hashes: tuple[str, ...] = ()
    wasm: bool = False  # client-side search runs WebAssembly
    forms: bool = False  # the site has no form that submits anywhere

    def csp(self) -> str:
        script = ["'self'", *self.script_hashes]
        if self.wasm:
            script.append("'wasm-unsafe-eval'")
        return "; ".join([
            "default-src 'none'",
            f"script-src {' '.join(script)}",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'" if self.forms else "form-action 'none'",
            "frame-ancestors 'none'",
        ])


def security_headers(policy: Policy) -> dict[str, str]:
    """The headers every response carries."""
    return {
        "Content-Security-Policy": policy.csp(),
        "Strict-Transport-Security": f"max-age={HSTS_SECONDS}",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": PERMISSIONS,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


# The content as data (/api/, docs/api.md) is for other sites: their scripts may read it, and
# their pages may load it. Only /api/ gets these; visitors' pages keep `same-origin`.
API_PATH = "/api/"
API_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
}
API_CACHE = "no-cache"  # kept, but checked with the server each time (the data may change)


def api_headers(policy: Policy) -> dict[str, str]:
    """The headers of every response under /api/: the site's own, opened for other origins."""
    return {**security_headers(policy), **API_HEADERS}


def host(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "localhost"


ADMIN_CACHE = "no-cache"  # the editor's 6 MB of scripts: revalidated, not fetched every time


def admin_csp(cms: Cms | None) -> str:
    """The policy of /admin/ only: Decap CMS needs 'unsafe-eval' (its schema validator, ajv,
    compiles code) and inline styles (emotion), and talks to the repository's API."""
    connect = ["'self'", *(cms.origins if cms else ())]
    return "; ".join([
        "default-src 'none'",
        "script-src 'self' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' blob: data:",
        "font-src 'self' data:",
        "media-src 'self' blob:",
        f"connect-src {' '.join(connect)}",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])


def admin_headers(settings: Settings | None) -> dict[str, str]:
    """The headers of /admin/: the visitors' headers with the editor's own policy; popups are
    allowed to answer (GitHub's sign-in window reports back to the editor)."""
    headers = security_headers(Policy())
    headers["Content-Security-Policy"] = admin_csp(settings.cms if settings else None)
    headers["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
    headers["Cache-Control"] = ADMIN_CACHE
    return headers
