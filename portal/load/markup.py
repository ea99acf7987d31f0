"""What a page body may contain: the placeholders, and the tags, attributes and link schemes the
sanitiser keeps. The load stage checks bodies against these tables; the renderer enforces them."""

from __future__ import annotations

import re

# A name, or `member.<id>.<field>` for one member municipality's details (members.py).
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+(?:\.[a-z0-9\-]+\.[a-z_]+)?)\s*\}\}")
PLACEHOLDERS = ("programme", "municipality", "phone", "sms", "email", "address", "hours",
                "after_hours", "glossary", "members", "contact")
BLOCKS = ("glossary", "members", "contact")  # placeholders that stand for a block: alone in their paragraph

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
