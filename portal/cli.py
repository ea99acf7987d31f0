"""The `portal` command: thin wrappers over build, serve and check."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import Problem
from .site import Project, load_site


def _project(ctx: click.Context) -> Project:
    return Project(Path(ctx.obj["project"]).resolve())


@click.group()
@click.option("--project", default=".", show_default=True, type=click.Path(file_okay=False),
              help="The folder with content/, translations/ and static/.")
@click.pass_context
def main(ctx: click.Context, project: str) -> None:
    """Build and preview the website of a municipal programme for leaving criminal gangs."""
    ctx.obj = {"project": project}


@main.command()
@click.option("--out", default="build", show_default=True, type=click.Path(),
              help="The folder to write the site to.")
@click.pass_context
def build(ctx: click.Context, out: str) -> None:
    """Check the content and freeze the site into a folder of static files."""
    from .freeze import build as run_build

    project = _project(ctx)
    result = run_build(project, Path(out) if Path(out).is_absolute() else Path.cwd() / out)
    click.echo(f"Built {result.pages} pages ({result.files} files) into {result.out} "
               f"in {result.seconds:.2f} s.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Preview the site, drafts included, at http://127.0.0.1:5000/."""
    from . import create_app

    app = create_app(_project(ctx), drafts=True)
    click.echo(f"Previewing on http://{host}:{port}/ (drafts shown). Press Ctrl+C to stop.")
    app.run(host=host, port=port, debug=False, use_reloader=False)


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check all content and settings without building; print every problem."""
    _, problems = load_site(_project(ctx))
    for problem in sorted(problems):
        click.echo(str(problem), err=True)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SystemExit(1)
    click.echo("No problems found." if not problems else _summary(problems))


def _summary(problems: list[Problem]) -> str:
    return f"{len(problems)} warning(s), no errors."
