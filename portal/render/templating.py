"""The project's own templates: loaded only from inside the project, compiled and tried by
`portal check`, and every template error reported as `templates/x.html:LINE: what`."""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import flask.templating
import jinja2
from flask import Flask
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import Problem, Severity, relative
from ..load import files
from ..load.content import search_url
from ..load.origins import violations
from .deadline import TooSlow

if TYPE_CHECKING:
    from ..load.site import Site

PACKAGE_TEMPLATES = Path(__file__).parent.parent / "templates"


class SandboxedEnvironment(ImmutableSandboxedEnvironment, flask.templating.Environment):
    """Flask's template environment inside Jinja's sandbox: a template (the project's own
    included) reaches no Python internals (`__globals__`, `__subclasses__`, ...) and changes no
    data it is given, so a template author cannot run commands or read files."""


class ProjectLoader(jinja2.BaseLoader):
    """The project's templates/ folder, read through the project's file policy: no link out of
    the project, no pipe, no loop of folders."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder, self.root = folder, root
        listing = files.walk(folder, root)
        self.names = {path.relative_to(folder).as_posix(): path for path in listing.files}
        self.problems = listing.problems

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        path = self.names.get(template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        try:
            source = files.read(path, self.root).decode("utf-8")
        except (files.UnsafeFile, UnicodeDecodeError) as exc:
            raise jinja2.TemplateError(f"{relative(path, self.root)}: {exc}") from None
        return source, str(path), lambda: False

    def list_templates(self) -> list[str]:
        return sorted(self.names)


def located(exc: BaseException, root: Path) -> Problem | None:
    """The template file and line an error came from (None if no template was involved)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Problem(_where(exc.filename, root), exc.lineno, f"template error: {exc.message}")
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.endswith((".html", ".xml", ".conf"))]
    if not frames:
        return None
    frame = frames[-1]
    message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    return Problem(_where(frame.filename, root), frame.lineno,
                   f"template error: {message} (fix the template, or remove your copy to use the portal's)")


def _where(filename: str, root: Path) -> str:
    path = Path(filename)
    if path.is_relative_to(PACKAGE_TEMPLATES):
        return "portal/templates/" + path.relative_to(PACKAGE_TEMPLATES).as_posix()
    return relative(path, root)


def check_templates(app: Flask, root: Path, urls: list[str]) -> list[Problem]:
    """Compile every template the app can load, then render a few URLs of each kind, so that
    what a build would reject is reported by `portal check` first."""
    problems: list[Problem] = []
    env = app.jinja_env
    loader = app.jinja_loader
    if isinstance(loader, jinja2.ChoiceLoader):
        for inner in loader.loaders:
            if isinstance(inner, ProjectLoader):
                problems += inner.problems
    for name in env.list_templates():
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            found = located(exc, root)
            problems.append(found or Problem(name, exc.lineno, exc.message or str(exc)))
        except jinja2.TemplateError as exc:
            problems.append(Problem(name, None, str(exc)))
    if problems:
        return problems
    own = project_loader(app)
    if own is not None:
        ours = set(portal_template_names())
        problems += [Problem(relative(own.names[name], root), None, "replaces no template of the "
                             f"portal (its templates: {', '.join(sorted(ours)[:6])}, ...): check "
                             "the name", Severity.WARNING)
                     for name in own.list_templates() if name not in ours]
    app.config["PROPAGATE_EXCEPTIONS"] = True
    client = app.test_client()
    for url in urls:
        try:
            response = client.get(url)
        except TooSlow as exc:  # a body or template that would stop the build: named, as there
            where, _, message = str(exc).partition(": ")
            problems.append(Problem(where, None, message))
            continue
        except Exception as exc:  # a template's own mistake, at render time
            found = located(exc, root)
            if found is None:
                raise
            if found not in problems:
                problems.append(found)
            continue
        if response.mimetype in ("text/html", "image/svg+xml"):
            for _, what in violations(response.get_data(as_text=True)):
                where, line = source_of(app, root, what)
                problem = Problem(where, line, f"{url} would have {what}: a page may only load "
                                  "this site's own files and run the portal's own scripts")
                if not any(p.path == problem.path and p.line == problem.line for p in problems):
                    problems.append(problem)
    return problems


def project_loader(app: Flask) -> ProjectLoader | None:
    loader = app.jinja_loader
    if isinstance(loader, jinja2.ChoiceLoader):
        return next((x for x in loader.loaders if isinstance(x, ProjectLoader)), None)
    return None


def portal_template_names() -> list[str]:
    """The names of the portal's own templates, which a project's may replace."""
    return [p.relative_to(PACKAGE_TEMPLATES).as_posix()
            for p in PACKAGE_TEMPLATES.rglob("*") if p.is_file()]


def source_of(app: Flask, root: Path, what: str) -> tuple[str, int | None]:
    """Which of the project's templates (and line) holds the address or tag named in a
    message, for pointing at it; the templates folder when none does."""
    quoted = re.search(r"'([^']{3,})'", what)
    needle = quoted.group(1) if quoted else re.sub(r"^an? |\(.*$", "", what).strip()
    own = project_loader(app)
    if own is not None:
        for name in own.list_templates():
            text = files.read(own.names[name], root).decode("utf-8", "replace")
            for number, line in enumerate(text.split("\n"), 1):
                if (needle and needle in line) or ("<script" in what and "<script>" in line):
                    return relative(own.names[name], root), number
    return "templates/", None


def sample_urls(site: Site) -> list[str]:
    """One URL of each kind of page, in the default language and in the first language of the
    other direction, for `check_templates`."""
    codes = [site.settings.default_language]
    other = [lang.code for lang in site.settings.languages
             if lang.dir != site.settings.language(codes[0]).dir]
    urls = ["/", "/404.html", "/sitemap.xml", "/robots.txt"]
    for code in codes + other[:1]:
        pages = list(site.pages(code))
        some = [site.start(code), *[p for p in pages if not p.is_index][:1]]
        urls += [search_url(code)]
        for page in some:
            urls += [page.url, page.url + "poster/", page.url + "qr.svg"]
    return urls + _joint_samples(site)


def _joint_samples(site: Site) -> list[str]:
    """A fallback page and a member's poster, where the site has them (fallback.py, members.py)."""
    from .member_views import member_pages, poster_url

    shown = next(iter(site.fallbacks), None)
    listing = next(iter(member_pages(site)), None)
    return ([shown] if shown else []) + (
        [poster_url(listing, site.settings.members[0])] if listing else [])
