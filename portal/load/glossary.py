"""Glossaries: the Swedish institutions and words a reader meets, explained in each language.

`content/<lang>/glossary.yml` lists the same Swedish terms in every language; `{{ glossary }}`
in a page shows its language's list, and `portal check` warns when a page uses a wording
the glossary tells writers to avoid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, Severity, relative, shown
from . import yamltext

KEYS = ("sv", "term", "explain", "avoid")
MAX_TEXT = 1000


@dataclass(frozen=True)
class Term:
    """One Swedish term and how a language says and explains it."""

    sv: str
    term: str
    explain: str
    avoid: tuple[str, ...] = ()


def load_glossary(path: Path, root: Path) -> tuple[list[Term], list[Problem]]:
    """Read one language's glossary; every problem with its line."""
    where = relative(path, root)
    try:
        data, lines = yamltext.load(path, root)
    except yamltext.UnreadableFile as exc:
        return [], [exc.problem]
    if not isinstance(data, list):
        return [], [Problem(where, 1, "must be a list of terms, each starting with `- sv: ...`")]
    terms, problems = [], []
    for index, item in enumerate(data):
        line = yamltext.line_of(lines, index)
        if not isinstance(item, dict):
            problems.append(Problem(where, line, "each term needs `sv:`, `term:` and `explain:`"))
            continue
        for key in item:
            if key not in KEYS:
                problems.append(Problem(where, yamltext.line_of(lines, index, str(key)),
                                        f"{shown(key)} is not a glossary field (known: {', '.join(KEYS)})"))
        values = {}
        for key in ("sv", "term", "explain"):
            value = item.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)  # `term: 1177`
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
                problems.append(Problem(where, yamltext.line_of(lines, index, key),
                                        f"{key!r} must be text of at most {MAX_TEXT} characters"))
                value = ""
            values[key] = " ".join(str(value).split())
        avoid = item.get("avoid", [])
        if not isinstance(avoid, list) or not all(isinstance(a, str) and a.strip() for a in avoid):
            problems.append(Problem(where, yamltext.line_of(lines, index, "avoid"),
                                    "'avoid' must be a list of wordings, e.g. [social office]"))
            avoid = []
        terms.append(Term(values["sv"], values["term"], values["explain"],
                          tuple(" ".join(a.split()) for a in avoid)))
    return terms, problems


def check_glossaries(glossaries: dict[str, list[Term]], paths: dict[str, str], default: str,
                     codes: tuple[str, ...]) -> list[Problem]:
    """Every language explains the same Swedish terms as the default language."""
    problems = []
    source = {term.sv for term in glossaries.get(default, [])}
    for code in codes:
        if code not in glossaries or code == default or not source:
            continue
        own = {term.sv for term in glossaries[code]}
        missing, extra = sorted(source - own), sorted(own - source)
        if missing:
            problems.append(Problem(paths[code], None, f"does not explain {', '.join(missing)} "
                                    f"(the {default} glossary does): add them", Severity.WARNING))
        if extra:
            problems.append(Problem(paths[code], None, f"explains {', '.join(extra)}, which the "
                                    f"{default} glossary does not have: check the spelling of `sv:`",
                                    Severity.WARNING))
    return problems


def avoid_pattern(terms: list[Term]) -> re.Pattern[str] | None:
    """One pattern for all the wordings a language's glossary says to avoid (whole words)."""
    words = sorted({a for term in terms for a in term.avoid}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)", re.IGNORECASE)


def preferred(terms: list[Term], wording: str) -> Term | None:
    return next((t for t in terms if wording.lower() in (a.lower() for a in t.avoid)), None)
