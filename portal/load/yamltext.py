"""YAML parsing that remembers the line of every key, so errors can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, relative
from . import files

Key = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    """YAML that cannot be read; `line` is 1-based within the parsed text."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# libyaml's parser when PyYAML has it (several times faster); the same safe constructors.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader whose bad dates (2026-13-45) are reported with their line, like other errors."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date ({exc})", node.start_mark) from None


    # YAML 1.1 reads 17:00 as the base-60 number 1020; YAML 1.2, which the web editor (Decap
    # CMS) writes, as text. A time written unquoted there must stay the time it says.
    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        return node.value if ":" in node.value else super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
        return node.value if ":" in node.value else super().construct_yaml_float(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)


class UnreadableFile(Exception):
    """A YAML file of the project that cannot be read or parsed: `problem` says why, where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load(path: Path, root: Path, within: Path | None = None) -> tuple[Any, dict[Key, int]]:
    """Read a project file through the file policy and parse it (settings, glossaries)."""
    where = relative(path, root)
    try:
        return parse(files.read(path, root, within=within).decode("utf-8-sig"))
    except files.UnsafeFile as exc:
        raise UnreadableFile(Problem(where, None, str(exc))) from None
    except UnicodeDecodeError:
        raise UnreadableFile(Problem(where, None, "is not UTF-8 text (save it as UTF-8)")) from None
    except YamlSyntaxError as exc:
        raise UnreadableFile(Problem(where, exc.line, f"YAML syntax error: {exc.message}")) from None


def parse(text: str) -> tuple[Any, dict[Key, int]]:
    """Parse YAML safely; return the data and a map from key path to 1-based line."""
    try:
        loader = _Loader(text)  # rejects control characters already here
    except yaml.reader.ReaderError as exc:
        where = text[: exc.position].count("\n") + 1
        raise YamlSyntaxError(where, f"the character U+{exc.character:04X} is not allowed "
                                    "(remove it; it is often invisible)") from None
    try:
        node = loader.get_single_node()
        if node is not None:
            _bounded(node)
        data = loader.construct_document(node) if node is not None else None
    except YamlSyntaxError:
        raise
    except yaml.reader.ReaderError as exc:  # libyaml checks characters as it goes
        where = text[: exc.position].count("\n") + 1
        raise YamlSyntaxError(where, f"the character U+{exc.character:04X} is not allowed "
                                    "(remove it; it is often invisible)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at_end = mark is not None and mark.line >= text.rstrip("\n").count("\n")
        if at_end and exc.context_mark is not None:  # e.g. an unclosed [: point at the [
            mark = exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or "invalid YAML"
        context = exc.context or ""
        tabbed = next((number for number, row in enumerate(text.split("\n"), 1)
                       if "\t" in row[: len(row) - len(row.lstrip())]), None)
        if tabbed is not None and ("tab" in problem or "cannot start any token" in problem
                                   or "\t" in problem):
            raise YamlSyntaxError(tabbed, "a tab is used to indent: indent with spaces, "
                                          "not tabs") from None
        elif "quoted scalar" in context and "end of stream" in problem:
            problem = "a quote is not closed (add the closing quote mark, or remove the opening one)"
        elif "mapping values are not allowed" in problem:
            problem += " (a colon inside a value? put the value in quotes: title: \"A: B\")"
        if isinstance(exc, yaml.constructor.ConstructorError) and "constructor" in problem:
            problem = f"{problem.rstrip('.')} (only plain values, lists and mappings are allowed)"
        raise YamlSyntaxError(line, problem) from None
    except (yaml.YAMLError, RecursionError, TypeError) as exc:
        problem = getattr(exc, "problem", None) or exc.__class__.__name__
        raise YamlSyntaxError(None, f"cannot be read ({problem})") from None
    finally:
        loader.dispose()
    lines: dict[Key, int] = {}
    if node is not None:
        _walk(node, (), lines, set())
    return data, lines


MAX_VALUES = 10_000  # values a document may expand to through aliases (`&a`, `*a`)


def _bounded(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand it beyond MAX_VALUES values ("billion laughs"):
    the data itself stays small, but every message or copy of it would not."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:  # a recursive structure, `&a [*a]`: endless when written out
            raise YamlSyntaxError(node.start_mark.line + 1, "a value refers to itself through "
                                  "an alias (*name): write the values out instead")
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_VALUES:
                raise YamlSyntaxError(child.start_mark.line + 1, "aliases (&name, *name) make "
                                      f"this text more than {MAX_VALUES:,} values long: write the "
                                      "values out instead of repeating them with aliases")
        active.discard(key)
        sizes[key] = total
        return total

    size(root)


def _walk(node: yaml.Node, path: Key, lines: dict[Key, int], seen: set[int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in seen:  # an alias: already walked (and perhaps recursive, `&a [*a]`)
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            if key in keys:
                raise YamlSyntaxError(key_node.start_mark.line + 1,
                                      f"{key!r} is given twice (keep one of them)")
            keys.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), lines, seen)


def line_of(lines: dict[Key, int], *path: str | int) -> int | None:
    """The line of the deepest known prefix of `path` (a missing key points at its parent)."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
