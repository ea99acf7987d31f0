"""The last safety net: every internal link and asset in the frozen pages must exist.

Links are read from each page as it is rendered (never by reading the build back); then all
of them are checked against the files of the build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from ...errors import BuildError

REFERENCE = re.compile(r'\s(?:href|src)="([^"]*)"')


@lru_cache(maxsize=65536)
def _target(base: str, ref: str) -> str | None:
    """The build-relative path a link on a page at `base` leads to; None for other sites,
    mail, phone, and anchors on the same page."""
    target = urlsplit(urljoin(base, ref))
    if target.scheme not in ("", "http", "https") or target.netloc or not target.path:
        return None
    return unquote(target.path).lstrip("/")


def references(html: str) -> list[str]:
    """The distinct links and sources of a page, as written, sorted."""
    return sorted({ref.replace("&amp;", "&") for ref in REFERENCE.findall(html)})


def check(links: Mapping[str, Iterable[str]], files: set[str]) -> None:
    """Raise BuildError naming each page (URL -> its references) that links to a missing file.
    Each distinct link is resolved once: an address from the root is the same on every page."""
    broken: list[str] = []
    for url in sorted(links):
        folder = url.rsplit("/", 1)[0] + "/"
        for ref in links[url]:
            if ref.startswith("#"):
                continue
            if ref.startswith("/") and not ref.startswith("//"):  # most links: no join needed
                target: str | None = unquote(ref.partition("#")[0].partition("?")[0]).lstrip("/")
            else:
                target = _target(folder, ref)
            if (target is not None and target not in files
                    and (target.rstrip("/") + "/index.html").lstrip("/") not in files):
                broken.append(f"{url} links to {ref}, which is not part of the site")
    if broken:
        more = f" (and {len(broken) - 20} more)" if len(broken) > 20 else ""
        raise BuildError("broken links, nothing was published:\n" + "\n".join(broken[:20]) + more)
