"""Load Markdown pages with YAML front matter, keeping line numbers for every error."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frontmatter.default_handlers import YAMLHandler

from . import yamltext
from .errors import Problem, relative

INDEX = "index"
RESERVED = {"search", "poster"}  # slugs the portal itself uses in every language
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
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
    "translated_from": "filled in by `portal translations done`: the version of the "
                       "default-language page this translation matches",
}
MAX_BYTES = 2_000_000


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
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

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


def content_files(content_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every `<lang>/<name>.md` below the content folder, sorted, with its language folder."""
    for lang_dir in sorted(p for p in content_dir.iterdir() if p.is_dir()):
        for path in sorted(lang_dir.glob("*.md")):
            yield lang_dir.name, path


def load_page(path: Path, lang: str, root: Path, content_dir: Path) -> tuple[Page | None, list[Problem]]:
    """Read one page; return it (None if unusable) and the problems found in it."""
    where = relative(path, root)
    try:
        inside = _inside(path, content_dir)
        raw = path.read_bytes() if inside else b""
    except OSError as exc:
        return None, [Problem(where, None, f"cannot be read ({exc.strerror})")]
    if not inside:
        return None, [Problem(where, None, "is a link to a file outside the content folder "
                                           "(copy the file here instead)")]
    if len(raw) > MAX_BYTES:
        return None, [Problem(where, None, f"is {len(raw) // 1_000_000} MB; a page may be at most "
                                           "2 MB (split it into several pages)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(where, line, "is not UTF-8 text (save the file as UTF-8)")]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _parse(text, lang, path.stem, where)


def _inside(path: Path, content_dir: Path) -> bool:
    """Whether the file really lies in the content folder (a link may lead elsewhere).
    `<content>/<lang>/<name>.md` with neither the file nor its folder a link needs no
    resolving, which costs a system call per path component."""
    if path.parent.parent == content_dir and not path.is_symlink() and not path.parent.is_symlink():
        return True
    return path.resolve().is_relative_to(content_dir.resolve())


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
            problem(str(key), f"{str(key)!r} is not a known field ({hint})")

    def text(key: str) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            problem(key, f"{key!r} is missing ({FIELDS[key]})")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problem(key, f"{key!r} must be text, not {type(value).__name__} ({FIELDS[key]})")
            return ""
        return " ".join(str(value).split())

    title, description = text("title"), text("description")
    slug = data.get("slug")
    if name == INDEX:
        if slug is not None:
            problem("slug", "the start page (index.md) has no slug: remove the `slug:` line")
        slug = None
    else:
        if slug is None:
            slug = name
            if not SLUG.match(name):
                problems.append(Problem(where, 1, f"the file name {name!r} cannot be an address: "
                                        "add `slug:` with lowercase a-z, 0-9 and hyphens"))
        elif not isinstance(slug, str) or not SLUG.match(slug):
            problem("slug", f"slug {slug!r} may only use lowercase a-z, 0-9 and single hyphens "
                            "(e.g. `slug: kontakt`)")
        if slug in RESERVED:
            problem("slug", f"the address {slug!r} is used by the portal itself: choose another slug")
    order = data.get("order")
    if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
        problem("order", f"order {order!r} must be a whole number, e.g. `order: 3`")
        order = None
    updated = data.get("updated")
    if isinstance(updated, str):
        with contextlib.suppress(ValueError):  # a bad string is reported just below
            updated = dt.date.fromisoformat(updated)
    if updated is not None and (not isinstance(updated, dt.date) or isinstance(updated, dt.datetime)):
        problem("updated", f"updated {updated!r} must be a date written as YYYY-MM-DD")
        updated = None
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        problem("draft", f"draft {draft!r} must be true or false")
        draft = False
    easy_read = data.get("easy_read", False)
    if not isinstance(easy_read, bool):
        problem("easy_read", f"easy_read {easy_read!r} must be true or false")
        easy_read = False
    source = data.get("translated_from")
    if source is not None and not isinstance(source, str):
        source = str(source)
    if problems:
        return None, problems
    return Page(lang, name, where, title, description, slug, order, updated, draft, body,
                body_line, source, easy_read, at), []
