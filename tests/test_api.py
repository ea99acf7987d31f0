"""The content as data: /api/v1/ in the build, valid against its JSON Schemas, saying what the
pages say, readable by other sites (and only /api/ is)."""

from __future__ import annotations

import calendar
import gzip
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, file_for, parse
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from test_built_site import content_pages
from test_nginx import assert_secure, request

from portal.load.site import Project
from portal.publish.build import build

SCHEMAS = ROOT / "docs" / "api"
LANGS = ["sv", "en", "ar", "fa", "so", "fi"]


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validator(name: str) -> Draft202012Validator:
    """The validator of docs/api/<name>.schema.json, with the other schemas it refers to."""
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_registry())


def load(out: Path, url: str) -> dict:  # type: ignore[type-arg]
    """A document of the build by its URL (absolute or a path)."""
    return json.loads((out / unquote(urlsplit(url).path).lstrip("/")).read_text(encoding="utf-8"))


def api_files(out: Path) -> list[Path]:
    return sorted((out / "api" / "v1").rglob("*.json"))


def schema_of(path: Path) -> str:
    return {"site.json": "site", "pages.json": "pages"}.get(path.name, "page")


def test_every_api_document_is_valid_against_its_schema(built: Path) -> None:
    files = api_files(built)
    assert {schema_of(p) for p in files} == {"site", "pages", "page"}
    for path in files:
        errors = list(validator(schema_of(path)).iter_errors(json.loads(path.read_bytes())))
        assert not errors, (path, [e.message for e in errors[:3]])


def test_the_schemas_refuse_what_the_api_must_never_say(built: Path) -> None:
    """The schemas are not a formality: a missing field, a wrong type or an unknown key fails."""
    site = load(built, "/api/v1/site.json")
    page = load(built, "/api/v1/sv/kontakt.json")
    assert not validator("site").is_valid({**site, "contact": {**site["contact"], "hours": [
        {"weekday": 8, "opens": "08:00", "closes": "17:00"}]}})
    assert not validator("site").is_valid({**site, "tracking": True})
    assert not validator("page").is_valid({k: v for k, v in page.items() if k != "headings"})
    assert not validator("page").is_valid({**page, "order": "8"})
    assert not validator("pages").is_valid({"api_version": 1, "lang": "sv",
                                            "pages": [{**page, "secret": 1}]})


def test_pages_json_lists_every_built_page_of_its_language(built: Path) -> None:
    for code in LANGS:
        listed = load(built, f"/api/v1/{code}/pages.json")
        assert listed["lang"] == code
        urls = {page["url"] for page in listed["pages"]}
        assert urls == {parse(p).find("link", rel="canonical")["href"] for p in content_pages(built)
                        if p.relative_to(built).parts[0] == code}
        for page in listed["pages"]:  # each summary is the start of the page's own document
            document = load(built, page["data"])
            assert {k: document[k] for k in page} == page


def test_titles_descriptions_and_translations_match_the_pages(built: Path) -> None:
    for code in LANGS:
        for page in load(built, f"/api/v1/{code}/pages.json")["pages"]:
            soup = parse(file_for(built, urlsplit(page["url"]).path))
            assert soup.find("h1").get_text(strip=True) == page["title"]
            assert soup.find("link", rel="canonical")["href"] == page["url"]
            assert soup.find("meta", attrs={"name": "description"})["content"] == page["description"]
            alternates = {link["hreflang"]: link["href"]
                          for link in soup.find_all("link", rel="alternate", hreflang=True)}
            alternates.pop("x-default")
            assert page["translations"] == alternates
            assert page["lang"] == soup.find("html")["lang"] == code


def norm(text: str) -> str:
    """Text as a browser shows it: HTML's white space collapsed (a no-break space stays)."""
    return re.sub(r"[ \t\r\n\f]+", " ", text).strip()


def test_a_page_document_holds_the_text_and_headings_the_page_shows(built: Path) -> None:
    for code in LANGS:
        for summary in load(built, f"/api/v1/{code}/pages.json")["pages"]:
            page = load(built, summary["data"])
            prose = parse(file_for(built, urlsplit(page["url"]).path)).select_one(".portal-prose")
            shown = BeautifulSoup(page["html"], "html.parser")
            assert shown.get_text(" ", strip=True) == prose.get_text(" ", strip=True)
            assert [(h["level"], h["id"], h["text"]) for h in page["headings"]] == [
                (int(h.name[1]), h["id"], norm(h.get_text()))
                for h in prose.find_all(["h2", "h3", "h4", "h5", "h6"])]
            # plain text: every paragraph and item on a line of its own, no markup
            lines = page["text"].splitlines()
            for element in prose.find_all(["p", "li", "h2", "h3"]):
                if not element.find(["p", "ul", "ol"]):
                    assert norm(element.get_text()) in lines, element
            assert "<" not in page["text"] or "<" in prose.get_text()


def test_links_and_images_in_the_api_html_lead_to_the_built_site(built: Path) -> None:
    base = load(built, "/api/v1/site.json")["base_url"]
    page = load(built, "/api/v1/sv/fragor-och-svar.json")
    soup = BeautifulSoup(page["html"], "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a") if a["href"].startswith("https://")]
    assert hrefs and all(h.startswith(base) for h in hrefs)
    for href in hrefs:
        assert file_for(built, urlsplit(href).path).is_file(), href
    assert not [a["href"] for a in soup.find_all("a") if a["href"].startswith("/")]
    assert not soup.find(["script", "style"]) and "onclick" not in page["html"]


def test_site_json_says_what_site_yml_says(built: Path) -> None:
    settings = yaml.safe_load((ROOT / "content" / "site.yml").read_text(encoding="utf-8"))
    site = load(built, "/api/v1/site.json")
    assert [(lang["code"], lang["name"], lang["direction"]) for lang in site["languages"]] == [
        (lang["code"], lang["name"], lang["dir"]) for lang in settings["languages"]]
    assert site["municipality"] == settings["municipality"]
    assert site["programme"] == settings["programme"]
    for key in ("phone", "sms", "after_hours"):
        assert site["contact"][key]["display"] == settings["contact"][key]
    assert site["contact"]["address"] == settings["contact"]["address"]
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    expected = []
    for hours in settings["contact"]["hours"]:
        first, _, last = hours["days"].partition("-")
        for day in range(days.index(first), days.index(last or first) + 1):
            expected.append({"weekday": day + 1, "opens": hours["opens"], "closes": hours["closes"]})
    assert site["contact"]["hours"] == expected
    for lang in site["languages"]:
        assert file_for(built, urlsplit(lang["url"]).path).is_file()
        assert load(built, lang["pages"])["lang"] == lang["code"]


def runs(hours: list[dict]) -> list[str]:  # type: ignore[type-arg]
    """Opening hours as the English footer writes them: "Monday–Thursday 08:00–17:00"."""
    groups: list[list[dict]] = []  # type: ignore[type-arg]
    for entry in hours:
        last = groups[-1][-1] if groups else None
        if last and (last["opens"], last["closes"], last["weekday"] + 1) == (
                entry["opens"], entry["closes"], entry["weekday"]):
            groups[-1].append(entry)
        else:
            groups.append([entry])
    names = list(calendar.day_name)
    return [(names[g[0]["weekday"] - 1] if len(g) == 1 else
             f"{names[g[0]['weekday'] - 1]}–{names[g[-1]['weekday'] - 1]}")
            + f" {g[0]['opens']}–{g[0]['closes']}" for g in groups]


def test_opening_hours_as_data_match_the_hours_the_pages_show(built: Path) -> None:
    site = load(built, "/api/v1/site.json")
    footer = parse(built / "en" / "index.html").select_one(".portal-footer").get_text()
    expected = runs(site["contact"]["hours"])
    assert expected == ["Monday–Thursday 08:00–17:00", "Friday 08:00–15:00"]
    for line in expected:
        assert line in footer


def test_only_a_changed_page_gets_a_new_api_document(small: Project) -> None:
    out = small.root / "build"
    build(small, out)
    before = {p: p.stat().st_ino for p in api_files(out)}
    page = small.content / "sv" / "kontakt.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Vi träffas på", "Vi ses gärna på"),
                    encoding="utf-8")
    build(small, out)
    after = {p: p.stat().st_ino for p in api_files(out)}
    assert before.keys() == after.keys()
    assert [p.relative_to(out).as_posix() for p in after if after[p] != before[p]] == [
        "api/v1/sv/kontakt.json"]
    assert "Vi ses gärna på" in load(out, "/api/v1/sv/kontakt.json")["text"]


def test_a_right_to_left_language_is_described_as_such(small_built: Path) -> None:
    site = load(small_built, "/api/v1/site.json")
    assert {lang["code"]: lang["direction"] for lang in site["languages"]} == {
        "sv": "ltr", "en": "ltr", "ar": "rtl"}
    page = load(small_built, "/api/v1/ar/kontakt.json")
    assert validator("page").is_valid(page)
    assert any("\u0600" <= ch <= "\u06ff" for ch in page["title"] + page["text"])
    assert page["translations"].keys() == {"sv", "en", "ar"}


def test_markup_in_a_title_is_data_not_markup(small: Project) -> None:
    title = 'Frågor om </script><b>"fet"</b> & <!-- kod'
    (small.content / "sv" / "kod.md").write_text(
        f"---\ntitle: '{title}'\ndescription: En sida med <tecken> & citat.\n---\n\nText.\n",
        encoding="utf-8")
    out = small.root / "build"
    build(small, out)
    page = load(out, "/api/v1/sv/kod.json")
    assert page["title"] == title and validator("page").is_valid(page)
    assert parse(file_for(out, "/sv/kod/")).find("h1").get_text() == title


def test_a_page_without_a_description_is_refused_before_anything_is_published(
        small: Project) -> None:
    from portal.errors import ContentError

    (small.content / "sv" / "tom.md").write_text("---\ntitle: Tom\ndescription: ''\n---\n\nText.\n",
                                                 encoding="utf-8")
    with pytest.raises(ContentError, match=r"content/sv/tom\.md:3: 'description' is missing"):
        build(small, small.root / "build")
    assert not (small.root / "build").exists()


def test_the_api_is_open_to_other_sites_and_visitor_pages_are_not(nginx: str) -> None:
    status, headers, body = request(nginx, "/api/v1/site.json")
    assert status == 200 and json.loads(body)["api_version"] == 1
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert headers["Cache-Control"] == "no-cache"
    assert_secure(headers)
    status, headers, body = request(nginx, "/api/v1/ar/index.json", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))["lang"] == "ar"
    assert headers["Access-Control-Allow-Origin"] == "*"
    for path in ("/sv/", "/ar/kontakt/", "/sv/feed.xml", "/static/js/", "/404.html", "/"):
        _, headers, _ = request(nginx, path)
        assert headers["Access-Control-Allow-Origin"] is None, path
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin", path
    status, headers, _ = request(nginx, "/api/v1/sv/missing.json")
    assert status == 404


def test_static_host_files_open_only_api_to_other_sites(built: Path) -> None:
    rules: dict[str, dict[str, str]] = {}
    for line in (built / "_headers").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(" "):
            rules[line] = {}
            current = line
        elif line.strip():
            name, value = line.strip().split(": ", 1)
            rules[current][name] = value
    assert rules["/api/*"] == {"Access-Control-Allow-Origin": "*",
                               "Cross-Origin-Resource-Policy": "cross-origin",
                               "Cache-Control": "no-cache"}
    assert rules["/*"]["Cross-Origin-Resource-Policy"] == "same-origin"
    assert not any("Access-Control-Allow-Origin" in headers for rule, headers in rules.items()
                   if rule != "/api/*")


def test_a_pages_document_is_made_again_with_its_page_and_the_others_are_kept(small: Project) -> None:
    out = small.root / "build"
    build(small, out)
    edited, other = out / "api/v1/sv/kontakt.json", out / "api/v1/sv/index.json"
    inode = other.stat().st_ino
    path = small.content / "sv" / "kontakt.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEn ny mening om oss.\n", encoding="utf-8")
    build(small, out)
    assert "En ny mening om oss." in json.loads(edited.read_text(encoding="utf-8"))["text"]
    assert other.stat().st_ino == inode  # linked from the previous build, never rewritten


def test_a_file_name_too_long_for_its_data_file_is_refused_with_its_name(small: Project) -> None:
    from portal.errors import ContentError

    name = "å" * 126  # 252 bytes: name.md fits in a file name, name.json would not
    (small.content / "sv" / f"{name}.md").write_text(
        "---\ntitle: Lång\ndescription: Ett långt namn.\nslug: lang\n---\n\nText.\n", encoding="utf-8")
    with pytest.raises(ContentError, match=rf"content/sv/{name}\.md: the file name is 252 bytes long"):
        build(small, small.root / "build")
    (small.content / "sv" / f"{name}.md").rename(small.content / "sv" / f"{name[:123]}.md")
    out = build(small, small.root / "build").out
    assert load(out, f"/api/v1/sv/{name[:123]}.json")["url"].endswith("/sv/lang/")
