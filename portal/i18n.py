"""UI-string catalogues: extract from templates and code, update .po files, compile to .mo."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .errors import Problem, relative

DOMAIN = "messages"
PACKAGE = Path(__file__).parent
METHODS = [("**/templates/**.html", "jinja2"), ("**/templates/**.xml", "jinja2"),
           ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"trimmed": "true"}}


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


def update(translations: Path, codes: list[str]) -> list[Path]:
    """Bring every language's .po file up to date with the strings in use; return those written."""
    template = extract()
    written = []
    for code in codes:
        path = po_path(translations, code)
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale=code, domain=DOMAIN)
            # No fuzzy matching: a guessed translation of a safety text is worse than none.
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        else:
            catalog = Catalog(locale=code, domain=DOMAIN, project="portal", charset="utf-8",
                              fuzzy=False)
            catalog.update(template)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            # Obsolete entries stay (as `#~` lines): a translator whose string changed can see
            # the old translation.
            write_po(f, catalog, width=100, omit_header=False, ignore_obsolete=False,
                     include_previous=True, include_lineno=False)
        written.append(path)
    return written


@dataclass(frozen=True)
class Coverage:
    """How much of one language's UI is translated."""

    code: str
    total: int
    translated: int
    fuzzy: int


def read_catalog(path: Path, code: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=code, domain=DOMAIN)


def coverage(catalog: Catalog, code: str) -> Coverage:
    messages = [m for m in catalog if m.id]
    done = [m for m in messages if m.string and (all(m.string) if isinstance(m.string, tuple) else True)]
    return Coverage(code, len(messages), len([m for m in done if not m.fuzzy]),
                    len([m for m in messages if m.fuzzy]))


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def check_catalogs(translations: Path, codes: list[str], root: Path) -> list[Problem]:
    """Missing or broken .po files are errors; untranslated strings are warnings."""
    problems = []
    for code in codes:
        path = po_path(translations, code)
        where = relative(path, root)
        if not path.exists():
            problems.append(Problem(where, None, f"there are no interface translations for "
                                    f"{code!r}: run `portal translations update`, then translate it"))
            continue
        try:
            catalog = read_catalog(path, code)
        except Exception as exc:  # Babel raises several types for broken .po files
            problems.append(Problem(where, getattr(exc, "lineno", None), f"cannot be read: {exc}"))
            continue
        for message in catalog:
            if not message.id:
                continue
            text = (message.string if isinstance(message.string, str)
                    else " ".join(message.string or ()))
            if not text or message.fuzzy:
                problems.append(Problem(where, message.lineno, f"{message.id!r} is not translated "
                                        "(the English text is shown)", "warning"))
            elif sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(str(message.id))):
                needed = ", ".join(PLACEHOLDER.findall(str(message.id))) or "no %(…)s"
                problems.append(Problem(where, message.lineno, f"the translation of {message.id!r} "
                                        f"must contain {needed} exactly as written"))
            elif not _formats(text):
                problems.append(Problem(where, message.lineno, f"the translation of {message.id!r} "
                                        "has a lone % sign: write %% for a percent sign"))
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
        path = po_path(translations, code)
        if not path.exists():
            problems.append(Problem(relative(path, root), None, f"there are no UI translations "
                            f"for {code!r}: run `portal translations update` and translate it"))
            continue
        try:
            catalog = read_catalog(path, code)
        except Exception as exc:  # Babel raises several types for broken .po files
            line = getattr(exc, "lineno", None)
            problems.append(Problem(relative(path, root), line, f"cannot be read: {exc}"))
            continue
        target = out / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
    return problems
