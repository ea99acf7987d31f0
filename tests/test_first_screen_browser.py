"""The first screen in a real browser (Debian's Chromium on the build served by nginx): the call
button without scrolling on every start page, phone numbers whose digit groups stay in order and
on one line (from their rendered positions), no layout shift on a slow phone, the chooser's
one-line exit, and axe at zero on the chooser and the 404 pages."""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT, WCAG_21_AA, axe_failures
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SETTINGS = yaml.safe_load((ROOT / "content" / "site.yml").read_text(encoding="utf-8"))
LANGS = [lang["code"] for lang in SETTINGS["languages"]]

# Every digit group of every phone number on the page, with its rendered boxes: a number is
# right when its groups are on one line and follow each other from left to right, whatever the
# direction of the text around it.
DIGIT_GROUPS = """() => {
  const numbers = document.querySelectorAll(
    'a[href^="tel:"], a[href^="sms:"], bdi.portal-tel, .portal-hours bdi');
  const result = [];
  for (const number of numbers) {
    if (!number.getClientRects().length) continue;  // not shown at this width
    const groups = [];
    const walker = document.createTreeWalker(number, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[0-9]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        groups.push({text: match[0], rects: rects.map(r => [r.left, r.top, r.right])});
      }
    }
    result.push({number: number.textContent, groups});
  }
  return result;
}"""

CLS_OBSERVER = """window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__shifts.push(entry.value);
  }
}).observe({type: 'layout-shift', buffered: true});"""



def new_page(browser: Browser, viewport: dict[str, int], **options: bool) -> Page:
    context = browser.new_context(viewport=viewport, **options)
    return context.new_page()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_first_call_button_is_on_the_first_screen_of_every_start_page(
        nginx: str, browser: Browser, viewport: dict[str, int]) -> None:
    page = new_page(browser, viewport)
    ARTIFACTS.mkdir(exist_ok=True)
    below = {}
    for lang in LANGS:
        page.goto(f"{nginx}/{lang}/")
        call = page.locator('a[href^="tel:"]').first
        box = call.bounding_box()
        assert box is not None and call.is_visible()
        if not (box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
                and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]):
            below[lang] = box
        assert call.get_attribute("href") == "tel:+46701740605"
        page.screenshot(path=str(ARTIFACTS / f"first-screen-{lang}-{viewport['width']}.png"))
    page.context.close()
    assert below == {}


def test_on_a_desktop_the_contact_box_is_in_the_right_column(nginx: str, browser: Browser) -> None:
    page = new_page(browser, DESKTOP)
    for lang, side in (("sv", "right"), ("ar", "left")):  # the "end" side of the reading direction
        page.goto(f"{nginx}/{lang}/")
        box = page.locator("aside.portal-contact").bounding_box()
        heading = page.locator("main h1").bounding_box()
        assert box and heading
        assert box["y"] < DESKTOP["height"] / 2 and abs(box["y"] - heading["y"]) < 100
        if side == "right":
            assert box["x"] > heading["x"] + heading["width"] - 10
        else:
            assert box["x"] + box["width"] < heading["x"] + 10
    page.context.close()


def test_the_routes_are_above_the_fold_on_a_desktop(nginx: str, browser: Browser) -> None:
    page = new_page(browser, DESKTOP)
    for lang in LANGS:
        page.goto(f"{nginx}/{lang}/")
        routes = page.locator(".portal-routes__title")
        assert routes.count() == 3
        last = routes.nth(2).bounding_box()
        assert last and last["y"] + last["height"] <= DESKTOP["height"], lang
    page.context.close()


# The chooser as /index.html: nginx sends a browser asking for a language from / to its start page.
CHOOSER = "/index.html"
PAGES_WITH_NUMBERS = [CHOOSER, "/404.html", "/{lang}/", "/{lang}/404.html", "/{lang}/{contact}/",
                      "/{lang}/{professionals}/", "/{lang}/poster/"]
SLUGS = {"sv": ("kontakt", "for-yrkesverksamma"), "en": ("contact", "for-professionals"),
         "ar": ("contact", "for-professionals"), "fa": ("contact", "for-professionals")}


@pytest.mark.parametrize("lang", ["ar", "fa", "sv", "en"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_number_keeps_its_digit_groups_in_order_and_on_one_line(
        nginx: str, browser: Browser, lang: str, viewport: dict[str, int]) -> None:
    page = new_page(browser, viewport)
    contact, professionals = SLUGS[lang]
    wrong, seen = [], 0
    for path in PAGES_WITH_NUMBERS:
        url = path.format(lang=lang, contact=contact, professionals=professionals)
        page.goto(f"{nginx}{url}")
        for number in page.evaluate(DIGIT_GROUPS):
            groups = number["groups"]
            seen += 1
            if any(len(g["rects"]) != 1 for g in groups):
                wrong.append((url, number["number"], "a group is split or hidden"))
                continue
            tops = {round(g["rects"][0][1]) for g in groups}
            lefts = [g["rects"][0][0] for g in groups]
            if max(tops) - min(tops) > 2:
                wrong.append((url, number["number"], "broken across lines"))
            elif lefts != sorted(lefts):
                wrong.append((url, number["number"], "groups out of order"))
    page.context.close()
    assert seen > 30 and wrong == []


@pytest.mark.parametrize("path", ["/sv/", "/ar/", "/fa/contact/", "/sv/search/", "/index.html"])
def test_no_layout_shift_on_a_slow_phone(nginx: str, browser: Browser, path: str) -> None:
    page = new_page(browser, PHONE)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.add_init_script(CLS_OBSERVER)
    page.goto(f"{nginx}{path}", wait_until="load")
    page.wait_for_timeout(1500)  # scripts have run, the search bundle has loaded
    shift = page.evaluate("window.__shifts.reduce((a, b) => a + b, 0)")
    # The observer is really there: a shift made on purpose is counted.
    page.evaluate("""() => { const p = document.createElement('p');
        p.style.blockSize = '300px'; document.body.prepend(p); }""")
    page.wait_for_timeout(300)
    made = page.evaluate("window.__shifts.reduce((a, b) => a + b, 0)")
    page.context.close()
    assert made > shift
    assert shift < 0.05, shift


def test_the_chooser_exit_is_one_line_high(nginx: str, browser: Browser) -> None:
    page = new_page(browser, PHONE)
    page.goto(f"{nginx}{CHOOSER}")
    button = page.locator(".js-portal-exit-button")
    lines = page.evaluate("""() => {
        const tops = new Set();
        for (const label of document.querySelectorAll('.js-portal-exit-button span[lang]')) {
            const range = document.createRange();
            range.selectNodeContents(label);
            for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
        }
        return tops.size;
    }""")
    bar = page.locator(".portal-exit-bar").bounding_box()
    box = button.bounding_box()
    assert box and bar
    assert lines == 1
    assert box["height"] < 60 and bar["height"] < PHONE["height"] / 10
    assert button.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # Every language's words are still there for screen readers.
    assert page.locator(".js-portal-exit-button span[lang]").count() == len(LANGS)
    page.context.close()


def test_the_chooser_heading_breaks_no_word(nginx: str, browser: Browser) -> None:
    page = new_page(browser, PHONE)
    page.goto(f"{nginx}{CHOOSER}")
    assert page.locator(".portal-chooser__phrase").count() == len(LANGS)
    broken = page.evaluate("""() => {
        const broken = [];
        for (const phrase of document.querySelectorAll('.portal-chooser__phrase')) {
            const walker = document.createTreeWalker(phrase, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const word of node.data.matchAll(/\\S+/g)) {
                    const range = document.createRange();
                    range.setStart(node, word.index);
                    range.setEnd(node, word.index + word[0].length);
                    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (tops.size > 1) broken.push(word[0]);
                }
            }
        }
        return broken;
    }""")
    page.context.close()
    assert broken == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_chooser_and_the_404_pages_pass_axe_with_best_practices(
        nginx: str, browser: Browser, viewport: dict[str, int]) -> None:
    page = new_page(browser, viewport, bypass_csp=True)  # to inject axe itself
    failures = axe_failures(page, nginx, [CHOOSER, "/404.html", "/ar/404.html", "/fi/404.html",
                                          "/sv/", "/fa/", "/ar/poster/", "/sv/kontakt/"],
                            [*WCAG_21_AA, "best-practice"])
    page.context.close()
    assert failures == {}


def test_todays_opening_hours_are_marked(nginx: str, browser: Browser) -> None:
    page = new_page(browser, PHONE)
    # A Wednesday: Monday to Thursday is the first row.
    page.clock.set_fixed_time("2026-12-02T10:00:00")
    page.goto(f"{nginx}/sv/")
    rows = page.locator("aside .js-portal-hours tr")
    assert "portal-hours__today" in (rows.nth(0).get_attribute("class") or "")
    assert "(i dag)" in (rows.nth(0).text_content() or "")
    assert not rows.nth(1).get_attribute("class")
    page.context.close()


@pytest.mark.parametrize("media", ["screen", "print"])
def test_on_the_poster_the_phone_number_is_the_largest_text_after_the_headline(
        nginx: str, browser: Browser, media: str) -> None:
    page = new_page(browser, {"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media=media)
    page.goto(f"{nginx}/sv/kontakt/poster/")
    sizes = page.evaluate("""() => [...document.querySelectorAll('.portal-poster__sheet *')]
        .filter(e => e.getClientRects().length && [...e.childNodes].some(
            n => n.nodeType === 3 && n.data.trim()))
        .map(e => [e.className, parseFloat(getComputedStyle(e).fontSize)])""")
    page.context.close()
    ranked = sorted(sizes, key=lambda item: -item[1])
    assert ranked[0][0] == "portal-poster__title"
    assert "portal-tel" in ranked[1][0] and ranked[1][1] > ranked[2][1]
