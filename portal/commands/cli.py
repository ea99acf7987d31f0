"""The `portal` command: thin wrappers over build, serve, check, translations and new."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from ..errors import ContentError, Problem, errors_in
from ..load.site import Project, require_site


def _project(ctx: click.Context, site: str | None = None) -> Project:
    if site is not None:
        from ..load.sites import site_problem

        problem = site_problem(site)
        if problem is not None:
            raise click.BadParameter(problem, param_hint="--site")
    return Project(Path(ctx.obj["project"]).resolve(), site)


SITE_HELP = ("Build one site of several from this content folder: content/sites/ID/ holds its "
             "own site.yml and pages.")


@click.group()
@click.option("--project", default=".", show_default=True, type=click.Path(file_okay=False),
              help="The folder with content/, translations/ and static/.")
@click.pass_context
def main(ctx: click.Context, project: str) -> None:
    """Build and preview the website of a municipal programme for leaving criminal gangs."""
    ctx.obj = {"project": project}


@main.command()
@click.option("--out", default=None, type=click.Path(),
              help="The folder to write the site to (default: build, or build/ID with --site).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes that render pages (default: one per core, at most 8).")
@click.option("--site", "site_id", default=None, metavar="ID", help=SITE_HELP)
@click.pass_context
def build(ctx: click.Context, out: str | None, jobs: int | None, site_id: str | None) -> None:
    """Check the content and freeze the site into a folder of static files."""
    from ..publish.build import build as run_build

    project = _project(ctx, site_id)
    if out is not None and not out.strip():
        raise click.UsageError(f"--out {out!r} names no folder: give one, such as --out build")
    out = ("build" if site_id is None else f"build/{site_id}") if out is None else out
    result = run_build(project, Path(out) if Path(out).is_absolute() else Path.cwd() / out, jobs)
    for problem in sorted(result.warnings, key=Problem.key):
        click.echo(str(problem), err=True)
    click.echo(f"Built {result.pages} pages ({result.files} files) into {result.out} "
               f"in {result.seconds:.2f} s: {len(result.rendered)} parts rendered, "
               f"{result.reused} unchanged.")


@main.command()
@click.option("--build", "build_dir", default="build", show_default=True,
              type=click.Path(file_okay=False, exists=True), help="The built site to serve.")
@click.option("--listen", multiple=True,
              help="Address to listen on without TLS, e.g. 127.0.0.1:8080 (default: 443 with TLS).")
@click.option("--certificate", default="/etc/ssl/certs/portal.pem", show_default=True)
@click.option("--certificate-key", default="/etc/ssl/private/portal.key", show_default=True)
@click.option("--acme-root", default="/var/lib/letsencrypt", show_default=True,
              help="Where certbot --webroot writes its challenges (kept out of the build).")
@click.option("--site", "site_id", default=None, metavar="ID", help=SITE_HELP)
@click.pass_context
def nginx(ctx: click.Context, build_dir: str, listen: tuple[str, ...], certificate: str,
          certificate_key: str, acme_root: str, site_id: str | None) -> None:
    """Print an nginx configuration that serves a build with the site's security headers."""
    from ..load.settings import require_settings
    from .nginx import nginx_config

    project = _project(ctx, site_id)
    settings = require_settings(project.content, project.root, project.site)
    click.echo(nginx_config(settings, Path(build_dir).absolute(), list(listen) or None,
                            certificate, certificate_key, acme_root), nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; keep it on this computer (127.0.0.1) unless you "
                   "know why: the preview shows drafts.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--site", "site_id", default=None, metavar="ID", help=SITE_HELP)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, site_id: str | None) -> None:
    """Preview the site, drafts included, reloading the browser when a file changes."""
    from .serve import run

    if not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]{1,253}", host):
        raise click.BadParameter(f"{host!r} is not a host name or address", param_hint="--host")
    click.echo(f"Previewing on http://{host}:{port}/ (drafts shown, pages reload when you save). "
               "Press Ctrl+C to stop.")
    try:
        run(_project(ctx, site_id), host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror or exc}): "
                                   "choose another --port, or stop the program using it") from None


@main.command()
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: the same findings for tools.")
@click.option("--site", "site_id", default=None, metavar="ID", help=SITE_HELP)
@click.pass_context
def check(ctx: click.Context, strict: bool, fmt: str, site_id: str | None) -> None:
    """Check all content and settings without building; print every problem."""
    from ..render.app import create_app
    from ..render.bodies import checked_site
    from ..render.templating import check_templates, sample_urls

    project = _project(ctx, site_id)
    site, problems = checked_site(project)
    if site is not None:  # compile every template and try each kind of page
        try:
            app = create_app(project, site=site)
        except ContentError as exc:
            problems += exc.problems
        else:
            problems += check_templates(app, project.root, sample_urls(site))
    problems = sorted(problems, key=Problem.key)
    errors = errors_in(problems)
    failed = bool(errors) or (strict and bool(problems))
    if fmt == "json":
        click.echo(json.dumps({"ok": not failed, "problems": [
            {"path": p.path, "line": p.line, "severity": p.severity, "message": p.message}
            for p in problems]}, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(str(problem), err=True)
        warnings = len(problems) - len(errors)
        click.echo(f"{len(errors)} error(s), {warnings} warning(s)." if problems
                   else "No problems found.", err=failed)
    if failed:
        raise SystemExit(1)


@main.group()
def translations() -> None:
    """Which pages and interface strings are translated, missing or stale."""


@translations.command("status")
@click.pass_context
def translations_status(ctx: click.Context) -> None:
    """A table of every page in every language, and UI-string coverage per language."""
    from .translations import DRAFT, MISSING, SOURCE, STALE, TRANSLATED, UNMARKED, statuses, ui_coverage

    site = require_site(_project(ctx), drafts=True)
    codes = site.settings.codes
    signs = {SOURCE: "source", TRANSLATED: "ok", MISSING: "MISSING", STALE: "STALE",
             UNMARKED: "unmarked", DRAFT: "draft"}
    rows = statuses(site)
    width = max([len("page"), *(len(row[0].name) for row in rows)])
    click.echo("page".ljust(width) + "".join(f"  {code:<9}" for code in codes))
    for row in rows:
        click.echo(row[0].name.ljust(width) + "".join(
            f"  {signs[s.state] + ('+r' if s.reviewed else ''):<9}" for s in row))
    counts = {state: sum(s.state == state for row in rows for s in row)
              for state in (MISSING, STALE, UNMARKED, DRAFT)}
    click.echo(f"\n{counts[MISSING]} missing, {counts[DRAFT]} draft, {counts[STALE]} stale, "
               f"{counts[UNMARKED]} unmarked. "
               "After updating a translation, run `portal translations done LANG PAGE`.")
    reviewed = ", ".join(f"{code} {sum(row[i].reviewed for row in rows)}/{len(rows)}"
                         for i, code in enumerate(codes) if code != site.settings.default_language)
    click.echo(f"Checked by a native speaker (+r; `reviewed:` in the page): {reviewed}.")
    click.echo("\nInterface strings (translations/<lang>/LC_MESSAGES/messages.po):")
    for cov in ui_coverage(site):
        note = f", {cov.fuzzy} to review (fuzzy)" if cov.fuzzy else ""
        click.echo(f"  {cov.code:<4} {cov.translated}/{cov.total} translated{note}")


@translations.command("update")
@click.pass_context
def translations_update(ctx: click.Context) -> None:
    """Extract the interface strings and update every language's .po file."""
    from ..load.catalogs import update
    from ..load.settings import require_settings

    project = _project(ctx)
    settings = require_settings(project.content, project.root)
    for path in update(project.translations, list(settings.codes)):
        click.echo(f"updated {path.relative_to(project.root)}")


@translations.command("done")
@click.argument("lang")
@click.argument("name")
@click.pass_context
def translations_done(ctx: click.Context, lang: str, name: str) -> None:
    """Mark LANG's translation of page NAME as up to date with the default-language page."""
    from .translations import mark_done

    project = _project(ctx)
    site = require_site(project, drafts=True)
    try:
        path = mark_done(site, lang, name.removesuffix(".md"))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"marked {path.relative_to(project.root)} as up to date")


@main.command()
@click.argument("name")
@click.option("--title", default=None, help="The page's title (default: made from NAME).")
@click.option("--translate", is_flag=True,
              help="Also create a draft in every other language, for translators.")
@click.pass_context
def new(ctx: click.Context, name: str, title: str | None, translate: bool) -> None:
    """Create a page NAME in the default language, with all front matter filled in."""
    from .new import new_page

    for path in new_page(_project(ctx), name, title, translate):
        click.echo(f"created {path}")
