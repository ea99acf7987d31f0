"""The project's own templates: loaded only from inside the project, compiled and tried by
`portal check`, and every template error reported as `templates/x.html:LINE: what`."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from flask import Flask

from . import files
from .errors import Problem, relative

if TYPE_CHECKING:
    from .site import Site

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


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
    app.config["PROPAGATE_EXCEPTIONS"] = True
    client = app.test_client()
    for url in urls:
        try:
            client.get(url)
        except Exception as exc:  # a template's own mistake, at render time
            found = located(exc, root)
            if found is None:
                raise
            if found not in problems:
                problems.append(found)
    return problems


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
        urls += [f"/{code}/search/"]
        for page in some:
            urls += [page.url, page.url + "poster/", page.url + "qr.svg"]
    return urls
