"""The shipped content, built for real and read back as a visitor's browser would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from conftest import file_for, html_files, parse

from portal.load.site import Project, load_site

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
              "x": "http://www.w3.org/1999/xhtml"}
# What the shipped content holds, read from content/ (site.yml and the pages), so that a
# municipality that edits its content keeps these tests meaningful.
_SITE, _ = load_site(Project(Path(__file__).resolve().parent.parent))
assert _SITE is not None
LANGS = _SITE.settings.codes
DEFAULT = _SITE.settings.default_language
PAGES = tuple(p.name for p in _SITE.pages(DEFAULT) if not p.easy_read)
EASY_READ = tuple(p.name for p in _SITE.pages(DEFAULT) if p.easy_read)  # the default language only


def content_pages(built: Path) -> list[Path]:
    """The built pages of content: not the chooser, 404 pages, search pages or posters."""
    return [p for p in html_files(built) if p.parent != built and p.name != "404.html"
            and not {"static", "search", "poster"} & set(p.relative_to(built).parts)]


def test_every_page_is_built_in_all_six_languages(real_project: Project, built: Path) -> None:
    site, problems = load_site(real_project)
    assert site is not None, problems
    for lang in LANGS:
        names = {page.name for page in site.pages(lang)}
        assert names == set(PAGES) | (set(EASY_READ) if lang == DEFAULT else set()), lang
        for page in site.pages(lang):
            assert file_for(built, page.url).is_file()
            assert file_for(built, page.url + "poster/").is_file()
            assert file_for(built, page.url + "qr.svg").is_file()
    assert len(content_pages(built)) == len(LANGS) * len(PAGES) + len(EASY_READ)


def test_every_page_declares_its_language_and_direction(built: Path) -> None:
    rtl = {"ar", "fa"}
    for path in content_pages(built):
        lang = path.relative_to(built).parts[0]
        html = parse(path).html
        assert html["lang"] == lang, path
        assert html["dir"] == ("rtl" if lang in rtl else "ltr"), path


def test_interface_text_is_in_the_page_language(built: Path) -> None:
    # flask-babel caches the locale across frozen pages unless it is refreshed per request.
    expected = {"sv": "Hoppa till huvudinnehållet", "en": "Skip to main content"}
    seen = {}
    for lang in LANGS:
        for name in ("", "kontakt/", "contact/"):
            path = built / lang / name / "index.html"
            if path.is_file():
                seen.setdefault(lang, set()).add(parse(path).select_one(".portal-skip-link").text)
    assert seen["sv"] == {expected["sv"]} and seen["en"] == {expected["en"]}
    assert all(len(texts) == 1 for texts in seen.values())
    assert len({next(iter(t)) for t in seen.values()}) == len(LANGS)  # six different texts
    arabic = parse(built / "ar" / "index.html")
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic.select_one(".portal-footer h2").text)


def test_hreflang_alternates_are_reciprocal_and_include_x_default(built: Path) -> None:
    alternates: dict[str, dict[str, str]] = {}
    for path in content_pages(built):
        soup = parse(path)
        canonical = soup.find("link", rel="canonical")["href"]
        links = {link["hreflang"]: link["href"]
                 for link in soup.find_all("link", rel="alternate", hreflang=True)}
        assert "x-default" in links, path
        assert links[path.relative_to(built).parts[0]] == canonical, path
        alternates[canonical] = links
    for canonical, links in alternates.items():
        for lang, href in links.items():
            if lang == "x-default":
                continue
            assert alternates[href] == links, (canonical, href)


def test_sitemap_lists_exactly_the_canonical_urls_with_alternates(built: Path) -> None:
    tree = ET.parse(built / "sitemap.xml")
    entries = tree.findall("s:url", SITEMAP_NS)
    locs = {e.find("s:loc", SITEMAP_NS).text for e in entries}
    canonicals = {parse(p).find("link", rel="canonical")["href"] for p in content_pages(built)}
    assert locs == canonicals
    for entry in entries:
        loc = entry.find("s:loc", SITEMAP_NS).text
        page = parse(file_for(built, urlsplit(loc).path))
        in_page = {link["hreflang"]: link["href"]
                   for link in page.find_all("link", rel="alternate", hreflang=True)
                   if link["hreflang"] != "x-default"}
        in_map = {x.get("hreflang"): x.get("href") for x in entry.findall("x:link", SITEMAP_NS)}
        assert in_map == in_page, loc
    robots = (built / "robots.txt").read_text()
    assert "Sitemap: https://avhopp.ekbacka.example/sitemap.xml" in robots


def test_every_internal_link_and_asset_resolves_to_a_built_file(built: Path) -> None:
    for path in html_files(built):
        url = "/" + path.relative_to(built).as_posix().removesuffix("index.html")
        soup = parse(path)
        refs = [a["href"] for a in soup.find_all(["a", "link"], href=True)]
        refs += [el["src"] for el in soup.find_all(src=True)]
        for ref in refs:
            target = urlsplit(urljoin(url, ref))
            if target.scheme or target.netloc:
                continue
            assert file_for(built, target.path).is_file(), (path, ref)
            if target.fragment:
                page = parse(file_for(built, target.path))
                assert page.find(id=target.fragment), (path, ref)


def test_language_switcher_leads_to_the_same_page_in_each_language(built: Path) -> None:
    for path in content_pages(built):
        soup = parse(path)
        canonical = soup.find("link", rel="canonical")["href"]
        alternates = {link["hreflang"]: urlsplit(link["href"]).path
                      for link in soup.find_all("link", rel="alternate", hreflang=True)}
        switcher = soup.select(".portal-languages__link")
        assert [a["lang"] for a in switcher] == list(LANGS)
        for link in switcher:
            assert file_for(built, link["href"]).is_file(), (path, link["href"])
            if link["lang"] in alternates:
                assert link["href"] == alternates[link["lang"]], (canonical, link["lang"])
            else:  # not translated (the Swedish easy-to-read pages): that language's start page
                assert link["href"] == f"/{link['lang']}/" and link.select_one(".portal-languages__note")


def test_nav_lists_the_language_s_pages_and_marks_the_current_one(built: Path) -> None:
    for lang in LANGS:
        start = parse(built / lang / "index.html")
        nav = start.select(".portal-nav__link")
        assert len(nav) == len(_SITE.nav(lang)) + 1  # the pages with an order, then search
        assert nav[-1]["href"] == f"/{lang}/search/"
        assert all(a["href"].startswith(f"/{lang}/") for a in nav)
        current = [a for a in nav if a.get("aria-current") == "page"]
        assert [a["href"] for a in current] == [f"/{lang}/"]


def test_every_page_has_description_open_graph_skip_link_and_emergency_number(built: Path) -> None:
    for path in content_pages(built):
        soup = parse(path)
        description = soup.find("meta", attrs={"name": "description"})["content"]
        assert 20 <= len(description) <= 160, path
        og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
        assert og["og:title"] and og["og:description"] == description
        assert og["og:url"] == soup.find("link", rel="canonical")["href"]
        skip = soup.select_one("a.portal-skip-link")
        assert skip["href"] == "#main" and soup.find(id="main").name == "main"
        assert soup.select_one('.portal-footer a[href="tel:112"]'), path
        assert len(soup.find_all("h1")) == 1, path


def test_root_is_a_language_chooser_with_every_language_by_its_own_name(built: Path) -> None:
    soup = parse(built / "index.html")
    items = soup.select(".portal-chooser__item")
    names = {item["lang"]: item.select_one(".portal-chooser__name").text for item in items}
    assert names == {lang.code: lang.name for lang in _SITE.settings.languages}
    assert {a["href"] for a in soup.select(".portal-chooser__link")} == {f"/{c}/" for c in LANGS}
    assert {link["hreflang"] for link in soup.find_all("link", rel="alternate")} == {*LANGS, "x-default"}
    assert not soup.select("main img")  # no flags
    exit_labels = {s["lang"]: s.text for s in soup.select(".js-portal-exit-button span[lang]")}
    assert list(exit_labels) == list(LANGS) and exit_labels["sv"] == "Lämna sidan"
    assert [s["src"].split("/")[-1].split(".")[0] for s in soup.find_all("script", src=True)] == [
        "early", "portal"]
    assert [s["type"] for s in soup.find_all("script", src=False)] == ["application/ld+json"]


def test_easy_to_read_pages_are_marked_and_linked_from_the_swedish_start_page(built: Path) -> None:
    start = parse(built / "sv" / "index.html")
    linked = {a["href"] for a in start.select(".portal-prose a")}
    for name in EASY_READ:
        assert f"/sv/{name}/" in linked
        page = parse(built / "sv" / name / "index.html")
        assert page.select_one(".portal-tag").text == "Lättläst"
    nav = {a["href"] for a in start.select(".portal-nav__link")}
    assert not any("lattlast" in href for href in nav)


def test_every_page_has_a_qr_code_and_a_printable_poster_in_its_language(built: Path) -> None:
    poster = parse(built / "ar" / "contact" / "poster" / "index.html")
    assert poster.html["lang"] == "ar" and poster.html["dir"] == "rtl"
    assert poster.find("svg", class_="portal-qr")
    assert "avhopp.ekbacka.example/ar/contact/" in poster.text  # short: no https://
    assert poster.select_one('meta[name="robots"]')["content"] == "noindex"
    svg = (built / "ar" / "contact" / "qr.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg and "href" not in svg  # self-contained
    share = parse(built / "ar" / "contact" / "index.html").select_one(".portal-share")
    assert share.select_one("input")["value"] == "https://avhopp.ekbacka.example/ar/contact/"
    assert {a["href"] for a in share.select("a")} == {"/ar/contact/qr.svg", "/ar/contact/poster/"}


def test_link_previews_have_open_graph_and_twitter_image(built: Path) -> None:
    soup = parse(built / "fi" / "index.html")
    image = soup.find("meta", property="og:image")["content"]
    assert image.startswith("https://avhopp.ekbacka.example/static/images/share.")
    assert file_for(built, urlsplit(image).path).is_file()
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    assert soup.find("meta", attrs={"name": "twitter:image"})["content"] == image


def test_search_page_lists_every_page_of_its_language_without_javascript(built: Path) -> None:
    soup = parse(built / "so" / "search" / "index.html")
    listed = {a["href"] for a in soup.select(".portal-search__pages a:not(.portal-tel)")}
    assert listed == {urlsplit(parse(p).find("link", rel="canonical")["href"]).path
                      for p in content_pages(built) if p.relative_to(built).parts[0] == "so"}


def test_a_page_with_its_css_stays_under_30_kb_compressed(built: Path) -> None:
    css = next((built / "static" / "css").glob("portal.*.css.gz")).stat().st_size
    js = next((built / "static" / "js").glob("portal.*.js.gz")).stat().st_size
    for path in content_pages(built):
        page = Path(str(path) + ".gz").stat().st_size
        assert page + css + js < 30_000, path


def test_404_page_offers_every_start_page(built: Path) -> None:
    soup = parse(built / "404.html")
    assert {a["href"] for a in soup.select(".portal-chooser__link")} == {f"/{c}/" for c in LANGS}
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_phone_numbers_and_arabic_heading_ids_survive_right_to_left(built: Path) -> None:
    soup = parse(built / "ar" / "index.html")
    phones = soup.select('a[href^="tel:+46"]')
    assert phones and all(a.get("dir") == "ltr" or a.select_one("bdi[dir=ltr]") for a in phones)
    ids = [h["id"] for h in soup.select(".portal-prose h2[id]")]
    assert ids and all(any("\u0600" <= ch <= "\u06ff" for ch in i) for i in ids)


def test_chooser_and_search_pages_have_link_previews_and_alternates(built: Path) -> None:
    for path in (built / "index.html", built / "ar" / "search" / "index.html"):
        soup = parse(path)
        assert soup.find("meta", property="og:image")["content"].endswith(".png")
        assert soup.find("meta", attrs={"name": "twitter:card"})
        assert soup.find("meta", attrs={"name": "description"})["content"]
        assert soup.find("link", rel="canonical")["href"].startswith("https://avhopp.ekbacka.example/")
    search = parse(built / "ar" / "search" / "index.html")
    assert {link["hreflang"] for link in search.find_all("link", rel="alternate", hreflang=True)} == {
        *LANGS, "x-default"}


def test_persian_heading_ids_keep_the_zero_width_non_joiner(built: Path) -> None:
    ids = [h["id"] for page in (built / "fa").rglob("index.html")
           for h in parse(page).select(".portal-prose [id]")]
    assert any("\u200c" in i for i in ids)


def test_the_footer_has_the_visiting_address_in_every_language(built: Path) -> None:
    for lang in LANGS:
        footer = parse(built / lang / "index.html").select_one(".portal-footer")
        assert "Storgatan 12, 123 45 Ekbacka" in footer.text
        marked = footer.find("span", lang="sv")
        assert (marked is None) == (lang == "sv")  # Swedish text is marked as such elsewhere


def test_the_portal_command_runs_as_a_module_and_as_a_script(real_project: Project,
                                                             tmp_path: Path) -> None:
    import subprocess
    import sys

    for command in ([sys.executable, "-m", "portal"], [str(Path(sys.executable).with_name("portal"))]):
        result = subprocess.run([*command, "--project", str(real_project.root), "check"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "No problems found." in result.stderr + result.stdout
