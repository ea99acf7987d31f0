"""Freeze the app into a static folder, atomically, never touching files the portal did not write."""

from __future__ import annotations

import ctypes
import errno
import json
import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_frozen import Freezer, MissingURLGeneratorWarning, NotFoundWarning

from . import create_app, postprocess
from .errors import BuildError, ContentError, Problem
from .site import Project, Site, load_site

MARKER = ".portal-build.json"


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Problem]


def site_urls(site: Site) -> list[str]:
    """Every URL to freeze, taken from the Site (no url_for per page)."""
    urls = ["/", "/404.html", "/sitemap.xml", "/robots.txt"]
    urls += [f"/{code}/search/" for code in site.settings.codes]
    for page in site.pages():
        urls += [page.url, f"{page.url}poster/", f"{page.url}qr.svg"]
    return urls


def _freeze(app: Flask, urls: list[str], with_static_files: bool) -> None:
    """Render and write the given URLs into the app's FREEZER_DESTINATION."""
    freezer = Freezer(app, with_no_argument_rules=False, log_url_for=False,
                      with_static_files=with_static_files)
    freezer.register_generator(lambda: urls)
    with warnings.catch_warnings():
        # The generator yields URLs straight from the Site, so Frozen-Flask cannot see
        # which endpoints they belong to; a URL that is not found must stop the build.
        warnings.simplefilter("ignore", MissingURLGeneratorWarning)
        warnings.simplefilter("error", NotFoundWarning)
        freezer.freeze()


# What forked workers render: set just before the pool starts, inherited by fork (nothing is
# pickled but each worker's number and, on failure, its exception).
_WORK: tuple[Flask, list[list[str]]] | None = None


def _worker(index: int) -> BaseException | None:
    assert _WORK is not None
    app, shares = _WORK
    try:
        _freeze(app, shares[index], with_static_files=index == 0)
    except BaseException as exc:  # sent back to the parent, which raises it
        try:
            pickle.dumps(exc)
            return exc
        except Exception:
            return BuildError(f"rendering failed: {exc!r}")
    return None


def _freeze_parallel(app: Flask, urls: list[str], jobs: int) -> None:
    """Share the URLs among forked processes: rendering is CPU-bound, so each core helps.
    Every URL's output depends only on the content, so the files are the same for any `jobs`."""
    global _WORK
    _WORK = (app, [urls[i::jobs] for i in range(jobs)])
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            failures = [f for f in pool.map(_worker, range(jobs)) if f is not None]
    finally:
        _WORK = None
    if failures:
        raise failures[0]


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def build(project: Project, out: Path, jobs: int | None = None) -> BuildResult:
    """Check, render and freeze the site into `out`; on any failure `out` is left as it was."""
    started = time.perf_counter()
    out = out.resolve()
    previous = guard_target(project, out)
    site, problems = load_site(project)
    errors = [p for p in problems if p.severity == "error"]
    if site is None or errors:
        raise ContentError(errors, "nothing was published")
    app = create_app(project, site=site)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        app.config.update(
            FREEZER_DESTINATION=str(staging),
            FREEZER_REMOVE_EXTRA_FILES=False,  # it would delete files we did not write
            FREEZER_IGNORE_MIMETYPE_WARNINGS=True,
            FREEZER_REDIRECT_POLICY="error",
            PROPAGATE_EXCEPTIONS=True,  # a failure stops the build with its own message
        )
        urls = site_urls(site)
        jobs = jobs or default_jobs()
        if jobs > 1 and len(urls) >= 4 * jobs:
            _freeze_parallel(app, urls, jobs)
        else:
            _freeze(app, urls, with_static_files=True)
        facts = postprocess.run(staging, site)
        files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        (staging / MARKER).write_text(json.dumps({"files": files, **facts}, indent=0),
                                      encoding="utf-8")
        staging.chmod(0o755)
        _swap(staging, out, previous)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pages = sum(1 for _ in site.pages())
    return BuildResult(out, pages, len(files), time.perf_counter() - started, problems)


def guard_target(project: Project, out: Path) -> set[str] | None:
    """Refuse a target the portal must not replace; return the files of a previous build."""
    root = project.root.resolve()
    if out == root or root.is_relative_to(out):
        raise BuildError(f"{out} is the project folder or contains it: build into a folder of "
                         "its own, e.g. --out build")
    for source in (project.content, project.translations, project.static):
        if out.is_relative_to(source.resolve()):
            raise BuildError(f"{out} is inside {source.name}/: build into a folder of its own, "
                             "e.g. --out build")
    if not out.exists():
        return None
    if not out.is_dir():
        raise BuildError(f"{out} is a file, not a folder: choose another --out")
    marker = out / MARKER
    if not marker.is_file():
        if any(out.iterdir()):
            raise BuildError(f"{out} is not empty and was not made by the portal; nothing was "
                             "changed. Choose an empty or new folder with --out")
        return set()
    try:
        written = set(json.loads(marker.read_text(encoding="utf-8"))["files"])
    except (ValueError, KeyError, TypeError):
        raise BuildError(f"{marker} is damaged: remove the folder {out} yourself") from None
    foreign = _foreign(out, written)
    if foreign:
        raise BuildError(f"{out} holds files the portal did not write ({', '.join(foreign[:5])}); "
                         "move them out, then build again")
    return written


def _foreign(folder: Path, written: set[str]) -> list[str]:
    """Files in a previous build that are not in its manifest: someone else's, never deleted."""
    return sorted(rel for p in folder.rglob("*") if p.is_file() and p.name != MARKER
                  and (rel := p.relative_to(folder).as_posix()) not in written)


def _remove_leftovers(out: Path) -> None:
    """Remove the staging folders of builds that were killed before they finished."""
    for path in out.parent.glob(f".{out.name}.new-*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); False where that is not possible."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
        return False  # a file system or kernel without exchange
    raise OSError(error, os.strerror(error), str(b))


def _swap(staging: Path, out: Path, previous: set[str] | None) -> None:
    """Put the new build in place; the old one is removed only once replaced, and only if it
    still holds nothing but the files the portal wrote."""
    if previous is None:
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        old = staging  # the previous build is now here; visitors never saw a missing site
    else:
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
        try:
            os.rename(staging, out)
        except OSError:
            os.rename(old, out)
            raise
    foreign = _foreign(old, previous)
    if foreign:  # someone added a file while we built: keep the old build rather than delete it
        kept = out.with_name(f".{out.name}.kept-{time.strftime('%Y%m%d-%H%M%S')}")
        os.rename(old, kept)
        raise BuildError(f"the new site is in place, but {foreign[0]} was added to "
                         f"{out} during the build; the previous build was kept in {kept}")
    shutil.rmtree(old)
