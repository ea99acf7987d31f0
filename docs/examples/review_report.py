#!/usr/bin/env python3
"""Turn `portal check --format json` (and `portal translations status`) into what a merge
request shows: a GitLab Code Quality report (findings on the changed lines) or a Markdown
comment (GitHub pull requests, GitLab notes, job summaries). Standard library only.

    portal check --format json > check.json; portal translations status > status.txt
    python3 review_report.py codequality check.json > gl-code-quality-report.json
    python3 review_report.py markdown check.json status.txt > comment.md
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

SEVERITY = {"error": "major", "warning": "minor"}


def codequality(check: dict) -> list[dict]:
    return [{
        "description": p["message"],
        "check_name": f"portal-{p['severity']}",
        "fingerprint": hashlib.sha256(f"{p['path']}:{p['line']}:{p['message']}".encode()).hexdigest(),
        "severity": SEVERITY.get(p["severity"], "info"),
        "location": {"path": p["path"], "lines": {"begin": p["line"] or 1}},
    } for p in check["problems"]]


def markdown(check: dict, status: str) -> str:
    problems = check["problems"]
    head = ("✅ `portal check`: no errors" if check["ok"] else "❌ `portal check`: the site cannot be built")
    lines = [f"### {head}", ""]
    lines += [f"- **{p['severity']}** `{p['path']}:{p['line'] or ''}` {p['message']}" for p in problems]
    if not problems:
        lines.append("No problems found.")
    lines += ["", "### `portal translations status`", "", "```", status.rstrip(), "```", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    kind, check_file, *rest = argv
    check = json.loads(Path(check_file).read_text(encoding="utf-8"))
    if kind == "codequality":
        print(json.dumps(codequality(check), ensure_ascii=False, indent=2))
    else:
        status = Path(rest[0]).read_text(encoding="utf-8") if rest else ""
        print(markdown(check, status))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
