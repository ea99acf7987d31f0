"""`portal check`: every kind of content mistake, as text for people and JSON for tools."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.site import Project

PAGE = "---\ntitle: Sida\ndescription: En kort beskrivning.\n---\n\n"


def run_check(runner: CliRunner, project: Project, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(main, ["--project", str(project.root), "check", "--format", "json", *args])
    return result.exit_code, json.loads(result.output)["problems"]


def findings(problems: list[dict[str, object]], path: str) -> list[tuple[object, str, str]]:
    return [(p["line"], str(p["severity"]), str(p["message"])) for p in problems if p["path"] == path]


@pytest.mark.parametrize(
    ("body", "line", "severity", "message"),
    [
        ("## A\n\n#### B\n", 8, "warning", "heading level 4 follows level 2"),
        ("# Rubrik\n", 6, "warning", "a first-level heading (#) in the text"),
        ("![](/static/css/portal.css)\n", 6, "warning", "has no alt text"),
        ("![Karta](/static/images/karta.png)\n", 6, "error", "does not exist"),
        ("![Karta](https://maps.example/karta.png)\n", 6, "error", "is on another website"),
        ("<span onclick=\"x()\">Hej</span>\n", 6, "warning", "'onclick' on <span> is removed"),
        ("<script>alert(1)</script>\n", 6, "warning", "raw HTML <script> is removed"),
        ("Se [kontakt](kontakt.md#finns-inte).\n", 6, "error", "has no heading with the id 'finns-inte'"),
        ("Se [nedan](#saknas).\n", 6, "error", "has no heading with the id 'saknas'"),
        ("```\n# inte en rubrik\n[x](saknas.md)\n```\n", None, None, ""),
    ],
)
def test_body_mistakes_are_found_with_their_line(
    runner: CliRunner, small: Project, body: str, line: int | None, severity: str | None, message: str
) -> None:
    (small.content / "sv" / "ny.md").write_text(PAGE + body, encoding="utf-8")
    _, problems = run_check(runner, small)
    found = [f for f in findings(problems, "content/sv/ny.md") if "not translated" not in f[2]]
    if severity is None:
        assert found == []  # code blocks are examples, not content
    else:
        assert any(f[0] == line and f[1] == severity and message in f[2] for f in found), found


def test_anchor_to_an_existing_heading_is_fine(runner: CliRunner, small: Project) -> None:
    (small.content / "sv" / "ny.md").write_text(
        PAGE + "Se [besök](kontakt.md#besok) och [tider](kontakt.md#tider-och-platser).\n",
        encoding="utf-8")
    _, problems = run_check(runner, small)
    assert [f for f in findings(problems, "content/sv/ny.md") if f[1] == "error"] == []


def test_a_long_description_is_a_warning(runner: CliRunner, small: Project) -> None:
    text = "---\ntitle: Sida\ndescription: " + "Mycket lång text. " * 12 + "\n---\n"
    (small.content / "sv" / "ny.md").write_text(text, encoding="utf-8")
    _, problems = run_check(runner, small)
    assert any(f[0] == 3 and "link previews cut it" in f[2]
               for f in findings(problems, "content/sv/ny.md"))


def test_warnings_pass_unless_strict(runner: CliRunner, small: Project) -> None:
    code, problems = run_check(runner, small)
    assert code == 0 and problems and all(p["severity"] == "warning" for p in problems)
    code, _ = run_check(runner, small, "--strict")
    assert code == 1


def test_json_and_text_report_the_same_findings(runner: CliRunner, small: Project) -> None:
    (small.content / "sv" / "ny.md").write_text("---\ntitel: x\n---\n", encoding="utf-8")
    code, problems = run_check(runner, small)
    text = runner.invoke(main, ["--project", str(small.root), "check"])
    assert code == 1 and text.exit_code == 1
    for p in problems:
        where = f"{p['path']}:{p['line']}" if p["line"] else str(p["path"])
        assert where in text.output
    assert "content/sv/ny.md:2: 'titel' is not a known field (did you mean 'title'?)" in text.output


def test_build_refuses_what_check_calls_an_error(runner: CliRunner, small: Project) -> None:
    (small.content / "sv" / "ny.md").write_text(PAGE + "[x](#saknas)\n", encoding="utf-8")
    result = runner.invoke(main, ["--project", str(small.root), "build", "--out",
                                  str(small.root / "out")])
    assert result.exit_code == 1 and "content/sv/ny.md:6: link '#saknas'" in result.output
    assert "Traceback" not in result.output and not (small.root / "out").exists()
