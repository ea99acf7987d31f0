"""JSON-LD in every page: the service with its channels and hours, and the questions page as a
FAQPage; valid against schemas derived from schema.org, and never able to end its element."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import file_for, parse
from test_api import LANGS, SCHEMAS, load, norm, validator
from test_built_site import content_pages

from portal.errors import ContentError
from portal.load.origins import violations
from portal.load.site import Project, load_site
from portal.publish.build import build

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def json_ld(path: Path) -> dict:  # type: ignore[type-arg]
    """The page's one JSON-LD block, read from the raw HTML (as a search engine would)."""
    found = SCRIPT.findall(path.read_text(encoding="utf-8"))
    assert len(found) == 1, path
    return json.loads(found[0])  # type: ignore[no-any-return]


def nodes(data: dict, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [node for node in data["@graph"] if node["@type"] == kind]


def test_every_page_has_valid_structured_data(built: Path, real_project: Project) -> None:
    pages = content_pages(built)
    site, _ = load_site(real_project)
    assert site is not None and len(pages) == sum(1 for _ in site.pages())
    for path in pages:
        data = json_ld(path)
        errors = list(validator("structured-data").iter_errors(data))
        assert not errors, (path, [e.message for e in errors[:3]])


def test_each_schema_org_type_cites_its_definition_and_lists_only_its_properties() -> None:
    """Each type's schema names the schema.org page it is derived from and the properties it
    takes from there; it allows no other (so every property used exists on its type)."""
    schema = json.loads((SCHEMAS / "structured-data.schema.json").read_text(encoding="utf-8"))
    types = {name: d for name, d in schema["$defs"].items() if name[0].isupper()}
    assert set(types) == {"GovernmentService", "GovernmentOrganization", "AdministrativeArea",
                          "ServiceChannel", "ContactPoint", "OpeningHoursSpecification", "Place",
                          "WebPage", "FAQPage", "Question", "Answer"}
    for name, definition in types.items():
        assert re.match(rf"https://schema\.org/{name}[ .]", definition["description"]), name
        assert definition["additionalProperties"] is False, name
        assert definition["properties"]["@type"] == {"const": name}
        cited = definition["description"].split("Properties: ", 1)[1]
        for prop in definition["properties"]:
            if prop != "@type":
                assert re.search(rf"\b{prop}\b", cited), (name, prop)


def test_an_unknown_property_or_type_is_refused_by_the_schema(built: Path) -> None:
    data = json_ld(built / "sv" / "index.html")
    service = nodes(data, "GovernmentService")[0]
    wrong = {**service, "openingHours": "Mo-Fr 08:00-17:00"}  # not a Service property
    assert not validator("structured-data").is_valid({**data, "@graph": [wrong]})
    channel = {**service["availableChannel"][0], "hoursAvailable": []}  # ContactPoint's, not ServiceChannel's
    assert not validator("structured-data").is_valid(
        {**data, "@graph": [{**service, "availableChannel": [channel]}]})


def test_the_service_gives_the_channels_languages_and_hours_of_site_yml(built: Path) -> None:
    site = load(built, "/api/v1/site.json")
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    for code in LANGS:
        service = nodes(json_ld(built / code / "index.html"), "GovernmentService")[0]
        assert service["name"] == site["programme"][code]
        assert service["provider"] == {"@type": "GovernmentOrganization",
                                       "name": site["municipality"][code]}
        assert service["url"] == next(lang["url"] for lang in site["languages"] if lang["code"] == code)
        channels = service["availableChannel"]
        phone = next(c["servicePhone"] for c in channels if "servicePhone" in c)
        sms = next(c["serviceSmsNumber"] for c in channels if "serviceSmsNumber" in c)
        place = next(c["serviceLocation"] for c in channels if "serviceLocation" in c)
        assert phone["telephone"] == site["contact"]["phone"]["dial"]
        assert sms["telephone"] == site["contact"]["sms"]["dial"]
        assert place["address"] == site["contact"]["address"]
        for channel in channels:
            assert channel["availableLanguage"] == [lang["code"] for lang in site["languages"]]
        hours = [{"weekday": days.index(day.rsplit("/", 1)[1]) + 1, "opens": spec["opens"],
                  "closes": spec["closes"]}
                 for spec in phone["hoursAvailable"] for day in spec["dayOfWeek"]]
        assert hours == site["contact"]["hours"]


def test_the_service_type_is_in_the_pages_language(built: Path) -> None:
    types = {code: nodes(json_ld(built / code / "index.html"), "GovernmentService")[0]["serviceType"]
             for code in LANGS}
    assert types["sv"] == "Stöd för att lämna kriminella nätverk"
    assert types["en"] == "Support for leaving criminal networks"
    assert len(set(types.values())) == 6
    assert re.search("[\u0600-\u06ff]", types["ar"]) and re.search("[\u0600-\u06ff]", types["fa"])


def test_the_questions_page_is_a_faq_page_in_every_language(built: Path) -> None:
    for code in LANGS:
        summary = next(p for p in load(built, f"/api/v1/{code}/pages.json")["pages"]
                       if p["name"] == "fragor-och-svar")
        path = file_for(built, urlsplit(summary["url"]).path)
        faq = nodes(json_ld(path), "FAQPage")
        assert len(faq) == 1, code
        assert faq[0]["url"] == summary["url"] and faq[0]["inLanguage"] == code
        prose = parse(path).select_one(".portal-prose")
        questions = prose.find_all("h3")
        assert [q["name"] for q in faq[0]["mainEntity"]] == [norm(h.get_text()) for h in questions]
        assert len(questions) >= 15
        page_text = norm(prose.get_text())
        for question in faq[0]["mainEntity"]:
            answer = question["acceptedAnswer"]["text"]
            assert answer and all(norm(line) in page_text for line in answer.splitlines())
        # a section title (h2) is not a question
        assert not {norm(h.get_text()) for h in prose.find_all("h2")} & {
            q["name"] for q in faq[0]["mainEntity"]}


def test_only_pages_marked_faq_are_faq_pages(built: Path) -> None:
    names = {urlsplit(page["url"]).path: (code, page["name"]) for code in LANGS
             for page in load(built, f"/api/v1/{code}/pages.json")["pages"]}
    marked = {names["/" + p.parent.relative_to(built).as_posix() + "/"]
              for p in content_pages(built) if nodes(json_ld(p), "FAQPage")}
    assert marked == {(code, "fragor-och-svar") for code in LANGS}


def test_each_page_describes_itself_as_the_page_shows_it(built: Path) -> None:
    for code in LANGS:
        for summary in load(built, f"/api/v1/{code}/pages.json")["pages"]:
            path = file_for(built, urlsplit(summary["url"]).path)
            soup = parse(path)
            [page] = [n for n in json_ld(path)["@graph"] if n["@type"] in ("WebPage", "FAQPage")]
            assert page["name"] == soup.find("h1").get_text(strip=True) == summary["title"]
            assert page["description"] == soup.find("meta", attrs={"name": "description"})["content"]
            assert page["url"] == soup.find("link", rel="canonical")["href"] == summary["url"]
            assert page["inLanguage"] == code and page.get("dateModified") == summary["updated"]


def test_structured_data_is_compact(built: Path) -> None:
    raw = SCRIPT.findall((built / "sv" / "kontakt" / "index.html").read_text(encoding="utf-8"))[0]
    assert raw == json.dumps(json.loads(raw), ensure_ascii=False, separators=(",", ":"))


HOSTILE = "</script><script>alert(1)</script><!-- & >"


def test_text_that_could_close_the_script_element_stays_data(small: Project) -> None:
    settings = small.content / "site.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "sv: Avhopparverksamheten", f"sv: 'Avhopp {HOSTILE}'"), encoding="utf-8")
    (small.content / "sv" / "fragor.md").write_text(
        f"---\ntitle: 'Frågor {HOSTILE}'\ndescription: Svar.\nfaq: true\n---\n\n"
        "## Allmänt\n\n### Vad betyder `</script>` och &lt;!--?\n\nDet är `</script>` & <b>fet</b> "
        "text <script>alert(2)</script>.\n\n### Tom fråga utan svar\n\n### Sista frågan?\n\nJa.\n",
        encoding="utf-8")
    out = small.root / "build"
    build(small, out)
    path = file_for(out, "/sv/fragor/")
    html = path.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert sorted(s.get("src", "")[:17] or s["type"] for s in soup.find_all("script")) == [
        "/static/js/early.", "/static/js/portal", "application/ld+json"]
    assert not violations(html)
    data = json_ld(path)
    assert validator("structured-data").is_valid(data)
    assert nodes(data, "GovernmentService")[0]["name"] == f"Avhopp {HOSTILE}"
    assert nodes(data, "FAQPage")[0]["name"] == f"Frågor {HOSTILE}"
    faq = nodes(data, "FAQPage")[0]["mainEntity"]
    assert [q["name"] for q in faq] == ["Vad betyder </script> och <!--?", "Sista frågan?"]
    assert faq[0]["acceptedAnswer"]["text"] == "Det är </script> & fet text ."
    raw = SCRIPT.findall(html)[0]
    assert "<" not in raw and ">" not in raw and "&" not in raw and "\\u003c/script\\u003e" in raw


def test_a_right_to_left_page_has_its_own_language_in_its_data(small_built: Path) -> None:
    service = nodes(json_ld(small_built / "ar" / "index.html"), "GovernmentService")[0]
    assert service["name"] == "برنامج الخروج"
    assert service["url"] == "https://test.ekbacka.example/ar/"
    assert service["availableChannel"][0]["availableLanguage"] == ["sv", "en", "ar"]


def test_only_exactly_json_ld_is_accepted_as_an_inline_script() -> None:
    assert not violations('<script type="application/ld+json">{"a":1}</script>')
    for script in ('<script>alert(1)</script>', '<script type="module">x</script>',
                   '<script type="text/javascript">x</script>',
                   '<script type="application/ld+json " >x</script>',
                   '<script type="application/json">x</script>'):
        assert violations(script), script


@pytest.mark.parametrize("value", ["'yes please'", "1", "[true]"])
def test_faq_must_be_true_or_false(small: Project, value: str) -> None:
    (small.content / "sv" / "fragor.md").write_text(
        f"---\ntitle: Frågor\ndescription: Svar.\nfaq: {value}\n---\n\nText.\n", encoding="utf-8")
    site, problems = load_site(small)
    found = [str(p) for p in problems if "faq" in p.message]
    assert site is None and len(found) == 1
    assert found[0].startswith("content/sv/fragor.md:4: faq ") and "must be true or false" in found[0]
    with pytest.raises(ContentError):
        build(small, small.root / "build")


def test_the_language_chooser_describes_the_service_in_the_default_language(built: Path) -> None:
    data = json_ld(built / "index.html")
    assert validator("structured-data").is_valid(data)
    service = nodes(data, "GovernmentService")
    assert len(data["@graph"]) == 1 and service[0]["name"] == "Avhopparverksamheten i Ekbacka"
    assert service[0]["serviceType"] == "Stöd för att lämna kriminella nätverk"


def test_a_faq_page_without_headings_is_named_in_a_warning(small: Project) -> None:
    (small.content / "sv" / "fragor.md").write_text(
        "---\ntitle: Frågor\ndescription: Svar.\nfaq: true\n---\n\nKostar det något? Nej.\n",
        encoding="utf-8")
    site, problems = load_site(small)
    assert site is not None
    assert [str(p) for p in problems if "faq" in p.message] == [
        "content/sv/fragor.md:4: warning: faq: true, but the text has no headings: write each "
        "question as a heading (### Kostar det något?) with its answer under it, or remove `faq:`"]
