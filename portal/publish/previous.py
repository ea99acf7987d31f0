"""The previous build, as its marker describes it: what a rebuild may take from it instead of
rendering again.

Each output unit (a page; a page's poster and QR code; a language's search bundle) has a key
(units.py). The previous build's marker lists each unit's key and files, and each file's hash
and stat. A unit whose key is unchanged, and whose old files are still exactly as written, is
hard-linked into the new build instead of being rendered; a file rendered again with the same
bytes is linked too, so it is never rewritten. Old files are only ever linked, never opened for
writing: the build being replaced stays as it was.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .marker import VERSION, Marker
from .postprocess import compress


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


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
    def of(cls, root: Path, marker: Marker) -> Previous:
        """ValueError, KeyError or TypeError when the marker's stamps are damaged."""
        files = marker.files
        if not isinstance(files, dict) or marker.version != VERSION:
            return cls(root, set(files))  # an older marker: nothing is reused
        stamps = {rel: Stamp(*stamp) for rel, stamp in files.items()}
        if marker.compression != compress.key():  # old .gz files cannot be trusted
            stamps = {rel: stamp for rel, stamp in stamps.items() if not rel.endswith(".gz")}
        return cls(root, set(files), stamps, marker.units)

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
