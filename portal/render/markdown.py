"""Markdown to safe HTML: placeholders, page links, Unicode heading ids, an allow-list sanitiser."""

from __future__ import annotations

import re
import secrets
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html import escape, unescape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import markdown
import nh3
from babel.lists import format_list
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from ..errors import Problem
from ..load.markup import ATTRIBUTES, BLOCKS, PLACEHOLDER, PLACEHOLDERS, TAGS, URL_SCHEMES
from ..load.origins import violations
from ..load.settings import COUNTRY_CODE

if TYPE_CHECKING:
    from ..load.content import Page
    from ..load.glossary import Term
    from ..load.settings import Phone, Settings
    from ..load.site import Site

# Where `{{ members }}` stands in a rendered body: filled in by the views with the members'
# contacts in the page's interface language (a comment: page text can never hold one, the
# sanitiser removes comments).
MEMBERS_SLOT = "<!--portal:members-->"
# Where {{ contact }} stood: the view puts the contact details (a template component, rendered
# once per language from the settings) in its place.
CONTACT_SLOT = '<div class="portal-contact-slot"></div>'
MAX_SHOWN = 20  # a page's problems of one kind: the rest would only repeat them
TABLE = re.compile(r"<table>.*?</table>", re.DOTALL)
# `Table: text` as its own paragraph right before a table is the table's caption (as in Pandoc).
CAPTION = re.compile(r"<p>Table: ((?:(?!</p>).)+)</p>\s*<table>", re.DOTALL)


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
    return Markup(f'<a class="portal-tel" href="{scheme}:{phone.dial}" dir="ltr">'
                  f"{escape(phone.display)}</a>")


# Phone numbers written by hand in a page: the national short numbers and Swedish numbers
# such as 070-174 06 05 or 08-465 004 10 (groups joined by spaces or no-break spaces, which
# the sanitiser writes as &nbsp;).
HAND_WRITTEN_NUMBER = re.compile(
    r"(?<![\w\-+/.,:])(112|114(?: |\u00a0|&nbsp;)14|1177|0\d{1,3}-\d{2,3}(?:(?: |\u00a0|&nbsp;)\d{2,3}){1,3})"
    r"(?![\w\-/]|[.,:]\d)")
NO_LINKS_IN = ("a", "code", "pre", "script", "style", "title")


def link_numbers(html: str) -> str:
    """Make phone numbers written in the text tappable (`tel:`), kept in order in
    right-to-left text and on one line; not inside links, code or tags."""
    if not any(ch.isdigit() for ch in html):
        return html
    parts = re.split(r"(<[^>]*>)", html)
    inside: list[str] = []
    for index, part in enumerate(parts):
        if part.startswith("<"):
            match = re.match(r"<(/?)([a-zA-Z0-9]+)", part)
            if match and match.group(2).lower() in NO_LINKS_IN:
                if match.group(1):
                    if inside:
                        inside.pop()
                elif not part.endswith("/>"):
                    inside.append(match.group(2).lower())
        elif not inside and part:
            parts[index] = HAND_WRITTEN_NUMBER.sub(_number_link, part)
    return "".join(parts)


def _number_link(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(1).replace("&nbsp;", " "))
    dial = COUNTRY_CODE + digits[1:] if digits.startswith("0") else digits
    return f'<a class="portal-tel" href="tel:{dial}" dir="ltr">{match.group(1)}</a>'


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
        "hours": escape(format_list(settings.opening_hours(lang),
                                    locale=settings.language(lang).formats)),
        "after_hours": phone_link(contact.after_hours),
        "glossary": "",
        "members": MEMBERS_SLOT,
        **member_values(settings, lang),
        "contact": CONTACT_SLOT,
    }


def member_values(settings: Settings, lang: str) -> dict[str, str]:
    """`member.<id>.<field>` for each member municipality, in one language."""
    values: dict[str, str] = {}
    for member in settings.members:
        prefix = f"member.{member.id}."
        web = member.web or ""
        values[prefix + "name"] = escape(member.name.get(lang, ""))
        values[prefix + "area"] = escape(member.area.get(lang, ""))
        values[prefix + "social_services"] = phone_link(member.social_services)
        values[prefix + "after_hours"] = phone_link(member.after_hours)
        values[prefix + "web"] = (f'<a href="{escape(web)}" dir="ltr">'
                                  f'{escape(web.split("://", 1)[-1].rstrip("/"))}</a>' if web else "")
    return values


def glossary_html(terms: list[Term], lang: str, default: str) -> str:
    """A language's glossary as a description list; the Swedish word marked as Swedish."""
    items = []
    for term in terms:
        if lang == default:
            name = escape(term.sv)
        else:
            name = (f'{escape(term.term)} (<span lang="{default}" dir="ltr">'
                    f"{escape(term.sv)}</span>)")
        items.append(f"<dt>{name}</dt>\n<dd>{escape(term.explain)}</dd>")
    return '<dl class="portal-glossary">\n' + "\n".join(items) + "\n</dl>"


class _PageLinks(Treeprocessor):
    """Turns links to `name.md` into the URL of that page in the same language (or of its
    fallback page while it is not translated)."""

    def __init__(self, md: markdown.Markdown, site: Site) -> None:
        super().__init__(md)
        self.site = site

    def run(self, root: etree.Element) -> None:
        lang = getattr(self.md, "portal_lang", "")  # set per conversion: one converter per thread
        for link in root.iter("a"):
            href = link.get("href", "")
            parts = urlsplit(href)
            if parts.scheme or not parts.path.endswith(".md"):
                continue
            target = self.site.link_target(lang, parts.path.removesuffix(".md"))
            if target is not None:  # checks.py reports the missing ones before rendering
                url, shown = target
                link.set("href", url + (f"#{parts.fragment}" if parts.fragment else ""))
                if shown.lang != lang:  # a fallback page: its text is in another language
                    link.set("hreflang", shown.lang)


class _PageLinksExtension(Extension):
    def __init__(self, site: Site) -> None:
        super().__init__()
        self.site = site

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_PageLinks(md, self.site), "portal_links", 5)


@dataclass(frozen=True)
class Body:
    """A page body as HTML, and what in it breaks the site's promises (as located problems)."""

    html: str
    problems: tuple[Problem, ...] = ()


class Renderer:
    """Renders page bodies. Python-Markdown keeps state per conversion, so each thread (the
    preview serves several at once) has a converter of its own."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._local = threading.local()
        self._values = {code: placeholder_values(site.settings, code) for code in site.settings.codes}
        for code in site.settings.codes:
            self._values[code]["glossary"] = glossary_html(
                site.glossaries.get(code, []), code, site.settings.default_language)
        # Placeholders become opaque words before Markdown runs and their values are put in
        # after it and after sanitising: a value from the settings is never read as Markdown
        # or HTML, whatever it holds.
        self._nonce = secrets.token_hex(4)
        # Each placeholder's token holds letters only: its name, or a number written in letters
        # for a member's (`member.a-1.phone` has characters a token cannot).
        default = site.settings.default_language
        self._names = {name: name.replace("_", "") if name in PLACEHOLDERS else
                       "member" + "".join(chr(97 + int(d)) for d in str(index))
                       for index, name in enumerate(self._values.get(default, {}))}
        self._by_code = {code: name for name, code in self._names.items()}

    def _converter(self) -> markdown.Markdown:
        md = getattr(self._local, "md", None)
        if md is None:
            md = markdown.Markdown(extensions=[
                "tables",
                "attr_list",
                "sane_lists",
                # No [TOC] marker: each would hold a copy of the whole table of contents.
                TocExtension(slugify=self._slugify, toc_depth="2-6", marker=""),
                _PageLinksExtension(self.site),
            ])
            self._local.md = md
        return md

    def _token(self, name: str) -> str:
        return f"portal{self._nonce}{self._names[name]}x"

    def _slugify(self, value: str, separator: str) -> str:
        """Heading ids from the heading's text as the reader sees it (placeholders filled in)."""
        lang = getattr(self._local, "lang", self.site.settings.default_language)
        for name in self._names:
            if self._token(name) in value:
                value = value.replace(self._token(name), strip_tags(self._values[lang][name]))
        return slugify(value, separator)

    def render(self, page: Page) -> Body:
        """The page body as sanitised HTML, with what it would load from elsewhere."""
        body = PLACEHOLDER.sub(lambda m: self._token(m.group(1)) if m.group(1) in self._names
                               else m.group(0), page.body)
        md = self._converter()
        md.portal_lang = page.lang  # type: ignore[attr-defined]
        self._local.lang = page.lang
        try:
            html = sanitise(md.reset().convert(body))
        except RecursionError:
            return Body("", (Problem(page.path, page.body_line, "is nested too deeply for "
                                     "Markdown to read (lists, quotes or brackets inside each "
                                     "other): simplify it"),))
        html = link_numbers(self._fill(html, page.lang))
        found = violations(html)
        lines = list(enumerate(page.body.split("\n"), page.body_line)) if found else []
        problems = tuple(Problem(page.path, _source_line(lines, page.body_line, message),
                                 f"{message}: pages may only use files of this site (put images "
                                 "in static/images/)") for _, message in found[:MAX_SHOWN])
        if len(found) > MAX_SHOWN:  # the rest are found the same way once these are fixed
            problems += (Problem(page.path, None, f"and {len(found) - MAX_SHOWN:,} more like "
                                 "these in this page"),)
        html = CAPTION.sub(r"<table>\n<caption>\1</caption>", html)
        # A wide table scrolls inside its own box (keyboard-focusable), not the whole page.
        html = TABLE.sub(r'<div class="portal-prose__table" tabindex="0">\g<0></div>', html)
        return Body(html, problems)

    def _fill(self, html: str, lang: str) -> str:
        """Put the placeholders' values into the text; inside a tag (a link's address, say)
        the placeholder stays as it was written, escaped."""
        values = self._values[lang]
        token = re.compile(f"portal{self._nonce}([a-z]+)x")
        names = self._by_code

        def text(segment: str) -> str:
            return token.sub(lambda m: values[names[m.group(1)]], segment)

        def tag(segment: str) -> str:
            return token.sub(lambda m: escape("{{ " + names[m.group(1)] + " }}"), segment)

        if f"portal{self._nonce}" not in html:
            return html
        for name in BLOCKS:  # a block in place of its paragraph (a <dl> cannot be in a <p>)
            html = html.replace(f"<p>{self._token(name)}</p>", values[name])
        parts = re.split(r"(<[^>]*>)", html)
        return "".join(tag(part) if part.startswith("<") else text(part) for part in parts)


def _source_line(lines: list[tuple[int, str]], first: int, message: str) -> int:
    """The line (of the numbered body `lines`) that holds the address named in a message (else
    the body's first)."""
    quoted = re.search(r"'([^']+)'", message)
    needle = quoted.group(1) if quoted else ""
    for number, line in lines:
        if needle and needle in line:
            return number
    # written another way (entities, backslashes): the first line that can hold an image or tag
    for number, line in lines:
        if "<" in line or "![" in line or "]:" in line:
            return number
    return first


def strip_tags(html: str) -> str:
    return unescape(re.sub(r"<[^>]*>", "", html))
