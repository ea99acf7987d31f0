"""The promise "no request to any other origin, no script of anyone else", checked on HTML.

Applied to every rendered page body (so `portal check` names the source file and line) and to
every file a build renders (so a template cannot break it either). It reads what a browser
would fetch or run, not the Markdown source: a reference-style image, an image split over
lines, raw HTML or a value from the settings all end up here in the same form.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Attributes whose URL the browser fetches (or submits to) without the visitor asking.
FETCHED = {"src", "poster", "data", "background", "action", "formaction", "ping", "manifest",
           "codebase", "cite", "longdesc", "lowsrc", "dynsrc"}
SRCSET = {"srcset", "imagesrcset"}
# `<link rel=...>` kinds that load something; canonical and alternate links only name a page.
LOADING_RELS = {"stylesheet", "icon", "apple-touch-icon", "mask-icon", "preload", "prefetch",
                "modulepreload", "manifest", "dns-prefetch", "preconnect", "prerender"}
DATA_BLOCK = "application/ld+json"  # structured data: a <script> a browser never runs
HREF_LOADS = {"image", "use", "feimage", "script", "base"}  # SVG and <base>: href is fetched
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)|@import\s+(['\"])(.*?)\3", re.IGNORECASE | re.DOTALL)


def is_local(url: str) -> bool:
    """Whether a URL stays on whatever host serves the site: a path, never a scheme or host."""
    url = url.strip()
    if url.startswith(("//", "\\", "/\\")):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def css_urls(css: str) -> list[str]:
    """The URLs a style sheet (or a style attribute) would fetch."""
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in CSS_URL.finditer(css)]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []  # (line, what is wrong)
        self._in: str | None = None

    def _flag(self, message: str) -> None:
        self.found.append((self.getpos()[0], message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs, closed=True)

    def _element(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool = False) -> None:
        values = {name: value or "" for name, value in attrs}
        rels = set(values.get("rel", "").lower().split())
        if tag == "script":
            # A data block (JSON-LD) is never run; only this exact type is one here.
            if not values.get("src") and values.get("type") != DATA_BLOCK:
                self._flag("an inline <script> (only the portal's own script files may run)")
            if not closed:
                self._in = "script"
        if tag == "style" and not closed:
            self._in = "style"
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self._flag("a <meta http-equiv=refresh>, which sends the visitor elsewhere")
        for name, value in values.items():
            if name.startswith("on"):
                self._flag(f"an event handler ({name}=) on <{tag}>")
            elif name in FETCHED or (name in ("href", "xlink:href") and (
                    tag in HREF_LOADS or (tag == "link" and rels & LOADING_RELS))):
                if not is_local(value):
                    self._flag(f"<{tag} {name}> loads {value!r} from another website")
            elif name in SRCSET:
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url and not is_local(url):
                        self._flag(f"<{tag} {name}> loads {url!r} from another website")
            elif name == "style":
                for url in css_urls(value):
                    if not is_local(url):
                        self._flag(f"a style on <{tag}> loads {url!r} from another website")
            if name in ("href", "src", "action", "formaction", "xlink:href") and \
                    re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "vbscript:")):
                self._flag(f"a script address ({value[:30]!r}) on <{tag}>")

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            for url in css_urls(data):
                if not is_local(url):
                    self._flag(f"a <style> loads {url!r} from another website")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None


def violations(html: str) -> list[tuple[int, str]]:
    """What in this HTML would load something from another origin or run a script that is not
    one of the portal's files, as (line in the HTML, what)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found
