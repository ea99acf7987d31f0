"""Web editing at /admin/: the generated configuration, the `cms:` settings, the preview's local
backend (Decap's proxy protocol) and what a build with and without the editor ships."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, nginx_serving
from werkzeug.test import Client

from portal.commands.cli import main
from portal.commands.serve import Preview
from portal.errors import ContentError
from portal.load import cms
from portal.load.content import FIELDS, is_slug
from portal.load.origins import violations
from portal.load.settings import load_settings, require_settings
from portal.load.site import Project
from portal.publish.build import build
from portal.publish.headers import Policy, security_headers

GITLAB = """
cms:
  backend: gitlab
  repo: ekbacka/avhopp-portal
  base_url: https://gitlab.ekbacka.example
  app_id: 4f2a9c1e8b7d
"""
ORIGIN = "http://127.0.0.1:5000"
PREVIEWS: dict[Path, Preview] = {}  # one preview per project copy, as `portal serve` has


def copy_real(tmp: Path, extra: str = "") -> Project:
    """The shipped project's inputs, copied, with `extra` added to site.yml."""
    root = tmp / "project"
    for name in ("content", "static", "translations"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("*.mo"))
    if extra:
        with (root / "content" / "site.yml").open("a", encoding="utf-8") as file:
            file.write(extra)
    return Project(root)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_real(tmp_path_factory.mktemp("cms"))


@pytest.fixture
def fresh(tmp_path: Path) -> Project:
    return copy_real(tmp_path)


def api(project: Project, action: str, params: dict[str, Any] | None = None,
        **headers: str) -> tuple[int, Any]:
    """One call as Decap's proxy backend makes it: a JSON POST from the editor's own page."""
    sent = {"Content-Type": "application/json; charset=utf-8", "Origin": ORIGIN,
            "Host": "127.0.0.1:5000", **headers}
    if project.root not in PREVIEWS:
        PREVIEWS[project.root] = Preview(project)
    response = Client(PREVIEWS[project.root]).post(
        cms.PROXY, data=json.dumps({"action": action, "params": {"branch": "main", **(params or {})}}),
        headers={k: v for k, v in sent.items() if v})
    text = response.get_data(as_text=True)
    return response.status_code, (json.loads(text) if response.mimetype == "application/json" else text)


# -- the generated configuration ---------------------------------------------------------------

def test_every_language_is_a_collection_with_every_front_matter_field_the_loader_knows(
        project: Project) -> None:
    settings = require_settings(project.content, project.root)
    config = yaml.safe_load(cms.config_yaml(settings, local=True))
    pages = {c["name"]: c for c in config["collections"] if "folder" in c}
    assert list(pages) == [f"pages_{code}" for code in settings.codes]
    for lang in settings.languages:
        collection = pages[f"pages_{lang.code}"]
        assert collection["folder"] == f"content/{lang.code}"
        assert lang.name in collection["label"]
        names = [f["name"] for f in collection["fields"]]
        # the source language is not a translation: it has no `reviewed`
        expected = set(FIELDS) - ({"reviewed"} if lang.code == settings.default_language else set())
        assert set(names) - {"body"} == expected, lang.code
        fields = {f["name"]: f for f in collection["fields"]}
        assert fields["translated_from"]["widget"] == "hidden"
        assert fields["title"]["required"] and fields["description"]["required"]
        assert fields["body"]["modes"] == ["raw"]  # saved exactly as typed
        # a translation started in the editor is a draft; a new page is not
        assert fields["draft"].get("default") is (None if lang.code == settings.default_language
                                                  else True)


def test_the_config_keeps_the_loaders_rules_for_slug_and_description(project: Project) -> None:
    settings = require_settings(project.content, project.root)
    fields = {f["name"]: f for f in cms.page_fields(settings, "en")}
    slug = re.compile(fields["slug"]["pattern"][0])
    for value in ("kontakt", "a-1", "x" * 80, "x" * 81, "Kontakt", "a--b", "-a", "a_b", "å", ""):
        assert bool(slug.search(value)) == is_slug(value), value
    from portal.load.checks import MAX_DESCRIPTION

    assert cms.MAX_DESCRIPTION == MAX_DESCRIPTION
    description = re.compile(fields["description"]["pattern"][0])
    assert description.search("a" * 155) and not description.search("a" * 156)
    assert not description.search("two\nlines")


def test_settings_are_a_file_collection_keeping_languages_and_cms_as_they_are(project: Project) -> None:
    settings = require_settings(project.content, project.root)
    config = cms.config(settings, local=True)
    (files,) = [c["files"] for c in config["collections"] if "files" in c]
    assert files[0]["file"] == "content/site.yml"
    fields = {f["name"]: f for f in files[0]["fields"]}
    assert {fields[k]["widget"] for k in ("base_url", "languages", "default_language", "cms")} == {"hidden"}
    assert [f["name"] for f in fields["programme"]["fields"]] == list(settings.codes)
    # .po files stay outside the editor: it reaches the pages and site.yml only
    places = [c.get("folder") or c["files"][0]["file"] for c in config["collections"]]
    assert all(p.startswith("content/") for p in places) and len(places) == len(settings.codes) + 1


def test_the_settings_editor_keeps_every_key_the_settings_know(project: Project) -> None:
    """Decap writes only the fields it is given: a settings key left out would be deleted."""
    from portal.load.settings import CONTACT_KEYS, _Reader

    settings = require_settings(project.content, project.root)
    fields = cms.settings_fields(settings)
    assert [f["name"] for f in fields] == list(_Reader.KEYS)
    contact = next(f for f in fields if f["name"] == "contact")
    assert [f["name"] for f in contact["fields"]] == list(CONTACT_KEYS)


def test_opening_hours_written_unquoted_by_the_editor_are_the_times_they_say(tmp_path: Path) -> None:
    project = copy_real(tmp_path)
    path = project.content / "site.yml"
    text = path.read_text(encoding="utf-8")
    unquoted = text.replace('opens: "08:00", closes: "17:00"', "opens: 08:00, closes: 17:00")
    assert unquoted != text
    path.write_text(unquoted, encoding="utf-8")
    settings = require_settings(project.content, project.root)
    assert (settings.contact.hours[0].opens, settings.contact.hours[0].closes) == ("08:00", "17:00")
    assert settings.opening_hours("sv")[0].endswith("08:00–17:00")


def test_locally_the_editor_talks_to_the_preview_and_published_to_gitlab_with_review(
        tmp_path: Path) -> None:
    project = copy_real(tmp_path, GITLAB)
    settings = require_settings(project.content, project.root)
    local = cms.config(settings, local=True)
    assert local["backend"] == {"name": "proxy", "proxy_url": "/admin/api/v1", "branch": "main"}
    assert "publish_mode" not in local
    published = cms.config(settings, local=False)
    assert published["backend"]["name"] == "gitlab"
    assert published["backend"]["auth_type"] == "pkce"
    assert published["backend"]["api_root"] == "https://gitlab.ekbacka.example/api/v4"
    assert published["publish_mode"] == "editorial_workflow"
    assert settings.cms is not None and settings.cms.origins == ("https://gitlab.ekbacka.example",)


@pytest.mark.parametrize(("section", "message"), [
    ("cms:\n  backend: bitbucket\n  repo: a/b\n  base_url: https://a.example\n", "must be one of"),
    ("cms:\n  backend: github\n  repo: just-a-name\n  base_url: https://a.example\n", "owner/name"),
    ("cms:\n  backend: github\n  repo: a/b\n  base_url: http://a.example\n", "https://"),
    ("cms:\n  backend: gitlab\n  repo: a/b\n  base_url: https://gitlab.a.example\n",
     "'cms.app_id' is missing"),
    ("cms:\n  backend: github\n  repo: a/b\n  base_url: https://a.example\n  token: x\n",
     "not a known setting"),
    ("cms:\n  backend: github\n  repo: a/b\n  base_url: https://a.example\n  review: maybe\n", "cms.review"),
    ("cms:\n  backend: github\n  repo: a/b\n  base_url: \"https://a.example/'}\"\n", "not allowed"),
    ("cms: yes\n", "'cms' must be a mapping"),
])
def test_a_wrong_cms_section_is_reported_with_its_line(tmp_path: Path, section: str, message: str) -> None:
    project = copy_real(tmp_path, "\n" + section)
    settings, problems = load_settings(project.content, project.root)
    assert settings is None
    assert any(message in p.message and p.path == "content/site.yml" and p.line for p in problems), problems


# -- the local backend: Decap's proxy protocol in the preview -------------------------------------

def test_the_editor_lists_every_page_of_a_language_with_its_text(project: Project) -> None:
    status, entries = api(project, "entriesByFolder", {"folder": "content/ar", "extension": "md",
                                                       "depth": 1})
    assert status == 200
    on_disk = sorted(p.name for p in (project.content / "ar").glob("*.md"))
    assert sorted(e["file"]["path"].rpartition("/")[2] for e in entries) == on_disk
    kontakt = next(e for e in entries if e["file"]["path"] == "content/ar/kontakt.md")
    raw = (project.content / "ar" / "kontakt.md").read_bytes()
    assert kontakt["data"] == raw.decode("utf-8")
    assert kontakt["file"]["id"] == hashlib.sha256(raw).hexdigest()


def test_saving_a_page_unchanged_leaves_its_bytes_unchanged(fresh: Project) -> None:
    for rel in ("content/sv/kontakt.md", "content/ar/index.md", "content/site.yml"):
        before = (fresh.root / rel).read_bytes()
        _, entry = api(fresh, "getEntry", {"path": rel})
        status, _ = api(fresh, "persistEntry", {"dataFiles": [{"slug": "x", "path": rel,
                                                               "raw": entry["data"]}],
                                                "assets": [], "options": {}})
        assert status == 200 and (fresh.root / rel).read_bytes() == before


def test_a_new_page_saved_in_swedish_only_builds_and_is_missing_elsewhere(fresh: Project) -> None:
    raw = ("---\ntitle: Stöd i skolan\ndescription: Hur skolan kan hjälpa dig som vill lämna.\n"
           "---\nRing oss på {{ phone }}.\n\n## Skolan {#skolan}\n\nText.\n")
    status, _ = api(fresh, "persistEntry", {"dataFiles": [
        {"slug": "stod-i-skolan", "path": "content/sv/stod-i-skolan.md", "raw": raw}],
        "assets": [], "options": {"commitMessage": "Create"}})
    assert status == 200
    assert (fresh.content / "sv" / "stod-i-skolan.md").read_text(encoding="utf-8") == raw
    out = fresh.root / "out"
    build(fresh, out)
    assert "070-174 06 05" in (out / "sv" / "stod-i-skolan" / "index.html").read_text(encoding="utf-8")
    status_text = CliRunner().invoke(main, ["--project", str(fresh.root), "translations", "status"])
    line = next(x for x in status_text.output.splitlines() if "stod-i-skolan" in x)
    assert "MISSING" in line


def test_a_translation_made_in_the_editor_starts_as_a_draft_and_status_shows_it(fresh: Project) -> None:
    settings = require_settings(fresh.content, fresh.root)
    fields = {f["name"]: f for f in cms.page_fields(settings, "en")}
    assert fields["draft"]["default"] is True
    raw = ("---\ntitle: Support at school\ndescription: How school can help.\nslug: school\n"
           "draft: true\n---\nCall us.\n")
    api(fresh, "persistEntry", {"dataFiles": [{"slug": "x", "path": "content/en/hjalp-i-skolan.md",
                                               "raw": raw}], "assets": [], "options": {}})
    sv = "---\ntitle: Hjälp i skolan\ndescription: Hur skolan hjälper.\n---\nRing oss.\n"
    (fresh.content / "sv" / "hjalp-i-skolan.md").write_text(sv, encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(fresh.root), "translations", "status"])
    line = next(x for x in result.output.splitlines() if "hjalp-i-skolan" in x)
    assert "draft" in line.lower()
    assert CliRunner().invoke(main, ["--project", str(fresh.root), "check"]).exit_code == 0


@pytest.mark.parametrize("path", [
    "content/../pyproject.toml", "content/sv/../../README.md", "/etc/passwd", "content/sv/.hidden.md",
    "content\\sv\\kontakt.md", "content/sv/x.txt", "static/css/portal.css", "content/sv/a/b.md",
    "content/sv/.md", "content/sv/Stod I Skolan.md", "translations/sv/LC_MESSAGES/messages.po",
])
def test_nothing_outside_the_pages_and_settings_is_written(fresh: Project, path: str) -> None:
    status, body = api(fresh, "persistEntry", {"dataFiles": [{"slug": "x", "path": path,
                                                               "raw": "---\ntitle: x\n---\n"}],
                                               "assets": [], "options": {}})
    assert status in (403, 422) and body["error"]
    assert not (fresh.root / "pyproject.toml").exists()
    assert (fresh.root / "static" / "css" / "portal.css").read_bytes() == \
        (ROOT / "static" / "css" / "portal.css").read_bytes()


def test_a_link_out_of_the_content_is_neither_read_nor_written_through(fresh: Project,
                                                                         tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: secret\n---\n", encoding="utf-8")
    os.symlink(secret, fresh.content / "sv" / "lank.md")
    status, body = api(fresh, "getEntry", {"path": "content/sv/lank.md"})
    assert status == 403 and "outside" in body["error"]
    status, _ = api(fresh, "persistEntry", {"dataFiles": [{"slug": "x", "path": "content/sv/lank.md",
                                                           "raw": "changed"}], "assets": [], "options": {}})
    assert status == 403 and secret.read_text(encoding="utf-8") == "---\ntitle: secret\n---\n"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, fresh.content / "xx")
    status, _ = api(fresh, "persistEntry", {"dataFiles": [{"slug": "x", "path": "content/xx/a.md",
                                                           "raw": "x"}], "assets": [], "options": {}})
    assert status == 403 and not list(outside.iterdir())


@pytest.mark.parametrize(("headers", "status"), [
    ({"Content-Type": "text/plain"}, 415),  # a plain form or fetch without preflight
    ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": ""}, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Host": "evil.example"}, 421),  # DNS rebinding, refused before anything else
])
def test_a_request_from_another_site_writes_nothing(fresh: Project, headers: dict[str, str],
                                                    status: int) -> None:
    before = (fresh.content / "sv" / "kontakt.md").read_bytes()
    got, _ = api(fresh, "persistEntry", {"dataFiles": [{"slug": "x", "path": "content/sv/kontakt.md",
                                                        "raw": "hacked"}], "assets": [], "options": {}},
                 **headers)
    assert got == status
    assert (fresh.content / "sv" / "kontakt.md").read_bytes() == before


def test_images_only_as_pictures_in_static_images_and_pages_are_never_deleted(fresh: Project) -> None:
    png = base64.b64encode((ROOT / "static" / "images" / "share.png").read_bytes()).decode()
    status, media = api(fresh, "persistMedia", {"asset": {"path": "static/images/skola.png",
                                                          "content": png, "encoding": "base64"},
                                                "options": {"commitMessage": "x"}})
    assert status == 200 and media["name"] == "skola.png"
    assert (fresh.static / "images" / "skola.png").read_bytes() == base64.b64decode(png)
    svg = base64.b64encode(b"<svg onload='alert(1)'/>").decode()
    status, _ = api(fresh, "persistMedia", {"asset": {"path": "static/images/x.svg", "content": svg,
                                                      "encoding": "base64"}, "options": {}})
    assert status == 422 and not (fresh.static / "images" / "x.svg").exists()
    status, _ = api(fresh, "deleteFile", {"path": "content/sv/kontakt.md", "options": {}})
    assert status == 422 and (fresh.content / "sv" / "kontakt.md").exists()
    status, listed = api(fresh, "getMedia", {"mediaFolder": "static/images"})
    assert "static/images/skola.png" in [m["path"] for m in listed]


def test_renaming_a_page_and_unknown_actions_are_refused(fresh: Project) -> None:
    status, body = api(fresh, "persistEntry", {"dataFiles": [{
        "slug": "x", "path": "content/sv/kontakt.md", "newPath": "content/sv/ny.md", "raw": "x"}],
        "assets": [], "options": {}})
    assert status == 422 and "renamed" in body["error"]
    assert api(fresh, "unpublishedEntries")[0] == 422
    assert api(fresh, "info")[1]["type"] == "local_fs"


def test_the_editor_works_while_the_content_has_errors(fresh: Project) -> None:
    (fresh.content / "sv" / "kontakt.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    client = Client(Preview(fresh))
    assert client.get("/sv/", headers={"Host": "127.0.0.1:5000"}).status_code == 500
    page = client.get("/admin/", headers={"Host": "127.0.0.1:5000"})
    assert page.status_code == 200 and b"decap-cms.js" in page.data
    assert "'unsafe-eval'" in page.headers["Content-Security-Policy"]
    status, entry = api(fresh, "getEntry", {"path": "content/sv/kontakt.md"})
    assert status == 200 and entry["data"] == "---\ntitle: x\n---\n"


# -- the build ---------------------------------------------------------------------------------

def test_a_build_without_cms_settings_ships_no_admin(small: Project) -> None:
    out = small.root / "out"
    build(small, out)
    assert not (out / "admin").exists()
    assert "/admin/" not in (out / "_headers").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cms_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    project = copy_real(tmp_path_factory.mktemp("cms-build"), GITLAB)
    out = project.root / "build"
    build(project, out)
    return project, out


def test_a_build_with_cms_settings_ships_the_editor_from_its_own_origin(
        cms_built: tuple[Project, Path]) -> None:
    _, out = cms_built
    page = (out / "admin" / "index.html").read_text(encoding="utf-8")
    assert violations(page) == []  # no script or style from another origin, nothing inline
    assert (out / "admin" / "decap-cms.js").read_bytes() == (cms.DECAP / "decap-cms.js").read_bytes()
    chunks = {p.name for p in cms.DECAP.glob("*.js")}
    assert chunks <= {p.name for p in (out / "admin").glob("*.js")}
    config = yaml.safe_load((out / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"]["name"] == "gitlab" and config["publish_mode"] == "editorial_workflow"


def test_headers_file_loosens_the_policy_for_admin_only(cms_built: tuple[Project, Path]) -> None:
    _, out = cms_built
    rules = (out / "_headers").read_text(encoding="utf-8").split("\n\n")
    visitors = next(r for r in rules if r.startswith("/*"))
    assert f"Content-Security-Policy: {security_headers(Policy(wasm=True))['Content-Security-Policy']}" \
        in visitors
    admin = next(r for r in rules if r.startswith("/admin/*"))
    assert "! Content-Security-Policy" in admin
    assert "connect-src 'self' https://gitlab.ekbacka.example;" in admin


def test_nginx_gives_admin_its_own_policy_and_visitors_keep_theirs(
        cms_built: tuple[Project, Path], tmp_path: Path) -> None:
    from test_nginx import assert_secure, request

    project, out = cms_built
    with nginx_serving(project, out, tmp_path) as base:
        for path in ("/sv/", "/ar/kontakt/", "/", "/sv/search/", "/404.html"):
            status, headers, _ = request(base, path)
            assert_secure(headers)  # unchanged: no unsafe-*, default-src 'none'
            assert "gitlab" not in headers["Content-Security-Policy"]
            assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        status, headers, body = request(base, "/admin/")
        assert status == 200 and b"decap-cms.js" in body
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self' 'unsafe-eval'" in csp
        assert "connect-src 'self' https://gitlab.ekbacka.example;" in csp
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        status, headers, body = request(base, "/admin/decap-cms.js", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        assert headers["Content-Encoding"] == "gzip"
        status, headers, _ = request(base, "/admin/config.yml")
        assert status == 200 and "unsafe-eval" in headers["Content-Security-Policy"]


def test_broken_settings_stop_the_build_naming_the_cms_line(tmp_path: Path) -> None:
    project = copy_real(tmp_path, GITLAB.replace("gitlab\n", "svn\n", 1))
    with pytest.raises(ContentError) as caught:
        build(project, tmp_path / "out")
    assert any("cms.backend" in p.message for p in caught.value.problems)


# -- publishing from the web: the documented examples work -------------------------------------

EXAMPLES = ROOT / "docs" / "examples"


@pytest.mark.parametrize(("example", "backend"), [("cms-gitlab.site.yml", "gitlab"),
                                                  ("cms-github.site.yml", "github")])
def test_the_documented_cms_settings_are_valid_and_ask_for_review(tmp_path: Path, example: str,
                                                                    backend: str) -> None:
    project = copy_real(tmp_path, "\n" + (EXAMPLES / example).read_text(encoding="utf-8"))
    settings = require_settings(project.content, project.root)
    assert settings.cms is not None and settings.cms.backend == backend and settings.cms.review
    config = cms.config(settings, local=False)
    assert config["publish_mode"] == "editorial_workflow"


def test_the_review_job_shows_each_problem_with_its_file_and_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    project = copy_real(tmp_path)
    page = project.content / "en" / "kontakt.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(project.root), "check", "--format", "json"])
    assert result.exit_code == 1
    (tmp_path / "check.json").write_text(result.output, encoding="utf-8")
    status = CliRunner().invoke(main, ["--project", str(project.root), "translations", "status"])
    (tmp_path / "status.txt").write_text(status.output, encoding="utf-8")
    script = str(EXAMPLES / "review_report.py")
    report = json.loads(subprocess.run([sys.executable, script, "codequality", str(tmp_path / "check.json")],
                                       check=True, capture_output=True, text=True).stdout)
    found = [r for r in report if r["location"]["path"] == "content/en/kontakt.md"]
    assert {(r["severity"], r["location"]["lines"]["begin"]) for r in found} == {("major", 1), ("major", 2)}
    comment = subprocess.run([sys.executable, script, "markdown", str(tmp_path / "check.json"),
                              str(tmp_path / "status.txt")], check=True, capture_output=True,
                             text=True).stdout
    assert "content/en/kontakt.md:2" in comment and "cannot be built" in comment
    assert "translations status" in comment


@pytest.mark.parametrize("example", ["review.gitlab-ci.yml", "review.github.yml"])
def test_the_ci_examples_run_the_check_and_the_translation_status(example: str) -> None:
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    assert isinstance(yaml.safe_load(text), dict)
    assert "portal check --format json" in text and "portal translations status" in text
    assert "review_report.py" in text
