"""`portal nginx`: an nginx configuration for a build, with its security headers and redirects."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..errors import BuildError
from ..load.settings import Settings
from ..publish import marker
from ..publish.headers import (
    API_CACHE,
    IMMUTABLE,
    REVALIDATE,
    Policy,
    admin_headers,
    api_headers,
    host,
    security_headers,
)

TEMPLATES = Path(__file__).parent.parent / "templates" / "server"
# What a path may hold to be written, quoted, into nginx's configuration: `$` would start a
# variable there, and the rest could end the string or the directive.
SAFE_PATH = re.compile(r"/[^\x00-\x1f\x7f\"'\\${};]*")
LISTEN = re.compile(r"(?:(?:\d{1,3}\.){3}\d{1,3}:|\[[0-9A-Fa-f:.]+\]:|localhost:)?\d{1,5}")


def nginx_config(settings: Settings, root: Path, listen: list[str] | None = None,
                 certificate: str = "/etc/ssl/certs/portal.pem",
                 certificate_key: str = "/etc/ssl/private/portal.key",
                 acme_root: str = "/var/lib/letsencrypt") -> str:
    """The config text for serving the build in `root` (read for its CSP script hashes).

    `root` is used as given, not resolved: a symlink that a deployment switches keeps working.
    """
    facts = marker.read(root)  # its script hashes are checked there: they go into the config
    policy = Policy(facts.script_hashes, wasm=facts.wasm) if facts else Policy((), wasm=False)
    paths = {"--build": str(root.absolute()), "--certificate": certificate,
             "--certificate-key": certificate_key, "--acme-root": acme_root}
    for option, value in paths.items():
        if not SAFE_PATH.fullmatch(value):
            raise BuildError(f"{option} {value!r} cannot be written into an nginx configuration: "
                             "use a path without quotes, backslashes, $, braces, ; or control characters")
    for address in listen or []:
        if not LISTEN.fullmatch(address) or not 0 < int(address.rpartition(":")[2]) < 65536:
            raise BuildError(f"--listen {address!r} must be a port, or an address and a port "
                             "such as 127.0.0.1:8080 or [::1]:8080")
    base = security_headers(policy)

    def headers(cache: str, admin: bool = False, api: bool = False) -> Markup:
        values = (admin_headers(settings) if admin
                  else {**(api_headers(policy) if api else base), "Cache-Control": cache})
        lines = [f'        add_header {name} "{value}" always;' for name, value in values.items()]
        return Markup("\n".join(lines))

    tls = listen is None
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template("nginx.conf").render(
        base_url=settings.base_url, default_language=settings.default_language,
        languages=list(settings.codes), server_name=host(settings), root=str(root.absolute()),
        acme_root=acme_root,
        listen=listen or ["443 ssl", "[::]:443 ssl"], tls=tls, certificate=certificate,
        certificate_key=certificate_key, headers=headers, revalidate=REVALIDATE,
        immutable=IMMUTABLE, admin=settings.cms is not None, api_cache=API_CACHE)
