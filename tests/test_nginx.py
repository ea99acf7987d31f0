"""The shipped nginx configuration, proven against Debian's nginx serving the real build."""

from __future__ import annotations

import gzip
import http.client
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.external

SECURITY = ("Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options",
            "Referrer-Policy", "Permissions-Policy", "X-Frame-Options")


def request(base: str, path: str, **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.headers, body


def assert_secure(headers: http.client.HTTPMessage) -> None:
    for name in SECURITY:
        assert headers[name], name
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "form-action 'none'", "style-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp.replace("wasm-unsafe-eval", "")
    assert int(headers["Strict-Transport-Security"].split("max-age=")[1].split(";")[0]) >= 15_552_000
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Set-Cookie" not in headers


def test_pages_are_served_with_security_headers_and_short_caching(nginx: str) -> None:
    status, headers, body = request(nginx, "/ar/contact/")
    assert status == 200 and b'lang="ar"' in body
    assert_secure(headers)
    assert headers["Cache-Control"] == "no-store"  # visited pages are not kept on disk
    assert headers["Content-Type"].startswith("text/html")


def test_fingerprinted_assets_are_cached_for_a_year(nginx: str) -> None:
    _, _, page = request(nginx, "/sv/")
    css = page.decode().split('rel="stylesheet" href="')[1].split('"')[0]
    assert css.startswith("/static/css/portal.") and css.count(".") == 2
    status, headers, _ = request(nginx, css)
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert_secure(headers)


def test_missing_pages_get_our_404_page_with_headers(nginx: str) -> None:
    status, headers, body = request(nginx, "/sv/finns-inte/")
    assert status == 404 and b"portal-chooser__link" in body
    assert_secure(headers)


@pytest.mark.parametrize(
    ("accept", "location"),
    [("ar,en;q=0.8", "/ar/"), ("de-DE,de;q=0.9", "/sv/"), ("en-GB,en;q=0.9", "/en/"),
     ("de,fa;q=0.5,en;q=0.3", "/fa/"), ("so", "/so/"), ("fi-FI", "/fi/"), ("EN-us", "/en/"),
     ("ar;q=0, en", "/en/"), ("AR", "/ar/")],
)
def test_root_redirects_to_the_visitor_s_language(nginx: str, accept: str, location: str) -> None:
    status, headers, _ = request(nginx, "/", **{"Accept-Language": accept})
    assert status == 302 and headers["Location"] == location
    assert "Accept-Language" in headers["Vary"]
    assert_secure(headers)


def test_root_without_accept_language_is_the_language_chooser(nginx: str) -> None:
    status, _, body = request(nginx, "/")
    assert status == 200 and b"portal-chooser__list" in body


def test_gzip_is_served_when_asked_for(nginx: str) -> None:
    status, headers, body = request(nginx, "/fa/", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert b'lang="fa"' in gzip.decompress(body)
    _, plain_headers, plain = request(nginx, "/fa/")
    assert plain_headers["Content-Encoding"] is None and gzip.decompress(body) == plain


@pytest.mark.parametrize("path", ["/static/", "/static/css/", "/_headers", "/_redirects",
                                  "/.portal-build.json"])
def test_no_listings_and_no_internal_files(nginx: str, path: str) -> None:
    status, _, body = request(nginx, path)
    assert status == 404 and b"Index of" not in body


def test_a_page_without_trailing_slash_redirects_to_it(nginx: str) -> None:
    status, headers, _ = request(nginx, "/sv/kontakt")
    assert status == 301 and headers["Location"] == "/sv/kontakt/"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def test_crawling_every_language_over_http_finds_no_broken_link(nginx: str) -> None:
    seen: set[str] = set()
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        status, headers, body = request(nginx, path)
        assert status == 200, path
        if headers["Content-Type"].startswith("text/html"):
            parser = _Links()
            parser.feed(body.decode("utf-8"))
            for link in parser.found:
                target = urlsplit(urljoin(path, link))
                if target.scheme not in ("", "http", "https") or target.netloc:
                    continue  # other sites, tel:, mailto:
                queue.append(target.path)
    languages = {p.split("/")[1] for p in seen if p.count("/") >= 2}
    assert {"sv", "en", "ar", "fa", "so", "fi", "static"} <= languages
    assert len(seen) > 60


def test_certificate_challenges_are_served_from_outside_the_build(nginx: str) -> None:
    status, _, body = request(nginx, "/.well-known/acme-challenge/token-123")
    assert status == 200 and body == b"token-123.key"


def test_the_config_keeps_a_symlinked_build_folder_as_given(real_project, built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from portal.commands.cli import main

    link = tmp_path / "current"
    link.symlink_to(built)
    result = CliRunner().invoke(main, ["--project", str(real_project.root), "nginx", "--build",
                                       str(link), "--listen", "127.0.0.1:8080"])
    assert f'root "{link}";' in result.output  # a deployment can switch the link


def test_static_host_files_match_the_nginx_headers(nginx: str, built) -> None:  # type: ignore[no-untyped-def]
    _, served, _ = request(nginx, "/sv/")
    rules: dict[str, dict[str, str]] = {}
    current = ""
    for line in (built / "_headers").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(" "):
            current = line
            rules[current] = {}
        elif line.strip():
            name, value = line.strip().split(": ", 1)
            rules[current][name] = value
    for name in SECURITY:
        assert rules["/*"][name] == served[name]
    # hosts join the values of all matching rules: only /static/* may set Cache-Control
    assert "Cache-Control" not in rules["/*"]
    assert rules["/static/*"] == {"Cache-Control": "public, max-age=31536000, immutable"}
    redirects = (built / "_redirects").read_text(encoding="utf-8").splitlines()
    assert redirects[0].split() == ["/", "/sv/", "302!", "Language=sv"]
    assert len(redirects) == 12 and all("Language=" in line for line in redirects[:6])
    # and a missing page under a language's address gets that language's 404 page
    assert redirects[6:] == [f"/{code}/*  /{code}/404.html  404"
                             for code in ("sv", "en", "ar", "fa", "so", "fi")]
