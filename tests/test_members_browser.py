"""The joint programme's example (docs/examples/joint) in Chromium, served by nginx with the
configuration `portal nginx` prints: member QR codes read back, axe-core on the members page,
a member's poster and a fallback page, left to right and right to left."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import axe_failures, nginx_serving
from playwright.sync_api import Browser, Page
from test_browser import context, page  # noqa: F401  (fixtures)
from test_members import JOINT, joint_project

from portal.publish.build import build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def joint_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The joint example, built and served by Debian's nginx on a loopback port."""
    folder = tmp_path_factory.mktemp("joint-nginx")
    project = joint_project(folder)
    out = folder / "build"
    build(project, out)
    with nginx_serving(project, out, folder / "nginx") as base:
        yield base


@pytest.mark.parametrize(("path", "member"), [("/sv/hitta-din-kommun/", "lindholm"),
                                              ("/ar/baladiyatuk/", "ekbacka")])
def test_member_qr_codes_read_back_as_the_members_entry(joint_nginx: str, page: Page, path: str,  # noqa: F811
                                                        member: str, tmp_path: Path) -> None:
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg is missing: run `bash .ci/install --test`"
    for source in (f"{path}poster/{member}/qr.svg", f"{path}poster/{member}/"):
        page.goto(f"{joint_nginx}{source}")
        image = tmp_path / "qr.png"
        page.locator("svg").first.screenshot(path=str(image))
        read = subprocess.run([zbarimg, "--quiet", "--raw", str(image)], capture_output=True,
                              text=True, timeout=60)
        assert read.stdout.strip() == f"{JOINT}{path}#member-{member}", source


def test_a_members_qr_code_opens_the_page_at_its_entry(joint_nginx: str, page: Page) -> None:  # noqa: F811
    page.goto(f"{joint_nginx}/sv/hitta-din-kommun/#member-lindholm")
    entry = page.locator("#member-lindholm")
    assert entry.is_visible()
    assert page.evaluate("document.getElementById('member-lindholm').getBoundingClientRect().top") < 200


PAGES = ["/sv/hitta-din-kommun/", "/ar/baladiyatuk/", "/ar/for-anhoriga/", "/en/for-anhoriga/",
         "/sv/hitta-din-kommun/poster/ekbacka/", "/ar/baladiyatuk/poster/lindholm/"]


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}])
def test_members_pages_posters_and_fallbacks_pass_axe_at_wcag_21_aa(
        joint_nginx: str, browser: Browser, viewport: dict[str, int]) -> None:
    own = browser.new_context(viewport=viewport, bypass_csp=True)  # to inject axe itself
    failures = axe_failures(own.new_page(), joint_nginx, PAGES)
    own.close()
    assert failures == {}


def test_numbers_on_the_arabic_members_page_read_left_to_right_on_one_line(
        joint_nginx: str, page: Page) -> None:  # noqa: F811
    page.goto(f"{joint_nginx}/ar/baladiyatuk/")
    for link in page.locator(".portal-members a.portal-tel").all():
        box = link.bounding_box()
        assert box is not None and box["height"] < 40  # one line
        assert link.evaluate("a => getComputedStyle(a).direction") == "ltr"
