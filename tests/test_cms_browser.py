"""The editor at /admin/ in a real browser against `portal serve` on a copy of the project:
Debian's Chromium, and Debian's Firefox ESR (through WebDriver BiDi) where it is installed.
Pages of every language are listed; a Swedish text and an Arabic title are edited and saved to
disk and shown by the preview; a new page is created and the site still builds."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import CHROMIUM_ARGS, ROOT
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from werkzeug.serving import make_server

from portal.commands.cli import main
from portal.commands.serve import Preview
from portal.load.content import load_page
from portal.load.settings import require_settings
from portal.load.site import Project
from portal.publish.build import build

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class Recorded:
    """The preview as a WSGI app that also notes every path asked for."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        self.paths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.paths.append(environ.get("PATH_INFO", ""))
        return self.preview(environ, start_response)


@pytest.fixture
def recorded(tmp_path: Path) -> Iterator[tuple[Project, str, Recorded]]:
    """`portal serve` (the preview and its watcher) on a copy of the shipped project."""
    root = tmp_path / "project"
    for name in ("content", "static", "translations"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("*.mo"))
    project = Project(root)
    preview = Preview(project)
    preview.watch(interval=0.1)
    app = Recorded(preview)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield project, f"http://127.0.0.1:{httpd.server_port}", app
    httpd.shutdown()


@pytest.fixture
def served(recorded: tuple[Project, str, Recorded]) -> tuple[Project, str]:
    return recorded[0], recorded[1]


def watch_origins(page: Page, base: str) -> list[str]:
    """The list that collects every request the page makes to another origin."""
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base)
            and not r.url.startswith(("blob:", "data:")) else None)
    return foreign


def open_editor(page: Page, base: str, route: str) -> None:
    """The local editor at `route`, signed in (the first time, with the local backend's button)."""
    page.goto("about:blank")
    page.goto(f"{base}/admin/#/{route}")
    login = page.get_by_role("button", name="Logga in")
    page.locator("input[id^=title-field], a[href*='/entries/']").or_(login).first.wait_for()
    if login.is_visible():
        login.click()


def publish(page: Page) -> None:
    page.get_by_role("button", name="Publicera").first.click()
    page.get_by_role("menuitem", name="Publicera nu").click()
    page.get_by_text("Publicerad").first.wait_for()


def test_every_language_is_listed_and_edits_are_saved_and_previewed(
        playwright: Playwright, served: tuple[Project, str]) -> None:
    project, base = served
    browser = launch(playwright)
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and "Content Security Policy" in m.text else None)
    foreign = watch_origins(page, base)
    open_editor(page, base, "collections/pages_sv")
    settings = require_settings(project.content, project.root)
    for lang in settings.languages:  # every language is a collection with its pages
        page.get_by_role("link", name=f"{lang.name} ({lang.code})").first.click()
        first = load_page(project.content / lang.code / "kontakt.md", lang.code, project.root)[0]
        assert first is not None
        page.get_by_text(first.title, exact=True).first.wait_for()

    # A Swedish page's text
    open_editor(page, base, "collections/pages_sv/entries/kontakt")
    expect(page.locator("input[id^=title-field]")).to_have_value("Kontakt")
    editor = page.locator("[data-slate-editor]")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Vi finns på plats i skolan varje tisdag.")
    publish(page)
    sv = (project.content / "sv" / "kontakt.md").read_text(encoding="utf-8")
    assert "Vi finns på plats i skolan varje tisdag." in sv

    # An Arabic title, written right to left
    open_editor(page, base, "collections/pages_ar/entries/kontakt")
    title = page.locator("input[id^=title-field]")
    expect(title).to_have_value(re.compile("[\u0600-\u06ff]"))  # the Arabic page is open
    page.wait_for_function("e => e.matches(':dir(rtl)')", arg=title.element_handle(), timeout=5000)
    title.fill("اتصل بنا اليوم")
    publish(page)
    ar = load_page(project.content / "ar" / "kontakt.md", "ar", project.root)[0]
    assert ar is not None and ar.title == "اتصل بنا اليوم"

    # The preview shows both changes (it reloads the files it watches, and the open page)
    view = browser.new_page()
    view.goto(f"{base}/sv/kontakt/")
    expect(view.locator("main")).to_contain_text("Vi finns på plats i skolan varje tisdag.",
                                                 timeout=15_000)
    view.goto(f"{base}/ar/{ar.slug}/")
    expect(view.locator("h1")).to_have_text("اتصل بنا اليوم", timeout=15_000)
    assert foreign == [] and errors == []
    browser.close()


def test_saving_through_the_editor_keeps_every_value_and_the_translation_link(
        playwright: Playwright, served: tuple[Project, str]) -> None:
    """Decap rewrites the front matter (it folds long lines): the values, the body with its
    {{ placeholders }} and {#id} lists, and the fingerprint translations are matched by stay."""
    project, base = served
    path = project.content / "ar" / "kontakt.md"
    with path.open("a", encoding="utf-8") as file:  # an attribute list, a table, an escaped *
        file.write("\n## ساعات العمل {#hours}\n\n| اليوم | الوقت |\n|---|---|\n| \\* | {{ hours }} |\n"
                   "\nاتصل بنا على {{ phone }}.\n")
    before = load_page(path, "ar", project.root)[0]
    browser = launch(playwright)
    page = browser.new_page()
    open_editor(page, base, "collections/pages_ar/entries/kontakt")
    title = page.locator("input[id^=title-field]")
    expect(title).to_have_value(before.title)
    title.fill(title.input_value() + " ")  # a change that the loader's spacing rule undoes
    publish(page)
    browser.close()
    after = load_page(path, "ar", project.root)[0]
    assert before is not None and after is not None
    for key in ("title", "description", "slug", "order", "updated", "draft", "easy_read",
                "faq", "routes", "reviewed", "translated_from", "body"):
        assert getattr(after, key) == getattr(before, key), key
    assert after.fingerprint == before.fingerprint
    assert "{{ phone }}" in after.body and "{#hours}" in after.body and "| \\* |" in after.body


def test_contact_details_are_edited_in_the_settings_and_still_pass_the_check(
        playwright: Playwright, served: tuple[Project, str]) -> None:
    project, base = served
    browser = launch(playwright)
    page = browser.new_page()
    open_editor(page, base, "collections/settings/entries/site")
    phone = page.locator("input[id^=phone-field]").first
    expect(phone).to_have_value("070-174 06 05")
    phone.fill("070-174 06 07")
    publish(page)
    browser.close()
    settings = require_settings(project.content, project.root)
    assert settings.contact.phone.display == "070-174 06 07"
    assert [lang.code for lang in settings.languages] == ["sv", "en", "ar", "fa", "so", "fi"]
    assert settings.contact.hours[0].opens == "08:00"
    result = CliRunner().invoke(main, ["--project", str(project.root), "check"])
    assert result.exit_code == 0, result.output


def test_a_new_page_starts_in_swedish_and_the_site_builds_without_its_translations(
        playwright: Playwright, served: tuple[Project, str], tmp_path: Path) -> None:
    project, base = served
    browser = launch(playwright)
    page = browser.new_page()
    open_editor(page, base, "collections/pages_sv/new")
    page.locator("input[id^=title-field]").fill("Stöd i skolan")
    page.locator("textarea[id^=description-field]").fill("Hur skolan kan hjälpa dig som vill lämna.")
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("Ring oss på {{ phone }}.")
    publish(page)
    new = project.content / "sv" / "stod-i-skolan.md"
    assert new.exists(), sorted(p.name for p in (project.content / "sv").iterdir())
    assert not any((project.content / code / new.name).exists() for code in ("en", "ar", "fa"))
    out = tmp_path / "out"
    build(project, out)
    html = (out / "sv" / "stod-i-skolan" / "index.html").read_text(encoding="utf-8")
    assert "Stöd i skolan" in html and "070-174 06 05" in html
    shown = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    assert re.search(r"\{\{|\}\}", shown) is None  # (JSON-LD's nested objects end in }})

    # Its English translation, started in the editor: linked by the file name, and a draft
    open_editor(page, base, "collections/pages_en/new")
    page.locator("input[id^=title-field]").fill("Support at school")
    page.locator("textarea[id^=description-field]").fill("How school can help you leave.")
    page.locator("input[id^=slug-field]").fill("stod-i-skolan")
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("Call us on {{ phone }}.")
    publish(page)
    browser.close()
    english = load_page(project.content / "en" / "stod-i-skolan.md", "en", project.root)[0]
    assert english is not None and english.draft and english.title == "Support at school"
    status = CliRunner().invoke(main, ["--project", str(project.root), "translations", "status"])
    row = next(x for x in status.output.splitlines() if x.startswith("stod-i-skolan "))
    assert row.split()[1:3] == ["source", "draft"] and "MISSING" in row


@pytest.mark.skipif(not Path(FIREFOX).exists(), reason="Firefox ESR is not installed "
                    "(bash .ci/install --test installs it)")
def test_the_editor_starts_in_firefox_under_its_policy(recorded: tuple[Project, str, Recorded],
                                                       tmp_path: Path) -> None:
    """Playwright cannot drive Debian's Firefox ESR (its WebDriver BiDi lacks a command
    Playwright needs), so Firefox loads the editor headless: the configuration is asked for only
    once Decap's script has run under the /admin/ policy; the rest is the same JSON protocol."""
    _, base, app = recorded
    profile = tmp_path / "firefox"
    profile.mkdir()
    subprocess.run([FIREFOX, "--headless", "--no-remote", "--profile", str(profile),
                    "--screenshot", str(tmp_path / "admin.png"), f"{base}/admin/"],
                   check=True, timeout=120, capture_output=True, env={**os.environ, "HOME": str(tmp_path)})
    assert "/admin/decap-cms.js" in app.paths and "/admin/config.yml" in app.paths


def test_an_emptied_optional_field_is_left_out_of_the_file(playwright: Playwright,
                                                           served: tuple[Project, str]) -> None:
    project, base = served
    browser = launch(playwright)
    page = browser.new_page()
    open_editor(page, base, "collections/pages_fi/entries/kontakt")
    expect(page.locator("input[id^=order-field]")).to_have_value("8")
    for field in ("order", "slug", "updated"):
        page.locator(f"input[id^={field}-field]").fill("")
    publish(page)
    browser.close()
    text = (project.content / "fi" / "kontakt.md").read_text(encoding="utf-8")
    front = text.split("---")[1]
    assert not re.search(r"^(order|slug|updated):", front, re.MULTILINE), front
    result = CliRunner().invoke(main, ["--project", str(project.root), "check"])
    assert result.exit_code == 0, result.output
