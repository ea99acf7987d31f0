"""The new build's folder as it fills: each file placed once, compressed once, and taken from
the previous build (a hard link) when its bytes did not change, so it is never rewritten."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .postprocess import compress
from .previous import Previous, digest, stamp


class Output:
    """The staging folder of one build, and the hash of every file placed in it."""

    def __init__(self, root: Path, previous: Previous | None) -> None:
        self.root = root
        self.previous = previous or Previous(root / ".none")
        self.files: dict[str, str] = {}  # path relative to the root -> hash of its bytes
        self._folders: set[str] = set()  # folders known to exist in the root

    def write(self, rel: str, data: bytes) -> None:
        """Place new bytes at `rel` (and `rel.gz`), unless the previous build has them."""
        self._place(rel, data, written=False)

    def settle(self, rel: str, data: bytes | None = None) -> None:
        """Take in a file someone else (Frozen-Flask, Pagefind) just wrote at `rel`, whose
        bytes the caller may already have."""
        self._place(rel, (self.root / rel).read_bytes() if data is None else data, written=True)

    def _place(self, rel: str, data: bytes, written: bool) -> None:
        data_digest = digest(data)
        unchanged = self.previous.same(rel, data_digest)
        if unchanged:
            if written:
                (self.root / rel).unlink()
            self._link(rel)
        elif not written:
            self._create(rel, data)
        self.files[rel] = data_digest
        if not compress.worth_packing(rel):
            return
        gz = rel + ".gz"
        old = self.previous.files.get(gz)
        if unchanged and old is not None and old.intact(self.previous.root / gz):
            self._link(gz)
            self.files[gz] = old.digest
        elif (packed := compress.pack(data)) is not None:
            self._create(gz, packed)
            self.files[gz] = digest(packed)

    def _path(self, rel: str) -> str:
        """Where `rel` goes, its folder made once (folders are slow to create on some disks)."""
        folder = rel.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            self._folders.add(folder)
        return os.path.join(self.root, rel)

    def _create(self, rel: str, data: bytes) -> None:
        with open(self._path(rel), "xb") as file:  # never an existing file: it may be the old build's
            file.write(data)

    def _link(self, rel: str) -> None:
        self.previous.link(rel, self._path(rel))

    def adopt(self, files: list[str]) -> None:
        """Link a whole unit of the previous build (its key did not change)."""
        for rel in files:
            self._link(rel)
            self.files[rel] = self.previous.files[rel].digest

    def stamps(self) -> dict[str, list[Any]]:
        """What the next build needs to trust these files: hash, size, time and inode."""
        return {rel: stamp(self.root, rel, self.files[rel]) for rel in sorted(self.files)}
