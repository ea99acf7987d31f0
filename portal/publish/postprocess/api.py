"""The content as data: a read-only JSON API under /api/v1/ (described in docs/api.md, with a
JSON Schema per document in docs/api/).

- `/api/v1/site.json`: languages, names, contact channels, opening hours;
- `/api/v1/<lang>/pages.json`: every page of a language, without its text;
- `/api/v1/<lang>/<name>.json`: one page with its body as HTML, plain text and headings.

Made from the Site alone, in a fixed order, so a rebuild writes the same bytes as a clean
build. A page's document is written with its page, in the same unit (publish/units.py): made
again only when the page is, and otherwise linked from the previous build like the page.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from ...load.content import Page
from ...load.settings import Phone, Settings
from ...load.site import Site
from ...render import bodytext
from . import assets

if TYPE_CHECKING:
    from ..output import Output

VERSION = 1
ROOT = f"/api/v{VERSION}/"
# Site paths in the body's links and images, made absolute for use on other sites.
SITE_PATH = re.compile(r'(\s(?:href|src)=")/(?![/\\])')


def site_url() -> str:
    return ROOT + "site.json"


def pages_url(code: str) -> str:
    return f"{ROOT}{code}/pages.json"


def page_url(page: Page) -> str:
    return f"{ROOT}{page.lang}/{quote(page.name)}.json"


def _file(url: str) -> str:
    """Where a URL's file is in the build (names are written as they are, not %-encoded)."""
    return unquote(url).lstrip("/")


def encode(data: Any) -> bytes:
    """Compact, stable JSON in UTF-8 (key order as written, no spaces)."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _phone(phone: Phone) -> dict[str, str]:
    return {"display": phone.display, "dial": phone.dial}


def site_document(settings: Settings) -> dict[str, Any]:
    contact = settings.contact
    return {
        "api_version": VERSION,
        "base_url": settings.base_url,
        "default_language": settings.default_language,
        "languages": [{"code": lang.code, "name": lang.name, "direction": lang.dir,
                       "url": settings.absolute(f"/{lang.code}/"),
                       "pages": settings.absolute(pages_url(lang.code))}
                      for lang in settings.languages],
        "municipality": dict(settings.municipality),
        "programme": dict(settings.programme),
        "contact": {
            "phone": _phone(contact.phone),
            "sms": _phone(contact.sms),
            "email": contact.email,
            "address": contact.address,
            "after_hours": _phone(contact.after_hours),
            "hours": [{"weekday": day, "opens": hours.opens, "closes": hours.closes}
                      for hours in contact.hours for day in hours.weekdays],
        },
        "national_numbers": {"emergency": _phone(settings.emergency),
                             "police": _phone(settings.police),
                             "healthcare": _phone(settings.healthcare)},
    }


def page_fields(site: Site, page: Page) -> dict[str, Any]:
    """What pages.json says of a page (and each page's document starts with)."""
    settings = site.settings
    return {
        "lang": page.lang,
        "name": page.name,
        "slug": page.slug,
        "url": settings.absolute(page.url),
        "data": settings.absolute(page_url(page)),
        "title": page.title,
        "description": page.description,
        "order": page.order,
        "updated": page.updated.isoformat() if page.updated else None,
        "easy_read": page.easy_read,
        "translations": {code: settings.absolute(other.url)
                         for code, other in site.translations(page.name).items()},
    }


def page_document(site: Site, page: Page, html: str, mapping: dict[str, str]) -> dict[str, Any]:
    """A page with its body: the sanitised HTML the page shows (assets under their built
    names, site paths made absolute), its plain text and its headings."""
    base = site.settings.base_url.rstrip("/")
    shown = SITE_PATH.sub(lambda m: m.group(1) + base + "/", assets.rewrite(html, mapping))
    blocks = bodytext.blocks(html)
    return {
        **page_fields(site, page),
        "html": shown,
        "text": bodytext.plain_text(blocks),
        "headings": [{"level": b.heading.level, "id": b.heading.id, "text": b.heading.text}
                     for b in blocks if b.heading is not None],
    }


def write(output: Output, site: Site) -> None:
    """The site's and each language's document. Each page's own document is written with its
    page (`page_file`, by the build's renderer), so it shares the page's key and rebuilds."""
    output.write(_file(site_url()), encode(site_document(site.settings)))
    for code in site.settings.codes:
        output.write(_file(pages_url(code)), encode({
            "api_version": VERSION, "lang": code,
            "pages": [page_fields(site, page) for page in site.pages(code)]}))


def page_file(site: Site, page: Page, html: str, mapping: dict[str, str]) -> tuple[str, bytes]:
    """Where a page's document goes in the build, and its bytes; `html` is its body as the
    page shows it (blocks such as `{{ contact }}` filled in)."""
    return _file(page_url(page)), encode(page_document(site, page, html, mapping))
