"""Reading the project's own files, and only those: regular files inside the project folder.

Every input folder (content/, static/, templates/, translations/) is listed through `walk`
and every file is read through `read`, so one policy holds everywhere: a link is followed only
to a file or folder inside the project, each real folder is visited once (a link loop cannot
make a walk grow), and only regular files are opened (a named pipe would block a read forever).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, relative

MAX_BYTES = 2_000_000  # a page, a .po file, the settings: far more than any real one needs
MAX_DEPTH = 12  # folders below an input folder


class UnsafeFile(Exception):
    """A file the portal will not read; the message says why and what to do."""


@dataclass
class Listing:
    """The regular files found below a folder, and what was refused on the way."""

    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _outside(target: Path, place: str) -> str:
    return f"is a link to a file outside {place}: copy what you need here instead ({target})"


DANGLING = ("is a link to a file that does not exist (or a loop of links): remove the link or "
            "put the file itself here")
NOT_REGULAR = "is not a regular file but a pipe or a device: remove it or put the file itself here"


def _place(root: Path, within: Path | None) -> str:
    return "the project" if within is None else f"{relative(within, root)}/"


def check(path: Path, root: Path, within: Path | None = None) -> Path:
    """The real path of `path` if it is a regular file inside `within` (default: the project
    folder `root`); else UnsafeFile."""
    real_root = Path(os.path.realpath(within or root))
    try:
        real = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError):
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a link to itself, or a circle of links
                raise UnsafeFile(f"cannot be read ({exc.strerror})") from None
        if os.path.islink(path):
            raise UnsafeFile(DANGLING) from None
        raise UnsafeFile("cannot be found") from None
    if not _inside(real, real_root):
        raise UnsafeFile(_outside(real, _place(root, within)))
    try:
        info = os.stat(real)
    except OSError as exc:
        raise UnsafeFile(f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise UnsafeFile("is a folder, not a file: remove it or put the file itself here")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(NOT_REGULAR)
    return real


def read(path: Path, root: Path, limit: int = MAX_BYTES, within: Path | None = None) -> bytes:
    """The bytes of a project file, refusing links out of the project, special files and
    files larger than `limit`. Never blocks: a pipe swapped in after the check reads empty."""
    real = check(path, root, within)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise UnsafeFile(f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # swapped since the check
            raise UnsafeFile(NOT_REGULAR)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFile(f"is too large: a file here may be at most {limit / 1_000_000:g} MB "
                         "(is it the right file? split a page into several pages)")
    return data


def walk(folder: Path, root: Path, within: Path | None = None) -> Listing:
    """Every regular file below `folder`, sorted, with a problem for each link or special file
    that is refused. Links are followed only to places inside `within` (default: the project
    folder `root`). Hidden files and folders (".git", ".DS_Store") are skipped."""
    listing = Listing()
    real_root = Path(os.path.realpath(within or root))
    place = _place(root, within)
    seen: set[str] = set()

    def refuse(path: Path, message: str) -> None:
        listing.problems.append(Problem(relative(path, root), None, message))

    def visit(path: Path, depth: int) -> None:
        real = os.path.realpath(path)
        if real in seen:
            return  # a folder reached twice through links: listed once
        if depth > MAX_DEPTH:
            refuse(path, f"is more than {MAX_DEPTH} folders deep: flatten the folders")
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            refuse(path, f"cannot be read ({exc.strerror})")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = Path(entry.path)
            if entry.is_symlink():
                try:
                    target = Path(os.path.realpath(child, strict=True))
                except (OSError, RuntimeError):
                    refuse(child, DANGLING)
                    continue
                if not _inside(target, real_root):
                    refuse(child, _outside(target, place))
                    continue
            try:
                mode = os.stat(child).st_mode
            except OSError as exc:
                refuse(child, f"cannot be read ({exc.strerror})")
                continue
            if stat.S_ISDIR(mode):
                visit(child, depth + 1)
            elif stat.S_ISREG(mode):
                listing.files.append(child)
            else:
                refuse(child, NOT_REGULAR)

    if folder.is_dir():
        visit(folder, 0)
    listing.files.sort()
    return listing


def replace(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` beside `path` and swap it in at once, so nobody (the preview, a crash)
    ever sees half a file. The file keeps its permissions unless `mode` is given; a new one
    gets 0o644."""
    try:
        kept: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        kept = None
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode if mode is not None else kept if kept is not None else 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
