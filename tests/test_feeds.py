"""A feed of updated pages per language: Atom (RFC 4287), linked from every page's head."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

from conftest import file_for, parse
from test_api import LANGS, load
from test_built_site import content_pages
from test_nginx import request

from portal.load.site import Project
from portal.publish.build import build

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed(out: Path, code: str) -> ET.Element:
    root = ET.parse(out / code / "feed.xml").getroot()
    assert root.tag == f"{A}feed"
    return root


def text(element: ET.Element, tag: str) -> str:
    found = element.find(A + tag)
    assert found is not None and found.text, tag
    return found.text


def test_every_feed_has_what_rfc_4287_requires(built: Path) -> None:
    for code in LANGS:
        root = feed(built, code)
        assert root.get(XML_LANG) == code
        for tag in ("id", "title", "updated"):
            assert len(root.findall(A + tag)) == 1, tag
        assert text(root.find(A + "author"), "name")  # type: ignore[arg-type]
        self_link = root.find(f"{A}link[@rel='self']")
        assert self_link is not None and self_link.get("href", "").endswith(f"/{code}/feed.xml")
        entries = root.findall(A + "entry")
        assert entries
        for entry in entries:
            for tag in ("id", "title", "updated", "summary"):
                assert len(entry.findall(A + tag)) == 1, tag
            assert entry.find(f"{A}link[@rel='alternate']") is not None
            assert text(entry, "updated").endswith("T00:00:00Z")
        assert len({text(e, "id") for e in entries}) == len(entries)


def test_entries_are_the_pages_newest_first_as_the_pages_show_them(built: Path) -> None:
    for code in LANGS:
        root = feed(built, code)
        entries = root.findall(A + "entry")
        pages = {p["url"]: p for p in load(built, f"/api/v1/{code}/pages.json")["pages"]}
        assert {text(e, "id") for e in entries} == {url for url, p in pages.items() if p["updated"]}
        dates = [text(e, "updated") for e in entries]
        assert dates == sorted(dates, reverse=True)
        assert text(root, "updated") == dates[0]
        for entry in entries:
            link = entry.find(f"{A}link[@rel='alternate']").get("href")  # type: ignore[union-attr]
            soup = parse(file_for(built, urlsplit(link).path))
            assert soup.find("link", rel="canonical")["href"] == link == text(entry, "id")
            assert soup.find("h1").get_text(strip=True) == text(entry, "title")
            assert soup.find("meta", attrs={"name": "description"})["content"] == text(entry, "summary")
            assert text(entry, "updated")[:10] == pages[link]["updated"]


def test_every_page_links_its_languages_feed(built: Path) -> None:
    for path in content_pages(built):
        code = path.relative_to(built).parts[0]
        links = parse(path).find_all("link", rel="alternate", type="application/atom+xml")
        assert [link["href"] for link in links] == [f"/{code}/feed.xml"], path
        assert (built / code / "feed.xml").is_file()


def test_feeds_are_served_as_atom(nginx: str) -> None:
    status, headers, body = request(nginx, "/fa/feed.xml")
    assert status == 200 and ET.fromstring(body).get(XML_LANG) == "fa"
    assert headers["Content-Type"] == "application/atom+xml; charset=utf-8"


def test_a_right_to_left_feed_and_a_page_without_a_date(small: Project) -> None:
    (small.content / "ar" / "jadid.md").write_text(
        "---\ntitle: 'صفحة <جديدة> & \"مهمة\"'\ndescription: وصف قصير.\nslug: jadid\n"
        "updated: 2030-01-02\n---\n\nنص.\n", encoding="utf-8")
    (small.content / "ar" / "bila.md").write_text(
        "---\ntitle: بلا تاريخ\ndescription: وصف.\nslug: bila\n---\n\nنص.\n", encoding="utf-8")
    out = small.root / "build"
    build(small, out)
    root = feed(out, "ar")
    assert root.get(XML_LANG) == "ar"
    entries = root.findall(A + "entry")
    assert text(entries[0], "title") == 'صفحة <جديدة> & "مهمة"'
    assert text(root, "updated") == text(entries[0], "updated") == "2030-01-02T00:00:00Z"
    assert "https://test.ekbacka.example/ar/bila/" not in {text(e, "id") for e in entries}
    assert load(out, "/api/v1/ar/bila.json")["updated"] is None


def test_characters_xml_cannot_hold_do_not_break_the_feed(small: Project) -> None:
    (small.content / "sv" / "styr.md").write_text(
        '---\ntitle: "Styr\\x01tecken\\x0b"\ndescription: "Med\\x1f tecken"\nupdated: 2030-01-01\n---\n\n'
        "Text.\n", encoding="utf-8")
    out = small.root / "build"
    build(small, out)
    entry = feed(out, "sv").find(A + "entry")
    assert entry is not None
    assert (text(entry, "title"), text(entry, "summary")) == ("Styrtecken", "Med tecken")
