"""Never a dead end: an untranslated page is offered in the language it was written in.

When a page exists in the default language but not in the visitor's, the site publishes it
at the visitor language's address (`/ar/<slug>/`) in the visitor's menu, header and footer,
with a notice in the visitor's language and the borrowed text marked with its own `lang`.
Its canonical address is the original's; it is not in the sitemap, in the language's search
index or among any page's hreflang alternates. `fallback:` in site.yml chooses the text:
`default` (the default language's, the default), `english` (English where the page has an
English version, else the default language's) or `none` (the switcher leads to the start
page, as before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .content import Page, search_url

if TYPE_CHECKING:
    from .settings import Settings

ENGLISH = "en"


@dataclass(frozen=True)
class Fallback:
    """A page shown in another language at the visitor language's address."""

    lang: str  # the visitor's language: the menu, header, footer and notice
    page: Page  # the page whose text is shown (in page.lang)
    url: str  # where it is published, e.g. /ar/kontakt/


def fallbacks(settings: Settings, by_lang: Mapping[str, Mapping[str, Page]]) -> dict[str, Fallback]:
    """Every fallback page of a site whose pages are `by_lang` (language → name → page), by its
    address (once per site: pages × languages). A link to an untranslated page leads here too."""
    if settings.fallback == "none":
        return {}
    default = settings.default_language
    result: dict[str, Fallback] = {}
    for code in settings.codes:
        own = by_lang.get(code, {})
        taken = {page.url for page in own.values()} | {search_url(code)}
        for page in by_lang.get(default, {}).values():
            # Easy-to-read pages are Swedish by nature; the start page exists in every language;
            # a draft (in the preview) is not offered to other languages.
            if page.easy_read or page.is_index or page.draft or page.name in own:
                continue
            source = page
            if settings.fallback == "english" and code != ENGLISH:
                source = by_lang.get(ENGLISH, {}).get(page.name) or page
            url = f"/{code}/{page.slug}/"
            if url not in taken:  # a page of that language already has the address
                result[url] = Fallback(code, source, url)
    return result
