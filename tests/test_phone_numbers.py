"""Phone numbers written in a page are tappable, kept in order in RTL text, and unbroken."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from conftest import parse

from portal.load.site import Project, load_site
from portal.render.bodies import bodies


def body(small: Project, text: str, lang: str = "sv") -> BeautifulSoup:
    (small.content / lang / "nummer.md").write_text(
        f"---\ntitle: Nummer\ndescription: Nummer.\nslug: nummer\n---\n\n{text}\n", encoding="utf-8")
    site, problems = load_site(small)
    assert site is not None, problems
    return BeautifulSoup(bodies(site).html(site.page(lang, "nummer")), "html.parser")  # type: ignore[arg-type]


def test_national_and_swedish_numbers_written_by_hand_become_call_links(small: Project) -> None:
    html = body(small, "Ring **112**, polisen på 114 14, vården på 1177 eller oss på 070-174 06 09.")
    links = {a.text: a["href"] for a in html.select("a.portal-tel")}
    assert links == {"112": "tel:112", "114 14": "tel:11414", "1177": "tel:1177",
                     "070-174 06 09": "tel:+46701740609"}
    assert all(a["dir"] == "ltr" for a in html.select("a.portal-tel"))


def test_numbers_in_code_links_dates_and_other_numbers_stay_as_written(small: Project) -> None:
    html = body(small, "Se `112` och [1177](https://www.1177.se/). År 2112, 11 200 kr, "
                       "2026-12-04 och klockan 11:12.")
    assert [a["href"] for a in html.select("a")] == ["https://www.1177.se/"]


def test_the_placeholder_numbers_are_links_once_not_twice(small: Project) -> None:
    html = body(small, "Ring {{ phone }} eller 112.")
    assert [a.text for a in html.select("a")] == ["070-174 06 07", "112"]
    assert not html.select("a a")


def test_numbers_in_right_to_left_pages_are_isolated_links(built: Path) -> None:
    arabic = parse(built / "ar" / "contact" / "index.html").select(".portal-prose a.portal-tel")
    assert {a["href"] for a in arabic} >= {"tel:112", "tel:11414", "tel:1177"}
    assert all(a["dir"] == "ltr" for a in arabic)
