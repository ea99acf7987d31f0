"""Glossaries, the native-speaker review note, and times and dates as each language writes them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import parse

from portal.commands.cli import main
from portal.load.site import Project, load_site
from portal.render.bodies import bodies

GLOSSARY_SV = """\
- sv: socialjouren
  term: socialjouren
  explain: Socialtjänsten på kvällar och helger.
- sv: orosanmälan
  term: orosanmälan
  explain: En anmälan om oro för ett barn.
"""
GLOSSARY_EN = """\
- sv: socialjouren
  term: out-of-hours social services
  explain: Social services in the evenings and at weekends.
  avoid: [social emergency service]
"""


def test_glossary_placeholder_lists_each_term_with_the_swedish_word_marked(small: Project) -> None:
    (small.content / "sv" / "glossary.yml").write_text(GLOSSARY_SV, encoding="utf-8")
    (small.content / "en" / "glossary.yml").write_text(GLOSSARY_EN, encoding="utf-8")
    (small.content / "en" / "ord.md").write_text(
        "---\ntitle: Words\ndescription: Words.\n---\n\nThe words:\n\n{{ glossary }}\n", encoding="utf-8")
    site, problems = load_site(small)
    assert site is not None, problems
    from bs4 import BeautifulSoup

    html = BeautifulSoup(bodies(site).html(site.page("en", "ord")), "html.parser")  # type: ignore[arg-type]
    glossary = html.select_one("dl.portal-glossary")
    assert glossary is not None and glossary.parent.name != "p"  # a block, not inside a paragraph
    assert glossary.select_one("dt").get_text() == "out-of-hours social services (socialjouren)"
    assert glossary.select_one("dt span")["lang"] == "sv"
    assert glossary.select_one("dd").get_text() == "Social services in the evenings and at weekends."
    # the English glossary lacks a term the Swedish one has
    assert any(p.path == "content/en/glossary.yml" and "orosanmälan" in p.message for p in problems)


def test_a_wording_the_glossary_avoids_is_reported_with_its_line(small: Project) -> None:
    (small.content / "en" / "glossary.yml").write_text(GLOSSARY_EN, encoding="utf-8")
    (small.content / "en" / "ord.md").write_text(
        "---\ntitle: Words\ndescription: Words.\n---\n\nCall the Social Emergency Service.\n",
        encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(small.root), "check"])
    assert ("content/en/ord.md:6: warning: 'Social Emergency Service' is a wording the glossary "
            "says to avoid: write 'out-of-hours social services'") in result.output


def test_a_broken_glossary_is_an_error_with_its_line(small: Project) -> None:
    (small.content / "en" / "glossary.yml").write_text("- sv: x\n  term: [a]\n  explain: y\n",
                                                         encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(small.root), "check"])
    assert result.exit_code == 1 and "content/en/glossary.yml:2: 'term' must be text" in result.output


def test_translations_say_whether_a_native_speaker_checked_them(small: Project) -> None:
    page = small.content / "en" / "kontakt.md"
    client = __import__("portal").create_app(small).test_client()
    note = parse_html(client.get("/en/contact/").get_data(as_text=True)).select_one(".portal-page__review")
    assert note is not None and "has not checked" in note.text and "Swedish" in note.text
    swedish = parse_html(client.get("/sv/kontakt/").get_data(as_text=True))
    assert swedish.select_one(".portal-page__review") is None
    page.write_text(page.read_text(encoding="utf-8").replace("---\n\n", "reviewed: 2026-12-01\n---\n\n", 1),
                    encoding="utf-8")
    client = __import__("portal").create_app(small).test_client()
    note = parse_html(client.get("/en/contact/").get_data(as_text=True)).select_one(".portal-page__review")
    assert note is not None and "December 1, 2026" in note.text  # the fixture has no en_GB locale
    status = CliRunner().invoke(main, ["--project", str(small.root), "translations", "status"])
    assert "ok+r" in status.output or "unmarked+r" in status.output
    assert "en 1/" in status.output


def parse_html(text: str):  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    return BeautifulSoup(text, "html.parser")


def test_opening_hours_use_the_24_hour_clock_in_every_language(built: Path) -> None:
    for lang in ("sv", "en", "ar", "fa", "so", "fi"):
        footer = parse(built / lang / "index.html").select_one(".portal-footer")
        hours = next(dd.get_text(" ") for dd in footer.select("dd") if "08:00" in dd.get_text())
        assert "17:00" in hours, lang
        words = set(hours.replace("–", " ").split())
        assert not words & {"AM", "PM", "GH", "GD", "ص", "م", "ق.ظ.", "ب.ظ."}, (lang, hours)


def test_english_dates_are_british(built: Path) -> None:
    updated = parse(built / "en" / "contact" / "index.html").select_one(".portal-page__updated")
    assert updated is not None and updated.text.split(" ", 1)[1][0].isdigit()  # "4 December 2026"
