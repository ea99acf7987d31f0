"""The build's target folder: refused when the portal must not replace it, locked while a
build runs, swapped for the new build in one step; leftovers of killed builds cleared. Nothing
the portal did not write is ever deleted."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import BuildError
from ..load.site import Project
from . import marker
from .marker import MARKER
from .previous import Previous

STAGING = ".portal-staging"  # in a folder being built: the building process's id


@contextlib.contextmanager
def lock(out: Path) -> Iterator[None]:
    """One build at a time into a folder: a second one stops at once with a message."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build into {out} is running: wait for it to finish, "
                             "then build again") from None
        yield


def guard(project: Project, out: Path) -> Previous | None:
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
    found = marker.read(out)
    if found is None:
        if any(out.iterdir()):
            raise BuildError(f"{out} is not empty and was not made by the portal; nothing was "
                             "changed. Choose an empty or new folder with --out")
        return Previous(out)
    try:
        previous = Previous.of(out, found)
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


def remove_leftovers(out: Path) -> None:
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
                found = marker.read(path)
                if found is None or _foreign(path, found.written):
                    continue
            else:
                continue
        except (OSError, ValueError, BuildError):
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


def swap(staging: Path, out: Path, previous: set[str] | None) -> None:
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
