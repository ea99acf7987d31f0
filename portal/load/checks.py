"""Checks across files: languages, slugs, links, anchors, images, headings, raw HTML, translations.

Errors stop a build; warnings are printed, and fail only `portal check --strict`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterator
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ..errors import Problem, Severity, relative
from . import files
from .content import INDEX, Page
from .fallback import fallbacks
from .glossary import Term, avoid_pattern, preferred
from .markup import ATTRIBUTES, BLOCKS, PLACEHOLDER, PLACEHOLDERS, TAGS, URL_SCHEMES
from .origins import css_urls, is_local, violations
from .settings import Settings

if TYPE_CHECKING:
    from .site import Project

LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+\S")
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")
TAG = re.compile(r"</?[A-Za-z][^>]*>")
ID = re.compile(r'\sid="([^"]+)"')
MAX_DESCRIPTION = 155


def warning(path: str, line: int | None, message: str) -> Problem:
    return Problem(path, line, message, Severity.WARNING)


def source_lines(page: Page) -> Iterator[tuple[int, str]]:
    """The body's lines with their file line numbers; code (fenced or `inline`) is blanked out,
    since it shows examples rather than links or headings."""
    fenced = False
    for number, line in enumerate(page.body.split("\n"), page.body_line):
        if not line:
            continue
        if ("`" in line or "~" in line) and FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, (INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line) if "`" in line
                           else line)


def check_site(project: Project, settings: Settings, pages: list[Page],
               publishing: bool = True) -> list[Problem]:
    """Every problem that needs only the loaded pages. `pages` includes drafts."""
    problems: list[Problem] = []
    codes = settings.codes
    for folder in sorted(p for p in project.content.iterdir() if p.is_dir()):
        if folder.name not in codes and project.site is None and any(folder.glob("*.md")):
            problems.append(Problem(relative(folder, project.root), None,
                            f"language folder {folder.name!r} is not in the settings' languages "
                            f"({', '.join(codes)}): add it to site.yml or move the files"))
    by_lang: dict[str, dict[str, Page]] = defaultdict(dict)
    for page in pages:
        by_lang[page.lang][page.name] = page
    for code in codes:
        if INDEX not in by_lang[code]:
            problems.append(Problem(relative(project.content / code, project.root), None,
                                    f"language {code!r} has no start page: add {code}/index.md"))
        slugs: dict[str, Page] = {}
        for page in by_lang[code].values():
            if page.slug is None:
                continue
            if page.slug in slugs:
                other = slugs[page.slug]
                problems.append(Problem(page.path, page.line("slug"),
                                f"slug {page.slug!r} is already used by {other.path}: "
                                "give one of the pages another slug"))
            slugs[page.slug] = page
    # A link to an untranslated page leads to its fallback page, where the site has one.
    borrowed = {(fb.lang, fb.page.name) for fb in fallbacks(settings, by_lang).values()}
    problems += check_pages(project, [p for p in pages if p.lang in codes], publishing, borrowed)
    for page in pages:
        for route in page.routes:
            if route not in by_lang[page.lang]:
                problems.append(Problem(page.path, page.line("routes"), f"routes names "
                                        f"{route!r}, which is not a page in {page.lang}/ (give "
                                        "the file name without .md)"))
    problems += _check_translations(settings, by_lang)
    if settings.hide_visit_page and settings.hide_visit_page not in by_lang[settings.default_language]:
        problems.append(Problem(relative(project.content / "site.yml", project.root), None,
                        f"hide_visit_page {settings.hide_visit_page!r} is not a page in "
                        f"{settings.default_language}/ (give the file name without .md)"))
    return problems


def check_pages(project: Project, pages: list[Page], publishing: bool = True,
                borrowed: Collection[tuple[str, str]] = ()) -> list[Problem]:
    """The checks of each page on its own (and its links to pages of its language, or to the
    `borrowed` (language, name) fallback pages)."""
    by_lang: dict[str, dict[str, Page]] = defaultdict(dict)
    for page in pages:
        by_lang[page.lang][page.name] = page
    problems: list[Problem] = []
    for page in pages:
        problems += _check_page(page, by_lang[page.lang], project, publishing, borrowed)
    return problems


def _check_page(page: Page, siblings: dict[str, Page], project: Project,
                publishing: bool, borrowed: Collection[tuple[str, str]]) -> list[Problem]:
    problems = []
    for key in ("title", "description"):
        if PLACEHOLDER.search(getattr(page, key)):
            problems.append(warning(page.path, page.line(key), f"placeholders such as {{{{ phone }}}} "
                            f"work in the text only, not in {key!r}: write it out or move it"))
    if len(page.description) > MAX_DESCRIPTION:
        problems.append(warning(page.path, page.line("description"),
                        f"the description has {len(page.description)} characters; link previews "
                        f"cut it after about {MAX_DESCRIPTION} (shorten it)"))
    level = 1
    for number, line in source_lines(page):
        # The `in` tests only skip the patterns that cannot match: most lines are plain text.
        for match in PLACEHOLDER.finditer(line) if "{{" in line else ():
            if match.group(1) not in PLACEHOLDERS and not match.group(1).startswith("member."):
                problems.append(Problem(page.path, number, f"unknown placeholder "
                                f"{match.group(0)!r} (known: {', '.join(PLACEHOLDERS)})"))
            elif match.group(1) in BLOCKS and line.strip() != match.group(0):
                problems.append(Problem(page.path, number, f"{match.group(0)!r} stands for a "
                                        "whole block: write it alone on its line, with an empty "
                                        "line before and after"))
        for match in LINK.finditer(line) if "](" in line else ():
            image, text, target = match.groups()
            if image:
                problems += _check_image(page, number, text, target, project)
            else:
                problems += _check_link(page, number, target, siblings, publishing, borrowed)
        heading = HEADING.match(line) if line[0] == "#" else None
        if heading:
            new = len(heading.group(1))
            if new == 1:
                problems.append(warning(page.path, number, "a first-level heading (#) in the text: "
                                "the title is the page's only first-level heading; use ## here"))
            elif new > level + 1:
                after = "the title" if level == 1 else "#" * level
                problems.append(warning(page.path, number, f"heading {'#' * new} comes right after "
                                f"{after}: do not skip a level (use {'#' * (level + 1)})"))
            level = new
        for tag in TAG.findall(line) if "<" in line else ():
            problems += [warning(page.path, number, message) for message in _removed(tag)]
    if page.faq and level == 1:
        problems.append(warning(page.path, page.line("faq"), "faq: true, but the text has no "
                        "headings: write each question as a heading (### Kostar det något?) "
                        "with its answer under it, or remove `faq:`"))
    return problems


def _check_image(page: Page, number: int, alt: str, target: str, project: Project) -> list[Problem]:
    problems = []
    if not alt.strip():
        problems.append(warning(page.path, number, f"image {target!r} has no alt text: describe "
                                "it in the brackets, ![like this](...)"))
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        problems.append(Problem(page.path, number, f"image {target!r} is on another website: "
                                "images must be on this site (put them in static/images/)"))
    elif not parts.path.startswith("/static/"):
        problems.append(Problem(page.path, number, f"image {target!r}: put images in static/ "
                                "and write /static/images/name.png"))
    elif not (project.static / unquote(parts.path).removeprefix("/static/")).is_file():
        folder = relative(project.static, project.root) + "/" + parts.path.removeprefix("/static/")
        problems.append(Problem(page.path, number, f"image {target!r} does not exist (there is no "
                                f"file {folder})"))
    return problems


def _check_link(page: Page, number: int, target: str, siblings: dict[str, Page],
                publishing: bool, borrowed: Collection[tuple[str, str]]) -> list[Problem]:
    parts = urlsplit(target)
    if parts.scheme:
        if parts.scheme.lower() not in URL_SCHEMES:
            return [Problem(page.path, number, f"link {target!r}: '{parts.scheme}:' links are not "
                            f"allowed (use {', '.join(sorted(URL_SCHEMES))})")]
        return []
    if not parts.path:
        return [] if target else [Problem(page.path, number, "a link with no address: write "
                                          "[text](page.md)")]
    if not parts.path.endswith(".md") or "/" in parts.path:
        hint = ("a link to another website needs https:// in front" if parts.path.startswith("www.")
                else "link to another page by its file name, e.g. (kontakt.md)")
        return [Problem(page.path, number, f"link {target!r} is not a page: {hint}")]
    name = parts.path.removesuffix(".md")
    if name not in siblings:
        if (page.lang, name) in borrowed:  # not translated yet: its fallback page
            return []
        return [Problem(page.path, number, f"link to {parts.path!r}: there is no such page in "
                        f"{page.lang}/ (check the file name, or write the page)")]
    if publishing and siblings[name].draft and not page.draft:
        return [Problem(page.path, number, f"link to {parts.path!r}, which is a draft and will "
                        "not be published (publish it or remove the link)")]
    return []


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _removed(tag_text: str) -> list[str]:
    """What the sanitiser would take out of one raw HTML tag, as messages."""
    parser = _Tags()
    parser.feed(tag_text)
    messages = []
    for tag, attrs in parser.found:
        if ":" in tag or "@" in tag:
            continue  # an autolink such as <https://example.se>, not HTML
        if tag not in TAGS:
            messages.append(f"raw HTML <{tag}> is removed when the site is built (use Markdown)")
            continue
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name not in allowed:
                messages.append(f"the attribute {name!r} on <{tag}> is removed when the site is built")
            elif name in ("href", "src") and value and urlsplit(value).scheme not in ("", *URL_SCHEMES):
                messages.append(f"the address {value!r} on <{tag}> is removed when the site is built")
    return messages


def _check_translations(settings: Settings, by_lang: dict[str, dict[str, Page]]) -> list[Problem]:
    """Warn about pages missing in a language, and translations older than their source."""
    problems = []
    default = settings.default_language
    for name, source in by_lang[default].items():
        if source.draft or source.easy_read:
            continue
        missing = [code for code in settings.codes if code != default and name not in by_lang[code]]
        drafts = [code for code in settings.codes if code != default
                  and name in by_lang[code] and by_lang[code][name].draft]
        if missing:
            problems.append(warning(source.path, None, f"not translated into {', '.join(missing)} "
                                    f"(add {name}.md to each; `portal new {name} --translate` does it)"))
        if drafts:
            problems.append(warning(source.path, None, f"only a draft in {', '.join(drafts)} "
                                    "(translate it, remove `draft: true`, then run "
                                    f"`portal translations done LANG {name}`)"))
        for code in settings.codes:
            page = by_lang[code].get(name)
            if code != default and page and page.translated_from not in (None, source.fingerprint):
                problems.append(warning(page.path, page.line("translated_from"),
                                f"{source.path} has changed since this translation was marked up "
                                f"to date: update it, then run `portal translations done {code} {name}`"))
    for code in settings.codes:
        for name, page in by_lang[code].items():
            if code != default and name not in by_lang[default] and not page.easy_read:
                problems.append(warning(page.path, None, f"there is no {default}/{name}.md: is the "
                                "file name the same as the page it translates?"))
    return problems


def check_static(project: Project) -> list[Problem]:
    """static/ is published as it is: refuse links out of the project and special files, and
    style sheets that would load anything from another website."""
    if not project.static.is_dir():
        return [Problem(relative(project.static, project.root), None, "the folder of style sheets, "
                        "scripts and images is missing: copy static/ from the portal's example "
                        "project")]
    listing = files.walk(project.static, project.root)
    problems = list(listing.problems)
    for path in listing.files:
        if path.suffix.lower() not in (".css", ".svg", ".html"):
            continue
        try:
            text = files.read(path, project.root, limit=50_000_000).decode("utf-8", "replace")
        except files.UnsafeFile as exc:
            problems.append(Problem(relative(path, project.root), None, str(exc)))
            continue
        urls = css_urls(text) if path.suffix.lower() == ".css" else []
        if path.suffix.lower() in (".svg", ".html"):
            urls += [what for _, what in violations(text)]
        for url in urls:
            if path.suffix.lower() == ".css" and is_local(url):
                continue
            line = next((n for n, row in enumerate(text.split("\n"), 1) if url[:40] in row), None)
            problems.append(Problem(relative(path, project.root), line, f"{url[:80]!r}: files in "
                                    "static/ may only load files of this site"))
    return problems


def check_wording(pages: list[Page], glossaries: dict[str, list[Term]]) -> list[Problem]:
    """Warn where a page uses a wording its language's glossary says to avoid."""
    problems = []
    patterns = {lang: avoid_pattern(terms) for lang, terms in glossaries.items()}
    for page in pages:
        pattern = patterns.get(page.lang)
        if pattern is None:
            continue
        for number, line in source_lines(page):
            for match in pattern.finditer(line):
                term = preferred(glossaries[page.lang], match.group(1))
                instead = f"write {term.term!r} (the glossary's word for {term.sv})" if term else ""
                problems.append(warning(page.path, number, f"{match.group(1)!r} is a wording the "
                                        f"glossary says to avoid: {instead}"))
    return problems
