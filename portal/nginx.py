"""`portal nginx`: an nginx configuration for a build, with its security headers and redirects."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .freeze import MARKER
from .server import IMMUTABLE, REVALIDATE, Policy, host, security_headers
from .settings import Settings

TEMPLATES = Path(__file__).parent / "templates" / "server"


def nginx_config(settings: Settings, root: Path, listen: list[str] | None = None,
                 certificate: str = "/etc/ssl/certs/portal.pem",
                 certificate_key: str = "/etc/ssl/private/portal.key",
                 acme_root: str = "/var/lib/letsencrypt") -> str:
    """The config text for serving the build in `root` (read for its CSP script hashes).

    `root` is used as given, not resolved: a symlink that a deployment switches keeps working.
    """
    marker = root / MARKER
    facts = json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else {}
    policy = Policy(tuple(facts.get("script_hashes", [])), wasm=bool(facts.get("wasm", False)))
    base = security_headers(policy)

    def headers(cache: str) -> Markup:
        lines = [f'        add_header {name} "{value}" always;'
                 for name, value in {**base, "Cache-Control": cache}.items()]
        return Markup("\n".join(lines))

    tls = listen is None
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template("nginx.conf").render(
        base_url=settings.base_url, default_language=settings.default_language,
        languages=list(settings.codes), server_name=host(settings), root=root.absolute(),
        acme_root=acme_root,
        listen=listen or ["443 ssl", "[::]:443 ssl"], tls=tls, certificate=certificate,
        certificate_key=certificate_key, headers=headers, revalidate=REVALIDATE,
        immutable=IMMUTABLE)
