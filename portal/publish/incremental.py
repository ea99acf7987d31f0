"""What a rebuild may take from the previous build instead of rendering again.

Each output unit (a page; a page's poster and QR code; a language's search bundle) has a key:
a hash of everything it is made from. The previous build's marker lists each unit's key and
files, and each file's hash and stat. A unit whose key is unchanged, and whose old files are
still exactly as written, is hard-linked into the new build instead of being rendered; a file
rendered again with the same bytes is linked too, so it is never rewritten. Old files are only
ever linked, never opened for writing: the build being replaced stays as it was.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sys
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ..load import files
from ..load.content import Page
from ..load.site import Project, Site

# Libraries whose version changes what is written.
LIBRARIES = ("flask", "frozen-flask", "flask-babel", "babel", "jinja2", "markdown", "nh3",
             "segno", "pagefind", "pagefind-bin", "markupsafe")
VERSION = 3  # of the marker's format: a marker of another version is not reused


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def hash_of(*parts: object) -> str:
    return digest("\x1f".join(map(str, parts)).encode("utf-8"))


def global_key(project: Project, assets_key: str) -> str:
    """What every output depends on: the portal's code and templates, the project's own
    templates, the libraries, the settings file and the static assets."""
    h = hashlib.sha256()
    package = Path(__file__).parent.parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix not in (".pyc",):
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        h.update(f"{name}={_version(name)}\0".encode())
    h.update(f"{sys.version}\0{compression_key()}".encode())
    # The templates as the loader sees them (links inside the project followed, once).
    for path in files.walk(project.templates, project.root).files:
        h.update(path.relative_to(project.root).as_posix().encode() + b"\0"
                 + files.read(path, project.root))
    settings = project.content / "site.yml"
    h.update(settings.read_bytes() if settings.is_file() else b"")
    h.update(assets_key.encode())
    return h.hexdigest()[:32]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def compression_key() -> str:
    """What the .gz files depend on besides their page: the compressor and zlib."""
    source = (Path(__file__).parent / "postprocess" / "compress.py").read_bytes()
    return digest(source + zlib.ZLIB_RUNTIME_VERSION.encode())


def catalog_key(project: Project, code: str) -> str:
    """The interface strings of one language."""
    po = project.translations / code / "LC_MESSAGES" / "messages.po"
    return digest(po.read_bytes()) if po.is_file() else ""


def linked_names(body: str) -> set[str]:
    """Every `name` written before `.md` in a text, taken back to the last space, bracket or
    quote (and to the last bracket or quote): whatever Markdown or HTML may link to.
    Over-matching is harmless; missing one is not."""
    names, at = set(), body.find(".md")
    while at != -1:
        for delimiters in (_DELIMITERS, _BRACKETS):  # `[x](<a name.md>)` may hold spaces
            start = at
            while start > 0 and body[start - 1] not in delimiters:
                start -= 1
            if start < at:
                names.add(body[start:at])
        at = body.find(".md", at + 3)
    return names


_DELIMITERS = frozenset(" \t\n\r()[]<>\"'")
_BRACKETS = frozenset("\n()[]<>\"'")


def body_inputs(site: Site, page: Page) -> list[tuple[str, str | None]]:
    """The other pages a body links to (`name.md`) and where they are now: a renamed or
    deleted page changes the key of every page that links to it."""
    return [(name, (site.page(page.lang, name) or _NONE).url)
            for name in sorted(linked_names(page.body))]


class _Nowhere:
    url = None


_NONE: Any = _Nowhere()


def page_key(base: str, inputs: dict[str, Any], site: Site, page: Page) -> str:
    return hash_of(base, sorted(inputs.items()), body_inputs(site, page))


def poster_key(base: str, inputs: dict[str, Any]) -> str:
    return hash_of(base, "poster", sorted(inputs.items()))


@dataclass(frozen=True)
class Stamp:
    """A file as the previous build wrote it."""

    digest: str
    size: int
    mtime_ns: int
    inode: int

    def intact(self, path: Path | str) -> bool:
        try:
            stat = os.stat(path)
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == (self.size, self.mtime_ns, self.inode)


@dataclass
class Previous:
    """The previous build, as its marker describes it."""

    root: Path
    written: set[str] = field(default_factory=set)  # every file the portal wrote there
    files: dict[str, Stamp] = field(default_factory=dict)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path, data: dict[str, Any]) -> Previous:
        files = data["files"]
        if not isinstance(files, dict) or data.get("version") != VERSION:
            return cls(root, set(files))  # an older marker: nothing is reused
        stamps = {rel: Stamp(*stamp) for rel, stamp in files.items()}
        if data.get("compression") != compression_key():  # old .gz files cannot be trusted
            stamps = {rel: stamp for rel, stamp in stamps.items() if not rel.endswith(".gz")}
        return cls(root, set(files), stamps, data.get("units", {}))

    def reusable(self, unit: str, key: str) -> dict[str, Any] | None:
        """The unit's record if its key is unchanged and all its files are intact."""
        record = self.units.get(unit)
        if record is None or record.get("key") != key:
            return None
        for rel in record["files"]:
            stamp = self.files.get(rel)
            if stamp is None or not stamp.intact(os.path.join(self.root, rel)):
                return None
        return record

    def same(self, rel: str, data_digest: str) -> bool:
        """Whether the previous build has this file, intact, with these bytes."""
        stamp = self.files.get(rel)
        return (stamp is not None and stamp.digest == data_digest
                and stamp.intact(os.path.join(self.root, rel)))

    def link(self, rel: str, target: str) -> None:
        """Give the previous build's file a new name, `target` (the same bytes)."""
        try:
            os.link(os.path.join(self.root, rel), target)
        except OSError as exc:  # a file system without hard links: a copy (a new file)
            if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
                raise
            shutil.copyfile(os.path.join(self.root, rel), target)


def stamp(root: Path, rel: str, data_digest: str) -> list[Any]:
    stat = (root / rel).stat()
    return [data_digest, stat.st_size, stat.st_mtime_ns, stat.st_ino]
