"""`portal check`: every kind of content mistake, as text for people and JSON for tools."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from portal.commands.cli import main
from portal.load.site import Project

PAGE = "---\ntitle: Sida\ndescription: En kort beskrivning.\n---\n\n"


def run_check(runner: CliRunner, project: Project, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(main, ["--project", str(project.root), "check", "--format", "json", *args])
    return result.exit_code, json.loads(result.output)["problems"]


def findings(problems: list[dict[str, object]], path: str) -> list[tuple[object, str, str]]:
    return [(p["line"], str(p["severity"]), str(p["message"])) for p in problems if p["path"] == path]


@pytest.mark.parametrize(
    ("body", "line", "severity", "message"),
    [
        ("## A\n\n#### B\n", 8, "warning", "heading #### comes right after ##"),
        ("### A\n", 6, "warning", "heading ### comes right after the title"),
        ("Se [sidan](www.example.se).\n", 6, "error", "needs https:// in front"),
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


def test_placeholders_in_title_or_description_are_a_warning(runner: CliRunner, small: Project) -> None:
    (small.content / "sv" / "ny.md").write_text(
        "---\ntitle: Ring {{ phone }}\ndescription: Kort.\n---\n", encoding="utf-8")
    _, problems = run_check(runner, small)
    assert any(f[0] == 2 and "work in the text only, not in 'title'" in f[2]
               for f in findings(problems, "content/sv/ny.md"))


def test_a_translation_without_an_original_is_a_warning(runner: CliRunner, small: Project) -> None:
    (small.content / "en" / "kontakt-oss.md").write_text(PAGE, encoding="utf-8")
    _, problems = run_check(runner, small)
    assert any("there is no sv/kontakt-oss.md" in f[2]
               for f in findings(problems, "content/en/kontakt-oss.md"))


def test_a_field_given_twice_is_an_error(runner: CliRunner, small: Project) -> None:
    (small.content / "sv" / "ny.md").write_text(
        "---\ntitle: A\ndescription: B\ntitle: C\n---\n", encoding="utf-8")
    code, problems = run_check(runner, small)
    assert code == 1
    assert (4, "error", "front matter is not valid YAML: 'title' is given twice (keep one of them)"
            ) in findings(problems, "content/sv/ny.md")


def test_a_colon_in_a_value_gets_a_hint(runner: CliRunner, small: Project) -> None:
    (small.content / "sv" / "ny.md").write_text(
        "---\ntitle: Hjälp: så går det till\ndescription: B\n---\n", encoding="utf-8")
    _, problems = run_check(runner, small)
    assert any(f[0] == 2 and "put the value in quotes" in f[2]
               for f in findings(problems, "content/sv/ny.md"))


def test_a_broken_placeholder_in_a_po_file_is_an_error_not_a_crash(
    runner: CliRunner, small: Project
) -> None:
    po = small.translations / "ar" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    start = text.index('msgid "Updated %(date)s"')
    line = text[:start].count("\n") + 1
    end = text.index("\n", text.index("msgstr", start))
    po.write_text(text[:start] + 'msgid "Updated %(date)s"\nmsgstr "%(datum)s"' + text[end:],
                  encoding="utf-8")
    code, problems = run_check(runner, small)
    assert code == 1
    assert any(f[0] == line and "must contain %(date)s" in f[2]
               for f in findings(problems, "translations/ar/LC_MESSAGES/messages.po"))
    result = runner.invoke(main, ["--project", str(small.root), "build", "--out",
                                  str(small.root / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_a_missing_po_file_is_found_by_check(runner: CliRunner, small: Project) -> None:
    (small.translations / "en" / "LC_MESSAGES" / "messages.po").unlink()
    code, problems = run_check(runner, small)
    assert code == 1
    assert any("no interface translations for 'en'" in f[2]
               for f in findings(problems, "translations/en/LC_MESSAGES/messages.po"))


def test_build_shows_the_warnings(runner: CliRunner, small: Project) -> None:
    result = runner.invoke(main, ["--project", str(small.root), "build", "--out",
                                  str(small.root / "out")])
    assert result.exit_code == 0
    assert "content/sv/bara-svenska.md: warning: not translated into en, ar" in result.output


def test_a_lone_percent_sign_in_a_translation_is_an_error_not_a_crash(
    runner: CliRunner, small: Project
) -> None:
    po = small.translations / "sv" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Kontakta oss"', 'msgstr "Kontakta oss, 100 % gratis"'),
                  encoding="utf-8")
    code, problems = run_check(runner, small)
    assert code == 1
    assert any("has a lone % sign: write %% for a percent sign" in f[2]
               for f in findings(problems, "translations/sv/LC_MESSAGES/messages.po"))
    build = runner.invoke(main, ["--project", str(small.root), "build", "--out",
                                 str(small.root / "out")])
    assert build.exit_code == 1 and "Traceback" not in build.output


def test_a_settings_error_does_not_hide_mistakes_in_pages(runner: CliRunner, small: Project) -> None:
    settings = small.content / "site.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "phone: 070-174 06 07", "phone: ring oss"), encoding="utf-8")
    (small.content / "sv" / "ny.md").write_text(PAGE + "[x](saknas.md)\n", encoding="utf-8")
    code, problems = run_check(runner, small)
    assert code == 1
    assert findings(problems, "content/site.yml")
    assert any("no such page" in f[2] for f in findings(problems, "content/sv/ny.md"))


def test_a_missing_anchor_is_reported_beside_other_errors(runner: CliRunner, small: Project) -> None:
    (small.content / "sv" / "ny.md").write_text(PAGE + "[x](kontakt.md#nope)\n", encoding="utf-8")
    (small.content / "en" / "trasig.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    _, problems = run_check(runner, small)
    assert any("no heading with the id 'nope'" in f[2] for f in findings(problems, "content/sv/ny.md"))
    assert findings(problems, "content/en/trasig.md")


def test_autolinks_and_code_are_not_mistaken_for_html_or_links(runner: CliRunner,
                                                               small: Project) -> None:
    (small.content / "sv" / "ny.md").write_text(
        PAGE + "Se <https://www.digg.se/> eller skriv `[Kontakt](saknas.md)` och `<script>`.\n",
        encoding="utf-8")
    _, problems = run_check(runner, small)
    assert [f for f in findings(problems, "content/sv/ny.md") if "not translated" not in f[2]] == []


def test_a_broken_reference_link_stops_the_build(runner: CliRunner, small: Project) -> None:
    (small.content / "sv" / "ny.md").write_text(
        PAGE + "Se [sidan][s] och <img src=\"/static/images/saknas.png\" alt=\"x\">.\n\n"
        "[s]: saknas.md\n", encoding="utf-8")
    out = small.root / "out"
    result = runner.invoke(main, ["--project", str(small.root), "build", "--out", str(out)])
    assert result.exit_code == 1
    assert "/sv/ny/ links to saknas.md, which is not part of the site" in result.output
    assert "/sv/ny/ links to /static/images/saknas.png" in result.output
    assert not out.exists()


def test_a_draft_translation_is_named_as_a_draft(runner: CliRunner, small: Project) -> None:
    (small.content / "en" / "bara-svenska.md").write_text(
        "---\ntitle: Only Swedish\ndescription: A page.\ndraft: true\n---\n", encoding="utf-8")
    _, problems = run_check(runner, small)
    messages = [f[2] for f in findings(problems, "content/sv/bara-svenska.md")]
    assert any(m.startswith("not translated into ar") for m in messages)
    assert any(m.startswith("only a draft in en (translate it, remove `draft: true`") for m in messages)
