"""Rendered page bodies: each rendered once per Site and kept, and the checks that need them
(anchors that must exist, what a body would load from elsewhere)."""

from __future__ import annotations

import weakref
from urllib.parse import unquote, urlsplit

from ..errors import ContentError, Problem, errors_in
from ..load.checks import ID, LINK, source_lines
from ..load.content import Page
from ..load.site import PageCache, Project, Site, read_site
from .deadline import SECONDS, TooSlow, deadline
from .markdown import Body, Renderer


class Bodies:
    """The bodies of one Site's pages, rendered on first use and kept."""

    def __init__(self, site: Site) -> None:
        self.renderer = Renderer(site)
        self._done: dict[tuple[str, str], Body] = {}

    def body(self, page: Page) -> Body:
        """The page's body rendered (once, then kept), with what in it breaks the rules."""
        key = (page.lang, page.name)
        if key not in self._done:
            with deadline(lambda: f"{page.path}: Markdown needed more than {SECONDS:.0f} s for "
                                  "this page (simplify it: fewer brackets, less nesting)"):
                self._done[key] = self.renderer.render(page)
        return self._done[key]

    def html(self, page: Page) -> str:
        """The page's body as sanitised HTML."""
        return self.body(page).html


_OF: weakref.WeakKeyDictionary[Site, Bodies] = weakref.WeakKeyDictionary()


def bodies(site: Site) -> Bodies:
    """The one Bodies of a Site (the Site itself stays a read-only index of what was loaded)."""
    if site not in _OF:
        _OF[site] = Bodies(site)
    return _OF[site]


def checked_site(project: Project, drafts: bool = False, cache: PageCache | None = None,
                 render: bool = True) -> tuple[Site | None, list[Problem]]:
    """Load and validate everything, then check what needs rendered bodies (anchors; with
    `render`, what bodies would load). The Site is None when there are errors."""
    site, problems = read_site(project, drafts, cache)
    if site is not None:
        problems += check_anchors(site)  # even when other errors were found
        try:
            if render:  # a build checks each body as it renders it (only what changed)
                problems += check_bodies(site)
        except TooSlow as exc:
            where, _, message = str(exc).partition(": ")
            problems.append(Problem(where, None, message))
    return (None if errors_in(problems) else site), problems


def require_checked_site(project: Project, drafts: bool = False) -> Site:
    """The checked Site, or a ContentError listing every error."""
    site, problems = checked_site(project, drafts)
    if site is None:
        raise ContentError(errors_in(problems), "fix them and try again")
    return site


def check_anchors(site: Site) -> list[Problem]:
    """Links to `#anchor` or `page.md#anchor` must name a heading id that exists."""
    problems = []
    ids: dict[tuple[str, str], set[str]] = {}  # each linked page's heading ids, found once
    for page in site.pages():
        for number, line in source_lines(page):
            for match in LINK.finditer(line) if "](" in line and "#" in line else ():
                image, _, target = match.groups()
                parts = urlsplit(target)
                if image or parts.scheme or not parts.fragment:
                    continue
                name = parts.path.removesuffix(".md") if parts.path else page.name
                leads = site.link_target(page.lang, name)
                if leads is None:
                    continue  # reported by check_site
                other = leads[1]
                key = (other.lang, other.name)
                if key not in ids:
                    ids[key] = set(ID.findall(bodies(site).html(other)))
                if unquote(parts.fragment) not in ids[key]:
                    problems.append(Problem(page.path, number, f"link {target!r}: {other.path} "
                                    f"has no heading with the id {parts.fragment!r}"))
    return problems



def check_bodies(site: Site) -> list[Problem]:
    """What a rendered body would load from elsewhere or run: read from the HTML as a browser
    would. Only bodies that can hold such a thing are rendered here (an image needs `![` or
    raw HTML `<`; entities and long texts are tried for their time); the build renders every
    page and checks it all again."""
    problems: list[Problem] = []
    for page in site.pages():
        if ("![" in page.body or "<" in page.body or "&" in page.body or len(page.body) > 50_000
                or ("[" in page.body and "]:" in page.body)):
            problems += bodies(site).body(page).problems
    return problems
