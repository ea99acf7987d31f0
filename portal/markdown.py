"""Markdown to safe HTML: placeholders, page links, Unicode heading ids, an allow-list sanitiser."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import markdown
import nh3
from babel.lists import format_list
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

if TYPE_CHECKING:
    from .content import Page
    from .settings import Phone, Settings
    from .site import Site

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
PLACEHOLDERS = ("programme", "municipality", "phone", "sms", "email", "address", "hours",
                "after_hours")

TAGS = {"a", "abbr", "b", "bdi", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1",
        "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small",
        "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
ATTRIBUTES = {
    "*": {"id", "lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel", "sms"}
TABLE = re.compile(r"<table>.*?</table>", re.DOTALL)


def slugify(value: str, separator: str) -> str:
    """Heading ids that keep every letter, and Persian's zero-width non-joiner (U+200C), which
    Python-Markdown's slugify_unicode drops ("می‌توانید" must stay as it is written)."""
    value = re.sub(r"[^\w\s\u200c-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


def sanitise(html: str) -> str:
    """Keep only the allow-listed tags, attributes and link schemes."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True)


def phone_link(phone: Phone, scheme: str = "tel") -> Markup:
    """A call or SMS link whose digits stay in order in right-to-left text (pages and templates)."""
    return Markup(f'<a href="{scheme}:{phone.dial}" dir="ltr">{escape(phone.display)}</a>')


def placeholder_values(settings: Settings, lang: str) -> dict[str, str]:
    """What each placeholder becomes in one language (Markdown/HTML text)."""
    contact = settings.contact
    return {
        "programme": escape(settings.programme[lang]),
        "municipality": escape(settings.municipality[lang]),
        "phone": phone_link(contact.phone),
        "sms": phone_link(contact.sms, "sms"),
        "email": f'<a href="mailto:{escape(contact.email)}">{escape(contact.email)}</a>',
        "address": (escape(contact.address) if lang == settings.default_language else
                    # written in the default language: screen readers should read it so
                    f'<span lang="{settings.default_language}" '
                    f'dir="{settings.language(settings.default_language).dir}">'
                    f"{escape(contact.address)}</span>"),
        "hours": escape(format_list(settings.opening_hours(lang), locale=lang)),
        "after_hours": phone_link(contact.after_hours),
    }


class _PageLinks(Treeprocessor):
    """Turns links to `name.md` into the URL of that page in the same language."""

    def __init__(self, md: markdown.Markdown, renderer: Renderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: etree.Element) -> None:
        for link in root.iter("a"):
            href = link.get("href", "")
            parts = urlsplit(href)
            if parts.scheme or not parts.path.endswith(".md"):
                continue
            target = self.renderer.site.page(self.renderer.lang, parts.path.removesuffix(".md"))
            if target is not None:  # checks.py reports the missing ones before rendering
                link.set("href", target.url + (f"#{parts.fragment}" if parts.fragment else ""))


class _PageLinksExtension(Extension):
    def __init__(self, renderer: Renderer) -> None:
        super().__init__()
        self.renderer = renderer

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_PageLinks(md, self.renderer), "portal_links", 5)


class Renderer:
    """Renders page bodies; one Markdown converter and one set of placeholder values per language."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.lang = site.settings.default_language
        self._md = markdown.Markdown(extensions=[
            "tables",
            "attr_list",
            "sane_lists",
            TocExtension(slugify=slugify, toc_depth="2-6"),
            _PageLinksExtension(self),
        ])
        self._values = {code: placeholder_values(site.settings, code) for code in site.settings.codes}

    def render(self, page: Page) -> str:
        """The page body as sanitised HTML."""
        self.lang = page.lang
        values = self._values[page.lang]
        body = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), page.body)
        html = sanitise(self._md.reset().convert(body))
        # A wide table scrolls inside its own box (keyboard-focusable), not the whole page.
        return TABLE.sub(r'<div class="portal-prose__table" tabindex="0">\g<0></div>', html)
