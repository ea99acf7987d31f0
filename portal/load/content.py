"""Load Markdown pages with YAML front matter, keeping line numbers for every error."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frontmatter.default_handlers import YAMLHandler

from ..errors import Problem, Severity, errors_in, relative, shown
from . import files, yamltext
from .settings import SETTINGS_FILE
from .sites import SITES_FOLDER

INDEX = "index"
SEARCH_PATH = "/{code}/search/"  # every language's search page (the URL scheme's one other page)


def search_url(code: str) -> str:
    return SEARCH_PATH.format(code=code)


FEED_PATH = "/{code}/feed.xml"  # every language's Atom feed of updated pages


def feed_url(code: str) -> str:
    return FEED_PATH.format(code=code)

RESERVED = {"search", "poster"}  # slugs the portal itself uses in every language
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = 80
# Direction overrides and isolates: invisible, and able to show text other than it is.
DISGUISING = re.compile("[\u202a-\u202e\u2066-\u2069]")
OVERRIDES = re.compile("[\u202d\u202e]")


def is_slug(value: str) -> bool:
    """Whether `value` can be the last part of an address (fullmatch: `$` would let a
    trailing newline through)."""
    return len(value) <= MAX_SLUG and SLUG.fullmatch(value) is not None
FIELDS = {
    "title": "the page heading and its name in the menu (required)",
    "description": "one or two sentences for link previews and search results (required)",
    "slug": "the last part of the page's address: lowercase a-z, 0-9 and hyphens",
    "order": "a whole number: the page's place in the menu (a page without it is not in the "
             "menu, but reached through links, search and the list of all pages)",
    "updated": "the date the page was last checked, as YYYY-MM-DD",
    "draft": "true or false: a draft is shown in the preview but never published",
    "easy_read": "true for an easy-to-read page (lättläst): marked as such, linked from the "
                 "start page rather than the menu, and not expected in other languages",
    "faq": "true for a page of questions and answers: each heading of its deepest level is a "
           "question, the text after it the answer (search engines may show them)",
    "reviewed": "the date a native speaker last checked this translation, as YYYY-MM-DD (leave "
                "it out until one has)",
    "routes": "on a start page: the pages shown as large links under its heading, by file name "
              "without .md, e.g. `routes: [vill-du-lamna, for-anhoriga, for-yrkesverksamma]`",
    "translated_from": "filled in by `portal translations done`: the version of the "
                       "default-language page this translation matches",
}
MAX_BYTES = 500_000  # a long real page is 20 kB; every cost of a page grows with its size
MAX_NAME_BYTES = 247  # a file name holds 255 bytes: the API's `<name>.json.gz` must fit
MAX_ROUTES = 6
GLOSSARY_FILE = "glossary.yml"


@dataclass(frozen=True)
class Page:
    """One Markdown file: front matter and body, located for error messages."""

    lang: str
    name: str  # the file name without .md: the same for all translations of a page
    path: str  # relative to the project root, for messages
    title: str
    description: str
    slug: str | None  # None for the start page
    order: int | None  # the place in the menu; None: not in the menu
    updated: dt.date | None
    draft: bool
    body: str
    body_line: int  # the file's line number of the body's first line
    translated_from: str | None  # fingerprint of the source page this translation matches
    easy_read: bool
    reviewed: dt.date | None = None  # when a native speaker last checked this translation
    faq: bool = False  # questions and answers: marked up as a schema.org FAQPage
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    routes: tuple[str, ...] = ()  # start page: the pages shown as link cards under the heading

    @property
    def is_index(self) -> bool:
        return self.name == INDEX

    @property
    def url(self) -> str:
        """The page's path on the site, e.g. `/sv/kontakt/`."""
        return f"/{self.lang}/" if self.slug is None else f"/{self.lang}/{self.slug}/"

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def fingerprint(self) -> str:
        """A short hash of what a translator translates: title, description and text."""
        text = "\n".join((self.title, self.description, self.body.strip()))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


_DELIMITER = YAMLHandler()


def closing_line(lines: list[str]) -> int | None:
    """The index of the line that closes the front matter opened on line 0, if any."""
    return next((i for i, line in enumerate(lines[1:], 1) if _DELIMITER.detect(line)), None)


@dataclass
class ContentFiles:
    """What the content folder holds: pages by language, glossaries, and files it ignores."""

    pages: list[tuple[str, Path]] = field(default_factory=list)
    glossaries: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def content_files(content_dir: Path, root: Path) -> ContentFiles:
    """Every `<lang>/<name>.md` below the content folder, sorted, with its language folder.
    A file the portal would not publish is named in a warning, never silently skipped."""
    listing = files.walk(content_dir, root, within=content_dir)
    found = ContentFiles(problems=listing.problems)
    for folder in sorted(p for p in content_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
                         and p.name != SITES_FOLDER):  # each site's own files: sites.py
        for inner in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            found.problems.append(Problem(relative(inner, root), None, "is a folder inside a "
                                          "language folder, which the portal does not read (move "
                                          f"its pages up into content/{folder.name}/)", Severity.WARNING))
    for path in listing.files:
        parts = path.relative_to(content_dir).parts
        where = relative(path, root)
        if parts[0] == SITES_FOLDER and len(parts) > 1:
            continue
        if len(parts) == 1:
            if parts[0] != SETTINGS_FILE:
                hint = (f"move it into a language folder, e.g. content/sv/{parts[0]}"
                        if parts[0].lower().endswith(".md") else "remove it or move it out of content/")
                found.problems.append(Problem(where, None, f"is not in a language folder and is "
                                              f"not published ({hint})", Severity.WARNING))
        elif len(parts) > 2:
            continue  # its folder is reported above
        elif parts[1].endswith(".md"):
            found.pages.append((parts[0], path))
        elif parts[1] == GLOSSARY_FILE:
            found.glossaries[parts[0]] = path
        else:
            name = parts[1]
            stem = name.split(".", 1)[0]
            hint = (f"rename it {stem}.md to publish it" if ".md" in name.lower()
                    else "only .md files are pages")
            found.problems.append(Problem(where, None, f"is ignored: {hint}", Severity.WARNING))
    return found


def load_page(path: Path, lang: str, root: Path) -> tuple[Page | None, list[Problem]]:
    """Read one page; return it (None if unusable) and the problems found in it."""
    where = relative(path, root)
    try:
        raw = files.read(path, root, MAX_BYTES, within=path.parent.parent)
    except files.UnsafeFile as exc:
        return None, [Problem(where, None, str(exc))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(where, line, "is not UTF-8 text (save the file as UTF-8)")]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _parse(text, lang, path.stem, where)


def _parse(text: str, lang: str, name: str, where: str) -> tuple[Page | None, list[Problem]]:
    lines = text.split("\n")
    if not _DELIMITER.detect(lines[0]):
        return None, [Problem(where, 1, "must start with front matter: a line with ---, then "
                                        "`title:` and `description:`, then a line with ---")]
    closing = closing_line(lines)
    if closing is None:
        return None, [Problem(where, 1, "the front matter is not closed: add a line with --- "
                                        "after the last field")]
    # Split by lines rather than with the handler's split(): its boundary pattern also eats
    # the blank lines after `---`, which would put every body line number off.
    header, body = "\n".join(lines[1:closing]), "\n".join(lines[closing + 1:])
    try:
        data, key_lines = yamltext.parse(header)
    except yamltext.YamlSyntaxError as exc:
        line = exc.line + 1 if exc.line else 1
        return None, [Problem(where, line, f"front matter is not valid YAML: {exc.message}")]
    if not isinstance(data, dict):
        return None, [Problem(where, 2, "the front matter must be `field: value` lines, "
                                        "e.g. `title: Kontakt`")]
    at = {str(k[0]): v + 1 for k, v in key_lines.items() if len(k) == 1}
    return _page(data, at, lang, name, where, body, closing + 2)


def _page(data: dict[Any, Any], at: dict[str, int], lang: str, name: str, where: str,
          body: str, body_line: int) -> tuple[Page | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(where, at.get(key, 1), message))

    for key in data:
        if str(key) not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(FIELDS)}"
            problem(str(key), f"{shown(str(key))} is not a known field ({hint})")

    def text(key: str) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            problem(key, f"{key!r} is missing ({FIELDS[key]})")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problem(key, f"{key!r} must be text, not {type(value).__name__} ({FIELDS[key]})")
            return ""
        if "\n" in str(value).strip() or "\r" in str(value):
            problem(key, f"{key!r} must be one line (remove the line break)")
            return ""
        hidden = DISGUISING.search(str(value))
        if hidden:
            problem(key, f"{key!r} contains the invisible character U+{ord(hidden.group()):04X}, "
                         "which can disguise text or turn it around: remove it")
            return ""
        return " ".join(str(value).split())

    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        problems.append(Problem(where, None, f"the file name is {len(name.encode('utf-8'))} bytes "
                                f"long; at most {MAX_NAME_BYTES} can be published (the page's "
                                "data file adds .json.gz to it): shorten it"))
    title, description = text("title"), text("description")
    slug = data.get("slug")
    if name == INDEX:
        if slug is not None:
            problem("slug", "the start page (index.md) has no slug: remove the `slug:` line")
        slug = None
    else:
        if slug is None:
            slug = name
            if not is_slug(name):
                problems.append(Problem(where, 1, f"the file name {shown(name)} cannot be an "
                                        "address: add `slug:` with lowercase a-z, 0-9 and hyphens"))
        elif not isinstance(slug, str) or not is_slug(slug):
            problem("slug", f"slug {shown(slug)} may only use lowercase a-z, 0-9 and single "
                            f"hyphens, at most {MAX_SLUG} characters (e.g. `slug: kontakt`)")
            slug = name
        if slug in RESERVED:
            problem("slug", f"the address {slug!r} is used by the portal itself: choose another slug")
    order = data.get("order")
    if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
        problem("order", f"order {shown(order)} must be a whole number, e.g. `order: 3`")
        order = None
    def date(key: str) -> dt.date | None:
        value = data.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):  # a bad string is reported just below
                value = dt.date.fromisoformat(value)
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            problem(key, f"{key} {shown(value)} must be a date written as YYYY-MM-DD")
            return None
        return value

    updated, reviewed = date("updated"), date("reviewed")
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        problem("draft", f"draft {shown(draft)} must be true or false")
        draft = False
    easy_read = data.get("easy_read", False)
    if not isinstance(easy_read, bool):
        problem("easy_read", f"easy_read {shown(easy_read)} must be true or false")
        easy_read = False
    faq = data.get("faq", False)
    if not isinstance(faq, bool):
        problem("faq", f"faq {shown(faq)} must be true or false (true: the page's headings "
                       "are questions, the text after each its answer)")
        faq = False
    routes = data.get("routes", [])
    if name != INDEX and "routes" in data:
        problem("routes", "only a start page (index.md) shows routes: remove the `routes:` line")
    elif not isinstance(routes, list) or len(routes) > MAX_ROUTES or not all(
            isinstance(route, str) and is_slug(route) for route in routes):
        problem("routes", f"routes {shown(routes)} must be a list of at most {MAX_ROUTES} page "
                          "file names without .md, e.g. `routes: [vill-du-lamna, for-anhoriga]`")
        routes = []
    source = data.get("translated_from")
    if source is not None and not isinstance(source, str):
        source = str(source)
    problems += body_limits(body, body_line, where)
    if errors_in(problems):
        return None, problems
    return Page(lang, name, where, title, description, slug, order, updated, draft, body,
                body_line, source, easy_read, reviewed, faq, at, tuple(routes)), problems


# Python-Markdown copies the rest of a paragraph for every link, entity, emphasis or tag it
# finds there (Python-Markdown#798), so its time grows with the square of the markup characters
# in one paragraph: 2,000 `[` take a second, 170,000 entities minutes. Bound the sum of squares
# of a page (what it costs; a real paragraph has a few dozen), and the depth of lists and quotes
# (each level is a recursion in the parser). List items, table rows and headings are paragraphs
# of their own to Markdown; a line ending in two spaces is a line break, matched like the rest;
# `{` starts an attribute list, which is searched for from every ` {` of a heading or table row.
# Markdown's block pass is bounded too: it retests every line of a run of lines without an
# empty line each time it takes a heading or rule off it (so 5,000 such lines take seconds), and
# numbering the ids of many headings with the same text is quadratic in them (toc). A long real
# page has a few hundred lines, runs of a few dozen and a few dozen headings.
MARKUP_CHARACTERS = "&<[*_`\\{"
MAX_MARKUP_COST = 4_000_000  # one paragraph of 2,000, or a thousand of 63
MAX_NESTING = 16
MAX_LINES = 20_000
MAX_RUN = 1_000  # lines one after another without an empty line
MAX_HEADINGS = 1_000
MAX_COLUMNS = 500  # a table row's cells are read one by one: 200,000 take 15 s
_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*\Z")  # a setext heading's second line (or a rule)
_ITEM = re.compile(r"\s*(?:[-*+]\s|\d{1,9}[.)]\s|\|)")  # a list item or a table row


def body_limits(body: str, first_line: int, where: str) -> list[Problem]:
    """Text that Markdown could not read in reasonable time or depth, as located errors."""
    problems: list[Problem] = []
    cost, count, block_start = 0, 0, first_line
    listed = False  # in a list or table, whose items Markdown reads one by one
    empty = True  # no line of the current paragraph yet
    run_start, headings = first_line, 0
    worst: tuple[int, int] = (0, first_line)
    lines = body.split("\n")
    if len(lines) > MAX_LINES:
        return [Problem(where, first_line + MAX_LINES, f"the page has {len(lines):,} lines of text; "
                        f"at most {MAX_LINES:,} can be published: split it into several pages")]
    for number, line in enumerate(lines, first_line):
        blank = not line.strip()
        heading = line.startswith("#")
        item = not blank and _ITEM.match(line) is not None
        # A heading is always a paragraph of its own; an item only in a list (after an empty
        # line or another item), not in the middle of a paragraph.
        if blank or heading or (item and (listed or empty)):
            cost += count * count
            worst = max(worst, (count, block_start))
            count, listed, empty = 0, item, True
            block_start = number + 1 if blank else number
        if blank:
            run_start = number + 1
            continue
        if number - run_start >= MAX_RUN:
            return [Problem(where, run_start, f"more than {MAX_RUN:,} lines follow each other "
                            "here without an empty line, which Markdown reads very slowly: put "
                            "empty lines between paragraphs, headings and lists")]
        bars = line.count("|")
        if bars > MAX_COLUMNS + 1:
            return [Problem(where, number, f"this line has {bars:,} '|' characters; a table can "
                            f"have at most {MAX_COLUMNS} columns: split the table")]
        if heading or _UNDERLINE.match(line):
            headings += 1
            if headings > MAX_HEADINGS:
                return [Problem(where, number, f"the page has more than {MAX_HEADINGS:,} "
                                "headings, which Markdown numbers very slowly: split it into "
                                "several pages")]
        empty = False
        count += sum(line.count(c) for c in MARKUP_CHARACTERS) + line.endswith("  ")
        stripped = line.lstrip(" \t>")
        indent = line[: len(line) - len(stripped)]
        depth = indent.count(">") + len(indent.replace(">", "").expandtabs(4)) // 4
        if depth > MAX_NESTING:
            problems.append(Problem(where, number, f"is nested {depth} levels deep (lists, quotes "
                                    f"or indented code); at most {MAX_NESTING} can be shown "
                                    "(indent less)"))
            break
    cost += count * count
    worst = max(worst, (count, block_start))
    if cost > MAX_MARKUP_COST:
        problems.append(Problem(where, worst[1], f"this paragraph has {worst[0]:,} markup "
                                f"characters ({' '.join(MARKUP_CHARACTERS)}); Markdown would need "
                                "minutes to read the page: split it into shorter paragraphs, with "
                                "an empty line between them, or use less markup"))
    if OVERRIDES.search(body):
        number = first_line + body[: OVERRIDES.search(body).start()].count("\n")  # type: ignore[union-attr]
        problems.append(Problem(where, number, "the text contains an invisible direction override "
                                "(U+202D or U+202E), which can show text other than it is: "
                                "remove it", Severity.WARNING))
    return problems
