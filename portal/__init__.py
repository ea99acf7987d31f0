"""The portal: a static site builder for a municipal programme that helps people leave gangs."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from flask import Flask, g
from flask_babel import Babel
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader

from . import uitext, views
from .errors import ContentError
from .i18n import compile_catalogs
from .site import Project, Site, require_site

__all__ = ["Project", "Site", "create_app"]


def create_app(project: Project | Path | str = ".", drafts: bool = False,
               site: Site | None = None) -> Flask:
    """The Flask app that renders the site; `site` skips loading when the caller has one."""
    if not isinstance(project, Project):
        project = Project(Path(project).resolve())
    site = site or require_site(project, drafts)
    settings = site.settings
    app = Flask(__name__, static_folder=project.static, static_url_path="/static")
    if project.templates.is_dir():  # a municipality's own footer, say: theirs first, then ours
        app.jinja_loader = ChoiceLoader([FileSystemLoader(project.templates),
                                         PackageLoader("portal")])

    # Compiled catalogues are build products: they go to a private folder, never the repository.
    compiled = tempfile.mkdtemp(prefix="portal-mo-")
    weakref.finalize(app, shutil.rmtree, compiled, True)
    problems = compile_catalogs(project.translations, list(settings.codes), Path(compiled),
                                project.root)
    if problems:
        raise ContentError(problems)

    app.config.update(
        BABEL_TRANSLATION_DIRECTORIES=compiled,
        BABEL_DEFAULT_LOCALE=settings.default_language,
        BABEL_DEFAULT_TIMEZONE="Europe/Stockholm",
    )
    Babel(app, locale_selector=lambda: g.get("lang", settings.default_language))
    uitext.init_app(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.extensions["portal"] = views.Portal(site, drafts)
    views.init_app(app)
    return app
