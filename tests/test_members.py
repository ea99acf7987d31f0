"""A joint programme of several municipalities (docs/examples/joint): the members page, member
placeholders, posters and QR codes per member, one site per member (`--site`), and fallback
pages for untranslated pages; hostile member and site settings."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from conftest import ROOT, file_for, html_files, parse

from portal.commands.cli import main
from portal.load.site import Project
from portal.publish.build import build

EXAMPLE = ROOT / "docs" / "examples" / "joint"
JOINT = "https://avhopp.sydmark.example"
LINDHOLM = "https://avhopp.lindholm.example"


def joint_project(tmp: Path) -> Project:
    """A copy of the example joint programme with the real translations and static files."""
    root = tmp / "joint"
    shutil.copytree(EXAMPLE, root)
    shutil.copytree(ROOT / "translations", root / "translations",
                    ignore=shutil.ignore_patterns("*.mo"))
    shutil.copytree(ROOT / "static", root / "static")
    return Project(root)


@pytest.fixture(scope="module")
def joint(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return joint_project(tmp_path_factory.mktemp("joint"))


@pytest.fixture(scope="module")
def joint_built(joint: Project) -> Path:
    out = joint.root / "build" / "all"
    build(joint, out)
    return out


@pytest.fixture(scope="module")
def lindholm_built(joint: Project) -> Path:
    out = joint.root / "build" / "lindholm"
    build(Project(joint.root, "lindholm"), out)
    return out


def text_files(out: Path) -> list[Path]:
    return [p for p in sorted(out.rglob("*")) if p.is_file()
            and p.suffix in (".html", ".xml", ".txt", ".svg", ".json", "") and p.name != "_headers"]


# The members page and placeholders


@pytest.mark.parametrize(("url", "name", "label"), [
    ("/sv/hitta-din-kommun/", "Lindholms kommun", "Socialtjänsten"),
    ("/ar/baladiyatuk/", "بلدية ليندهولم", "الخدمات الاجتماعية"),
])
def test_members_page_lists_each_member_with_tappable_local_numbers(
        joint_built: Path, url: str, name: str, label: str) -> None:
    soup = parse(file_for(joint_built, url))
    entries = soup.select(".portal-prose .portal-members__item")
    assert [e["id"] for e in entries] == ["member-ekbacka", "member-lindholm"]
    lindholm = entries[1]
    assert lindholm.find("h2").text == name  # one level below the page title
    assert lindholm["aria-labelledby"] == lindholm.find("h2")["id"]
    assert label in lindholm.find("dt").text  # the interface's words, in the page's language
    calls = {a["href"]: a for a in lindholm.select("a.portal-tel")}
    assert set(calls) == {"tel:+46701740640", "tel:+46701740641"}
    assert all(a["dir"] == "ltr" for a in calls.values())  # kept in order in right-to-left text
    poster = lindholm.select_one(".portal-members__poster a")["href"]
    assert poster == f"{url}poster/lindholm/"


def test_a_member_without_a_website_shows_none_and_one_with_it_links_it(joint_built: Path) -> None:
    soup = parse(file_for(joint_built, "/sv/hitta-din-kommun/"))
    ekbacka, lindholm = soup.select(".portal-members__item")
    assert ekbacka.select_one('a[href="https://www.ekbacka.example/"]').text == "www.ekbacka.example"
    assert "Webbplats" not in lindholm.text


def test_member_placeholders_fill_in_one_members_details(joint_built: Path) -> None:
    soup = parse(file_for(joint_built, "/sv/hitta-din-kommun/"))
    last = soup.select(".portal-prose > p")[-1]
    assert "Socialjouren i Lindholms kommun svarar på 070-174 06 41" in last.text
    assert last.select_one("a.portal-tel")["href"] == "tel:+46701740641"


def test_each_member_has_a_poster_with_its_numbers_and_a_qr_code_of_its_entry(joint_built: Path) -> None:
    poster = parse(joint_built / "ar" / "baladiyatuk" / "poster" / "lindholm" / "index.html")
    assert poster.html["lang"] == "ar" and poster.html["dir"] == "rtl"
    assert poster.h1.text == "بلدية ليندهولم"
    numbers = {a["href"] for a in poster.select(".portal-members__contacts a.portal-tel")}
    assert numbers == {"tel:+46701740640", "tel:+46701740641"}
    assert poster.select_one(".portal-poster__url").text == \
        "avhopp.sydmark.example/ar/baladiyatuk/#member-lindholm"
    assert poster.select_one(".portal-poster__back a")["href"] == "/ar/baladiyatuk/"
    svg = (joint_built / "ar" / "baladiyatuk" / "poster" / "lindholm" / "qr.svg").read_text()
    assert svg.startswith("<?xml") and "<title>بلدية ليندهولم</title>" in svg
    assert not (joint_built / "ar" / "ittasil" / "poster" / "lindholm").exists()  # no members there


def test_a_single_municipality_site_has_no_member_parts_and_no_fallback_pages(built: Path) -> None:
    for path in html_files(built):
        text = path.read_text(encoding="utf-8")
        assert "portal-members" not in text and "portal-fallback" not in text, path
    assert not list(built.glob("*/*/poster/*/"))


# One site per member


def test_a_site_build_uses_its_own_address_everywhere(lindholm_built: Path) -> None:
    soup = parse(lindholm_built / "en" / "contact" / "index.html")
    assert soup.find("link", rel="canonical")["href"] == f"{LINDHOLM}/en/contact/"
    alternates = [link["href"] for link in soup.find_all("link", rel="alternate", hreflang=True)]
    assert alternates and all(href.startswith(f"{LINDHOLM}/") for href in alternates)
    sitemap = (lindholm_built / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locations and all(loc.startswith(f"{LINDHOLM}/") for loc in locations)
    assert f"Sitemap: {LINDHOLM}/sitemap.xml" in (lindholm_built / "robots.txt").read_text()
    assert "Lindholm Exit Programme" in soup.select_one(".portal-header__name").get_text(" ")


@pytest.mark.parametrize(("built_site", "other"), [("lindholm_built", "avhopp.sydmark.example"),
                                                    ("joint_built", "avhopp.lindholm.example")])
def test_a_site_build_never_links_to_another_site(request: pytest.FixtureRequest, built_site: str,
                                                   other: str) -> None:
    out: Path = request.getfixturevalue(built_site)
    for path in text_files(out):
        assert other not in path.read_text(encoding="utf-8", errors="replace"), path


def test_a_site_replaces_a_shared_page_with_its_own_and_shares_the_rest(
        lindholm_built: Path, joint_built: Path) -> None:
    own = parse(lindholm_built / "sv" / "kontakt" / "index.html")
    assert "socialtjänsten i Lindholm" in own.select_one(".portal-prose").text
    assert own.select_one(".portal-prose a.portal-tel")["href"] == "tel:+46701740640"
    shared = parse(joint_built / "sv" / "kontakt" / "index.html")
    assert "Lindholm" not in shared.select_one(".portal-prose").text
    for url in ("/en/contact/", "/ar/baladiyatuk/"):  # the shared text, with the site's numbers
        text = parse(file_for(lindholm_built, url)).select_one(".portal-prose").text
        assert text == parse(file_for(joint_built, url)).select_one(".portal-prose").text.replace(
            "070-174 06 20", "070-174 06 40")
    # its own contact details in every footer
    footer = parse(lindholm_built / "en" / "index.html").select_one(".portal-footer")
    assert "070-174 06 40" in footer.text and "070-174 06 20" not in footer.text


def test_each_site_has_its_own_marker_and_search(lindholm_built: Path, joint_built: Path) -> None:
    for out, base in ((lindholm_built, LINDHOLM), (joint_built, JOINT)):
        marker = json.loads((out / ".portal-build.json").read_text(encoding="utf-8"))
        assert "page:/sv/kontakt/" in marker["units"]
        for code in ("sv", "en", "ar"):
            assert (out / "pagefind" / code / "pagefind-entry.json").is_file()
        assert base in (out / "sitemap.xml").read_text(encoding="utf-8")
    one = json.loads((lindholm_built / ".portal-build.json").read_text())["units"]
    other = json.loads((joint_built / ".portal-build.json").read_text())["units"]
    assert one["page:/sv/kontakt/"]["key"] != other["page:/sv/kontakt/"]["key"]


def test_build_with_site_writes_to_build_slash_id_by_default(
        tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    project = joint_project(tmp_path)
    monkeypatch.chdir(project.root)
    result = runner.invoke(main, ["build", "--site", "lindholm", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert (project.root / "build" / "lindholm" / "sv" / "kontakt" / "index.html").is_file()
    assert not (project.root / "build" / "index.html").exists()
    checked = runner.invoke(main, ["check", "--site", "lindholm"])
    assert checked.exit_code == 0, checked.output


def test_editing_a_sites_settings_renders_its_pages_again(tmp_path: Path) -> None:
    project = joint_project(tmp_path)
    out = project.root / "build" / "lindholm"
    build(Project(project.root, "lindholm"), out, jobs=1)
    own = project.content / "sites" / "lindholm" / "site.yml"
    own.write_text(own.read_text().replace("070-174 06 40", "070-174 06 45"), encoding="utf-8")
    result = build(Project(project.root, "lindholm"), out, jobs=1)
    assert "page:/en/contact/" in result.rendered
    assert "070-174 06 45" in (out / "en" / "contact" / "index.html").read_text()


# Fallback pages


def test_an_untranslated_page_is_offered_in_swedish_at_the_arabic_address(joint_built: Path) -> None:
    soup = parse(joint_built / "ar" / "for-anhoriga" / "index.html")
    assert soup.html["lang"] == "ar" and soup.html["dir"] == "rtl"
    notice = soup.select_one(".portal-fallback")
    assert "السويدية" in notice.text and notice.find_parent(attrs={"lang": "sv"}) is None
    borrowed = soup.select_one("main [lang=sv]")
    assert borrowed["dir"] == "ltr" and borrowed.h1.text == "För anhöriga"
    assert "Du som är anhörig" in borrowed.select_one(".portal-prose").text
    assert soup.find("link", rel="canonical")["href"] == f"{JOINT}/sv/for-anhoriga/"
    assert not soup.find_all("link", rel="alternate", hreflang=True)
    # the visitor's own menu and footer
    assert soup.select_one('.portal-nav a[href="/ar/baladiyatuk/"]') is not None
    translated = parse(joint_built / "ar" / "index.html")
    assert soup.select_one(".portal-footer").text == translated.select_one(".portal-footer").text


def test_fallback_pages_are_not_in_the_sitemap_search_or_hreflang(joint_built: Path) -> None:
    sitemap = (joint_built / "sitemap.xml").read_text(encoding="utf-8")
    assert "/sv/for-anhoriga/" in sitemap and "/ar/for-anhoriga/" not in sitemap
    assert "/en/for-anhoriga/" not in sitemap
    fallback = (joint_built / "ar" / "for-anhoriga" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in fallback
    entry = json.loads((joint_built / "pagefind" / "ar" / "pagefind-entry.json").read_text())
    assert entry["languages"]["ar"]["page_count"] == 3  # the Arabic pages, not the fallback
    original = parse(joint_built / "sv" / "for-anhoriga" / "index.html")
    hreflangs = {link["hreflang"] for link in original.find_all("link", rel="alternate", hreflang=True)}
    assert hreflangs == {"sv", "x-default"}


def test_the_switcher_leads_to_the_fallback_and_says_it_is_in_swedish(joint_built: Path) -> None:
    soup = parse(joint_built / "sv" / "for-anhoriga" / "index.html")
    links = {a["lang"]: a for a in soup.select(".portal-languages__link")}
    assert links["ar"]["href"] == "/ar/for-anhoriga/"
    assert links["ar"]["hreflang"] == "sv"  # what it leads to is Swedish text
    assert "السويدية" in links["ar"].select_one(".portal-languages__note").text
    assert "Swedish" in links["en"].select_one(".portal-languages__note").text
    translated = parse(joint_built / "sv" / "kontakt" / "index.html")
    assert {a["hreflang"] for a in translated.select(".portal-languages__link")} == {"sv", "en", "ar"}


def test_fallback_english_borrows_the_english_text(tmp_path: Path) -> None:
    project = joint_project(tmp_path)
    settings = project.content / "site.yml"
    settings.write_text(settings.read_text().replace("fallback: default", "fallback: english"))
    (project.content / "en" / "for-anhoriga.md").write_text(
        "---\ntitle: For families\ndescription: Support for parents, siblings and partners.\n"
        "order: 4\n---\nFamilies can get support too.\n", encoding="utf-8")
    out = tmp_path / "out"
    build(project, out, jobs=1)
    soup = parse(out / "ar" / "for-anhoriga" / "index.html")
    borrowed = soup.select_one("main [lang=en]")
    assert borrowed.h1.text == "For families" and borrowed["dir"] == "ltr"
    assert soup.find("link", rel="canonical")["href"] == f"{JOINT}/en/for-anhoriga/"
    assert "الإنجليزية" in soup.select_one(".portal-fallback").text


def test_fallback_none_publishes_no_fallback_pages(tmp_path: Path) -> None:
    project = joint_project(tmp_path)
    settings = project.content / "site.yml"
    settings.write_text(settings.read_text().replace("fallback: default", "fallback: none"))
    out = tmp_path / "out"
    build(project, out, jobs=1)
    assert not (out / "ar" / "for-anhoriga").exists()
    links = {a["lang"]: a["href"] for a in
             parse(out / "sv" / "for-anhoriga" / "index.html").select(".portal-languages__link")}
    assert links["ar"] == "/ar/"


# Hostile settings and pages


MEMBER = ("  - id: ekbacka\n    name: {sv: Ekbacka kommun, en: Ekbacka, ar: إيكباكا}\n"
          "    social_services: 070-174 06 30\n    after_hours: 070-174 06 31\n")


def with_members(project: Project, members: str) -> None:
    settings = project.content / "site.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text[: text.index("members:")] + members, encoding="utf-8")


def line_of(project: Project, text: str, path: str = "site.yml") -> int:
    """The number of the last line that holds `text` (of a repeated member: the second's)."""
    lines = (project.content / path).read_text(encoding="utf-8").split("\n")
    return max(n for n, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize(("members", "marker", "message"), [
    ("members: ekbacka\n", "members:", "'members' must be a list"),
    ("members:\n  - just a name\n", "just a name", "each member needs `id`"),
    ("members:\n" + MEMBER + "    phone: 070-174 06 32\n", "    phone:", "'members.0.phone' is not a known"),
    ("members:\n" + MEMBER + MEMBER, "id: ekbacka", "member id 'ekbacka' is used twice"),
    ("members:\n" + MEMBER.replace("id: ekbacka", "id: Ek Backa"), "id: Ek", "may only use lowercase"),
    ("members:\n" + MEMBER.replace("070-174 06 30", "ring oss"), "ring oss", "is not a phone number"),
    ("members:\n" + MEMBER + "    web: http://www.ekbacka.example/\n", "    web:", "must be a full https://"),
    ("members:\n" + MEMBER + "    web: https://www.ekbacka.example/\"><script>\n", "    web:",
     "is not allowed in it"),
    ("members:\n" + MEMBER.replace("sv: Ekbacka kommun, ", ""), "    name:",
     "has no text for the default language 'sv'"),
    ("members:\n" + MEMBER.replace("ar: إيكباكا", "de: Ekbacka"), "    name:", "names language 'de'"),
    ("members:\n" + MEMBER.replace("Ekbacka kommun", "Ekbacka\\u202ekommun").replace(
        "{sv: ", '{sv: "').replace("kommun,", 'kommun",'), "    name:", "invisible character U+202E"),
])
def test_hostile_member_settings_are_located_errors(tmp_path: Path, runner: CliRunner, members: str,
                                                    marker: str, message: str) -> None:
    project = joint_project(tmp_path)
    with_members(project, members)
    result = runner.invoke(main, ["--project", str(project.root), "check"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    expected = f"content/site.yml:{line_of(project, marker)}: "
    assert any(line.startswith(expected) and message in line for line in result.output.split("\n")), \
        result.output
    built = runner.invoke(main, ["--project", str(project.root), "build", "--out",
                                 str(tmp_path / "out")])
    assert built.exit_code == 1 and not (tmp_path / "out").exists()


def test_an_unknown_fallback_is_a_located_error(tmp_path: Path, runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    settings = project.content / "site.yml"
    settings.write_text(settings.read_text().replace("fallback: default", "fallback: sometimes"))
    result = runner.invoke(main, ["--project", str(project.root), "check"])
    assert result.exit_code == 1
    assert (f"content/site.yml:{line_of(project, 'fallback: sometimes')}: fallback 'sometimes' "
            "must be one of default, english, none") in result.output


def test_a_member_name_missing_in_a_language_borrows_the_default_one_with_a_warning(
        tmp_path: Path, runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    with_members(project, "members:\n" + MEMBER.replace(", ar: إيكباكا", ""))
    (project.content / "sv" / "hitta-din-kommun.md").write_text(
        "---\ntitle: Hitta din kommun\ndescription: Kommunerna.\n---\n{{ members }}\n")
    result = runner.invoke(main, ["--project", str(project.root), "check"])
    assert result.exit_code == 0, result.output
    assert (f"content/site.yml:{line_of(project, '    name:')}: warning: 'members.0.name' has no text "
            "for language 'ar': the 'sv' text is shown") in result.output
    out = tmp_path / "out"
    build(project, out, jobs=1)
    entry = parse(out / "ar" / "baladiyatuk" / "index.html").select_one("#member-ekbacka")
    assert entry.h2.text == "Ekbacka kommun"


@pytest.mark.parametrize(("body", "message"), [
    ("{{ member.nowhere.name }}", "names member 'nowhere', which is not in site.yml's `members:`"),
    ("{{ member.ekbacka.phone }}", "a member has no 'phone'"),
])
def test_member_placeholders_name_known_members_and_fields(tmp_path: Path, runner: CliRunner,
                                                           body: str, message: str) -> None:
    project = joint_project(tmp_path)
    page = project.content / "sv" / "kontakt.md"
    page.write_text(page.read_text() + f"\nRing {body}.\n", encoding="utf-8")
    result = runner.invoke(main, ["--project", str(project.root), "check"])
    assert result.exit_code == 1
    number = line_of(project, body, "sv/kontakt.md")
    assert any(line.startswith(f"content/sv/kontakt.md:{number}: ") and message in line
               for line in result.output.split("\n")), result.output


def test_the_members_block_without_members_is_an_error(tmp_path: Path, runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    with_members(project, "")
    result = runner.invoke(main, ["--project", str(project.root), "check"])
    assert result.exit_code == 1
    number = line_of(project, "{{ members }}", "sv/hitta-din-kommun.md")
    assert (f"content/sv/hitta-din-kommun.md:{number}: {{{{ members }}}} lists the member "
            "municipalities, but site.yml has no `members:`") in result.output


@pytest.mark.parametrize(("own", "marker", "message"), [
    ("base_url: http://avhopp.lindholm.example/\n", "base_url", "must be a full https://"),
    ("base_url: https://avhopp.lindholm.example/\ncontact:\n  phone: ring\n", "phone:",
     "is not a phone number"),
    ("base_url: https://avhopp.lindholm.example/\ncolour: red\n", "colour", "is not a known setting"),
    ("municipality: {sv: Lindholm}\n", "municipality", "at least its own `base_url`"),
    ("base_url: [unclosed\n", "base_url", "YAML syntax error"),
])
def test_hostile_site_settings_are_errors_in_the_sites_own_file(
        tmp_path: Path, runner: CliRunner, own: str, marker: str, message: str) -> None:
    project = joint_project(tmp_path)
    (project.content / "sites" / "lindholm" / "site.yml").write_text(own, encoding="utf-8")
    result = runner.invoke(main, ["--project", str(project.root), "check", "--site", "lindholm"])
    assert result.exit_code == 1, result.output
    where = f"content/sites/lindholm/site.yml:{line_of(project, marker, 'sites/lindholm/site.yml')}: "
    assert any(line.startswith(where) and message in line for line in result.output.split("\n")), \
        result.output
    assert "Traceback" not in result.output
    shared = runner.invoke(main, ["--project", str(project.root), "check"])
    assert shared.exit_code == 0, shared.output  # the shared site does not read it


@pytest.mark.parametrize(("site", "code", "message"), [
    ("nowhere", 1, "content/sites/nowhere/site.yml: is missing: the site 'nowhere' needs its own "
                   "settings with at least its `base_url` (sites found: lindholm)"),
    ("../lindholm", 2, "must be a site folder's name"),
    ("Lindholm", 2, "must be a site folder's name"),
])
def test_an_unknown_or_unsafe_site_id_is_refused(tmp_path: Path, runner: CliRunner, site: str,
                                                 code: int, message: str) -> None:
    project = joint_project(tmp_path)
    for command in (["check"], ["build", "--out", str(tmp_path / "out")]):
        result = runner.invoke(main, ["--project", str(project.root), *command, "--site", site])
        assert result.exit_code == code and message in result.output, result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_site_folder_is_not_mistaken_for_a_language(tmp_path: Path, runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    result = runner.invoke(main, ["--project", str(project.root), "check", "--format", "json"])
    problems = json.loads(result.output)["problems"]
    assert not [p for p in problems if "sites" in str(p["path"])], problems


def test_markup_in_a_members_settings_is_shown_as_text(tmp_path: Path) -> None:
    project = joint_project(tmp_path)
    with_members(project, "members:\n" + MEMBER.replace(
        "sv: Ekbacka kommun", "sv: '<script>alert(1)</script>Ekbacka'") +
        "    area: '<img src=x onerror=alert(1)>'\n" + MEMBER.replace("ekbacka", "lindholm"))
    out = tmp_path / "out"
    build(project, out, jobs=1)
    page = (out / "sv" / "hitta-din-kommun" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    entry = soup.select_one("#member-ekbacka")
    assert entry.h2.text == "<script>alert(1)</script>Ekbacka" and not entry.find("script")
    assert entry.select_one(".portal-members__area").text == "<img src=x onerror=alert(1)>"
    assert not entry.find("img")


def test_the_joint_sites_pages_pass_the_current_nu_checker(joint_built: Path) -> None:
    import subprocess

    from test_html_validator import CURRENT_VNU

    assert CURRENT_VNU.is_file(), "run `bash .ci/install --test` to install the current checker"
    pages = [file_for(joint_built, url) for url in (
        "/sv/hitta-din-kommun/", "/ar/baladiyatuk/", "/ar/for-anhoriga/", "/en/for-anhoriga/",
        "/ar/baladiyatuk/poster/lindholm/", "/sv/hitta-din-kommun/poster/ekbacka/")]
    result = subprocess.run(["java", "-jar", str(CURRENT_VNU), "--errors-only",
                             *map(str, pages)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_check_tries_the_fallback_page_and_member_poster_templates(tmp_path: Path,
                                                                   runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    (project.root / "templates").mkdir()
    (project.root / "templates" / "fallback.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{{ borrowed.title.nope() }}\n{% endblock %}\n')
    result = runner.invoke(main, ["--project", str(project.root), "check"])
    assert result.exit_code == 1 and "templates/fallback.html:3: " in result.output, result.output


def test_nginx_for_a_site_serves_its_own_host_name(tmp_path: Path, runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    (tmp_path / "built").mkdir()
    result = runner.invoke(main, ["--project", str(project.root), "nginx", "--site", "lindholm",
                                  "--build", str(tmp_path / "built")])
    assert result.exit_code == 0, result.output
    assert "server_name avhopp.lindholm.example;" in result.output
    assert "avhopp.sydmark.example" not in result.output


def test_a_fallback_follows_its_original_in_a_rebuild(tmp_path: Path) -> None:
    project = joint_project(tmp_path)
    out = tmp_path / "out"
    build(project, out, jobs=1)
    again = build(project, out, jobs=1)
    assert again.rendered == ("site",)  # nothing changed: every fallback and poster reused
    original = project.content / "sv" / "for-anhoriga.md"
    original.write_text(original.read_text().replace("kan också få stöd", "får också stöd"))
    result = build(project, out, jobs=1)
    assert {"fallback:/ar/for-anhoriga/", "fallback:/en/for-anhoriga/"} <= set(result.rendered)
    assert "får också stöd" in (out / "ar" / "for-anhoriga" / "index.html").read_text()
    clean = tmp_path / "clean"
    build(project, clean, jobs=1)
    for url in ("/ar/for-anhoriga/", "/sv/hitta-din-kommun/poster/lindholm/"):
        assert file_for(out, url).read_bytes() == file_for(clean, url).read_bytes()


def test_a_translation_arriving_replaces_the_fallback(tmp_path: Path) -> None:
    project = joint_project(tmp_path)
    out = tmp_path / "out"
    build(project, out, jobs=1)
    (project.content / "ar" / "for-anhoriga.md").write_text(
        "---\ntitle: للعائلات\ndescription: دعم للآباء والإخوة والشركاء.\nslug: lil-aailat\n"
        "order: 4\n---\nيمكن للعائلات أيضًا الحصول على الدعم.\n", encoding="utf-8")
    build(project, out, jobs=1)
    assert not (out / "ar" / "for-anhoriga").exists()
    links = {a["lang"]: a for a in
             parse(out / "sv" / "for-anhoriga" / "index.html").select(".portal-languages__link")}
    assert links["ar"]["href"] == "/ar/lil-aailat/" and links["ar"]["hreflang"] == "ar"
    assert not links["ar"].select(".portal-languages__note")


def test_one_name_for_every_language_needs_no_translation(tmp_path: Path, runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    with_members(project, "members:\n" + MEMBER.replace(
        "{sv: Ekbacka kommun, en: Ekbacka, ar: إيكباكا}", "Ekbacka") + MEMBER.replace(
        "ekbacka", "lindholm"))
    result = runner.invoke(main, ["--project", str(project.root), "check", "--format", "json"])
    problems = json.loads(result.output)["problems"]
    assert result.exit_code == 0 and not [p for p in problems if p["path"] == "content/site.yml"]


def test_a_sites_page_in_a_language_the_site_lacks_is_a_warning(tmp_path: Path,
                                                                runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    folder = project.content / "sites" / "lindholm" / "de"
    folder.mkdir()
    (folder / "kontakt.md").write_text("---\ntitle: Kontakt\ndescription: Rufen Sie an.\n---\nHallo\n")
    result = runner.invoke(main, ["--project", str(project.root), "check", "--site", "lindholm"])
    assert result.exit_code == 0
    assert ("content/sites/lindholm/de/kontakt.md: warning: is ignored: 'de' is not a language "
            "folder of the shared content") in result.output


def test_a_site_may_publish_fewer_languages_than_the_shared_content(tmp_path: Path) -> None:
    project = joint_project(tmp_path)
    own = project.content / "sites" / "lindholm" / "site.yml"
    own.write_text(own.read_text() + "languages:\n  - {code: sv, name: Svenska, dir: ltr}\n"
                   "  - {code: en, name: English, dir: ltr}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = build(Project(project.root, "lindholm"), out, jobs=1)
    assert not [p for p in result.warnings if "ar" in p.message.split("(")[0]], result.warnings
    assert not (out / "ar").exists() and "/ar/" not in (out / "sitemap.xml").read_text()
    links = parse(out / "sv" / "index.html").select(".portal-languages__link")
    assert [a["lang"] for a in links] == ["sv", "en"]
    assert (tmp_path / "out" / "en" / "for-anhoriga" / "index.html").is_file()  # a fallback


def test_a_shared_mistake_in_a_site_build_points_at_the_shared_file(tmp_path: Path,
                                                                    runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    shared = project.content / "site.yml"
    shared.write_text(shared.read_text().replace("  email: avhopp@sydmark.example\n", ""))
    result = runner.invoke(main, ["--project", str(project.root), "check", "--site", "lindholm"])
    assert result.exit_code == 1
    assert f"content/site.yml:{line_of(project, 'contact:')}: 'contact.email' is missing" \
        in result.output


def test_the_members_block_inside_a_sentence_is_a_located_error(
        tmp_path: Path, runner: CliRunner) -> None:
    project = joint_project(tmp_path)
    page = project.content / "en" / "hitta-din-kommun.md"
    page.write_text(page.read_text().replace("\n{{ members }}\n", "\nOur members: {{ members }}\n"))
    result = runner.invoke(main, ["--project", str(project.root), "check"])
    number = line_of(project, "{{ members }}", "en/hitta-din-kommun.md")
    assert result.exit_code == 1
    assert (f"content/en/hitta-din-kommun.md:{number}: '{{{{ members }}}}' stands for a whole "
            "block: write it alone on its line") in result.output


def test_the_services_structured_data_names_each_member_as_an_area_it_serves(joint_built: Path) -> None:
    from test_api import validator
    from test_structured_data import json_ld, nodes

    expected = {"sv": ["Ekbacka kommun", "Lindholms kommun"],
                "en": ["Ekbacka Municipality", "Lindholm Municipality"]}  # the example's site.yml
    for lang, names in expected.items():
        data = json_ld(file_for(joint_built, f"/{lang}/kontakt/" if lang == "sv" else f"/{lang}/"))
        assert validator("structured-data").is_valid(data)
        served = nodes(data, "GovernmentService")[0]["areaServed"]
        assert [(area["@type"], area["name"]) for area in served] == [
            ("AdministrativeArea", name) for name in names]


def test_a_link_to_an_untranslated_page_leads_to_its_fallback_until_it_is_translated(
        tmp_path: Path, runner: CliRunner) -> None:
    """A translator may link to a page not yet in their language: the link leads to the page
    offered in Swedish at their language's address, then follows the translation when it comes
    (in a rebuild as in a clean build). With `fallback: none` it is an error at its line."""
    project = joint_project(tmp_path)
    contact = project.content / "ar" / "kontakt.md"
    contact.write_text(contact.read_text(encoding="utf-8")
                       + "\nللعائلات: [اقرأ هنا](for-anhoriga.md).\n", encoding="utf-8")
    out = tmp_path / "out"
    build(project, out, jobs=1)
    page = out / "ar" / "ittasil" / "index.html"
    assert parse(page).select_one("main a[href='/ar/for-anhoriga/'][hreflang=sv]") is not None
    assert (out / "ar" / "for-anhoriga" / "index.html").is_file()

    (project.content / "ar" / "for-anhoriga.md").write_text(
        "---\ntitle: للعائلات\ndescription: دعم للآباء والإخوة والشركاء.\nslug: lil-aailat\n"
        "order: 4\n---\nيمكن للعائلات أيضًا الحصول على الدعم.\n", encoding="utf-8")
    build(project, out, jobs=1)
    link = parse(page).select_one("main a[href='/ar/lil-aailat/']")
    assert link is not None and not link.has_attr("hreflang")
    clean = tmp_path / "clean"
    build(project, clean, jobs=1)
    assert page.read_bytes() == (clean / "ar" / "ittasil" / "index.html").read_bytes()

    (project.content / "ar" / "for-anhoriga.md").unlink()
    settings = project.content / "site.yml"
    settings.write_text(settings.read_text().replace("fallback: default", "fallback: none"))
    result = runner.invoke(main, ["--project", str(project.root), "check"])
    line = contact.read_text(encoding="utf-8").count("\n")
    assert result.exit_code == 1
    assert (f"content/ar/kontakt.md:{line}: link to 'for-anhoriga.md': there is no such page "
            "in ar/") in result.output
