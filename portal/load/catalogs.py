"""UI-string catalogues: extract from templates and code, update .po files, compile to .mo.

A .po file is read strictly (`load_po`): every problem is reported with its line, and a file
that cannot be read strictly is never rewritten, so no translator's text is lost. Babel alone
is lenient: it keeps one of two entries with the same msgid, ignores an unclosed quote, and
crashes on a bad Plural-Forms header.
"""

from __future__ import annotations

import difflib
import gettext
import io
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po, unescape, write_po

from ..errors import ContentError, Problem, Severity, errors_in, relative
from . import files

DOMAIN = "messages"
PACKAGE = Path(__file__).parent.parent  # portal/: its templates and code
METHODS = [("**/templates/**.html", "jinja2"), ("**/templates/**.xml", "jinja2"),
           ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"trimmed": "true"}}
MAX_PO_BYTES = 1_000_000  # the portal's own catalogue is about 5 kB in any language
MAX_PROBLEMS = 20  # per file: a binary file would otherwise give one problem per line
MAX_PLURALS = 6  # the most plural forms any language has (Arabic)


def po_path(translations: Path, code: str) -> Path:
    return translations / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every translatable string in the portal's templates and code."""
    catalog = Catalog(project="portal", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, METHODS, options_map=OPTIONS, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        catalog.add(message, None, [(f"portal/{filename}", lineno)], auto_comments=comments,
                    context=context)
    return catalog


# --- Reading a .po file strictly -------------------------------------------------------------

KEYWORDS = ("msgctxt", "msgid", "msgid_plural", "msgstr", "msgstr[0]")
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d{1,3})\])?( +)(.*)\Z")
_KEYWORD_NAME = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d{1,3}\])?)\Z")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = set('\\nrt"')  # \a \b \f \v are control characters: Babel would write them raw
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
MIXED_OBSOLETE = ("an entry mixes #~ lines and lines without #~ (an obsolete entry has #~ "
                  "before every line)")
_TAG = re.compile(r"</?[A-Za-z!?][^<>]*>")
# The one piece of markup a translation may hold: a word in another language, for screen
# readers (uitext.py rebuilds it; everything else in a translation is shown as text).
ALLOWED_MARKUP = re.compile(r"<span lang=(?:\"|')?[a-z]{2,3}(?:\"|')?>|</span>")
_PLURAL_FORMS = re.compile(r"\s*nplurals\s*=\s*([^;]*?)\s*;\s*plural\s*=\s*([^;]+?)\s*;?\s*\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?:[+-](\d{2})(\d{2}))?\Z")
_LANGUAGE = re.compile(r"[A-Za-z0-9_@-]+\Z")


@dataclass
class _Text:
    """A string spread over lines: each piece with the line it was written on."""

    pieces: list[tuple[int, str]] = field(default_factory=list)

    @property
    def value(self) -> str:
        return "".join(text for _, text in self.pieces)

    @property
    def line(self) -> int:
        return self.pieces[0][0]

    def line_at(self, offset: int) -> int:
        """The line on which the character at `offset` of the value was written."""
        for line, text in self.pieces:
            if offset < len(text):
                return line
            offset -= len(text)
        return self.pieces[-1][0]


@dataclass
class _Entry:
    line: int
    obsolete: bool
    context: _Text | None = None
    msgid: _Text | None = None
    plural: _Text | None = None
    strings: list[_Text] = field(default_factory=list)
    last: str = ""  # the last keyword seen: msgctxt, msgid, msgid_plural, msgstr, msgstr[]

    @property
    def key(self) -> tuple[bool, str | None, str]:
        return (self.obsolete, self.context.value if self.context else None,
                self.msgid.value if self.msgid else "")


@dataclass
class PoFile:
    """One language's .po file, read strictly. `problems` are errors that make it unreadable."""

    path: Path
    where: str
    missing: bool = False
    empty: bool = False
    catalog: Catalog | None = None
    entries: list[_Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.where, line, message))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem(self.where, None, "has more problems than these "
                                         "(fix these first)"))

    @property
    def readable(self) -> bool:
        return self.catalog is not None and not self.problems


def load_po(path: Path, code: str, root: Path) -> PoFile:
    """Read `path` once, strictly; a missing file is marked `missing`, not a problem."""
    po = PoFile(path, relative(path, root))
    raw = _read_bytes(po, root)
    if raw is None:
        return po
    lines = _decode(po, raw)
    if lines is None:
        return po
    if not any(line.strip() for line in lines):
        po.empty = True
        po.problem(None, "is empty (run `portal translations update`, then translate it)")
        return po
    _parse(po, lines)
    if po.problems:
        return po
    _check_header(po, code)
    if po.problems:
        return po
    # The strict pass has accepted every line; Babel builds the catalogue from the same lines.
    # Previous msgids of obsolete entries (`#~|`, written by GNU msgmerge) are comments to us
    # but an error to Babel: they are left out (they hold no translation).
    babel_lines = ["" if _is_previous(line.strip()) else line for line in lines]
    try:
        catalog = read_po(babel_lines, locale=code, domain=DOMAIN, abort_invalid=True)
    except PoFileError as exc:
        message = " ".join(str(exc.args[0] if exc.args else exc).rsplit(" on ", 1)[0].split())
        po.problem(exc.lineno + 1, f"cannot be read: {message} (compare it with the lines "
                                   "around it)")
        return po
    except Exception as exc:  # a safety net: whatever Babel trips on, say so, never crash
        message = " ".join(str(exc).split())
        po.problem(po.entries[0].line, f"cannot be read: {message} (compare it with another "
                                       "language's messages.po)")
        return po
    if catalog.charset.lower() not in ("utf-8", "utf8") or catalog.num_plurals != _nplurals(po):
        po.problem(po.entries[0].line, "the header's Content-Type or Plural-Forms cannot be read "
                                       "(write them as the other languages' files do)")
        return po
    po.catalog = catalog
    return po


def _read_bytes(po: PoFile, root: Path) -> bytes | None:
    """The file's bytes, or None (with a problem unless the file is simply missing), read
    through the project's file policy (files.py): no link out of the project, no pipe."""
    if not os.path.lexists(po.path):
        po.missing = True
        return None
    try:
        return files.read(po.path, root, MAX_PO_BYTES)
    except files.UnsafeFile as exc:
        po.problem(None, f"{exc} (it must be the messages.po file)")
        return None


def _decode(po: PoFile, raw: bytes) -> list[str] | None:
    """The file's lines as text, or None when a line is not UTF-8 text."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark is still UTF-8
    lines = []
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        try:
            line = chunk.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError:
            po.problem(number, "is not UTF-8 text (is it a binary file? save it as UTF-8)")
            continue
        control = _CONTROL.search(line)
        if control:
            po.problem(number, f"contains the control character U+{ord(control.group()):04X} "
                               "(is it a binary file? save it as UTF-8 text)")
            continue
        lines.append(line)
    return None if po.problems else lines


def _is_previous(text: str) -> bool:
    """Whether a stripped line is `#~| msgid ...`: an obsolete entry's previous msgid."""
    return text.startswith("#~") and text[2:].lstrip().startswith("|")


def _literal(po: PoFile, number: int, text: str) -> str | None:
    """The value of one quoted string (the rest of a line), or None with a problem."""
    match = _STRING.match(text)
    if not text.startswith('"'):
        po.problem(number, f"expected a string in double quotes, found {text[:30]!r} (put the "
                           "text in double quotes)")
        return None
    if match is None:
        po.problem(number, 'the string has no closing quote (end it with "; write \\" for a '
                           "quote inside it)")
        return None
    rest = text[match.end():].strip()
    if rest:
        po.problem(number, f"{rest[:30]!r} follows the closing quote (write \\\" for a quote "
                           "inside a string)")
        return None
    for escape in _ESCAPE.finditer(match.group(1)):
        if escape.group(1) not in _ESCAPES:
            po.problem(number, f"\\{escape.group(1)} is not an escape a .po file knows "
                               "(write \\\\ for a backslash)")
            return None
    return unescape(match.group())


def _parse(po: PoFile, lines: list[str]) -> None:
    """Check every line against the .po grammar and collect the entries."""
    entry: _Entry | None = None
    skipping = False  # after a problem, until the next entry starts (one mistake, one message)

    def finish() -> None:
        nonlocal entry
        if entry is not None:
            if entry.msgid is None:
                context = entry.context.value if entry.context else ""
                po.problem(entry.line, f"msgctxt {context[:40]!r} has no msgid and msgstr after "
                                       "it (add them, or delete the msgctxt line)")
            elif entry.last in ("msgid", "msgid_plural"):
                po.problem(entry.line, f"msgid {entry.msgid.value[:40]!r} has no msgstr (add "
                                       "msgstr \"\" after it, or its translation)")
            else:
                po.entries.append(entry)
        entry = None

    def broken(number: int, message: str) -> None:
        nonlocal entry, skipping
        po.problem(number, message)
        entry, skipping = None, True

    for number, line in enumerate(lines, start=1):
        text = line.strip()
        obsolete = False
        if not text:
            continue
        if text.startswith("#"):
            if text.startswith("#-"):
                broken(number, "a line starting with #- is a merge-conflict marker "
                               "(resolve the conflict and delete the marker lines)")
                continue
            if not text.startswith("#~") or _is_previous(text):
                if entry is not None and entry.last in ("msgctxt", "msgid", "msgid_plural"):
                    finish()  # says the msgid has no msgstr
                    skipping = True
                else:
                    finish()
                    skipping = False
                continue
            obsolete, text = True, text[2:].strip()
            if not text:
                continue
        if text.startswith('"'):
            if skipping:
                continue
            if entry is None or not entry.last:
                broken(number, "a string outside an entry (a string line continues the msgid "
                               "or msgstr line above it)")
                continue
            if entry.obsolete != obsolete:
                broken(number, MIXED_OBSOLETE)
                continue
            value = _literal(po, number, text)
            if value is None:
                entry, skipping = None, True
                continue
            target = (entry.context if entry.last == "msgctxt" else entry.msgid
                      if entry.last == "msgid" else entry.plural if entry.last == "msgid_plural"
                      else entry.strings[-1])
            assert target is not None
            target.pieces.append((number, value))
            continue
        match = _KEYWORD.match(text)
        if match is None:
            word = re.split(r'[\s"]', text, maxsplit=1)[0]
            if _KEYWORD_NAME.match(word):
                broken(number, f"{word} needs one space and then a string in double quotes "
                               f"after it (write {word} \"\" for an empty string)")
                continue
            close = difflib.get_close_matches(word, KEYWORDS, n=1, cutoff=0.6)
            hint = (f"did you mean {close[0]!r}?" if close else
                    "a line is a # comment, a keyword (msgctxt, msgid, msgid_plural, msgstr, "
                    "msgstr[N]) and a string in double quotes, or a string continuing the "
                    "line above")
            broken(number, f"{word[:30]!r} is not a .po keyword ({hint})")
            continue
        keyword, index, _, rest = match.groups()
        if keyword in ("msgctxt", "msgid"):
            if entry is not None and entry.last == "msgctxt" and keyword == "msgid" \
                    and entry.obsolete == obsolete:
                pass  # the msgid of an entry with a context
            else:
                finish()
                entry = _Entry(number, obsolete)
            skipping = False
        elif skipping:
            continue
        elif entry is None:
            verb = "translates" if keyword == "msgstr" else "belongs to"
            broken(number, f"{keyword} without a msgid (every {keyword} follows the msgid it "
                           f"{verb})")
            continue
        elif entry.obsolete != obsolete:
            broken(number, MIXED_OBSOLETE)
            continue
        value = _literal(po, number, rest)
        if value is None:
            entry, skipping = None, True
            continue
        piece = _Text([(number, value)])
        name = entry.msgid.value[:40] if entry.msgid else ""
        if keyword == "msgctxt":
            entry.context = piece
            entry.last = "msgctxt"
        elif keyword == "msgid":
            entry.msgid = piece
            entry.last = "msgid"
        elif keyword == "msgid_plural":
            if entry.last != "msgid":
                broken(number, "msgid_plural must come right after its msgid")
                continue
            entry.plural = piece
            entry.last = "msgid_plural"
        elif index is None:  # msgstr
            if entry.last == "msgid_plural":
                broken(number, f"msgid {name!r} has a msgid_plural, so its translations are "
                               "msgstr[0], msgstr[1] … (write msgstr[0] instead of msgstr)")
                continue
            if entry.last != "msgid":
                broken(number, "msgstr without a msgid (every msgstr follows the msgid it "
                               "translates)")
                continue
            entry.strings.append(piece)
            entry.last = "msgstr"
        else:  # msgstr[N]
            if entry.last == "msgid":
                broken(number, f"msgstr[{index}] needs a msgid_plural before it (or write "
                               "msgstr for a string without plural forms)")
                continue
            if entry.last not in ("msgid_plural", "msgstr[]"):
                broken(number, f"msgstr[{index}] without a msgid (every msgstr follows the "
                               "msgid it translates)")
                continue
            if int(index) != len(entry.strings):
                broken(number, f"msgstr[{index}] is out of order (expected "
                               f"msgstr[{len(entry.strings)}])")
                continue
            entry.strings.append(piece)
            entry.last = "msgstr[]"
    finish()
    seen: dict[tuple[bool, str | None, str], int] = {}
    for entry in po.entries:
        first = seen.setdefault(entry.key, entry.line)
        if first != entry.line:
            msgid = entry.key[2]
            po.problem(entry.line, f"a second entry for msgid {msgid[:40]!r}, the first is at line "
                                   f"{first} (delete one of them: only one would be kept)")


def _check_header(po: PoFile, code: str) -> None:
    """The header entry (msgid "") must come first and say UTF-8 and valid Plural-Forms."""
    example = _plural_example(code)
    header = po.entries[0] if po.entries else None
    if header is None or header.obsolete or header.context or header.key[2] != "" \
            or header.plural is not None:
        po.problem(header.line if header else 1,
                   'the file must start with the header entry, msgid "" with a msgstr giving '
                   "Content-Type and Plural-Forms (copy it from another language's messages.po "
                   "and change the Language line)")
        return
    text = header.strings[0]
    fields: dict[str, tuple[int, str, str]] = {}
    offset = 0
    for row in text.value.split("\n"):
        line = text.line_at(offset) if text.pieces else header.line
        offset += len(row) + 1
        if not row.strip():
            continue
        name, colon, value = row.partition(":")
        if not colon or not name.strip():
            po.problem(line, f"the header line {row[:40]!r} is not 'Name: value' (end each "
                             "header line with \\n)")
            continue
        key = name.strip().lower()
        if key in fields:
            po.problem(line, f"the header has {name.strip()} twice (keep one)")
            continue
        fields[key] = (line, name.strip(), value.strip())

    line, _, value = fields.get("content-type", (header.line, "", ""))
    charset = re.search(r"charset\s*=\s*([^;\s]*)", value, re.IGNORECASE)
    if not value:
        po.problem(line, 'the header has no Content-Type (add "Content-Type: text/plain; '
                         'charset=UTF-8\\n")')
    elif charset is None or charset.group(1).strip('"').lower() not in ("utf-8", "utf8"):
        said = f"charset={charset.group(1)}" if charset else "no charset"
        po.problem(line, f"the header says {said}: the portal reads .po files as UTF-8 (save the "
                         'file as UTF-8 and write "Content-Type: text/plain; charset=UTF-8\\n")')

    line, _, value = fields.get("plural-forms", (header.line, "", ""))
    if not value:
        po.problem(line, f'the header has no Plural-Forms (add "Plural-Forms: {example}\\n")')
    else:
        message = _plural_problem(value)
        if message:
            po.problem(line, f"{message} (for {code!r} write \"Plural-Forms: {example}\")")
        else:
            _check_plural_entries(po, value)

    if "language" in fields:
        line, _, value = fields["language"]
        given = value.replace("-", "_")
        if value and (not _LANGUAGE.match(value) or not (given == code.replace("-", "_")
                                                        or given.startswith(code + "_"))):
            po.problem(line, f"the header says Language: {value[:20]}, but this is the file for "
                             f"{code!r} (write \"Language: {code}\\n\")")
    for name in ("pot-creation-date", "po-revision-date"):
        if name in fields:
            line, written, value = fields[name]
            if value and not (name == "po-revision-date" and "YEAR" in value) \
                    and not _is_date(value):
                po.problem(line, f"the header's {written} {value[:30]!r} is not a date like "
                                 "2026-01-31 12:00+0100 (correct it, or delete the line)")


def _plural_example(code: str) -> str:
    try:
        return get_plural(code).plural_forms
    except Exception:  # an unknown language code is the settings' problem, reported there
        return "nplurals=2; plural=(n != 1);"


def _plural_problem(value: str) -> str | None:
    """What is wrong with a Plural-Forms value, or None."""
    match = _PLURAL_FORMS.match(value)
    if match is None:
        return f"the Plural-Forms header {value[:40]!r} is not 'nplurals=N; plural=EXPRESSION;'"
    count, expression = match.groups()
    if not count.isdigit() or not 1 <= int(count) <= MAX_PLURALS:
        return f"nplurals={count[:10]} in the Plural-Forms header is not a number from 1 to " \
               f"{MAX_PLURALS}"
    try:
        rule = gettext.c2py(expression)  # the standard library's safe reader of this C syntax
        for n in range(1000):
            form = rule(n)
            if not 0 <= form < int(count):
                return (f"plural= in the Plural-Forms header gives form {form} for n={n}, but "
                        f"nplurals={count} allows forms 0 to {int(count) - 1}")
    except (ValueError, ArithmeticError, RecursionError, TypeError) as exc:
        return f"plural={expression[:40]} in the Plural-Forms header is not a valid formula: {exc}"
    return None


def _nplurals(po: PoFile) -> int:
    """nplurals of a header that passed `_check_header`."""
    value = re.search(r"^\s*Plural-Forms\s*:(.*)$", po.entries[0].strings[0].value,
                      re.IGNORECASE | re.MULTILINE)
    match = _PLURAL_FORMS.match(value.group(1)) if value else None
    return int(match.group(1)) if match else -1


def _check_plural_entries(po: PoFile, value: str) -> None:
    match = _PLURAL_FORMS.match(value)
    assert match is not None
    count = int(match.group(1))
    for entry in po.entries:
        if entry.plural is not None and len(entry.strings) != count:
            name = entry.msgid.value[:40] if entry.msgid else ""
            po.problem(entry.strings[-1].line, f"msgid {name!r} has {len(entry.strings)} plural "
                       f"form(s) but the Plural-Forms header says nplurals={count} (write "
                       f"msgstr[0] to msgstr[{count - 1}])")


def _is_date(value: str) -> bool:
    match = _DATE.match(value)
    if match is None:
        return False
    try:
        datetime.strptime(value[:16], "%Y-%m-%d %H:%M")
    except ValueError:
        return False
    hours, minutes = match.groups()
    return hours is None or int(hours) * 60 + int(minutes) < 24 * 60


def read_catalog(path: Path, code: str, root: Path | None = None) -> Catalog:
    """The catalogue of one .po file, read strictly; a ContentError if it cannot be."""
    if root is None:  # translations/<code>/LC_MESSAGES/messages.po lies in the project root
        root = path.parents[3] if len(path.parents) > 3 else path.parent
    po = load_po(path, code, root)
    if po.missing:
        raise ContentError([Problem(po.where, None, "is missing (run `portal translations "
                                                    "update`, then translate it)")])
    if not po.readable:
        raise ContentError(po.problems)
    assert po.catalog is not None
    return po.catalog


# --- Updating, checking and compiling ---------------------------------------------------------

def update(translations: Path, codes: list[str], root: Path | None = None) -> list[Path]:
    """Bring every language's .po file up to date with the strings in use; return those written.

    Every file is read strictly and checked first; if any has an error, none is written (a
    ContentError), so a translator's text is never lost to a lenient reading and a mistake is
    fixed where the translator made it. A missing or empty file is created afresh.
    """
    root = translations.parent if root is None else root
    files = [load_po(po_path(translations, code), code, root) for code in codes]
    problems = [p for po in files if not po.empty for p in po.problems]
    problems += [p for po in files if po.readable for p in errors_in(_check_messages(po))]
    if problems:
        raise ContentError(problems, closing="no .po file was changed: fix them, then run "
                                             "`portal translations update` again")
    template = extract()
    written = []
    for code, po in zip(codes, files, strict=True):
        if po.catalog is not None:
            catalog = po.catalog
            # No fuzzy matching: a guessed translation of a safety text is worse than none.
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        else:  # missing or empty
            catalog = Catalog(locale=code, domain=DOMAIN, project="portal", charset="utf-8",
                              fuzzy=False)
            catalog.update(template)
        _write_po(po.path, catalog)
        written.append(po.path)
    return written


def _write_po(path: Path, catalog: Catalog) -> None:
    """Write the catalogue beside the file and swap it in: a crash never leaves half a file."""
    real = Path(os.path.realpath(path))
    real.parent.mkdir(parents=True, exist_ok=True)
    text = io.BytesIO()
    # Obsolete entries stay (as `#~` lines): a translator whose string changed can see the
    # old translation.
    write_po(text, catalog, width=100, omit_header=False, ignore_obsolete=False,
             include_previous=True, include_lineno=False)
    files.replace(real, text.getvalue())


@dataclass(frozen=True)
class Coverage:
    """How much of one language's UI is translated."""

    code: str
    total: int
    translated: int
    fuzzy: int


def coverage(catalog: Catalog, code: str) -> Coverage:
    messages = [m for m in catalog if m.id]
    done = [m for m in messages if m.string and (all(m.string) if isinstance(m.string, tuple) else True)]
    return Coverage(code, len(messages), len([m for m in done if not m.fuzzy]),
                    len([m for m in messages if m.fuzzy]))


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
HTML_ADVICE = ("interface strings are plain text: remove the HTML; the only markup allowed is "
               '<span lang="sv">…</span> around a word in another language')


def check_catalogs(translations: Path, codes: list[str], root: Path) -> list[Problem]:
    """Missing or broken .po files are errors; untranslated strings are warnings."""
    problems = []
    for code in codes:
        po = load_po(po_path(translations, code), code, root)
        if po.missing:
            problems.append(Problem(po.where, None, f"there are no interface translations for "
                                    f"{code!r}: run `portal translations update`, then translate it"))
        problems += po.problems
        if po.readable:
            problems += _check_messages(po)
    return problems


def _check_messages(po: PoFile) -> list[Problem]:
    """What is wrong with the translations of a readable file: placeholders, % signs, HTML."""
    assert po.catalog is not None
    where, problems = po.where, []
    for message in po.catalog:
        if not message.id:
            continue
        ids = [str(i) for i in message.id] if isinstance(message.id, tuple) else [str(message.id)]
        forms = ([str(s) for s in message.string] if isinstance(message.string, (tuple, list))
                 else [str(message.string or "")])
        if not all(forms) or message.fuzzy:
            problems.append(Problem(where, message.lineno, f"{ids[0]!r} is not translated "
                                    "(the English text is shown)", Severity.WARNING))
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for text in forms:
            found = sorted(PLACEHOLDER.findall(text))
            # A plural form may leave the number out ("one file"), but never invent a name.
            if found != wanted and (len(ids) == 1 or not set(found) <= set(
                    PLACEHOLDER.findall(" ".join(ids)))):
                needed = ", ".join(wanted) or "no %(…)s"
                problems.append(Problem(where, message.lineno, f"the translation of {ids[0]!r} "
                                        f"must contain {needed} exactly as written"))
                break
            if not _formats(text):
                problems.append(Problem(where, message.lineno, f"the translation of {ids[0]!r} "
                                        "has a lone % sign: write %% for a percent sign"))
                break
    for entry in po.entries[1:]:
        if entry.obsolete or entry.msgid is None or _TAG.search(entry.msgid.value):
            continue
        for string in entry.strings:
            tag = next((t for t in _TAG.finditer(string.value)
                        if not ALLOWED_MARKUP.fullmatch(t.group())), None)
            if tag:
                problems.append(Problem(where, string.line_at(tag.start()), f"the translation of "
                                        f"{entry.msgid.value[:40]!r} contains HTML "
                                        f"{tag.group()[:30]!r} ({HTML_ADVICE})"))
                break
    return problems


def _formats(text: str) -> bool:
    """Whether the text survives %-formatting as the templates do it (a lone % does not)."""
    names = {name: "x" for name in re.findall(r"%\((\w+)\)", text)}
    if not names and "%" not in text:
        return True
    try:
        text % (names or {"_": "x"})
    except (TypeError, ValueError, KeyError):
        return False
    return True


def compile_catalogs(translations: Path, codes: list[str], out: Path,
                     root: Path) -> list[Problem]:
    """Compile each language's .po into `out/<lang>/LC_MESSAGES/messages.mo`."""
    problems = []
    for code in codes:
        po = load_po(po_path(translations, code), code, root)
        if po.missing:
            problems.append(Problem(po.where, None, f"there are no UI translations "
                            f"for {code!r}: run `portal translations update` and translate it"))
            continue
        found = po.problems + (errors_in(_check_messages(po))
                               if po.readable else [])
        if found or po.catalog is None:
            problems += found
            continue
        target = out / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as f:
            write_mo(f, po.catalog, use_fuzzy=False)
    return problems
