"""A feed of updated pages per language: Atom (RFC 4287) at `/<lang>/feed.xml`.

Entries are the language's pages that say when they were `updated:`, newest first; a page
without that date has no honest time for a feed reader, so it is left out. The feed's own
time is its newest entry's, never the build's, so a rebuild writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ...load.content import Page, feed_url
from ...load.site import Site

if TYPE_CHECKING:
    from ..output import Output

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NO_DATE = dt.date(1970, 1, 1)  # a feed none of whose pages has a date (RFC 4287 needs one)
# Characters XML 1.0 cannot hold at all (a title may have them, written as YAML escapes):
# ElementTree would write them, and a feed reader would refuse the whole feed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def stamp(day: dt.date) -> str:
    """An Atom date-time for a page's date (the start of that day, UTC)."""
    return f"{day.isoformat()}T00:00:00Z"


def entries(site: Site, code: str) -> list[Page]:
    """The language's dated pages, newest first (then by name, so the order is stable)."""
    dated = [page for page in site.pages(code) if page.updated is not None]
    return sorted(dated, key=lambda page: (-page.updated.toordinal(), page.name))  # type: ignore[union-attr]


def atom(site: Site, code: str) -> bytes:
    settings = site.settings
    pages = entries(site, code)
    start = site.start(code)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        element.text = None if text is None else NOT_XML.sub("", text)
        return element

    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: code})
    add(feed, "id", settings.absolute(start.url))
    add(feed, "title", settings.programme[code])
    add(feed, "subtitle", start.description)
    add(feed, "link", rel="self", type="application/atom+xml", href=settings.absolute(feed_url(code)))
    add(feed, "link", rel="alternate", type="text/html", href=settings.absolute(start.url))
    add(feed, "updated", stamp(pages[0].updated if pages and pages[0].updated else NO_DATE))
    author = add(feed, "author")
    add(author, "name", settings.municipality[code])
    for page in pages:
        entry = add(feed, "entry")
        add(entry, "id", settings.absolute(page.url))
        add(entry, "title", page.title)
        add(entry, "link", rel="alternate", type="text/html", href=settings.absolute(page.url))
        add(entry, "updated", stamp(page.updated or NO_DATE))
        add(entry, "summary", page.description)
    ET.indent(feed)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            + ET.tostring(feed, encoding="unicode") + "\n").encode("utf-8")


def write(output: Output, site: Site) -> None:
    for code in site.settings.codes:
        output.write(feed_url(code).lstrip("/"), atom(site, code))
