"""The Flask app that renders a Site: templates, interface translations, the routes."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import weakref
from pathlib import Path

from flask import Flask, g
from flask_babel import Babel
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from ..errors import ContentError
from ..load.catalogs import compile_catalogs
from ..load.site import Project, Site
from . import uitext, views
from .bodies import require_checked_site
from .templating import ProjectLoader, SandboxedEnvironment


def create_app(project: Project | Path | str = ".", drafts: bool = False,
               site: Site | None = None) -> Flask:
    """The Flask app that renders the site; `site` skips loading when the caller has one."""
    if not isinstance(project, Project):
        project = Project(Path(project).resolve())
    site = site or require_checked_site(project, drafts)
    settings = site.settings
    app = Flask(__name__, static_folder=project.static, static_url_path="/static")
    app.jinja_environment = SandboxedEnvironment
    # A municipality's own footer, say: theirs first, then ours; "portal:page.html" is always
    # ours, so an override can extend the template it replaces instead of copying it.
    ours = PackageLoader("portal")
    theirs = [ProjectLoader(project.templates, project.root)] if project.templates.is_dir() else []
    app.jinja_loader = ChoiceLoader([*theirs, ours, PrefixLoader({"portal": ours}, delimiter=":")])

    # Compiled catalogues are build products: they go to a private folder, never the repository.
    _clear_catalogs_of_ended_processes()
    compiled = tempfile.mkdtemp(prefix=f"portal-mo-{os.getpid()}-")
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
    Babel(app, locale_selector=lambda: settings.language(
        g.get("lang", settings.default_language)).formats)
    uitext.init_app(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.extensions["portal"] = views.Portal(site, drafts)
    views.init_app(app)
    return app


def _clear_catalogs_of_ended_processes() -> None:
    """Remove compiled catalogues that a killed portal process left in the temporary folder
    (only folders named by this code, of processes that no longer run)."""
    for folder in Path(tempfile.gettempdir()).glob("portal-mo-*-*"):
        match = re.fullmatch(r"portal-mo-(\d+)-\w+", folder.name)
        if match is None or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (PermissionError, OverflowError):
            continue
