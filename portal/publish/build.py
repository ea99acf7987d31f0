"""`portal build`: check, render and freeze the site into a folder, atomically, never touching
files the portal did not write."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from ..errors import BuildError, ContentError, Problem, errors_in
from ..load.site import Project, Site
from ..render.app import create_app
from ..render.bodies import checked_site
from ..render.deadline import TooSlow
from . import marker, target
from .output import Output
from .pool import Records, Renderer
from .postprocess import assets, compress, steps
from .previous import Previous
from .target import STAGING
from .units import Unit, global_key, hash_of, plan


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Problem]
    rendered: tuple[str, ...] = ()  # the output units rendered in this build (see units.py)
    reused: int = 0  # output units taken unchanged from the previous build


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def build(project: Project, out: Path, jobs: int | None = None) -> BuildResult:
    """Check, render and freeze the site into `out`; on any failure `out` is left as it was.
    Only what changed since the build in `out` is rendered again (see previous.py)."""
    out = out.resolve()
    try:
        previous = target.guard(project, out)  # before the lock file is made beside it
        with target.lock(out):  # (a stale `previous` is safe: every reused file's stamp is checked)
            return _build(project, out, jobs or default_jobs(), previous)
    except TooSlow as exc:
        raise BuildError(f"nothing was published: {exc}") from None
    except OSError as exc:
        where = exc.filename or out
        raise BuildError(f"cannot write the site to {out}: {exc.strerror or exc} ({where}); "
                         "nothing was published. Choose another --out, free some disk space or "
                         "fix the folder's permissions") from None


def _build(project: Project, out: Path, jobs: int, previous: Previous | None) -> BuildResult:
    started = time.perf_counter()
    site, problems = checked_site(project, render=False)
    if site is None:
        raise ContentError(errors_in(problems), "nothing was published")
    hashed = assets.plan(project.static)
    base = global_key(project, hashed.key)
    if project.site is not None:  # its own site.yml (load/sites.py) shapes everything it renders
        base = hash_of(("portal", base), ("site", project.site), ("settings", site.settings))
    app = create_app(project, site=site)
    units = plan(app, site, base)
    target.remove_leftovers(out)
    staging = _staging(out)
    try:
        output = Output(staging, previous)
        records, rendered = _render(app, site, output, units, hashed.mapping, jobs)
        facts = steps.run(output, site, hashed, records, base, jobs)
        (staging / STAGING).unlink()  # from here on, the marker says the folder is ours
        marker.write(staging, marker.Marker(
            files=output.stamps(), compression=compress.key(), units=records, **facts))
        staging.chmod(0o755)
        target.swap(staging, out, previous.written if previous is not None else None)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(out, len(list(site.pages())), len(output.files),
                       time.perf_counter() - started, problems,
                       rendered=tuple(sorted(rendered)), reused=len(units) - len(rendered))


def _staging(out: Path) -> Path:
    """A new folder beside `out`, marked with this process's id while it is being built."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    (staging / STAGING).write_text(str(os.getpid()), encoding="utf-8")
    return staging


def _render(app: Flask, site: Site, output: Output, units: list[Unit],
            fingerprinted: dict[str, str], jobs: int) -> tuple[Records, set[str]]:
    """Render the units whose key changed; link the others' files from the previous build."""
    app.config.update(
        FREEZER_DESTINATION=str(output.root),
        FREEZER_REMOVE_EXTRA_FILES=False,  # it would delete files we did not write
        FREEZER_IGNORE_MIMETYPE_WARNINGS=True,
        FREEZER_REDIRECT_POLICY="error",
        PROPAGATE_EXCEPTIONS=True,  # a failure stops the build with its own message
    )
    todo = [unit for unit in units
            if unit.key is None or output.previous.reusable(unit.id, unit.key) is None]
    records = Renderer(app, site, output, fingerprinted).render(todo, jobs)
    rendered = set(records)
    for unit in units:
        if unit.id not in rendered:  # unchanged: the previous build's files, linked
            record = output.previous.units[unit.id]
            output.adopt(record["files"])
            records[unit.id] = record
    return records, rendered
