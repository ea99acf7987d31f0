"""`portal serve`: the live preview. Reloads changed files, and the open browser page with them."""

from __future__ import annotations

import ipaddress
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from ..errors import ContentError, Problem, errors_in
from ..load.cms import ADMIN
from ..load.site import PageCache, Project
from ..render.app import create_app
from ..render.bodies import checked_site
from ..render.templating import check_templates, located, sample_urls
from .cms_backend import LocalBackend

TEMPLATES = Path(__file__).parent.parent / "templates"
RELOAD_JS = """(function () {
  // Starts from the version the page was rendered at: a change saved between the rendering and
  // the first poll still reloads the page.
  var script = document.currentScript;
  var version = script && script.dataset.version ? Number(script.dataset.version) : null;
  function poll() {
    fetch("/_preview/version", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (data) {
        if (version !== null && data.version !== version) { location.reload(); return; }
        version = data.version;
        setTimeout(poll, 400);
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""
MISDIRECTED = ("This preview answers only at localhost, 127.0.0.1 or [::1] (and at the --host it "
               "was started with). To preview at another address, start it with "
               "`portal serve --host ADDRESS`.\n")
_PORT = re.compile(r"(?::[0-9]{1,5})?\Z")


def script_tag(version: int) -> str:
    """The reload script, told which version of the site the page shows."""
    return f'<script src="/_preview/reload.js" data-version="{int(version)}" defer></script>'


def host_name(header: str) -> str | None:
    """The host of a Host header, lower-case, without port or brackets; None if malformed."""
    header = header.strip().lower()
    if header.startswith("["):  # [::1]:5000
        name, bracket, rest = header[1:].partition("]")
        if not bracket:
            return None
    else:
        name, colon, port = header.partition(":")
        rest = colon + port
    return name if name and _PORT.match(rest) else None


def _address(host: str) -> str:
    """A host as given to `portal serve --host` or by `host_name`, in one spelling for comparing:
    lower-case, IP addresses in their short form (`::1`, not `[0:0:0:0:0:0:0:1]`)."""
    host = host.strip().lower().removeprefix("[").removesuffix("]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def allows(header: str, started: str | None) -> bool:
    """Whether a request with this Host header may be answered by a preview started on the host
    `started`: loopback names always, another name only if it is the one it was started on."""
    name = host_name(header)
    return name is not None and (is_loopback(name) or (
        started is not None and _address(name) == _address(started)))


def is_loopback(name: str) -> bool:
    """localhost, any 127.x.y.z or ::1 (a name as `host_name` returns it)."""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Preview:
    """The preview's state: the current app (or the problems that stop it) and a version number."""

    def __init__(self, project: Project, host: str | None = None) -> None:
        self.project = project
        # Besides loopback names, only the address the server was started on: a page on another
        # site whose name is made to point at this machine (DNS rebinding) is refused.
        self.host = host
        self.version = 0
        self.app: Flask | None = None
        self.problems: list[Problem] = []
        self._cache: PageCache = {}
        self._stamps: dict[Path, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self.admin = LocalBackend(project)  # the editor at /admin/, writing into content/
        self.poll()

    def _watched(self) -> dict[Path, tuple[int, int]]:
        stamps = {}
        for folder in (self.project.content, self.project.translations, self.project.static,
                       self.project.templates, TEMPLATES):
            if folder.is_dir():
                for path in folder.rglob("*"):
                    if path.suffix in (".mo",) or not path.is_file():
                        continue
                    try:
                        stat = path.stat()
                    except OSError:  # deleted since it was listed: the next poll sees it gone
                        continue
                    stamps[path] = (stat.st_mtime_ns, stat.st_size)
        return stamps

    def poll(self) -> bool:
        """Look for changed files; reload what changed. True when the site changed."""
        stamps = self._watched()
        if stamps == self._stamps:
            return False
        with self._lock:
            self._stamps = stamps
            for path in [p for p in self._cache if p not in stamps]:
                del self._cache[path]  # deleted files
            site, problems = checked_site(self.project, drafts=True, cache=self._cache)
            self.problems = errors_in(problems)
            if site is not None:
                try:
                    app = create_app(self.project, drafts=True, site=site)
                    # template mistakes show in the page, like content mistakes
                    self.problems += errors_in(check_templates(app, self.project.root,
                                                               sample_urls(site)))
                    self.app = app
                except ContentError as exc:
                    self.problems = exc.problems
            self.version += 1
        return True

    def watch(self, interval: float = 0.3) -> threading.Thread:
        def loop() -> None:
            while True:
                time.sleep(interval)
                try:
                    self.poll()
                except Exception as exc:  # a half-saved file: show it, keep watching
                    self.problems = [Problem("(preview)", None, f"could not reload: {exc}")]
                    self.version += 1

        thread = threading.Thread(target=loop, name="portal-watch", daemon=True)
        thread.start()
        return thread

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        if not allows(environ.get("HTTP_HOST", ""), self.host):
            response = Response(MISDIRECTED, status=421, mimetype="text/plain")
        elif request.path == "/_preview/version":
            response = Response(json.dumps({"version": self.version}), mimetype="application/json",
                                headers={"Cache-Control": "no-store"})
        elif request.path == "/_preview/reload.js":
            response = Response(RELOAD_JS, mimetype="text/javascript")
        elif request.path.startswith(ADMIN) or request.path == ADMIN.rstrip("/"):
            response = self.admin(request)  # works while the content has errors: to fix them
            return response(environ, start_response)
        else:
            response = self.site_response(request, environ)
        response.headers["Cache-Control"] = "no-store"
        return response(environ, start_response)

    def site_response(self, request: Request, environ: dict[str, Any]) -> Response:
        """A page of the site, or the problems that stop it, with the reload script."""
        # The version is read before the app: a page from a newer app than its version says
        # only reloads once more, while the reverse would show an old page until the next save.
        version = self.version
        app, problems = self.app, self.problems
        if app is not None and request.path.startswith("/static/"):
            return Response.from_app(app.wsgi_app, environ)  # styles the error page too
        if problems or app is None:
            return Response(self.error_page(version, problems), status=500, mimetype="text/html")
        try:
            response = Response.from_app(app.wsgi_app, environ)
        except Exception as exc:  # a template error on a page the samples did not cover
            found = located(exc, self.project.root)
            if found is None:
                raise
            return Response(self.error_page(version, [found]), status=500, mimetype="text/html")
        if response.mimetype == "text/html":
            tag = script_tag(version).encode()
            response.set_data(response.get_data().replace(b"</body>", tag + b"\n</body>", 1))
        return response

    @staticmethod
    def error_page(version: int, problems: list[Problem]) -> str:
        items = "\n".join(f"<li><code>{escape(str(p))}</code></li>" for p in problems)
        count = len(problems)
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{count} problem(s) – portal preview</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/css/portal.css"></head>
<body><main class="portal-main"><h1>The site cannot be shown: {count} problem(s)</h1>
<p>Fix these in your files and save: this page reloads by itself.</p>
<ul class="portal-preview-problems">{items}</ul></main>
{script_tag(version)}
</body></html>"""


def run(project: Project, host: str, port: int) -> None:
    preview = Preview(project, host)
    preview.watch()
    server = make_server(host, port, preview, threaded=True)
    server.serve_forever()
