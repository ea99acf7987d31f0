"""The first screen and contact, from the built HTML: the contact model in the settings, the
contact box and routes on the start page, the contact page's details, numbers that are
tappable and isolated for right-to-left text, the chooser and the 404 page of each language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from conftest import ROOT
from test_nginx import assert_secure, request

from portal.load.settings import load_settings, require_settings
from portal.load.site import Project, load_site
from portal.publish.build import build

SETTINGS = yaml.safe_load((ROOT / "content" / "site.yml").read_text(encoding="utf-8"))
LANGS = [lang["code"] for lang in SETTINGS["languages"]]
# A number as a reader sees it: the national short numbers, and Swedish numbers (070-174 06 05).
NUMBER = re.compile(r"(?<![\w\-])(112|114\s14|1177|0\d{1,3}-\d{2,3}(?:\s\d{2,3}){1,3})(?![\w\-])")


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_file(built: Path, url: str) -> Path:
    return built / url.strip("/") / "index.html"


def isolated(tag: Tag) -> bool:
    """Whether the text sits in an element that keeps it left to right on its own."""
    return any(parent.get("dir") == "ltr" and parent.name in ("a", "bdi", "span")
               for parent in tag.parents if isinstance(parent, Tag))


# --- the contact model in the settings


def test_the_shipped_settings_describe_contact_honestly(real_project: Project) -> None:
    settings = require_settings(real_project.content, real_project.root)
    contact = settings.contact
    assert contact.cost == "mobile" and contact.voicemail == "09:00" and contact.reply_days == 1
    assert contact.anonymous and not contact.email_secure
    assert {"ar", "fa", "so", "ti"} <= set(contact.interpreters)
    assert settings.hours_table("sv", sms=True) == [("måndag–fredag", "08:00–18:00", "1 2 3 4 5")]
    assert settings.logo == "/static/images/ekbacka-logo.svg"
    assert settings.department["ar"] and set(settings.department) == set(LANGS)


def settings_problems(small: Project, extra: str) -> list[str]:
    path = small.content / "site.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  after_hours: 070-174 06 11\n",
                                 "  after_hours: 070-174 06 11\n" + extra), encoding="utf-8")
    settings, problems = load_settings(small.content, small.root)
    assert settings is None
    return [str(problem) for problem in problems]


@pytest.mark.parametrize(("extra", "expected"), [
    ("  cost: cheap\n", "contact.cost 'cheap' must be 'free'"),
    ("  voicemail: 9\n", "contact.voicemail 9 must be the quoted time"),
    ("  reply_days: soon\n", "contact.reply_days 'soon' must be a whole number"),
    ("  anonymous: maybe\n", "contact.anonymous 'maybe' must be true or false"),
    ("  interpreters: [ar, klingon-x]\n", "interpreter language 'klingon-x' is not a language"),
    ("  interpreters: ar\n", "contact.interpreters must be a list"),
    ("  sms_hours: [{days: someday, opens: '08:00', closes: '17:00'}]\n", "days 'someday'"),
    ("  fax: 08-123\n", "'contact.fax' is not a known setting"),
])
def test_bad_contact_settings_are_reported_with_their_line(small: Project, extra: str,
                                                          expected: str) -> None:
    problems = settings_problems(small, extra)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("tests/") is False and ":" in p for p in problems)
    line = next(p for p in problems if expected in p).split(":")[1]
    assert line.isdigit() and int(line) >= 17  # the line of the bad value, in site.yml


@pytest.mark.parametrize(("logo", "expected"), [
    ("images/missing.svg", "is not a file in static/"),
    ("../content/site.yml", "must be a file in static/ named by its path"),
    ("/etc/passwd.svg", "must be a file in static/ named by its path"),
    ("https://elsewhere.example/logo.svg", "must be a file in static/ named by its path"),
    ("css/portal.css", "must be an SVG or PNG file"),
])
def test_a_logo_must_be_a_local_svg_or_png_in_static(small: Project, logo: str,
                                                     expected: str) -> None:
    path = small.content / "site.yml"
    path.write_text(path.read_text(encoding="utf-8") + f"logo: {logo}\n", encoding="utf-8")
    settings, problems = load_settings(small.content, small.root)
    assert settings is None
    assert any(expected in str(p) and p.line for p in problems), problems


def test_a_logo_in_static_is_shown_in_the_header(small: Project) -> None:
    path = small.content / "site.yml"
    path.write_text(path.read_text(encoding="utf-8") + "logo: images/icon.svg\n", encoding="utf-8")
    out = small.root / "build"
    build(small, out)
    logo = parse(out / "sv" / "index.html").select_one(".portal-header__logo")
    assert logo is not None and re.fullmatch(r"/static/images/icon\.[0-9a-f]+\.svg", logo["src"])
    assert logo["alt"] == ""  # the municipality's name beside it says what it is


def test_free_calls_are_said_so_on_every_page(small: Project) -> None:
    settings_path = small.content / "site.yml"
    settings_path.write_text(settings_path.read_text(encoding="utf-8").replace(
        "  after_hours: 070-174 06 11\n", "  after_hours: 070-174 06 11\n  cost: free\n"),
        encoding="utf-8")
    out = small.root / "build"
    build(small, out)
    for path in (out / "sv" / "index.html", out / "en" / "index.html"):
        text = parse(path).get_text(" ")
        assert "costs what your plan" not in text and "kostar det som" not in text
    assert "so are calls and texts to us" in parse(out / "en" / "index.html").get_text(" ")


# --- the contact box and the start page


@pytest.mark.parametrize("lang", LANGS)
def test_the_start_page_opens_with_the_contact_box_then_heading_and_routes(built: Path,
                                                                          lang: str) -> None:
    soup = parse(built / lang / "index.html")
    box = soup.select_one("aside.portal-contact")
    main = soup.select_one("main")
    assert box is not None and main is not None
    # The box comes before the page's text, so it is high on a phone.
    assert str(soup).index("portal-contact__heading") < str(soup).index('id="main"')
    call = box.select_one("a.portal-contact__call")
    sms = box.select_one("a.portal-contact__sms")
    assert call["href"] == "tel:+46701740605" and sms["href"] == "sms:+46701740606"
    assert call.select_one("bdi[dir=ltr].portal-tel").get_text() == "070-174 06 05"
    hours = box.select("table.portal-hours tr[data-days]")
    assert [row["data-days"] for row in hours] == ["1 2 3 4", "5"]
    assert box.select_one("table.portal-hours caption").get_text(strip=True)
    closed = box.select_one(".portal-contact__closed")
    assert {a["href"] for a in closed.select("a")} == {"tel:+46701740610", "tel:112"}
    h1 = main.select_one("h1")
    site, _ = load_site(Project(ROOT))
    assert site is not None
    assert h1.get_text() == site.start(lang).title != SETTINGS["programme"][lang]
    routes = [a["href"] for a in main.select(".portal-routes a")]
    assert routes == [site.page(lang, name).url for name in
                      ("vill-du-lamna", "for-anhoriga", "for-yrkesverksamma")]
    # The cards come right after the heading, before the page's text.
    assert h1.find_next_sibling().get("class") == ["portal-routes"]


def test_other_pages_show_the_call_buttons_in_a_compact_box(built: Path) -> None:
    box = parse(built / "ar" / "contact" / "index.html").select_one("aside.portal-contact")
    assert "portal-contact--compact" in box["class"]
    assert box.select_one('a[href="tel:+46701740605"]')


@pytest.mark.parametrize("lang", LANGS)
def test_the_contact_page_describes_every_channel_from_the_settings(built: Path,
                                                                   lang: str) -> None:
    site, _ = load_site(Project(ROOT))
    assert site is not None
    soup = parse(page_file(built, site.page(lang, "kontakt").url))
    details = soup.select_one(".portal-prose dl.portal-contact-details")
    assert details is not None and "{{" not in soup.get_text()
    assert details.select_one('a[href="tel:+46701740605"][dir=ltr]')
    assert details.select_one('a[href="sms:+46701740606"][dir=ltr]')
    assert len(details.select("table.portal-hours")) == 2  # the phone's and the texts' hours
    text = details.get_text(" ")
    assert "09:00" in text or "۰۹:۰۰" in text or "٠٩:٠٠" in text  # the answering machine
    assert "@" in text and len(details.find_all("dt")) == 6


def test_the_interpreters_languages_are_named_in_the_readers_language(built: Path) -> None:
    sv = parse(built / "sv" / "kontakt" / "index.html").select_one(".portal-contact-details")
    en = parse(built / "en" / "contact" / "index.html").select_one(".portal-contact-details")
    assert "tigrinja" in sv.get_text() and "Tigrinya" in en.get_text()


def test_the_footer_says_what_contact_costs_and_marks_the_emergency_line_as_a_heading(
        built: Path) -> None:
    footer = parse(built / "en" / "index.html").select_one("footer")
    heading = footer.select_one(".portal-footer__emergency h2")
    assert heading is not None and heading.select_one('a[href="tel:112"]')
    assert "costs what your plan charges" in footer.get_text(" ")
    assert "not a secure way" in footer.get_text(" ")
    assert "Ekbacka Municipality" in footer.get_text() and "Social Services" in footer.get_text()


def test_the_quick_exit_bar_is_a_named_region(built: Path) -> None:
    for path in (built / "index.html", built / "sv" / "index.html", built / "ar" / "404.html"):
        bar = parse(path).select_one(".portal-exit-bar")
        assert bar["role"] == "region" and bar["aria-label"]


def test_the_header_names_the_municipality_department_and_programme(built: Path) -> None:
    name = parse(built / "fi" / "index.html").select_one(".portal-header__name")
    assert name.select_one("img.portal-header__logo")["src"].startswith("/static/images/ekbacka-logo.")
    assert "Ekbackan kunta" in name.get_text() and "Sosiaalipalvelut" in name.get_text()
    assert SETTINGS["programme"]["fi"] in name.get_text()


def test_sharing_tools_come_after_the_footer(built: Path) -> None:
    html = (built / "sv" / "kontakt" / "index.html").read_text(encoding="utf-8")
    assert html.index("</footer>") < html.index('class="portal-share"')


# --- numbers


def test_every_number_a_reader_sees_is_isolated_for_right_to_left_text(built: Path) -> None:
    """Pages, placeholders, the contact box, the footer, interface strings, tables, the chooser
    and the 404 pages: every phone number sits in a left-to-right element of its own."""
    checked = 0
    for path in built.rglob("*.html"):
        soup = parse(path)
        for element in soup.find_all(["script", "style", "head"]):
            element.decompose()
        for text in soup.find_all(string=NUMBER):
            for match in NUMBER.finditer(str(text)):
                checked += 1
                assert isolated(text.parent) or text.parent.get("dir") == "ltr", \
                    f"{path.relative_to(built)}: {match.group()!r} in {text.parent}"
    assert checked > 1000


def test_every_number_outside_the_poster_can_be_tapped(built: Path) -> None:
    for path in [*built.glob("*/index.html"), built / "index.html", built / "ar" / "404.html",
                 built / "sv" / "kontakt" / "index.html", built / "en" / "for-professionals" / "index.html"]:
        soup = parse(path)
        # (the route cards are links to pages: their numbers are only kept in order)
        for element in soup.select("script, style, head, .portal-routes"):
            element.decompose()
        for text in soup.find_all(string=NUMBER):
            link = text.find_parent("a")
            assert link is not None and link["href"].startswith(("tel:", "sms:")), \
                f"{path.relative_to(built)}: {text!r}"


def test_numbers_in_tables_are_tappable(built: Path) -> None:
    table = parse(built / "sv" / "for-yrkesverksamma" / "index.html").select_one(".portal-prose table")
    links = table.select('a[href^="tel:"]')
    assert {a["href"] for a in links} >= {"tel:112", "tel:+46701740605"}
    assert all(a["dir"] == "ltr" for a in links)


# --- the chooser, the 404 pages


def test_the_chooser_gives_contact_and_emergency_in_every_language(built: Path) -> None:
    soup = parse(built / "index.html")
    h1 = soup.select_one("h1")
    assert [span["lang"] for span in h1.select("span[lang]")] == LANGS
    assert SETTINGS["programme"]["sv"] not in h1.get_text()  # the header already says it
    items = soup.select(".portal-chooser__item")
    assert [item["lang"] for item in items] == LANGS
    for item in items:
        hrefs = {a["href"] for a in item.select(".portal-contact-line a")}
        assert hrefs == {"tel:+46701740605", "sms:+46701740606", "tel:112"}, item["lang"]
    texts = {item.select_one(".portal-contact-line").get_text(" ", strip=True) for item in items}
    assert len(texts) == len(LANGS)  # each in its own language


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_its_own_404_page_with_search_and_contact(built: Path, lang: str) -> None:
    soup = parse(built / lang / "404.html")
    assert soup.html["lang"] == lang
    assert soup.html["dir"] == next(x["dir"] for x in SETTINGS["languages"] if x["code"] == lang)
    actions = {a["href"] for a in soup.select(".portal-not-found__actions a")}
    assert actions == {f"/{lang}/", f"/{lang}/search/"}
    assert soup.select_one('aside.portal-contact a[href="tel:+46701740605"]')
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    others = {a["href"] for a in soup.select(".portal-chooser__link")}
    assert others == {f"/{code}/" for code in LANGS if code != lang}


def test_static_hosts_serve_the_404_page_of_the_address_language(built: Path) -> None:
    rules = (built / "_redirects").read_text(encoding="utf-8").splitlines()
    for lang in LANGS:
        assert f"/{lang}/*  /{lang}/404.html  404" in rules


@pytest.mark.parametrize("lang", ["ar", "fi"])
def test_nginx_serves_the_404_page_of_the_address_language(nginx: str, lang: str) -> None:
    status, headers, body = request(nginx, f"/{lang}/no-such-page/")
    assert status == 404
    assert f'<html lang="{lang}"'.encode() in body
    assert_secure(headers)
    status, _, body = request(nginx, "/no-such-language/")
    assert status == 404 and b'<html lang="sv"' in body and body.count(b"portal-contact-line") == len(LANGS)


# --- the routes field


def test_routes_to_a_missing_page_are_reported(small: Project) -> None:
    index = small.content / "sv" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "title:", "routes: [kontakt, finns-inte]\ntitle:", 1), encoding="utf-8")
    _site, problems = load_site(small)
    assert any("routes names 'finns-inte'" in str(p) and str(p).startswith(
        "content/sv/index.md:2:") for p in problems), problems


def test_routes_belong_on_a_start_page_only(small: Project) -> None:
    page = small.content / "sv" / "kontakt.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "title:", "routes: [index]\ntitle:", 1), encoding="utf-8")
    _, problems = load_site(small)
    assert any("only a start page (index.md) shows routes" in str(p) for p in problems), problems


# --- the poster, and weight


def test_the_poster_leads_with_the_headline_and_the_phone_number(built: Path) -> None:
    soup = parse(built / "ar" / "poster" / "index.html")
    sheet = soup.select_one(".portal-poster__sheet")
    order = [child.get("class", [""])[0] for child in sheet.find_all(recursive=False)]
    assert order.index("portal-poster__title") < order.index("portal-poster__number")
    assert sheet.select_one(".portal-poster__number bdi[dir=ltr]").get_text() == "070-174 06 05"
    assert sheet.select_one("img.portal-poster__logo")


def test_every_page_with_all_its_scripts_and_css_stays_under_30_kb_compressed(built: Path) -> None:
    import gzip

    def size(path: Path) -> int:
        gz = Path(str(path) + ".gz")
        return gz.stat().st_size if gz.exists() else len(gzip.compress(path.read_bytes()))

    for path in [built / "index.html", built / "404.html", *built.glob("*/404.html"),
                 *built.glob("*/index.html"), built / "sv" / "kontakt" / "index.html"]:
        html = path.read_text(encoding="utf-8")
        assets = re.findall(r'(?:href|src)="(/static/(?:css|js)/[^"]+)"', html)
        total = size(path) + sum(size(built / a.lstrip("/")) for a in assets)
        assert any(a.endswith(".css") for a in assets) and any("early" in a for a in assets)
        assert total < 30_000, (path, total)


@pytest.mark.parametrize("lang", LANGS)
def test_the_numbers_table_has_a_caption_from_its_table_line(built: Path, lang: str) -> None:
    site, _ = load_site(Project(ROOT))
    assert site is not None
    soup = parse(page_file(built, site.page(lang, "kontakt").url))
    table = soup.select_one(".portal-prose__table > table")
    caption = table.find("caption") if table else None
    assert caption is not None and caption.get_text(strip=True)
    assert "Table:" not in soup.get_text()
    assert table.select('a[href="tel:112"]')  # the numbers in it can be tapped


def test_the_contact_block_inside_a_sentence_is_reported(small: Project) -> None:
    page = small.content / "sv" / "kontakt.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nRing oss: {{ contact }} när du vill.\n",
                    encoding="utf-8")
    _, problems = load_site(small)
    assert any("'{{ contact }}' stands for a whole block: write it alone on its line" in str(p)
               and str(p).startswith("content/sv/kontakt.md:") for p in problems), problems


def test_the_contact_block_works_in_any_page_from_the_settings(small: Project) -> None:
    page = small.content / "en" / "kontakt.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n{{ contact }}\n", encoding="utf-8")
    out = small.root / "build"
    build(small, out)
    site, _ = load_site(small)
    assert site is not None
    soup = parse(page_file(out, site.page("en", "kontakt").url))
    details = soup.select_one(".portal-prose dl.portal-contact-details")
    assert details.select_one('a[href="tel:+46701740607"]')  # the small site's own number
    assert "answering machine" not in details.get_text()  # no voicemail setting: no promise
    assert "Interpreters" not in details.get_text() and not soup.select(".portal-contact-slot")
