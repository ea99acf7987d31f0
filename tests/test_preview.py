"""`portal serve`: the preview reloads changed files, shows errors in the page, and recovers."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from portal.commands.serve import Preview
from portal.load.site import Project


@pytest.fixture
def server(small: Project) -> Iterator[tuple[str, Preview]]:
    preview = Preview(small)
    preview.watch(interval=0.1)
    httpd: BaseWSGIServer = make_server("127.0.0.1", 0, preview, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", preview
    httpd.shutdown()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for_version(base: str, old: int, seconds: float = 5.0) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        version = json.loads(get(f"{base}/_preview/version")[1])["version"]
        if version != old:
            return int(version)
        time.sleep(0.05)
    raise AssertionError("the preview did not notice the change")


def test_saved_change_is_served_and_the_page_is_told_to_reload(
    server: tuple[str, Preview], small: Project
) -> None:
    base, preview = server
    status, html = get(f"{base}/sv/kontakt/")
    assert status == 200 and "<h1 class=\"portal-page__title\">Kontakt</h1>" in html
    assert f'<script src="/_preview/reload.js" data-version="{preview.version}" defer></script>' in html
    assert "fetch(\"/_preview/version\"" in get(f"{base}/_preview/reload.js")[1]
    version = json.loads(get(f"{base}/_preview/version")[1])["version"]

    page = small.content / "sv" / "kontakt.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title: Kontakt", "title: Hör av dig"),
                    encoding="utf-8")
    wait_for_version(base, version)
    assert "<h1 class=\"portal-page__title\">Hör av dig</h1>" in get(f"{base}/sv/kontakt/")[1]


def test_a_content_error_is_shown_in_the_browser_and_the_page_recovers(
    server: tuple[str, Preview], small: Project
) -> None:
    base, preview = server
    page = small.content / "sv" / "kontakt.md"
    good = page.read_text(encoding="utf-8")
    version = preview.version
    page.write_text(good.replace("title: Kontakt\n", ""), encoding="utf-8")
    version = wait_for_version(base, version)
    status, html = get(f"{base}/sv/")
    assert status == 500
    assert "content/sv/kontakt.md:1: &#x27;title&#x27; is missing" in html
    assert "reload.js" in html

    page.write_text(good, encoding="utf-8")
    wait_for_version(base, version)
    assert get(f"{base}/sv/")[0] == 200


def test_drafts_are_shown_and_marked_in_the_preview(server: tuple[str, Preview]) -> None:
    base, _ = server
    status, html = get(f"{base}/sv/utkast/")
    assert status == 200 and "portal-draft" in html


def test_only_changed_files_are_read_again(small: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    preview = Preview(small)
    reads: list[str] = []
    import portal.load.site

    original = portal.load.site.load_page

    def counting(path, *args):  # type: ignore[no-untyped-def]
        reads.append(path.name)
        return original(path, *args)

    monkeypatch.setattr(portal.load.site, "load_page", counting)
    page = small.content / "en" / "kontakt.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nMore text.\n", encoding="utf-8")
    assert preview.poll() is True
    assert reads == ["kontakt.md"]
    assert preview.poll() is False


def test_a_broken_template_override_shows_its_file_and_line_in_the_page(
        server: tuple[str, Preview], small: Project) -> None:
    base, preview = server
    old = preview.version
    small.templates.mkdir()
    (small.templates / "page.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{{ page.title.nope.deeper }}\n{% endblock %}\n",
        encoding="utf-8")
    wait_for_version(base, old)
    status, body = get(f"{base}/sv/kontakt/")
    assert status == 500 and "templates/page.html:3: template error" in body
    assert "Traceback" not in body
