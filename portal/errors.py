"""Problems found in content and settings, reported as `path:line: message`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import click


class Severity(StrEnum):
    """An error stops a build; a warning is printed, and fails only `portal check --strict`."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located in a file (and a line when known)."""

    path: str
    line: int | None
    message: str
    severity: Severity = Severity.ERROR

    def key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.message)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}: {prefix}{self.message}"


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def warnings_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.WARNING]


class ContentError(click.ClickException):
    """Raised when the content cannot be built; carries every problem found, not just one."""

    def __init__(self, problems: list[Problem], closing: str = "fix them and try again") -> None:
        self.problems = sorted(problems, key=Problem.key)
        self.closing = closing
        super().__init__(self.format_message())

    def __reduce__(self) -> tuple[type[ContentError], tuple[list[Problem], str]]:
        return ContentError, (self.problems, self.closing)  # sent back by build workers

    def format_message(self) -> str:
        count = len(self.problems)
        lines = [str(p) for p in self.problems]
        lines.append(f"{count} problem{'s' if count != 1 else ''} found; {self.closing}.")
        return "\n".join(lines)

    def show(self, file: object = None) -> None:  # no "Error: " prefix: each line is complete
        click.echo(self.format_message(), err=True)


class BuildError(click.ClickException):
    """A build that cannot go ahead for a reason outside the content (e.g. a foreign target)."""


def shown(value: object, limit: int = 60) -> str:
    """`repr(value)` for a message, cut short: a value may be huge (an alias bomb, a pasted page)."""
    text = repr(value) if not isinstance(value, list | dict | tuple | set) else _short(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: list[object] | dict[object, object] | tuple[object, ...] | set[object]) -> str:
    # repr() of a deeply shared structure can be gigabytes: describe it instead
    kind = {list: "a list", dict: "a mapping", tuple: "a list", set: "a set"}[type(value)]
    return f"{kind} of {len(value)} item{'s' if len(value) != 1 else ''}"


def relative(path: Path, root: Path) -> str:
    """`path` relative to the project root, for messages; absolute if it lies outside."""
    try:  # absolute, not resolved: a symlink is named by its own path
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return str(path)
