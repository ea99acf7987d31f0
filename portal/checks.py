"""Checks across files: languages, start pages, duplicate slugs, links and placeholders."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

from .content import INDEX, Page
from .errors import Problem, relative
from .markdown import PLACEHOLDER, PLACEHOLDERS
from .settings import Settings
from .site import Project

LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
SAFE_SCHEMES = {"http", "https", "mailto", "tel", "sms"}


def check_site(project: Project, settings: Settings, pages: list[Page],
               publishing: bool = True) -> list[Problem]:
    """Every cross-file problem: errors stop a build. `pages` includes drafts."""
    problems: list[Problem] = []
    codes = settings.codes
    for folder in sorted(p for p in project.content.iterdir() if p.is_dir()):
        if folder.name not in codes and any(folder.glob("*.md")):
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
    for page in pages:
        if page.lang in codes:
            problems += _check_body(page, by_lang[page.lang], publishing)
    return problems


def _check_body(page: Page, siblings: dict[str, Page], publishing: bool) -> list[Problem]:
    problems = []
    for number, line in enumerate(page.body.split("\n"), page.body_line):
        for match in PLACEHOLDER.finditer(line):
            if match.group(1) not in PLACEHOLDERS:
                problems.append(Problem(page.path, number, f"unknown placeholder "
                                f"{match.group(0)!r} (known: {', '.join(PLACEHOLDERS)})"))
        for match in LINK.finditer(line):
            problems += _check_link(page, number, match.group(1), siblings, publishing)
    return problems


def _check_link(page: Page, number: int, target: str, siblings: dict[str, Page],
                publishing: bool) -> list[Problem]:
    parts = urlsplit(target)
    if parts.scheme:
        if parts.scheme.lower() not in SAFE_SCHEMES:
            return [Problem(page.path, number, f"link {target!r}: '{parts.scheme}:' links are not "
                            f"allowed (use {', '.join(sorted(SAFE_SCHEMES))})")]
        return []
    if not parts.path:
        return []  # an anchor on the same page
    if not parts.path.endswith(".md") or "/" in parts.path:
        return [Problem(page.path, number, f"link {target!r} is not a page: link to another page "
                        "by its file name, e.g. (kontakt.md)")]
    name = parts.path.removesuffix(".md")
    if name not in siblings:
        return [Problem(page.path, number, f"link to {parts.path!r}: there is no such page in "
                        f"{page.lang}/ (check the file name, or write the page)")]
    if publishing and siblings[name].draft and not page.draft:
        return [Problem(page.path, number, f"link to {parts.path!r}, which is a draft and will "
                        "not be published (publish it or remove the link)")]
    return []
