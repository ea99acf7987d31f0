"""Translation status: which pages are translated, missing or stale, and UI-string coverage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..load import files
from ..load.catalogs import Coverage, coverage, po_path, read_catalog
from ..load.content import Page, closing_line
from ..load.site import Site

TRANSLATED, MISSING, STALE, UNMARKED, SOURCE, DRAFT = (
    "translated", "missing", "stale", "unmarked", "source", "draft")


@dataclass(frozen=True)
class Status:
    """One page in one language."""

    name: str
    lang: str
    state: str  # one of TRANSLATED, MISSING, STALE, UNMARKED, SOURCE, DRAFT
    path: str | None
    reviewed: bool = False  # a native speaker has checked it (front matter `reviewed:`)


def page_status(site: Site, source: Page, lang: str) -> Status:
    if lang == site.settings.default_language:
        return Status(source.name, lang, SOURCE, source.path)
    page = site.page(lang, source.name)
    if page is None:
        return Status(source.name, lang, MISSING, None)
    if page.draft:
        return Status(source.name, lang, DRAFT, page.path)
    if page.translated_from is None:
        return Status(source.name, lang, UNMARKED, page.path, page.reviewed is not None)
    state = TRANSLATED if page.translated_from == source.fingerprint else STALE
    return Status(source.name, lang, state, page.path, page.reviewed is not None)


def statuses(site: Site) -> list[list[Status]]:
    """A row per published default-language page, a column per language."""
    default = site.settings.default_language
    return [[page_status(site, source, code) for code in site.settings.codes]
            for source in site.pages(default) if not (source.draft or source.easy_read)]


def ui_coverage(site: Site) -> list[Coverage]:
    result = []
    for code in site.settings.codes:
        path = po_path(site.project.translations, code)
        result.append(coverage(read_catalog(path, code), code) if path.exists()
                      else Coverage(code, 0, 0, 0))
    return result


def mark_done(site: Site, lang: str, name: str) -> Path:
    """Record in the translation's front matter that it matches the current source page."""
    source = site.page(site.settings.default_language, name)
    page = site.page(lang, name)
    default = site.settings.default_language
    if lang == default:
        raise LookupError(f"{default} is the language translations are made from: give the "
                          "language of the translation, e.g. `portal translations done en kontakt`")
    if source is None or page is None:
        raise LookupError(f"there is no {lang}/{name}.md translating {default}/{name}.md")
    path = site.project.root / page.path
    raw = files.read(path, site.project.root).decode("utf-8")
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    closing = closing_line(lines)
    if closing is None:
        raise LookupError(f"{page.path}: the front matter is not closed; fix the page first")
    if page.translated_from is not None:
        # Only the front matter changes: the key's own line and any lines its value goes on to.
        start = page.line("translated_from") - 1
        end = start + 1
        while end < closing and lines[end][:1] in (" ", "\t"):
            end += 1
        if 0 < start < closing:
            del lines[start:end]
            closing -= end - start
    lines.insert(closing, f"translated_from: {source.fingerprint}")
    files.replace(path, (bom + newline.join(lines)).encode("utf-8"))
    return path
