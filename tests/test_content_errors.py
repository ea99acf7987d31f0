"""Content mistakes give one clear line each (file, line, what to do) and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.commands.cli import main
from portal.load.site import Project


def check(runner: CliRunner, project: Project) -> tuple[int, str]:
    result = runner.invoke(main, ["--project", str(project.root), "check"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def write(project: Project, name: str, text: str) -> None:
    (project.content / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ntitle: Hej\n---\n\nText.\n", 1, "'description' is missing"),
        ("---\ntitle: Hej\ndescription: Kort.\ntitel: Hej\n---\n", 4,
         "'titel' is not a known field (did you mean 'title'?)"),
        ("---\ntitle: Hej\ndescription: [Kort.\n---\n", 3, "front matter is not valid YAML"),
        ("---\ntitle: Hej\ndescription: Kort.\n\nText utan slut.\n", 1, "is not closed"),
        ("Text utan front matter.\n", 1, "must start with front matter"),
        ("---\n- en lista\n---\n", 2, "must be `field: value` lines"),
        ("---\ntitle: Hej\ndescription: Kort.\nslug: Min_Sida\n---\n", 4, "slug 'Min_Sida'"),
        ("---\ntitle: Hej\ndescription: Kort.\norder: tre\n---\n", 4, "must be a whole number"),
        ("---\ntitle: Hej\ndescription: Kort.\nupdated: igår\n---\n", 4, "YYYY-MM-DD"),
        ("---\ntitle: !!python/object:os.system x\ndescription: Kort.\n---\n", 2,
         "only plain values"),
        ("---\ntitle: Hej\ndescription: Kort.\n---\n\nSe [sidan](finns-inte.md).\n", 6,
         "there is no such page in sv/"),
        ("---\ntitle: Hej\ndescription: Kort.\n---\n\n\nRing {{ telefon }}.\n", 7,
         "unknown placeholder '{{ telefon }}'"),
        ("---\ntitle: Hej\ndescription: Kort.\n---\n[x](javascript:alert(1))\n", 5,
         "'javascript:' links are not allowed"),
        ("\ufeff---\r\ntitle: Hej\r\ndescription: Kort.\r\ntitel: x\r\n---\r\n", 4, "'titel'"),
    ],
)
def test_a_mistake_in_a_page_is_reported_with_file_line_and_fix(
    runner: CliRunner, small: Project, text: str, line: int, message: str
) -> None:
    write(small, "sv/trasig.md", text)
    code, output = check(runner, small)
    assert code == 1
    assert f"content/sv/trasig.md:{line}: " in output
    assert message in output
    assert "Traceback" not in output


def test_every_problem_is_reported_not_only_the_first(runner: CliRunner, small: Project) -> None:
    write(small, "sv/a.md", "---\ntitle: A\n---\n")
    write(small, "en/b.md", "---\ndescription: B\n---\n")
    write(small, "ar/ny-kontakt.md", "---\ntitle: C\ndescription: C\nslug: contact\n---\n")
    code, output = check(runner, small)
    assert code == 1
    assert "content/sv/a.md:1: 'description' is missing" in output
    assert "content/en/b.md:1: 'title' is missing" in output
    assert "content/ar/ny-kontakt.md:4: slug 'contact' is already used by content/ar/kontakt.md" in output


def test_invalid_utf8_is_reported_with_its_line(runner: CliRunner, small: Project) -> None:
    (small.content / "sv" / "latin1.md").write_bytes(b"---\ntitle: H\xe4j\ndescription: x\n---\n")
    code, output = check(runner, small)
    assert code == 1 and "content/sv/latin1.md:2: is not UTF-8 text" in output


def test_a_language_folder_not_in_the_settings_is_an_error(runner: CliRunner, small: Project) -> None:
    (small.content / "de").mkdir()
    write(small, "de/index.md", "---\ntitle: Start\ndescription: Start.\n---\n")
    code, output = check(runner, small)
    assert code == 1 and "content/de: language folder 'de' is not in the settings" in output


def test_a_language_without_start_page_is_an_error(runner: CliRunner, small: Project) -> None:
    (small.content / "ar" / "index.md").unlink()
    code, output = check(runner, small)
    assert code == 1 and "language 'ar' has no start page: add ar/index.md" in output


def test_a_symlink_leaving_the_content_folder_is_refused(runner: CliRunner, small: Project) -> None:
    secret = small.root / "secret.md"
    secret.write_text("---\ntitle: S\ndescription: S\n---\n", encoding="utf-8")
    (small.content / "sv" / "lank.md").symlink_to(secret)
    code, output = check(runner, small)
    assert code == 1 and "content/sv/lank.md: is a link to " in output
    assert "outside content/: copy what you need here instead" in output


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("phone: 070-174 06 07", "phone: ring oss", "contact.phone 'ring oss' is not a phone number"),
        ("email: test@ekbacka.example", "email: test.ekbacka", "'test.ekbacka' is not an e-mail"),
        ("- {code: ar, name: العربية, dir: rtl}", "- {code: ar, name: العربية, dir: rl}",
         "dir 'rl' must be 'ltr' or 'rtl'"),
        ("default_language: sv", "default_language: de", "default_language 'de' is not in"),
        ("base_url: https://test.ekbacka.example/", "base_url: test.ekbacka.example",
         "'base_url' must be a full https:// address"),
        ("quick_exit: https://www.smhi.se/", "quick_exit: https://www.smhi.se/\ncolour: red",
         "'colour' is not a known setting"),
        ("{days: mon-fri,", "{days: mon-fre,", "days 'mon-fre' must be one day or a range"),
        ("- {code: sv, name: Svenska, dir: ltr}", "- {code: xx, name: Xx, dir: ltr}",
         "language 'xx' is unknown"),
        ("- {code: en, name: English, dir: ltr}", "- {code: en-GB, name: English, dir: ltr}",
         "regional variants such as 'en-GB' are not supported"),
        ("base_url: https://test.ekbacka.example/", "base_url: https://ekbacka.example/avhopp/",
         "the site cannot live in a sub-folder"),
        ("municipality: {sv: Ekbacka kommun,", "municipality: {sv: [Ekbacka],",
         "municipality.sv must be text, not list"),
    ],
)
def test_a_mistake_in_the_settings_is_reported_with_its_line(
    runner: CliRunner, small: Project, old: str, new: str, message: str
) -> None:
    settings = small.content / "site.yml"
    text = settings.read_text(encoding="utf-8")
    assert old in text
    changed = text.replace(old, new)
    settings.write_text(changed, encoding="utf-8")
    line = changed.split(new.splitlines()[-1])[0].count("\n") + 1
    code, output = check(runner, small)
    assert code == 1
    assert message in output, output
    assert f"content/site.yml:{line}: " in output, output


def test_build_refuses_content_with_errors_and_says_nothing_was_published(
    runner: CliRunner, small: Project
) -> None:
    write(small, "sv/kontakt.md", "---\ntitle: Kontakt\n---\n")
    out = small.root / "build"
    result = runner.invoke(main, ["--project", str(small.root), "build", "--out", str(out)])
    assert result.exit_code == 1
    assert "content/sv/kontakt.md:1: 'description' is missing" in result.output
    assert "nothing was published" in result.output
    assert not out.exists()


def test_check_passes_on_content_with_only_warnings(runner: CliRunner, small: Project) -> None:
    code, output = check(runner, small)
    assert code == 0
    assert "content/sv/bara-svenska.md: warning: not translated into en, ar" in output
    assert "0 error(s), 1 warning(s)." in output


def test_a_paragraph_crowded_with_markup_is_refused_at_its_line_and_splitting_it_builds(
    runner: CliRunner, small: Project, tmp_path: Path
) -> None:
    """Python-Markdown takes time that grows with the square of the links, entities and
    emphases in one paragraph: such a paragraph is named before it can stall the build."""
    head = "---\ntitle: Lista\ndescription: Många länkar.\n---\n\nInledning.\n\n"
    links = ["[Kontakt](kontakt.md) &amp; *mer*" for _ in range(300)]  # [ & * *: 1,200 in all
    write(small, "sv/lista.md", head + " ".join(links + links) + "\n")
    code, output = check(runner, small)
    assert code == 1 and "Traceback" not in output
    assert "content/sv/lista.md:8: this paragraph has 2,400 markup characters" in output
    assert "split it into shorter paragraphs" in output

    # The same markup as two paragraphs and as the items of a list is fine.
    write(small, "sv/lista.md", head + " ".join(links) + "\n\n" + " ".join(links) + "\n\n"
          + "".join(f"- {link}\n" for link in links + links))
    result = runner.invoke(main, ["--project", str(small.root), "build", "--out",
                                  str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "sv" / "lista" / "index.html").read_text(
        encoding="utf-8").count('href="/sv/kontakt/"') >= 4 * 300


def test_list_lines_inside_a_paragraph_count_as_that_paragraph(runner: CliRunner, small: Project) -> None:
    """Without an empty line before them, "- " lines are text of the paragraph to Markdown, and
    cost as much: they are not let through as if each were a list item."""
    write(small, "sv/lista.md", "---\ntitle: Lista\ndescription: Många länkar.\n---\n\nText:\n"
          + "- [Kontakt](kontakt.md) och [hjälp](kontakt.md) och [mer](kontakt.md)\n" * 800)
    code, output = check(runner, small)
    assert code == 1 and "content/sv/lista.md:6: this paragraph has 2,400 markup characters" in output


@pytest.mark.parametrize(("body", "line", "message"), [
    # 2,000 & and 1,000 line breaks (two spaces at the end of a line)
    ("Svar & fråga & mer  \n" * 1000, 6, "this paragraph has 3,000 markup characters"),
    ("## Rubrik" + " {" * 5000 + "\n", 6, "this paragraph has 5,000 markup characters"),
    ("- a\n" * 20_001, 20_005, "the page has 20,003 lines of text; at most 20,000"),
    ("Text\n\n" + "## Rubrik\n" * 1001, 8, "more than 1,000 lines follow each other here"),
    ("## Rubrik_5\n\n" * 1001, 2006, "the page has more than 1,000 headings"),
    ("| a " * 600 + "|\n" + "|---" * 600 + "|\n", 6, "this line has 601 '|' characters; a table "
     "can have at most 500 columns"),
])
def test_text_that_would_stall_markdown_is_refused_with_its_line(
    runner: CliRunner, small: Project, body: str, line: int, message: str
) -> None:
    write(small, "sv/lang.md", "---\ntitle: Lång\ndescription: Lång sida.\n---\n\n" + body)
    code, output = check(runner, small)
    assert code == 1 and f"content/sv/lang.md:{line}: {message}" in output


def test_many_images_from_elsewhere_are_reported_twenty_at_a_time(runner: CliRunner, small: Project) -> None:
    """Each is named at its line up to twenty; the rest are counted (finding the line of every
    one of thousands took seconds each time the page was checked)."""
    body = "".join(f'Bild {n}: <img src="https://bilder.example/{n}.png" alt="">\n\n'
                   for n in range(30))
    write(small, "sv/bilder.md", "---\ntitle: Bilder\ndescription: Bilder.\n---\n\n" + body)
    code, output = check(runner, small)
    assert code == 1
    assert "content/sv/bilder.md:6: " in output and "content/sv/bilder.md:44: " in output
    assert "content/sv/bilder.md:46: " not in output
    assert "content/sv/bilder.md: and 10 more like these in this page" in output
