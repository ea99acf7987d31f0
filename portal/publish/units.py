"""The build's units and their keys.

A unit is a set of files rendered together from the same inputs: a page; a page's poster and
QR code; the site-wide files. Its key is a hash of everything it is made from, written out as
an explicit tuple below, so a rebuild renders only the units whose key changed (previous.py).
Values are hashed through `canonical()`, which reads every field of a dataclass (a field left
out of its repr, say, still counts).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import Flask

from ..load import files
from ..load.content import Page, search_url
from ..load.fallback import Fallback
from ..load.members import Member
from ..load.settings import SETTINGS_FILE
from ..load.site import Project, Site
from ..render import views
from ..render.member_views import member_pages, member_poster_inputs
from ..render.member_views import poster_url as member_poster_url
from ..render.member_views import qr_url as member_qr_url
from .postprocess import compress

# Libraries whose version changes what is written.
LIBRARIES = ("flask", "frozen-flask", "flask-babel", "babel", "jinja2", "markdown", "nh3",
             "segno", "pagefind", "pagefind-bin", "markupsafe")
PACKAGE = Path(__file__).parent.parent  # the portal's code and templates


@dataclass(frozen=True)
class Unit:
    """Files that are rendered together, from the same inputs."""

    id: str
    key: str | None  # a hash of its inputs; None: rendered in every build
    urls: tuple[str, ...]
    qr: Page | None = None  # the page whose QR code file this unit writes
    document: Page | None = None  # the page whose API document (/api/v1/…) this unit writes


def site_urls(site: Site) -> list[str]:
    """The site-wide URLs, taken from the Site (no url_for per page)."""
    urls = ["/", "/404.html", "/sitemap.xml", "/robots.txt"]
    return (urls + [search_url(code) for code in site.settings.codes]
            + [f"/{code}/404.html" for code in site.settings.codes])


def file_for(url: str) -> str:
    """Where Frozen-Flask writes a URL, relative to the build."""
    rel = url.lstrip("/")
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def plan(app: Flask, site: Site, base: str) -> list[Unit]:
    """Every unit of the build with its key; `base` is what every output depends on."""
    project = site.project
    units = [Unit("site", None, tuple(site_urls(site)))]
    catalogs = {code: catalog_key(project, code) for code in site.settings.codes}
    with app.test_request_context("/"):
        # A language's menu and header are the same on all its pages: hashed once, not per page.
        bases = {code: hash_of(("base", base), ("catalog", catalogs[code]),
                               ("chrome", views.portal().chrome(code)))
                 for code in site.settings.codes}
        poster_bases = {code: hash_of(("base", base), ("catalog", catalogs[code]),
                                      ("poster chrome", views.poster_chrome(code)))
                        for code in site.settings.codes}
        for page in site.pages():
            units.append(Unit(f"page:{page.url}", page_key(bases[page.lang], site, page),
                              (page.url,), document=page))
            units.append(Unit(f"poster:{page.url}", poster_key(poster_bases[page.lang], page),
                              (f"{page.url}poster/",), qr=page))
        for page in member_pages(site):  # each member municipality's poster and QR code
            for member in site.settings.members:
                urls = (member_poster_url(page, member), member_qr_url(page, member))
                units.append(Unit(f"member:{urls[0]}",
                                  member_poster_key(poster_bases[page.lang], page, member), urls))
        for url, fallback in views.portal().fallbacks.items():  # untranslated pages
            units.append(Unit(f"fallback:{url}", fallback_key(bases[fallback.lang], catalogs,
                                                              site, fallback), (url,)))
    return units


def page_key(language_base: str, site: Site, page: Page) -> str:
    """A page: its language's base, what page.html is given besides the shared chrome, and
    where the pages its body links to are now (a renamed or deleted page changes the key of
    every page that links to it)."""
    inputs = {**views.page_inputs(page), "chrome": None}
    return hash_of(("language", language_base), ("inputs", inputs),
                   ("links", body_inputs(site, page)))


def poster_key(language_base: str, page: Page) -> str:
    """A poster and its QR code: what poster.html is given besides the chrome."""
    return hash_of(("language", language_base), ("poster", {**views.poster_inputs(page),
                                                           "chrome": None}))


def member_poster_key(language_base: str, page: Page, member: Member) -> str:
    """A member municipality's poster and QR code, beside a page that lists the members."""
    return hash_of(("language", language_base),
                   ("member poster", {**member_poster_inputs(page, member), "chrome": None}))


def fallback_key(language_base: str, catalogs: dict[str, str], site: Site,
                 fallback: Fallback) -> str:
    """A page borrowed from another language: the visitor language's base, what fallback.html
    is given, the borrowed language's interface strings and where its links lead."""
    return hash_of(("language", language_base),
                   ("fallback", {**views.fallback_inputs(fallback), "chrome": None}),
                   ("borrowed catalog", catalogs[fallback.page.lang]),
                   ("links", body_inputs(site, fallback.page)))


def global_key(project: Project, assets_key: str) -> str:
    """What every output depends on: the portal's code and templates, the libraries, the
    compressor, the project's own templates, the settings file and the static assets."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix not in (".pyc",):
            h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        h.update(f"{name}={_version(name)}\0".encode())
    h.update(f"{sys.version}\0{compress.key()}".encode())
    # The templates as the loader sees them (links inside the project followed, once).
    for path in files.walk(project.templates, project.root).files:
        h.update(path.relative_to(project.root).as_posix().encode() + b"\0"
                 + files.read(path, project.root))
    settings = project.content / SETTINGS_FILE
    h.update(settings.read_bytes() if settings.is_file() else b"")
    h.update(assets_key.encode())
    return h.hexdigest()[:32]


def catalog_key(project: Project, code: str) -> str:
    """The interface strings of one language."""
    po = project.translations / code / "LC_MESSAGES" / "messages.po"
    return hashlib.sha256(po.read_bytes()).hexdigest()[:32] if po.is_file() else ""


def hash_of(*parts: tuple[str, Any]) -> str:
    """The hash of named inputs, each read through `canonical()`."""
    text = json.dumps([[name, canonical(value)] for name, value in parts], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def canonical(value: Any) -> Any:
    """A value as plain JSON data: every field of a dataclass, mappings sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"@": type(value).__name__, **{f.name: canonical(getattr(value, f.name))
                                             for f in dataclasses.fields(value)}}
    if isinstance(value, dict):
        return [[canonical(k), canonical(v)] for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]
    if isinstance(value, list | tuple | set | frozenset):
        items = [canonical(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, bool | int | float | str):
        return value  # str covers Markup
    if isinstance(value, dt.date | Path):
        return str(value)
    raise TypeError(f"cannot key a {type(value).__name__}: add it to canonical()")


def linked_names(body: str) -> set[str]:
    """Every `name` written before `.md` in a text, taken back to the last space, bracket or
    quote (and to the last bracket or quote): whatever Markdown or HTML may link to.
    Over-matching is harmless; missing one is not."""
    names, at = set(), body.find(".md")
    while at != -1:
        for delimiters in (_DELIMITERS, _BRACKETS):  # `[x](<a name.md>)` may hold spaces
            start = at
            while start > 0 and body[start - 1] not in delimiters:
                start -= 1
            if start < at:
                names.add(body[start:at])
        at = body.find(".md", at + 3)
    return names


_DELIMITERS = frozenset(" \t\n\r()[]<>\"'")
_BRACKETS = frozenset("\n()[]<>\"'")


def body_inputs(site: Site, page: Page) -> list[tuple[str, str | None]]:
    """The other pages a body links to (`name.md`) and where they lead now (a fallback page
    until the page is translated)."""
    return [(name, site.link_url(page.lang, name)) for name in sorted(linked_names(page.body))]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


