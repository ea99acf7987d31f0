"""A real browser (Debian's Chromium, driven by Playwright) on the real build served by nginx.

Quick exit, search, keyboard use, privacy (no request elsewhere, nothing stored), no CSP
violation, and axe-core at WCAG 2.1 AA on every page type in a left-to-right and a
right-to-left language. Phone screenshots of the start page go to test-artifacts/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, axe_failures
from playwright.sync_api import Browser, BrowserContext, Page, Route

pytestmark = pytest.mark.browser

NEUTRAL = "https://www.smhi.se/"
ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 390, "height": 844}
# Every page type, in Swedish and in Arabic (right to left).
PAGE_TYPES = ["/", "/{lang}/", "/{lang}/{contact}/", "/{lang}/search/", "/{lang}/{contact}/poster/",
              "/{lang}/no-such-page/"]
CONTACT = {"sv": "kontakt", "ar": "contact"}


def pages_of(lang: str) -> list[str]:
    return [p.format(lang=lang, contact=CONTACT[lang]) for p in PAGE_TYPES]



@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE)
    # The neutral site is on the internet, which this machine cannot reach: answer for it.
    context.route(f"{NEUTRAL}**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Neutral</title><p>Weather</p>"))
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def test_quick_exit_button_leaves_and_keeps_the_portal_out_of_back(nginx: str, page: Page) -> None:
    page.goto(f"{nginx}/sv/kontakt/")
    page.get_by_role("link", name=re.compile("^Lämna sidan")).click()
    page.wait_for_url(NEUTRAL)
    page.go_back()  # location.replace took the portal page out of the history
    assert not page.url.startswith(nginx)


def test_pressing_shift_three_times_leaves(nginx: str, page: Page) -> None:
    page.goto(f"{nginx}/ar/contact/")
    status = page.locator(".js-portal-exit-status")
    exit_area = page.locator(".js-portal-exit")
    page.keyboard.press("Shift")
    assert status.text_content() == exit_area.get_attribute("data-two-more")
    page.keyboard.press("Shift")
    assert status.text_content() == exit_area.get_attribute("data-one-more")
    assert "Shift" in (status.text_content() or "")
    page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL)


def test_another_key_between_shift_presses_starts_the_count_again(nginx: str, page: Page) -> None:
    page.goto(f"{nginx}/sv/")
    for key in ("Shift", "Shift", "a", "Shift"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert page.url == f"{nginx}/sv/"
    assert "2 gånger till" in (page.locator(".js-portal-exit-status").text_content() or "")


def test_quick_exit_works_without_javascript(browser: Browser, nginx: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    context.route(f"{NEUTRAL}**", lambda route: route.fulfill(status=200, body="neutral"))
    page = context.new_page()
    page.goto(f"{nginx}/fa/")
    assert page.locator(".portal-nav__list").is_visible()  # the whole menu, no toggle needed
    page.locator(".js-portal-exit-button").click()
    page.wait_for_url(NEUTRAL)
    page.goto(f"{nginx}/fa/search/")
    assert page.locator(".portal-search__pages a").count() >= 10  # the fallback: every page
    assert not page.locator(".portal-search__form").is_visible()
    context.close()


@pytest.mark.parametrize(("lang", "word", "expected"), [
    ("sv", "skulder", "/sv/hjalp/"),
    ("ar", "الديون", "/ar/help/"),
    ("fa", "بدهی", "/fa/help/"),
])
def test_search_finds_pages_in_the_page_language_only(
    nginx: str, page: Page, lang: str, word: str, expected: str
) -> None:
    page.goto(f"{nginx}/{lang}/search/")
    box = page.locator(".js-portal-search-input")
    box.wait_for(state="visible")
    box.fill(word)
    results = page.locator(".portal-search__result a")
    results.first.wait_for()
    hrefs = [urlsplit(h or "").path for h in results.evaluate_all("els => els.map(e => e.href)")]
    assert expected in hrefs
    assert all(h.startswith(f"/{lang}/") for h in hrefs)
    assert "?" not in page.url  # the words searched for stay out of the history


def test_keyboard_reaches_skip_link_then_quick_exit(nginx: str, page: Page) -> None:
    page.goto(f"{nginx}/sv/kontakt/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "portal-skip-link" in focused
    box = page.locator(".portal-skip-link").bounding_box()
    assert box and box["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto(f"{nginx}/sv/kontakt/")
    names = []
    for _ in range(4):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.className"))
    assert any("portal-exit__button" in n for n in names[:3])


def test_menu_folds_on_a_phone_and_opens_with_its_button(nginx: str, page: Page) -> None:
    page.goto(f"{nginx}/sv/")
    toggle = page.locator(".js-portal-nav-toggle")
    assert toggle.is_visible() and not page.locator(".portal-nav__list").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator(".portal-nav__list").is_visible()


def test_copy_link_copies_the_page_address(nginx: str, browser: Browser) -> None:
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=nginx)
    page = context.new_page()
    page.goto(f"{nginx}/sv/kontakt/")
    page.locator(".js-portal-copy").click()
    page.locator(".js-portal-copy-status", has_text="kopierad").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == "https://avhopp.ekbacka.example/sv/kontakt/"
    context.close()


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_no_request_leaves_the_site_and_nothing_is_stored(
    nginx: str, context: BrowserContext, lang: str
) -> None:
    requests: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    for path in pages_of(lang):
        page.goto(f"{nginx}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{nginx}/{lang}/search/")
    page.locator(".js-portal-search-input").fill("112")
    page.wait_for_load_state("networkidle")
    outside = [url for url in requests if not url.startswith(f"{nginx}/")]
    assert requests and outside == []
    assert context.cookies() == []
    stored = page.evaluate("[document.cookie, localStorage.length, sessionStorage.length]")
    assert stored == ["", 0, 0]


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_pages_load_under_the_csp_with_no_violation(nginx: str, context: BrowserContext,
                                                      lang: str) -> None:
    messages: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    for path in pages_of(lang):
        page.goto(f"{nginx}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{nginx}/{lang}/search/")
    page.locator(".js-portal-search-input").fill("112")
    page.locator(".portal-search__result").first.wait_for()
    problems = [m for m in messages if "Content Security Policy" in m or "Refused" in m
                or m.startswith("pageerror") or (m.startswith("error") and "404" not in m)]
    assert problems == []


@pytest.mark.parametrize("lang", ["sv", "ar"])
@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}])
def test_every_page_type_passes_axe_at_wcag_21_aa(
    nginx: str, browser: Browser, lang: str, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # to inject axe itself
    failures = axe_failures(context.new_page(), nginx, pages_of(lang))
    context.close()
    assert failures == {}


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_phone_screenshot_of_the_start_page(nginx: str, page: Page, lang: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{nginx}/{lang}/")
    target = ARTIFACTS / f"start-{lang}-phone.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll


@pytest.mark.parametrize("path", ["/ar/contact/", "/sv/"])
def test_qr_codes_read_back_as_the_page_address(nginx: str, page: Page, path: str,
                                                tmp_path: Path) -> None:
    import shutil
    import subprocess

    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg is missing: run `bash .ci/install --test`"
    for source in (f"{path}qr.svg", f"{path}poster/"):
        page.goto(f"{nginx}{source}")
        image = tmp_path / "qr.png"
        page.locator("svg").screenshot(path=str(image))
        read = subprocess.run([zbarimg, "--quiet", "--raw", str(image)], capture_output=True,
                              text=True, timeout=60)
        assert read.stdout.strip() == f"https://avhopp.ekbacka.example{path}", source


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_quick_exit_stays_on_screen_while_reading(nginx: str, page: Page, lang: str) -> None:
    page.goto(f"{nginx}/{lang}/")
    page.mouse.wheel(0, 20_000)
    page.wait_for_function("window.scrollY > 1000")
    box = page.locator(".js-portal-exit-button").bounding_box()
    assert box and 0 <= box["y"] < 100
    hide = page.locator(".portal-exit__help")
    assert hide.is_visible() and hide.get_attribute("href").startswith(f"/{lang}/")


def test_leaving_hides_the_page_at_once_and_coming_back_shows_it(nginx: str, page: Page) -> None:
    # Point the exit at this page's own #fragment before portal.js reads it: leaving is then a
    # same-document navigation, and the page can be looked at in its leaving state. (Leaving
    # for the real neutral site is tested above.)
    page.add_init_script("""new MutationObserver((changes, observer) => {
        const button = document.querySelector('.js-portal-exit-button');
        if (button) { button.setAttribute('href', '#left'); observer.disconnect(); }
    }).observe(document, {childList: true, subtree: true})""")
    page.goto(f"{nginx}/sv/")
    page.locator(".js-portal-exit-button").click()
    page.wait_for_url(f"{nginx}/sv/#left")
    assert page.evaluate("document.documentElement.classList.contains('portal-exit--leaving')")
    assert page.evaluate("getComputedStyle(document.body).visibility") == "hidden"
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert page.evaluate("getComputedStyle(document.body).visibility") == "visible"


def test_the_404_page_offers_quick_exit_in_every_language(nginx: str, page: Page) -> None:
    page.goto(f"{nginx}/no-such-page/")  # outside every language (under /sv/, the Swedish 404)
    labels = page.locator(".js-portal-exit-button span[lang]")
    assert labels.count() == 6
    assert labels.nth(2).get_attribute("lang") == "ar" and labels.nth(2).text_content()


@pytest.mark.parametrize("lang", ["sv", "ar", "fi", "so"])
def test_no_page_scrolls_sideways_on_a_small_phone(nginx: str, browser: Browser, lang: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    contact = {"sv": "kontakt", "fi": "yhteystiedot"}.get(lang, "contact" if lang == "ar" else "la-xiriir")
    accessibility = {"sv": "tillganglighet", "fi": "saavutettavuus", "ar": "accessibility",
                     "so": "helitaanka"}[lang]
    wide = {}
    for path in ["/", f"/{lang}/", f"/{lang}/{contact}/", f"/{lang}/{accessibility}/",
                 f"/{lang}/{accessibility}/poster/", f"/{lang}/search/", f"/{lang}/none/"]:
        page.goto(f"{nginx}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[path] = width
    context.close()
    assert wide == {}


def test_the_preview_reloads_the_open_page_when_files_are_saved(browser: Browser, tmp_path: Path) -> None:
    import threading

    from conftest import make_project
    from werkzeug.serving import make_server

    from portal.commands.serve import Preview

    project = make_project(tmp_path)
    preview = Preview(project)
    preview.watch(interval=0.1)
    server = make_server("127.0.0.1", 0, preview, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/sv/kontakt/")
        page.wait_for_timeout(600)  # the page has asked for the version once

        markdown = project.content / "sv" / "kontakt.md"
        markdown.write_text(markdown.read_text(encoding="utf-8").replace(
            "title: Kontakt", "title: Hör av dig"), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').textContent === 'Hör av dig'",
                               timeout=5000)

        css = project.static / "css" / "portal.css"
        css.write_text(css.read_text(encoding="utf-8") + "\nh1 { letter-spacing: 7px; }\n",
                       encoding="utf-8")
        page.wait_for_function("getComputedStyle(document.querySelector('h1')).letterSpacing"
                               " === '7px'", timeout=5000)

        po = project.translations / "sv" / "LC_MESSAGES" / "messages.po"
        po.write_text(po.read_text(encoding="utf-8").replace(
            'msgstr "Kontakta oss"', 'msgstr "Ring eller skriv"'), encoding="utf-8")
        page.wait_for_function("document.querySelector('#portal-footer-contact').textContent"
                               " === 'Ring eller skriv'", timeout=5000)

        markdown.write_text("---\ntitle: Trasig\n---\n", encoding="utf-8")
        page.wait_for_function("document.body.textContent.includes(\"'description' is missing\")",
                               timeout=5000)
        assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"
    finally:
        page.close()
        server.shutdown()


def test_a_change_saved_while_the_page_loads_still_reloads_it(browser: Browser, tmp_path: Path) -> None:
    """The page is rendered, then a file is saved before the reload script first asks for the
    version: the page still reloads (it knows the version it was rendered at)."""
    import threading

    from conftest import make_project
    from werkzeug.serving import make_server

    from portal.commands.serve import Preview

    project = make_project(tmp_path)
    preview = Preview(project)
    preview.watch(interval=0.1)
    server = make_server("127.0.0.1", 0, preview, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    markdown = project.content / "sv" / "kontakt.md"
    page = browser.new_page()

    def save_then_serve(route: Route) -> None:
        version = preview.version
        markdown.write_text(markdown.read_text(encoding="utf-8").replace(
            "title: Kontakt", "title: Hör av dig"), encoding="utf-8")
        deadline = time.monotonic() + 5
        while preview.version == version and time.monotonic() < deadline:
            time.sleep(0.05)
        route.continue_()

    page.route("**/_preview/reload.js", save_then_serve)
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/sv/kontakt/")
        page.wait_for_function("document.querySelector('h1').textContent === 'Hör av dig'",
                               timeout=5000)
    finally:
        page.close()
        server.shutdown()
