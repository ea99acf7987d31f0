"""`portal serve` answers only to loopback names (no DNS rebinding), never lets a browser cache a
preview, and shows problem text escaped."""

from __future__ import annotations

import http.client
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_project
from werkzeug.serving import BaseWSGIServer, make_server

from portal.commands.serve import Preview, allows, host_name, is_loopback
from portal.errors import Problem
from portal.load.catalogs import po_path
from portal.load.site import Project


def serve(preview: Preview) -> tuple[str, BaseWSGIServer]:
    httpd: BaseWSGIServer = make_server("127.0.0.1", 0, preview, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_port}", httpd


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("preview"))


@pytest.fixture(scope="module")
def server(project: Project) -> Iterator[str]:
    """A preview started as `portal serve --host preview.example.test` would start it."""
    base, httpd = serve(Preview(project, host="preview.example.test"))
    yield base
    httpd.shutdown()


def fetch(url: str, host: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Host": host} if host is not None else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


FORGED = ["evil.example", "evil.example:5000", "localhost.evil.example", "127.0.0.1.evil.example",
          "127.0.0.1.nip.io:8000", "localhost.", "192.168.1.10:5000", "[::ffff:7f00:1]",
          "0.0.0.0", "preview.example.test.evil.example", "localhost:80:80", "localhost:http",
          "[::1", "", " ", "2130706433", "0x7f.0.0.1"]


@pytest.mark.parametrize("host", FORGED)
@pytest.mark.parametrize("path", ["/sv/", "/sv/kontakt/", "/_preview/version", "/_preview/reload.js",
                                  "/static/css/portal.css", "/nope/"])
def test_a_forged_host_header_gets_421_and_no_content(server: str, host: str, path: str) -> None:
    status, headers, body = fetch(server + path, host)
    assert status == 421
    assert headers["Content-Type"].startswith("text/plain")
    assert headers["Cache-Control"] == "no-store"
    assert body.startswith("This preview answers only at localhost")
    assert "Kontakt" not in body and "version" not in body and "<" not in body


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "LOCALHOST:5000", "127.0.0.1",
                                  "127.0.0.1:8000", "127.1.2.3:80", "[::1]", "[::1]:5000",
                                  "preview.example.test", "Preview.Example.Test:5000"])
def test_loopback_names_and_the_started_host_are_answered(server: str, host: str) -> None:
    status, headers, body = fetch(server + "/sv/kontakt/", host)
    assert status == 200 and "portal-page__title" in body
    assert headers["Cache-Control"] == "no-store"


def test_two_host_headers_are_refused(server: str) -> None:
    connection = http.client.HTTPConnection(server.removeprefix("http://"), timeout=10)
    connection.putrequest("GET", "/sv/", skip_host=True)
    connection.putheader("Host", "localhost")
    connection.putheader("Host", "evil.example")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 421 and b"Kontakt" not in response.read()
    connection.close()


def test_without_a_started_host_only_loopback_names_are_answered(project: Project) -> None:
    base, httpd = serve(Preview(project))
    try:
        assert fetch(base + "/sv/", "localhost:1234")[0] == 200
        assert fetch(base + "/sv/", "preview.example.test")[0] == 421
    finally:
        httpd.shutdown()


@pytest.mark.parametrize(("started", "header"), [("0.0.0.0", "0.0.0.0:5000"),
                                                 ("192.168.1.10", "192.168.1.10:5000"),
                                                 ("FE80::1", "[fe80:0::1]:5000"),
                                                 ("[fe80::1]", "[FE80::1]"),
                                                 ("Preview.Test", "preview.test:80")])
def test_the_started_address_is_matched_in_any_spelling(started: str, header: str) -> None:
    assert allows(header, started)
    assert not allows("evil.example:5000", started)
    assert not allows(header, None)


@pytest.mark.parametrize(("header", "name"), [("localhost:5000", "localhost"), ("[::1]:80", "::1"),
                                              ("Example.ORG", "example.org"), ("a:b", None),
                                              ("[::1]x", None), (":5000", None), ("x:99999", "x"),
                                              ("x:123456", None), ("x:٥", None)])
def test_host_name_takes_the_port_off_and_refuses_malformed_headers(header: str,
                                                                    name: str | None) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(("name", "loopback"), [("localhost", True), ("127.0.0.1", True),
                                                ("127.255.0.9", True), ("::1", True),
                                                ("128.0.0.1", False), ("localhost.", False),
                                                ("0177.0.0.1", False), ("127.1", False)])
def test_loopback_is_localhost_127_and_1(name: str, loopback: bool) -> None:
    assert is_loopback(name) is loopback


# --- No caching, escaped problems -----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/sv/", "/sv/kontakt/", "/sv/kontakt/qr.svg", "/nope/",
                                  "/_preview/version", "/_preview/reload.js",
                                  "/static/css/portal.css"])
def test_every_preview_response_is_no_store(server: str, path: str) -> None:
    status, headers, _ = fetch(server + path)
    assert status in (200, 404)
    assert headers["Cache-Control"] == "no-store"


def test_problem_text_is_escaped_in_the_error_page() -> None:
    page = Preview.error_page(1, [Problem('content/sv/<img src=x onerror="alert(1)">.md', 3,
                                          "'<script>alert(1)</script>' is not allowed & \"quoted\"")])
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page and "&amp;" in page


def test_a_broken_po_file_is_shown_escaped_and_uncached(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    po = po_path(project.translations, "sv")
    po.write_text(po.read_text(encoding="utf-8") + "\n<script>alert(1)</script>\n",
                  encoding="utf-8")
    base, httpd = serve(Preview(project))
    try:
        status, headers, body = fetch(base + "/sv/")
    finally:
        httpd.shutdown()
    assert status == 500 and headers["Cache-Control"] == "no-store"
    assert "translations/sv/LC_MESSAGES/messages.po:" in body
    assert "&#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; is not a .po keyword" in body
    assert "<script>alert" not in body
