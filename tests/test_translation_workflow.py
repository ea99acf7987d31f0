"""Translators' commands: status (missing, stale, drafts), done, update, and `portal new`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from portal.commands.cli import main
from portal.load.catalogs import po_path, read_catalog
from portal.load.site import Project


def run(runner: CliRunner, project: Project, *args: str) -> str:
    result = runner.invoke(main, ["--project", str(project.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def row(output: str, name: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.split()[:1] == [name])


def test_status_shows_missing_unmarked_and_ui_coverage(runner: CliRunner, small: Project) -> None:
    output = run(runner, small, "translations", "status")
    assert output.splitlines()[0].split() == ["page", "sv", "en", "ar"]
    assert row(output, "bara-svenska") == ["bara-svenska", "source", "MISSING", "MISSING"]
    assert row(output, "kontakt") == ["kontakt", "source", "unmarked", "unmarked"]
    assert "utkast" not in output  # a draft is not due for translation yet
    assert "2 missing, 0 draft, 0 stale, 4 unmarked" in output
    strings = len([m for m in read_catalog(po_path(small.translations, "sv"), "sv") if m.id])
    assert f"sv   {strings}/{strings} translated" in output


def test_a_translation_marked_done_becomes_stale_when_the_source_changes(
    runner: CliRunner, small: Project
) -> None:
    run(runner, small, "translations", "done", "en", "kontakt")
    assert "translated_from: " in (small.content / "en" / "kontakt.md").read_text(encoding="utf-8")
    assert row(run(runner, small, "translations", "status"), "kontakt")[2] == "ok"

    source = small.content / "sv" / "kontakt.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Mejla", "Skriv till"),
                      encoding="utf-8")
    assert row(run(runner, small, "translations", "status"), "kontakt")[2] == "STALE"
    check = runner.invoke(main, ["--project", str(small.root), "check"])
    assert ("content/en/kontakt.md:6: warning: content/sv/kontakt.md has changed since this "
            "translation was marked up to date") in check.output

    run(runner, small, "translations", "done", "en", "kontakt")
    assert row(run(runner, small, "translations", "status"), "kontakt")[2] == "ok"
    assert (small.content / "en" / "kontakt.md").read_text().count("translated_from") == 1


def test_done_on_a_missing_translation_says_so(runner: CliRunner, small: Project) -> None:
    result = runner.invoke(main, ["--project", str(small.root), "translations", "done", "ar",
                                  "bara-svenska"])
    assert result.exit_code == 1 and "there is no ar/bara-svenska.md" in result.output


def test_update_brings_back_strings_missing_from_a_po_file(runner: CliRunner, small: Project) -> None:
    path = po_path(small.translations, "ar")
    text = path.read_text(encoding="utf-8")
    start = text.index('msgid "Menu"')
    path.write_text(text[:start] + text[text.index("\n\n", start) + 2:], encoding="utf-8")
    assert "Menu" not in {m.id for m in read_catalog(path, "ar")}
    output = run(runner, small, "translations", "update")
    assert "updated translations/ar/LC_MESSAGES/messages.po" in output
    catalog = read_catalog(path, "ar")
    assert "Menu" in {m.id for m in catalog}
    assert catalog.get("Skip to main content").string  # existing translations are kept


def test_new_page_is_valid_and_translators_get_drafts(runner: CliRunner, small: Project) -> None:
    output = run(runner, small, "new", "oppettider", "--title", "Öppettider", "--translate")
    assert "created content/sv/oppettider.md" in output
    assert "created content/ar/oppettider.md" in output
    text = (small.content / "sv" / "oppettider.md").read_text(encoding="utf-8")
    assert "title: Öppettider" in text and "description:" in text
    assert "draft: true" in text  # example text is never published by accident
    assert "draft: true" in (small.content / "en" / "oppettider.md").read_text(encoding="utf-8")
    check = runner.invoke(main, ["--project", str(small.root), "check"])
    assert check.exit_code == 0, check.output
    (small.content / "sv" / "oppettider.md").write_text(text.replace("draft: true\n", ""),
                                                        encoding="utf-8")
    assert row(run(runner, small, "translations", "status"), "oppettider")[1:] == [
        "source", "draft", "draft"]


def test_new_with_translate_adds_drafts_for_an_existing_page(runner: CliRunner, small: Project) -> None:
    output = run(runner, small, "new", "bara-svenska", "--translate")
    assert output.split() == ["created", "content/en/bara-svenska.md", "created",
                              "content/ar/bara-svenska.md"]
    draft = (small.content / "ar" / "bara-svenska.md").read_text(encoding="utf-8")
    assert "title: Bara på svenska" in draft and "draft: true" in draft
    assert row(run(runner, small, "translations", "status"), "bara-svenska")[1:] == [
        "source", "draft", "draft"]


@pytest.mark.parametrize("name", ["Öppet", "kontakt", "a b", "search"])
def test_new_refuses_bad_or_existing_names(runner: CliRunner, small: Project, name: str) -> None:
    result = runner.invoke(main, ["--project", str(small.root), "new", name])
    assert result.exit_code == 1 and "Error:" in result.output


def test_update_keeps_the_old_translation_of_a_changed_string(runner: CliRunner,
                                                               small: Project) -> None:
    path = po_path(small.translations, "ar")  # a language of the small site
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('msgid "Menu"', 'msgid "Main menu"'), encoding="utf-8")
    run(runner, small, "translations", "update")
    updated = path.read_text(encoding="utf-8")
    assert '#~ msgid "Main menu"' in updated  # the old wording stays visible to the translator
    assert read_catalog(path, "ar").get("Menu").string == ""
