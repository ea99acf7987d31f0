"""The joint programme's example (docs/examples/joint) in Chromium, served by nginx with the
configuration `portal nginx` prints: member QR codes read back, axe-core on the members page,
a member's poster and a fallback page, left to right and right to left."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import free_port
from playwright.sync_api import Browser, Page
from test_browser import AXE, browser, context, page  # noqa: F401  (fixtures)
from test_members import JOINT, joint_project

from portal.commands.cli import main
from portal.publish.build import build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def joint_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The joint example, built and served by Debian's nginx on a loopback port."""
    folder = tmp_path_factory.mktemp("joint-nginx")
    project = joint_project(folder)
    out = folder / "build"
    build(project, out)
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is missing: run `bash .ci/install --test`"
    port = free_port()
    (folder / "acme").mkdir()
    result = CliRunner().invoke(main, ["--project", str(project.root), "nginx", "--build", str(out),
                                       "--listen", f"127.0.0.1:{port}",
                                       "--acme-root", str(folder / "acme")])
    assert result.exit_code == 0, result.output
    (folder / "portal.conf").write_text(result.output, encoding="utf-8")
    temps = "\n".join(f"{name}_temp_path {folder}/{name};" for name in
                      ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir()
    (folder / "nginx.conf").write_text(
        f"user root;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log "
        "warn;\nevents { worker_connections 64; }\nhttp {\ninclude /etc/nginx/mime.types;\n"
        f"default_type application/octet-stream;\n{temps}\ninclude {folder}/portal.conf;\n}}\n",
        encoding="utf-8")
    process = subprocess.Popen([binary, "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f"{base}/sv/", timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    yield base
    process.terminate()
    process.wait(timeout=10)


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
        joint_nginx: str, browser: Browser, viewport: dict[str, int]) -> None:  # noqa: F811
    assert AXE.is_file(), "axe-core is missing: run `bash .ci/install --test`"
    own = browser.new_context(viewport=viewport, bypass_csp=True)  # to inject axe itself
    tab = own.new_page()
    failures = {}
    for path in PAGES:
        tab.goto(f"{joint_nginx}{path}")
        tab.add_script_tag(path=str(AXE))
        result = tab.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        if violations:
            failures[path] = violations
    own.close()
    assert failures == {}


def test_numbers_on_the_arabic_members_page_read_left_to_right_on_one_line(
        joint_nginx: str, page: Page) -> None:  # noqa: F811
    page.goto(f"{joint_nginx}/ar/baladiyatuk/")
    for link in page.locator(".portal-members a.portal-tel").all():
        box = link.bounding_box()
        assert box is not None and box["height"] < 40  # one line
        assert link.evaluate("a => getComputedStyle(a).direction") == "ltr"
