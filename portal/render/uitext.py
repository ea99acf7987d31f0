"""Interface strings from the .po files are text, never markup.

A translator's `msgstr` is escaped like any other text (quotes included, so it cannot leave an
attribute either). One piece of markup is allowed, and rebuilt by the portal rather than
passed through: `<span lang="sv">socialjouren</span>`, which tells screen readers to read a
Swedish word in Swedish. Its attribute is a bare language code, so even inside an attribute
it cannot end the attribute.
"""

from __future__ import annotations

import re

from flask import Flask
from flask_babel import get_translations
from markupsafe import Markup, escape

from ..load.catalogs import ALLOWED_MARKUP

# The allowed span, as it looks once escaped: `<span lang="xx">` with any quotes, then text
# without another tag, then `</span>`.
_SPAN = re.compile(r"&lt;span lang=(?:&#34;|&#39;)?([a-z]{2,3})(?:&#34;|&#39;)?&gt;"
                   r"((?:(?!&lt;).)*?)&lt;/span&gt;")
MARKUP = re.compile(r"<[^>]*>")


def safe(text: str) -> Markup:
    """A translated string as HTML: escaped, with only the language span rebuilt."""
    return Markup(_SPAN.sub(r"<span lang=\1>\2</span>", str(escape(text))))


def plain(text: str) -> str:
    """A translated string without the language span, for attributes and plain-text files.
    Escaped text (from `safe`) stays escaped."""
    if isinstance(text, Markup):
        return Markup(re.sub(r"<span lang=[a-z]{2,3}>|</span>", "", str(text)))
    return ALLOWED_MARKUP.sub("", text)


def disallowed_markup(text: str) -> list[str]:
    """The tags in a translation other than the allowed language span (for `portal check`)."""
    return [tag for tag in MARKUP.findall(text) if not ALLOWED_MARKUP.fullmatch(tag)]


def init_app(app: Flask) -> None:
    """Make the templates' `_()` and `ngettext()` return escaped text (Jinja's i18n extension
    would otherwise mark every translation as safe HTML)."""

    def gettext(string: str) -> Markup:
        return safe(get_translations().ugettext(string))

    def ngettext(singular: str, plural: str, n: int) -> Markup:
        return safe(get_translations().ungettext(singular, plural, n))

    def pgettext(context: str, string: str) -> Markup:
        return safe(get_translations().upgettext(context, string))

    def npgettext(context: str, singular: str, plural: str, n: int) -> Markup:
        return safe(get_translations().unpgettext(context, singular, plural, n))

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext, newstyle=True)
    app.jinja_env.filters["plain"] = lambda value: plain(value)
