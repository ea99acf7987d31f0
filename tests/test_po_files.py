""".po files are read strictly: every mistake is `file:line: what (what to do)`, never a
traceback, and `portal translations update` never rewrites a file it cannot read."""

from __future__ import annotations

import copy
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from conftest import make_project
from hypothesis import given, settings
from hypothesis import strategies as st

import portal.load.catalogs
from portal.commands.cli import main
from portal.errors import ContentError
from portal.load.catalogs import HTML_ADVICE, check_catalogs, extract, load_po, po_path, update
from portal.load.site import Project

SV = "translations/sv/LC_MESSAGES/messages.po"


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def replace_date(new: str) -> Callable[[str], tuple[bytes, int]]:
    """A mutation of the header's POT-Creation-Date value, whatever date it has now."""
    def mutate(text: str) -> tuple[bytes, int]:
        import re

        old = re.search(r"POT-Creation-Date: ([^\\]+)\\n", text)
        assert old is not None
        return replace(old.group(1), new)(text)
    return mutate


def replace(old: str, new: str | bytes, at: str | None = None) -> Callable[[str], tuple[bytes, int]]:
    """A mutation: `old` (once in the file) becomes `new`; the problem is on the line of old
    (or of `at`)."""
    def mutate(text: str) -> tuple[bytes, int]:
        assert text.count(old) == 1, old
        line = line_of(text, old if at is None else at)
        new_bytes = new if isinstance(new, bytes) else new.encode("utf-8")
        return text.encode("utf-8").replace(old.encode("utf-8"), new_bytes), line
    return mutate


def append(entry: str | bytes, offset: int = 0) -> Callable[[str], tuple[bytes, int]]:
    """A mutation: `entry` is added at the end; the problem is on its line `offset`."""
    def mutate(text: str) -> tuple[bytes, int]:
        tail = entry if isinstance(entry, bytes) else entry.encode("utf-8")
        return text.encode("utf-8") + b"\n" + tail, text.count("\n") + 2 + offset
    return mutate


# (case, mutation, what the message says)
BROKEN = [
    ("unclosed_quote", replace('msgstr "Kontakta oss"', 'msgstr "Kontakta oss'),
     "the string has no closing quote"),
    ("not_utf8", replace('msgstr "Kontakta oss"', b'msgstr "Kontakta \xe5t oss"'),
     "is not UTF-8 text"),
    ("binary_junk", append(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "is not UTF-8 text"),
    ("nul_byte", replace('msgstr "Kontakta oss"', b'msgstr "Kontakta\x00oss"'),
     "contains the control character U+0000"),
    ("nplurals_not_a_number", replace("nplurals=2;", "nplurals=x;"),
     "nplurals=x in the Plural-Forms header is not a number"),
    ("plural_formula_broken", replace("plural=(n != 1);", "plural=(n !=);"),
     "is not a valid formula"),
    ("plural_formula_out_of_range", replace("plural=(n != 1);", "plural=(n + 1);"),
     "gives form 2 for n=1"),
    ("plural_forms_missing", replace('"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n', "",
                                     at='msgid ""'),
     "the header has no Plural-Forms"),
    ("charset_not_utf8", replace("charset=utf-8", "charset=ISO-8859-1"),
     "the header says charset=ISO-8859-1"),
    ("language_of_another_file", replace('"Language: sv\\n"', '"Language: ar\\n"'),
     "the header says Language: ar, but this is the file for 'sv'"),
    ("header_date_garbage", replace_date("yesterday"),
     "is not a date like"),
    ("duplicate_msgid", append('msgid "Contact us"\nmsgstr "Ring oss"\n'),
     "a second entry for msgid 'Contact us'"),
    ("misspelt_msgstr", replace('msgstr "Kontakta oss"', 'msgtr "Kontakta oss"'),
     "'msgtr' is not a .po keyword (did you mean 'msgstr'?)"),
    ("plural_without_msgstr0",
     append('msgid "one file"\nmsgid_plural "%(n)s files"\nmsgstr "en fil"\n', 2),
     "write msgstr[0] instead of msgstr"),
    ("msgstr_without_msgid", append('msgstr "Ring oss"\n'), "msgstr without a msgid"),
    ("msgid_without_msgstr", replace('msgstr "Kontakta oss"\n', "\n", at='msgid "Contact us"'),
     "msgid 'Contact us' has no msgstr"),
    ("quote_inside_string", replace('msgstr "Kontakta oss"', 'msgstr "Kontakta "oss""'),
     "follows the closing quote"),
    ("merge_conflict_marker", append("#-#-#-#-#  sv.po  #-#-#-#-#\n"), "merge-conflict marker"),
    ("html_in_translation", replace('msgstr "Kontakta oss"',
                                    'msgstr "Kontakta <abbr title=\\"oss\\">oss</abbr>"'),
     HTML_ADVICE),
    ("renamed_placeholder", replace('msgstr "Uppdaterad %(date)s"', 'msgstr "Uppdaterad %(datum)s"',
                                    at='msgid "Updated %(date)s"'),
     "must contain %(date)s exactly as written"),
    ("lone_percent_sign", replace('msgstr "Kontakta oss"', 'msgstr "Kontakta oss, 100 % gratis"',
                                  at='msgid "Contact us"'),
     "has a lone % sign"),
]


@pytest.fixture
def sv_po(small: Project) -> Path:
    return po_path(small.translations, "sv")


def invoke(runner: CliRunner, project: Project, *args: str) -> tuple[int, str]:
    result = runner.invoke(main, ["--project", str(project.root), *args])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.output


@contextmanager
def no_hang(seconds: int = 30) -> Iterator[None]:
    """Fail instead of waiting for ever (a FIFO opened for reading blocks until a writer comes)."""
    def fail(*_: object) -> None:
        raise AssertionError(f"hung for {seconds} s")
    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


COMMANDS = [("check",), ("build", "--out", "out"), ("translations", "update")]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(("case", "mutate", "says"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_po_file_is_named_with_its_line_by_every_command(
    runner: CliRunner, small: Project, sv_po: Path, case: str,
    mutate: Callable[[str], tuple[bytes, int]], says: str, command: tuple[str, ...]
) -> None:
    broken, line = mutate(sv_po.read_text(encoding="utf-8"))
    sv_po.write_bytes(broken)
    args = command if command[0] != "build" else ("build", "--out", str(small.root / "out"))
    code, output = invoke(runner, small, *args)
    assert code == 1, output
    assert f"{SV}:{line}: " in output and says in output, output
    assert [row for row in output.splitlines() if row.startswith(f"{SV}:{line}: ") and says in row]
    assert "Traceback" not in output and "WARNING" not in output
    assert sv_po.read_bytes() == broken  # `update` refused: not one byte changed
    assert not (small.root / "out").exists()


def test_update_refuses_all_files_when_one_is_broken(runner: CliRunner, small: Project) -> None:
    en, sv = po_path(small.translations, "en"), po_path(small.translations, "sv")
    before = sv.read_bytes()
    en.write_bytes(en.read_bytes().replace(b'msgid "Menu"', b'msgid "Menu'))
    code, output = invoke(runner, small, "translations", "update")
    assert code == 1 and "no .po file was changed" in output
    assert "updated" not in output and sv.read_bytes() == before


def test_update_rewrites_good_files_and_keeps_every_translation(small: Project) -> None:
    sv = po_path(small.translations, "sv")
    before = load_po(sv, "sv", small.root).catalog
    assert before is not None
    update(small.translations, ["sv", "en", "ar"], small.root)
    after = load_po(sv, "sv", small.root)
    assert after.readable and after.catalog is not None
    assert {m.id: m.string for m in before if m.id} == {m.id: m.string for m in after.catalog if m.id}
    assert not [p for p in check_catalogs(small.translations, ["sv", "en", "ar"], small.root)
                if p.severity == "error"]
    assert not list(sv.parent.glob(".*.tmp"))  # written beside and swapped in


def test_an_empty_po_file_is_reported_and_update_fills_it(runner: CliRunner, small: Project,
                                                          sv_po: Path) -> None:
    sv_po.write_bytes(b"\n")
    code, output = invoke(runner, small, "check")
    assert code == 1 and f"{SV}: is empty" in output
    code, output = invoke(runner, small, "translations", "update")
    assert code == 0 and load_po(sv_po, "sv", small.root).catalog is not None


def test_a_byte_order_mark_and_windows_line_ends_are_accepted(small: Project, sv_po: Path) -> None:
    sv_po.write_bytes(b"\xef\xbb\xbf" + sv_po.read_bytes().replace(b"\n", b"\r\n"))
    assert check_catalogs(small.translations, ["sv"], small.root) == []


def test_plural_entries_need_every_form_of_the_header(small: Project, sv_po: Path) -> None:
    text = sv_po.read_text(encoding="utf-8")
    entry = 'msgid "one file"\nmsgid_plural "%(n)s files"\nmsgstr[0] "en fil"\n'
    sv_po.write_text(text + "\n" + entry, encoding="utf-8")
    problems = [str(p) for p in check_catalogs(small.translations, ["sv"], small.root)]
    assert problems == [f"{SV}:{text.count(chr(10)) + 4}: msgid 'one file' has 1 plural form(s) "
                        "but the Plural-Forms header says nplurals=2 (write msgstr[0] to msgstr[1])"]
    sv_po.write_text(text + "\n" + entry + 'msgstr[1] "%(n)s filer"\n', encoding="utf-8")
    assert check_catalogs(small.translations, ["sv"], small.root) == []


def test_obsolete_entries_and_previous_msgids_are_accepted(small: Project, sv_po: Path) -> None:
    sv_po.write_text(sv_po.read_text(encoding="utf-8") + '\n#~| msgid "Old menu"\n'
                     '#~ msgid "Old menu"\n#~ msgstr "Gammal meny"\n', encoding="utf-8")
    assert check_catalogs(small.translations, ["sv"], small.root) == []


# --- Files that are not files -----------------------------------------------------------------

def _outside_link(sv_po: Path, tmp_path: Path) -> str:
    outside = tmp_path / "elsewhere.po"
    outside.write_bytes(sv_po.read_bytes())
    sv_po.unlink()
    sv_po.symlink_to(outside)
    return "is a link to a file outside the project"


def _dangling_link(sv_po: Path, tmp_path: Path) -> str:
    sv_po.unlink()
    sv_po.symlink_to(sv_po.parent / "gone.po")
    return "is a link to a file that does not exist"


def _folder(sv_po: Path, tmp_path: Path) -> str:
    sv_po.unlink()
    sv_po.mkdir()
    return "is a folder, not a file"


def _fifo(sv_po: Path, tmp_path: Path) -> str:
    sv_po.unlink()
    os.mkfifo(sv_po)
    return "is not a regular file but a pipe or a device"


def _too_large(sv_po: Path, tmp_path: Path) -> str:
    sv_po.write_bytes(sv_po.read_bytes() + b"#" * 1_000_000 + b"\n")
    return "is too large"


def _link_loop(sv_po: Path, tmp_path: Path) -> str:
    sv_po.unlink()
    sv_po.symlink_to(sv_po)
    return "cannot be read (Too many levels of symbolic links)"


NOT_FILES = [_outside_link, _dangling_link, _folder, _fifo, _too_large, _link_loop]


def _state(path: Path) -> object:
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_file():
        return path.read_bytes()
    return path.stat().st_mode


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("make", NOT_FILES, ids=lambda f: f.__name__.strip("_"))
def test_a_po_path_that_is_not_a_readable_file_is_a_problem_never_a_hang(
    runner: CliRunner, small: Project, sv_po: Path, tmp_path: Path,
    make: Callable[[Path, Path], str], command: tuple[str, ...]
) -> None:
    says = make(sv_po, tmp_path)
    before = _state(sv_po)
    outside = tmp_path / "elsewhere.po"
    outside_before = outside.read_bytes() if outside.exists() else None
    args = command if command[0] != "build" else ("build", "--out", str(small.root / "out"))
    with no_hang():
        code, output = invoke(runner, small, *args)
    assert code == 1, output
    assert f"{SV}: {says}" in output, output
    assert "Traceback" not in output
    assert _state(sv_po) == before
    if outside_before is not None:
        assert outside.read_bytes() == outside_before


def test_a_link_to_a_po_file_inside_the_project_is_followed(small: Project, sv_po: Path) -> None:
    shared = small.root / "shared.po"
    shared.write_bytes(sv_po.read_bytes())
    sv_po.unlink()
    sv_po.symlink_to(shared)
    assert check_catalogs(small.translations, ["sv"], small.root) == []
    update(small.translations, ["sv"], small.root)
    assert sv_po.is_symlink()  # the file it points to was rewritten, the link kept


# --- Random damage ------------------------------------------------------------------------------

FRAGMENTS = [b'msgid "x"', b'msgstr "y"', b"msgstr[0] \"z\"", b'msgstr[1] ""', b'msgid_plural "p"',
             b'msgctxt "c"', b'"', b"\\", b'"more"', b"#~ ", b'#~ msgid "old"', b"#-#-#-#-#",
             b"#, fuzzy", b"#: a.py", b"#|", b"nplurals=", b"plural=(n", b"charset=", b"%(", b"%",
             b"%(date)s", b"<b>", b"\xff", b"\x00", b"\r", b"\xef\xbb\xbf", b"\xe2\x80\xa8",
             b'\\n"', b"Language: ", b"msgtr", b" ", b"\n", b'""', b"\xd8\xa7"]
operations = st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "insert", "swap", "cut"]),
                                st.integers(0, 10**6), st.integers(0, 10**6),
                                st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=6))),
                      min_size=1, max_size=5)


def mutate(data: bytes, ops: list[tuple[str, int, int, bytes]]) -> bytes:
    lines = data.split(b"\n")
    for kind, a, b, fragment in ops:
        i, j = a % len(lines), b % len(lines)
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "insert":
            line = lines[i]
            at = b % (len(line) + 1)
            lines[i] = line[:at] + fragment + line[at:]
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "cut":
            lines[i] = lines[i][: b % (len(lines[i]) + 1)]
    return b"\n".join(lines)


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def template() -> object:
    return extract()


@settings(max_examples=300, deadline=None)
@given(ops=operations, lang=st.sampled_from(["sv", "ar"]))
def test_random_damage_to_a_po_file_gives_problems_naming_it_never_an_exception(
    fuzz_project: Project, ops: list[tuple[str, int, int, bytes]], lang: str
) -> None:
    path = po_path(fuzz_project.translations, lang)
    original = (Path(__file__).resolve().parent.parent / "translations" / lang / "LC_MESSAGES"
                / "messages.po").read_bytes()
    damaged = mutate(original, ops)
    path.write_bytes(damaged)
    problems = check_catalogs(fuzz_project.translations, [lang], fuzz_project.root)
    lines = damaged.count(b"\n") + 1
    for problem in problems:
        assert problem.path == f"translations/{lang}/LC_MESSAGES/messages.po"
        assert problem.line is None or 1 <= problem.line <= lines, problem
        assert problem.message and "\n" not in problem.message


@settings(max_examples=100, deadline=None)
@given(ops=operations)
def test_update_after_random_damage_refuses_or_keeps_every_translation(
    fuzz_project: Project, template: object, ops: list[tuple[str, int, int, bytes]]
) -> None:
    path = po_path(fuzz_project.translations, "sv")
    original = (Path(__file__).resolve().parent.parent / "translations" / "sv" / "LC_MESSAGES"
                / "messages.po").read_bytes()
    damaged = mutate(original, ops)
    path.write_bytes(damaged)
    before = load_po(path, "sv", fuzz_project.root).catalog
    with mock.patch.object(portal.load.catalogs, "extract", lambda: copy.deepcopy(template)):
        try:
            update(fuzz_project.translations, ["sv"], fuzz_project.root)
        except ContentError as error:
            assert all(p.path == SV for p in error.problems)
            assert path.read_bytes() == damaged
            return
    after = load_po(path, "sv", fuzz_project.root)
    assert after.readable and after.catalog is not None, after.problems
    if before is None:  # an empty file is made afresh
        return
    kept = {m.id: m.string for m in after.catalog if m.id}
    kept.update({m.id: m.string for m in after.catalog.obsolete.values()})
    for message in before:
        if message.id and message.string:
            assert kept.get(message.id) == message.string, message.id
