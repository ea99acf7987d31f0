"""Behaviour on a small fixture site: missing translations, drafts, links, sanitising."""

from __future__ import annotations

from pathlib import Path

from conftest import file_for, parse

from portal.load.site import Project


def test_switcher_leads_to_start_page_with_a_note_when_a_page_is_not_translated(
    small_built: Path,
) -> None:
    soup = parse(small_built / "sv" / "bara-svenska" / "index.html")
    links = {a["lang"]: a for a in soup.select(".portal-languages__link")}
    assert links["en"]["href"] == "/en/" and links["ar"]["href"] == "/ar/"
    note = links["ar"].select_one(".portal-languages__note")
    assert note is not None and any("\u0600" <= ch <= "\u06ff" for ch in note.text)
    assert "home page" in links["en"].select_one(".portal-languages__note").text
    assert links["sv"].get("aria-current") == "true" and not links["sv"].select("span")
    hreflangs = {link["hreflang"] for link in soup.find_all("link", rel="alternate", hreflang=True)}
    assert hreflangs == {"sv", "x-default"}


def test_translated_page_links_to_its_translations_with_their_own_slugs(small_built: Path) -> None:
    soup = parse(small_built / "sv" / "kontakt" / "index.html")
    links = {a["lang"]: a["href"] for a in soup.select(".portal-languages__link")}
    assert links == {"sv": "/sv/kontakt/", "en": "/en/contact/", "ar": "/ar/contact/"}


def test_links_between_pages_are_written_by_file_name_and_become_urls(small_built: Path) -> None:
    sv = parse(small_built / "sv" / "index.html")
    en = parse(small_built / "en" / "index.html")
    assert sv.select_one(".portal-prose a")["href"] == "/sv/kontakt/"
    assert en.select_one(".portal-prose a")["href"] == "/en/contact/"
    back = parse(small_built / "sv" / "kontakt" / "index.html").select(".portal-prose a")
    assert "/sv/" in [a["href"] for a in back]


def test_placeholders_become_contact_links_and_local_opening_hours(small_built: Path) -> None:
    sv = parse(small_built / "sv" / "index.html").select_one(".portal-prose")
    assert sv.select_one('a[href="tel:+46701740607"]').text == "070-174 06 07"
    assert sv.select_one('a[href="sms:+46701740608"]')
    assert "måndag–fredag 09:00–16:00" in sv.text
    contact = parse(small_built / "sv" / "kontakt" / "index.html")
    assert contact.select_one('.portal-prose a[href="mailto:test@ekbacka.example"]')
    assert "Storgatan 12" in contact.select_one(".portal-prose").text


def test_tables_attribute_lists_and_unicode_heading_ids(small_built: Path) -> None:
    sv = parse(small_built / "sv" / "kontakt" / "index.html")
    assert sv.select_one(".portal-prose table th").text == "Vad"
    assert sv.find("h3", id="besok")
    assert sv.find("h2", id="tider-och-platser")
    ar = parse(small_built / "ar" / "index.html")
    assert ar.find("h2", id="اتصل-بنا")


def test_drafts_are_never_built_but_shown_in_the_preview(small: Project, small_built: Path) -> None:
    from portal import create_app

    assert not (small_built / "sv" / "utkast").exists()
    nav = parse(small_built / "sv" / "index.html").select(".portal-nav__link")
    assert "/sv/utkast/" not in [a["href"] for a in nav]
    preview = create_app(small, drafts=True).test_client().get("/sv/utkast/")
    assert preview.status_code == 200
    assert "portal-draft" in preview.get_data(as_text=True)


def test_raw_html_in_content_is_sanitised(small: Project) -> None:
    from portal.publish.build import build

    (small.content / "sv" / "farlig.md").write_text(
        "---\ntitle: Farlig\ndescription: Försöker köra skript.\n---\n\n"
        "<script>alert('x')</script>\n\n"
        '<p onclick="steal()">Klicka</p> <img src="/static/images/icon.svg" onerror="steal()" alt="bild">\n\n'
        '<a href="javascript:steal()">länk</a> <iframe src="https://example.com/"></iframe>\n\n'
        '<style>body{display:none}</style>\n',
        encoding="utf-8",
    )
    out = small.root / "out"
    build(small, out)
    html = file_for(out, "/sv/farlig/").read_text(encoding="utf-8")
    prose = parse(file_for(out, "/sv/farlig/")).select_one(".portal-prose")
    assert "alert(" not in html and "<script>" not in html
    scripts = parse(file_for(out, "/sv/farlig/")).find_all("script")
    # only the portal's own script files, and the page's structured data (never run)
    assert sorted(s.get("src", "")[:17] or s["type"] for s in scripts) == [
        "/static/js/early.", "/static/js/portal", "application/ld+json"]
    assert "onclick" not in html and "onerror" not in html and "javascript:" not in html
    assert not prose.find(["iframe", "style", "script"])
    assert prose.find("p").text == "Klicka"
    assert prose.find("img")["alt"] == "bild"


def test_preview_serves_the_same_pages_and_a_404_page(small: Project) -> None:
    from portal import create_app

    client = create_app(small).test_client()
    assert client.get("/ar/contact/").status_code == 200
    missing = client.get("/ar/no-such-page/")
    assert missing.status_code == 404
    assert "portal-chooser__link" in missing.get_data(as_text=True)
    assert client.get("/xx/").status_code == 404
