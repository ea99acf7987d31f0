"""The Site: a read-only index of all pages, built once and passed to every stage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import ContentError, Problem, errors_in, relative
from .catalogs import check_catalogs
from .checks import check_pages, check_site, check_static, check_wording
from .content import INDEX, ContentFiles, Page, content_files, load_page
from .fallback import Fallback, fallbacks
from .glossary import Term, check_glossaries, load_glossary
from .members import check_member_placeholders
from .settings import Settings, load_settings


@dataclass(frozen=True)
class Project:
    """Where a portal's inputs live."""

    root: Path
    site: str | None = None  # one site of several from this content folder (sites.py)

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def translations(self) -> Path:
        return self.root / "translations"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def templates(self) -> Path:
        """Optional: templates that replace the portal's own of the same name."""
        return self.root / "templates"


class Site:
    """All published pages by language and name, with the settings; nothing reads files after this."""

    def __init__(self, project: Project, settings: Settings, pages: list[Page],
                 glossaries: dict[str, list[Term]] | None = None) -> None:
        self.project = project
        self.settings = settings
        self.glossaries = glossaries or {}  # by language: the Swedish terms explained
        self._by_lang: dict[str, dict[str, Page]] = {code: {} for code in settings.codes}
        for page in sorted(pages, key=lambda p: (p.order is None, p.order or 0, p.title, p.name)):
            self._by_lang[page.lang][page.name] = page

    def pages(self, lang: str | None = None) -> Iterator[Page]:
        """Pages of one language (in menu order), or of all languages in settings order."""
        for code in [lang] if lang else self.settings.codes:
            yield from self._by_lang[code].values()

    def page(self, lang: str, name: str) -> Page | None:
        return self._by_lang.get(lang, {}).get(name)

    def start(self, lang: str) -> Page:
        return self._by_lang[lang][INDEX]

    def translations(self, name: str) -> dict[str, Page]:
        """Every language's version of a page, in settings order."""
        return {code: pages[name] for code, pages in self._by_lang.items() if name in pages}

    @cached_property
    def _by_url(self) -> dict[str, Page]:
        return {page.url: page for page in self.pages()}

    def by_url(self, url: str) -> Page | None:
        return self._by_url.get(url)

    @cached_property
    def fallbacks(self) -> dict[str, Fallback]:
        """The untranslated pages shown in another language (fallback.py), by address."""
        return fallbacks(self.settings, self._by_lang)

    @cached_property
    def _fallback_for(self) -> dict[tuple[str, str], Fallback]:
        return {(fb.lang, fb.page.name): fb for fb in self.fallbacks.values()}

    def fallback(self, lang: str, name: str) -> Fallback | None:
        """The page `name` borrowed from another language at language `lang`'s address."""
        return self._fallback_for.get((lang, name))

    def link_target(self, lang: str, name: str) -> tuple[str, Page] | None:
        """Where a link to `name.md` in a page of language `lang` leads, and the page whose text
        is shown there: the page in that language, else its fallback page (an untranslated page,
        in another language), else nowhere."""
        page = self.page(lang, name)
        if page is not None:
            return page.url, page
        borrowed = self.fallback(lang, name)
        return (borrowed.url, borrowed.page) if borrowed is not None else None

    def link_url(self, lang: str, name: str) -> str | None:
        """Where a link to `name.md` in a page of language `lang` leads (link_target)."""
        target = self.link_target(lang, name)
        return target[0] if target is not None else None

    def nav(self, lang: str) -> list[Page]:
        """The menu of a language: the pages with an `order`, in order. Easy-to-read pages are
        linked from the text instead; pages without `order` from links, search and the page list.
        (A menu of every page would make each page, and the whole build, grow with the site.)"""
        return [page for page in self._by_lang[lang].values()
                if page.order is not None and not page.easy_read]


PageCache = dict[Path, tuple[tuple[int, int], Page | None, list[Problem]]]


def read_site(project: Project, drafts: bool = False,
              cache: PageCache | None = None) -> tuple[Site | None, list[Problem]]:
    """Load and validate everything; the Site is None only when the settings are unusable, so
    later checks can still run when other errors were found.

    With a cache (the preview keeps one), a file whose size and time are unchanged is not read again.
    """
    settings, problems = load_settings(project.content, project.root, project.site)
    pages: list[Page] = []
    glossaries: dict[str, list[Term]] = {}
    listed = ContentFiles()
    if project.content.is_dir():
        listed = content_files(project.content, project.root)
        problems += listed.problems
        for lang, path in listed.glossaries.items():
            glossaries[lang], found = load_glossary(path, project.root)
            problems += found
        page_files = listed.pages
        if project.site is not None:
            from .sites import site_pages

            page_files, found = site_pages(project.content, project.root, project.site, page_files)
            problems += found
        for lang, path in page_files:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if cache is not None and path in cache and cache[path][0] == stamp:
                _, page, found = cache[path]
            else:
                page, found = load_page(path, lang, project.root)
                if cache is not None:
                    cache[path] = (stamp, page, found)
            problems += found
            if page is not None:
                pages.append(page)
    else:
        problems.append(Problem(str(project.content), None, "the content folder is missing"))
    if settings is None:  # still check every page on its own, so every problem is reported
        return None, problems + check_pages(project, pages, publishing=not drafts)
    problems += check_catalogs(project.translations, list(settings.codes), project.root)
    problems += check_static(project)
    problems += check_site(project, settings, pages, publishing=not drafts)
    problems += check_glossaries(glossaries, {lang: relative(path, project.root) for lang, path
                                              in listed.glossaries.items()},
                                 settings.default_language, settings.codes)
    problems += check_wording(pages, glossaries)
    problems += check_member_placeholders(settings.members, pages)
    shown = [p for p in pages if p.lang in settings.codes and (drafts or not p.draft)]
    return Site(project, settings, shown, glossaries), problems


def load_site(project: Project, drafts: bool = False,
              cache: PageCache | None = None) -> tuple[Site | None, list[Problem]]:
    """Load and validate everything without rendering; the Site is None when there are errors.
    (`render.bodies.checked_site` adds the checks that need rendered bodies.)"""
    site, problems = read_site(project, drafts, cache)
    return (None if errors_in(problems) else site), problems


def require_site(project: Project, drafts: bool = False,
                 closing: str = "fix them and try again") -> Site:
    """The Site, or a ContentError listing every error."""
    site, problems = load_site(project, drafts)
    if site is None:
        raise ContentError(errors_in(problems), closing)
    return site
