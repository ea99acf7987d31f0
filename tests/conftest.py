"""Shared fixtures: the real site built once, and small fixture trees copied to break."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from playwright.sync_api import Browser, Page

from portal import create_app
from portal.load.site import Project
from portal.publish.build import build

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"  # Debian's: Playwright never downloads a browser
# No background traffic of Chromium's own, so "no request leaves the site" tests the site.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def real_project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def built(real_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "build"
    build(real_project, out)
    return out


AXE = ROOT / "tests" / "tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_failures(page: Page, base: str, paths: list[str],
                 tags: list[str] = WCAG_21_AA) -> dict[str, list[tuple[str, list[object]]]]:
    """axe-core's violations of `tags` on each path (a page whose context bypasses the CSP, so
    axe can be injected): rule ids and up to three elements each, by path; {} when none."""
    assert AXE.is_file(), "axe-core is missing: run `bash .ci/install --test`"
    failures = {}
    for path in paths:
        page.goto(f"{base}{path}")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                               tags)
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        if violations:
            failures[path] = violations
    return failures


def make_project(tmp: Path, case: str = "small") -> Project:
    """A copy of a fixture content tree with the real translations and static files."""
    root = tmp / case
    shutil.copytree(FIXTURES / case, root)
    shutil.copytree(ROOT / "translations", root / "translations",
                    ignore=shutil.ignore_patterns("*.mo"))
    shutil.copytree(ROOT / "static", root / "static")
    return Project(root)


@pytest.fixture
def small(tmp_path: Path) -> Project:
    return make_project(tmp_path)


@pytest.fixture
def small_built(small: Project) -> Path:
    out = small.root / "build"
    build(small, out)
    return out


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def client_for() -> Callable[[Project], object]:
    return lambda project: create_app(project, drafts=True).test_client()


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def file_for(out: Path, url: str) -> Path:
    """The built file that a site path is served from."""
    path = out / url.lstrip("/")
    return path / "index.html" if url.endswith("/") else path


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def nginx(real_project: Project, built: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Debian's nginx on a loopback port, with the config `portal nginx` prints, over the build."""
    with nginx_serving(real_project, built, tmp_path_factory.mktemp("nginx")) as base:
        yield base


@contextlib.contextmanager
def nginx_serving(project: Project, built: Path, folder: Path) -> Iterator[str]:
    """Debian's nginx serving `built` with the config `portal nginx` prints for `project`."""
    import subprocess
    import time
    import urllib.request

    from click.testing import CliRunner

    from portal.commands.cli import main

    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is missing: run `bash .ci/install --test`"
    port = free_port()
    challenges = folder / "acme" / ".well-known" / "acme-challenge"
    challenges.mkdir(parents=True)
    (challenges / "token-123").write_text("token-123.key", encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(project.root), "nginx", "--build",
                                       str(built), "--listen", f"127.0.0.1:{port}",
                                       "--acme-root", str(folder / "acme")])
    assert result.exit_code == 0, result.output
    (folder / "portal.conf").write_text(result.output, encoding="utf-8")
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir()
    (folder / "nginx.conf").write_text(f"""
user root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/portal.conf;
}}
""", encoding="utf-8")
    process = subprocess.Popen([binary, "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f"{base}/sv/", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                raise AssertionError(f"nginx did not start: {output}") from None
            time.sleep(0.05)
    yield base
    process.terminate()
    process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: run `bash .ci/install --test`"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
