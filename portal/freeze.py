"""Freeze the app into a static folder, atomically, never touching files the portal did not write."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from flask_frozen import Freezer, MissingURLGeneratorWarning, NotFoundWarning

from . import postprocess, views
from .app import create_app
from .content import Page, search_url
from .deadline import TooSlow, deadline
from .errors import BuildError, ContentError, Problem
from .incremental import (
    VERSION,
    Previous,
    catalog_key,
    compression_key,
    global_key,
    hash_of,
    page_key,
    poster_key,
)
from .marker import MARKER
from .marker import read as read_marker
from .origins import violations
from .output import Output
from .postprocess import assets, links
from .qr import qr_svg
from .site import Project, Site, load_site
from .templating import located, source_of

STAGING = ".portal-staging"  # in a folder being built: the building process's id


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    files: int
    seconds: float
    warnings: list[Problem]
    rendered: tuple[str, ...] = ()  # the output units rendered in this build (see Unit)
    reused: int = 0  # output units taken unchanged from the previous build


@dataclass(frozen=True)
class Unit:
    """Files that are rendered together, from the same inputs: a page; a page's poster and QR
    code; or the site-wide files (start, 404, sitemap, robots.txt, search pages)."""

    id: str
    key: str | None  # a hash of its inputs (incremental.py); None: rendered in every build
    urls: tuple[str, ...]
    qr: Page | None = None  # the page whose QR code file this unit writes


def site_urls(site: Site) -> list[str]:
    """The site-wide URLs, taken from the Site (no url_for per page)."""
    urls = ["/", "/404.html", "/sitemap.xml", "/robots.txt"]
    return (urls + [search_url(code) for code in site.settings.codes]
            + [f"/{code}/404.html" for code in site.settings.codes])


def plan(app: Flask, site: Site, base: str) -> list[Unit]:
    """Every unit of the build with its key; `base` is what every output depends on."""
    project = site.project
    units = [Unit("site", None, tuple(site_urls(site)))]
    catalogs = {code: catalog_key(project, code) for code in site.settings.codes}
    with app.test_request_context("/"):
        # A language's menu and header are the same on all its pages: hashed once, not per page.
        bases = {code: hash_of(base, catalogs[code], views.portal().chrome(code))
                 for code in site.settings.codes}
        poster_bases = {code: hash_of(base, catalogs[code], views.poster_chrome(code))
                        for code in site.settings.codes}
        for page in site.pages():
            inputs = views.page_inputs(page)
            units.append(Unit(f"page:{page.url}",
                              page_key(bases[page.lang], {**inputs, "chrome": None}, site, page),
                              (page.url,)))
            inputs = views.poster_inputs(page)
            units.append(Unit(f"poster:{page.url}",
                              poster_key(poster_bases[page.lang], {**inputs, "chrome": None}),
                              (f"{page.url}poster/",), qr=page))
    return units


def file_for(url: str) -> str:
    """Where Frozen-Flask writes a URL, relative to the build."""
    rel = url.lstrip("/")
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


# What each rendered response was, filled by `_capture` in the process that rendered it:
# URL -> (its bytes, its internal links or None).
_CAPTURED: dict[str, tuple[bytes, list[str] | None]] = {}
TEXT_TYPES = ("text/html", "text/plain", "application/xml", "image/svg+xml")


def _capture(response: Response) -> Response:
    """Give assets their hashed names, hold every page to the site's promises (nothing loaded
    from elsewhere, no script but the portal's files), and note its links."""
    if response.mimetype in TEXT_TYPES:
        text = assets.rewrite(response.get_data(as_text=True), current_app.config["PORTAL_ASSETS"])
        response.set_data(text)
        if response.mimetype in ("text/html", "image/svg+xml"):
            found = violations(text)
            if found:
                site = current_app.extensions["portal"].site
                page = site.by_url(request.path)
                if page is not None and site.body(page).problems:  # the page's own text
                    raise ContentError(list(site.body(page).problems), "nothing was published")
                root = site.project.root
                raise ContentError([Problem(*source_of(current_app, root, what),
                                            f"{request.path} would have {what}: a page may only "
                                            "load this site's own files and run the portal's "
                                            "own scripts") for _, what in found[:5]],
                                   "nothing was published")
    if response.mimetype == "text/html":
        _CAPTURED[request.path] = (response.get_data(), links.references(text))
    else:
        _CAPTURED[request.path] = (response.get_data(), None)
    return response


def _freeze(app: Flask, urls: list[str]) -> None:
    """Render and write the given URLs into the app's FREEZER_DESTINATION."""
    freezer = Freezer(app, with_no_argument_rules=False, log_url_for=False,
                      with_static_files=False)  # assets are written under their hashed names
    freezer.register_generator(lambda: urls)
    with warnings.catch_warnings():
        # The generator yields URLs straight from the Site, so Frozen-Flask cannot see
        # which endpoints they belong to; a URL that is not found must stop the build.
        warnings.simplefilter("ignore", MissingURLGeneratorWarning)
        warnings.simplefilter("error", NotFoundWarning)
        freezer.freeze()


Records = dict[str, dict[str, Any]]


def _render(app: Flask, output: Output, units: list[Unit]) -> Records:
    """Render units into the output; return what the marker records of each."""
    _CAPTURED.clear()
    if units:
        _freeze(app, [url for unit in units for url in unit.urls])
    settings = app.extensions["portal"].site.settings
    records: Records = {}
    for unit in units:
        files, found = [], {}
        for url in unit.urls:
            rel = file_for(url)
            data, targets = _CAPTURED.pop(url)
            output.settle(rel, data)
            files.append(rel)
            if targets is not None:
                found[url] = targets
        if unit.qr is not None:
            rel = file_for(unit.qr.url + "qr.svg")
            svg = qr_svg(settings.absolute(unit.qr.url), unit.qr.title, standalone=True)
            output.write(rel, svg.encode("utf-8"))
            files.append(rel)
        records[unit.id] = {"key": unit.key, "links": found,
                            "files": [f for rel in files for f in (rel, rel + ".gz")
                                      if f in output.files]}
    return records


# What forked workers render: set just before the pool starts, inherited by fork (nothing is
# pickled but each worker's number and, back, its records and files or its exception).
_WORK: tuple[Flask, Output, list[list[Unit]]] | None = None


def _worker(index: int, parent: int) -> tuple[Records, dict[str, str]] | BaseException:
    assert _WORK is not None
    app, output, shares = _WORK
    _die_with_parent(parent)
    try:
        return _render(app, output, shares[index]), output.files
    except BaseException as exc:  # sent back to the parent, which raises it
        found = located(exc, app.extensions["portal"].site.project.root)
        if found is not None:  # the traceback, which names the template, stays here
            return ContentError([found], "nothing was published")
        try:
            pickle.loads(pickle.dumps(exc))  # what the parent cannot read back would hang the pool
            return exc
        except Exception:
            return BuildError(f"rendering failed: {exc!r}")


def _render_parallel(app: Flask, output: Output, units: list[Unit], jobs: int) -> Records:
    """Share the units among forked processes: rendering is CPU-bound, so each core helps.
    Every unit's output depends only on its inputs, so the files are the same for any `jobs`."""
    global _WORK
    _WORK = (app, output, [units[i::jobs] for i in range(jobs)])
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.starmap(_worker, [(i, os.getpid()) for i in range(jobs)])
    finally:
        _WORK = None
    records: Records = {}
    for result in results:
        if isinstance(result, BaseException):
            raise result
        records.update(result[0])
        output.files.update(result[1])
    return records


def _die_with_parent(parent: int) -> None:
    """A worker ends when the build that started it is killed (Linux's PR_SET_PDEATHSIG), so
    no orphan goes on writing into a folder the next build clears."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _page_deadline(app: Flask) -> None:
    """Each URL renders within a time limit (a template loop or a page that would take minutes
    stops the build with its address instead of hanging it)."""
    timers: list[Any] = []

    @app.before_request
    def start() -> None:
        timer = deadline(lambda: f"{request.path} took more than 20 s to render: look at that "
                                 "page's text and the project's templates/")
        timer.__enter__()
        timers.append(timer)

    @app.teardown_request
    def stop(exc: BaseException | None) -> None:
        if timers:
            timers.pop().__exit__(None, None, None)


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def build(project: Project, out: Path, jobs: int | None = None) -> BuildResult:
    """Check, render and freeze the site into `out`; on any failure `out` is left as it was.
    Only what changed since the build in `out` is rendered again (see incremental.py)."""
    out = out.resolve()
    try:
        previous = guard_target(project, out)  # before the lock file is made beside it
        with _lock(out):  # (a stale `previous` is safe: every reused file's stamp is checked)
            return _build(project, out, jobs, previous)
    except TooSlow as exc:
        raise BuildError(f"nothing was published: {exc}") from None
    except OSError as exc:
        where = exc.filename or out
        raise BuildError(f"cannot write the site to {out}: {exc.strerror or exc} ({where}); "
                         "nothing was published. Choose another --out, free some disk space or "
                         "fix the folder's permissions") from None


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """One build at a time into a folder: a second one stops at once with a message."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build into {out} is running: wait for it to finish, "
                             "then build again") from None
        yield


def _build(project: Project, out: Path, jobs: int | None, previous: Previous | None) -> BuildResult:
    started = time.perf_counter()
    site, problems = load_site(project, bodies=False)
    errors = [p for p in problems if p.severity == "error"]
    if site is None or errors:
        raise ContentError(errors, "nothing was published")
    app = create_app(project, site=site)
    hashed = assets.plan(project.static)
    app.config.update(
        FREEZER_REMOVE_EXTRA_FILES=False,  # it would delete files we did not write
        FREEZER_IGNORE_MIMETYPE_WARNINGS=True,
        FREEZER_REDIRECT_POLICY="error",
        PROPAGATE_EXCEPTIONS=True,  # a failure stops the build with its own message
        PORTAL_ASSETS=hashed.mapping,
    )
    app.after_request(_capture)
    _page_deadline(app)
    base = global_key(project, hashed.key)
    units = plan(app, site, base)
    _remove_leftovers(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    (staging / STAGING).write_text(str(os.getpid()), encoding="utf-8")
    try:
        app.config["FREEZER_DESTINATION"] = str(staging)
        output = Output(staging, previous)
        todo = [unit for unit in units
                if unit.key is None or output.previous.reusable(unit.id, unit.key) is None]
        jobs = jobs or default_jobs()
        try:
            if jobs > 1 and len(todo) >= 4 * jobs:
                records = _render_parallel(app, output, todo, jobs)
            else:
                records = _render(app, output, todo)
        except Exception as exc:
            found = located(exc, project.root)
            if found is None:
                raise
            raise ContentError([found], "nothing was published") from None
        rendered = set(records)
        for unit in units:
            if unit.id not in rendered:  # unchanged: the previous build's files, linked
                record = output.previous.units[unit.id]
                output.adopt(record["files"])
                records[unit.id] = record
        facts = postprocess.run(output, site, hashed, records, base, jobs)
        (staging / STAGING).unlink()  # from here on, the marker says the folder is ours
        marker = {"version": VERSION, "compression": compression_key(), **facts,
                  "files": output.stamps(),
                  "units": {unit: records[unit] for unit in sorted(records)}}
        (staging / MARKER).write_text(json.dumps(marker, separators=(",", ":")), encoding="utf-8")
        staging.chmod(0o755)
        _swap(staging, out, previous.written if previous is not None else None)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pages = sum(1 for _ in site.pages())
    return BuildResult(out, pages, len(output.files), time.perf_counter() - started, problems,
                       rendered=tuple(sorted(rendered)), reused=len(units) - len(rendered))


def guard_target(project: Project, out: Path) -> Previous | None:
    """Refuse a target the portal must not replace; return the previous build, if any."""
    root = project.root.resolve()
    if out == root or root.is_relative_to(out):
        raise BuildError(f"{out} is the project folder or contains it: build into a folder of "
                         "its own, e.g. --out build")
    for source in (project.content, project.translations, project.static, project.templates):
        if out.is_relative_to(source.resolve()):
            raise BuildError(f"{out} is inside {source.name}/: build into a folder of its own, "
                             "e.g. --out build")
    if not out.exists():
        return None
    if not out.is_dir():
        raise BuildError(f"{out} is a file, not a folder: choose another --out")
    if os.path.ismount(out):
        raise BuildError(f"{out} is a mount point, which cannot be replaced as a whole: build "
                         f"into a folder inside it (e.g. --out {out / 'site'}) and serve that")
    data = read_marker(out)
    if data is None:
        if any(out.iterdir()):
            raise BuildError(f"{out} is not empty and was not made by the portal; nothing was "
                             "changed. Choose an empty or new folder with --out")
        return Previous(out)
    try:
        previous = Previous.read(out, data)
    except (ValueError, KeyError, TypeError):
        raise BuildError(f"{out / MARKER} is damaged: remove the folder {out} yourself") from None
    foreign = _foreign(out, previous.written)
    if foreign:
        raise BuildError(f"{out} holds files the portal did not write ({', '.join(foreign[:5])}); "
                         "move them out, then build again")
    return previous


def _foreign(folder: Path, written: set[str]) -> list[str]:
    """What a previous build holds that is not in its manifest: files, links to folders, and
    folders with none of its files in them. Someone else's: never deleted."""
    made = set()
    for rel in written:  # every folder that holds a written file, at any depth
        while "/" in rel:
            rel = rel.rpartition("/")[0]
            if rel in made:
                break
            made.add(rel)
    found = []
    for top, dirs, names in os.walk(folder):
        prefix = os.path.relpath(top, folder).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        found += [prefix + name for name in names if prefix + name not in written]
        for name in list(dirs):
            if os.path.islink(os.path.join(top, name)) or prefix + name not in made:
                found.append(prefix + name + "/")
                dirs.remove(name)
    return sorted(rel for rel in found if rel != MARKER)


def _remove_leftovers(out: Path) -> None:
    """Remove what killed builds left beside `out`: a folder being built by a process that no
    longer runs, or a replaced build not yet deleted (its marker lists all it holds). Anything
    else with such a name, and the folder of a build still running, stays."""
    for path in out.parent.glob(f".{out.name}.new-*"):
        if not path.is_dir() or path.is_symlink():
            continue
        try:
            if (path / STAGING).is_file():
                if _running(int((path / STAGING).read_text(encoding="utf-8"))):
                    continue
            elif (path / MARKER).is_file():
                data = json.loads((path / MARKER).read_text(encoding="utf-8"))
                if _foreign(path, Previous.read(path, data).written):
                    continue
            else:
                continue
        except (OSError, ValueError, KeyError, TypeError):
            continue
        shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


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
