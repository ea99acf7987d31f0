"""Render units into the staging folder with Frozen-Flask, in one process or shared among
forked ones. Each response is held to the site's promises as it is made (`Capture`)."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import warnings
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from flask import Flask, Response, request
from flask_frozen import Freezer, MissingURLGeneratorWarning, NotFoundWarning

from ..errors import BuildError, ContentError, Problem
from ..load.origins import violations
from ..load.site import Site
from ..render import views
from ..render.bodies import bodies
from ..render.deadline import deadline
from ..render.qr import qr_svg
from ..render.templating import located, source_of
from .output import Output
from .postprocess import api, assets, links
from .units import Unit, file_for

Records = dict[str, dict[str, Any]]  # unit id -> its key, its pages' links and its files
TEXT_TYPES = ("text/html", "text/plain", "application/xml", "image/svg+xml")


@dataclass
class Capture:
    """What each rendered response was, in the process that rendered it:
    URL -> (its bytes, its internal links or None)."""

    app: Flask
    site: Site
    fingerprinted: dict[str, str]  # asset URL -> its hashed URL
    responses: dict[str, tuple[bytes, list[str] | None]] = field(default_factory=dict)

    def __call__(self, response: Response) -> Response:
        """Give assets their hashed names, hold every page to the site's promises (nothing
        loaded from elsewhere, no script but the portal's files), and note its links."""
        text = None
        if response.mimetype in TEXT_TYPES:
            text = assets.rewrite(response.get_data(as_text=True), self.fingerprinted)
            response.set_data(text)
            if response.mimetype in ("text/html", "image/svg+xml"):
                self._hold(text)
        targets = links.references(text) if response.mimetype == "text/html" and text else None
        self.responses[request.path] = (response.get_data(), targets)
        return response

    def _hold(self, text: str) -> None:
        found = violations(text)
        if not found:
            return
        page = self.site.by_url(request.path)
        if page is not None and bodies(self.site).body(page).problems:  # the page's own text
            raise ContentError(list(bodies(self.site).body(page).problems), "nothing was published")
        root = self.site.project.root
        raise ContentError([Problem(*source_of(self.app, root, what),
                                    f"{request.path} would have {what}: a page may only load "
                                    "this site's own files and run the portal's own scripts")
                            for _, what in found[:5]], "nothing was published")


class Renderer:
    """Renders units of one build into its output."""

    def __init__(self, app: Flask, site: Site, output: Output, fingerprinted: dict[str, str]) -> None:
        self.app, self.site, self.output = app, site, output
        self.capture = Capture(app, site, fingerprinted)
        app.after_request(self.capture)
        _page_deadline(app)

    def render(self, units: list[Unit], jobs: int) -> Records:
        """Render the units, shared among `jobs` forked processes when there are enough.
        Every unit's output depends only on its inputs, so the files are the same for any `jobs`."""
        try:
            if jobs > 1 and len(units) >= 4 * jobs:
                return self._parallel(units, jobs)
            return self._render(units)
        except Exception as exc:
            found = located(exc, self.site.project.root)
            if found is None:
                raise
            raise ContentError([found], "nothing was published") from None

    def _render(self, units: list[Unit]) -> Records:
        self.capture.responses.clear()
        if units:
            _freeze(self.app, [url for unit in units for url in unit.urls])
        records: Records = {}
        for unit in units:
            written, found = [], {}
            for url in unit.urls:
                rel = file_for(url)
                data, targets = self.capture.responses.pop(url)
                self.output.settle(rel, data)
                written.append(rel)
                if targets is not None:
                    found[url] = targets
            if unit.document is not None:
                with self.app.test_request_context(unit.document.url):
                    html = views.shown_body(unit.document)
                rel, data = api.page_file(self.site, unit.document, html,
                                          self.capture.fingerprinted)
                self.output.write(rel, data)
                written.append(rel)
            if unit.qr is not None:
                rel = file_for(unit.qr.url + "qr.svg")
                svg = qr_svg(self.site.settings.absolute(unit.qr.url), unit.qr.title, standalone=True)
                self.output.write(rel, svg.encode("utf-8"))
                written.append(rel)
            records[unit.id] = {"key": unit.key, "links": found,
                                "files": [f for rel in written for f in (rel, rel + ".gz")
                                          if f in self.output.files]}
        return records

    def _parallel(self, units: list[Unit], jobs: int) -> Records:
        """Forked workers inherit this renderer (nothing is pickled on the way in); each sends
        back its records and files, or its exception."""
        context = multiprocessing.get_context("fork")
        parent = os.getpid()
        workers = []
        for index in range(jobs):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=self._work, args=(units[index::jobs], send, parent),
                                      daemon=True)
            process.start()
            send.close()
            workers.append((process, receive))
        results = []
        for process, receive in workers:
            try:
                results.append(receive.recv())
            except EOFError:
                results.append(BuildError("a rendering process ended without a result (out of "
                                          "memory?); nothing was published"))
            process.join()
        records: Records = {}
        for result in results:
            if isinstance(result, BaseException):
                raise result
            records.update(result[0])
            self.output.files.update(result[1])
        return records

    def _work(self, share: list[Unit], send: Connection, parent: int) -> None:
        _die_with_parent(parent)
        result: Any
        try:
            result = (self._render(share), self.output.files)
        except BaseException as exc:  # sent back to the parent, which raises it
            found = located(exc, self.site.project.root)
            if found is not None:  # the traceback, which names the template, stays here
                result = ContentError([found], "nothing was published")
            else:
                try:
                    pickle.loads(pickle.dumps(exc))
                    result = exc
                except Exception:
                    result = BuildError(f"rendering failed: {exc!r}")
        send.send(result)
        send.close()


def _freeze(app: Flask, urls: list[str]) -> None:
    """Render and write the given URLs into the app's FREEZER_DESTINATION."""
    freezer = Freezer(app, with_no_argument_rules=False, log_url_for=False,
                      with_static_files=False)  # assets are written under their hashed names
    freezer.register_generator(lambda: urls)
    with warnings.catch_warnings():
        # The generator yields URLs straight from the Site, so Frozen-Flask cannot see
        # which endpoints they belong to; a URL that is not found must stop the build.
        warnings.simplefilter("ignore", MissingURLGeneratorWarning)
        warnings.simplefilter("error", NotFoundWarning)
        freezer.freeze()


def _die_with_parent(parent: int) -> None:
    """A worker ends when the build that started it is killed (Linux's PR_SET_PDEATHSIG), so
    no orphan goes on writing into a folder the next build clears."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _page_deadline(app: Flask) -> None:
    """Each URL renders within a time limit (a template loop or a page that would take minutes
    stops the build with its address instead of hanging it)."""
    timers: list[Any] = []

    @app.before_request
    def start() -> None:
        timer = deadline(lambda: f"{request.path} took more than 20 s to render: look at that "
                                 "page's text and the project's templates/")
        timer.__enter__()
        timers.append(timer)

    @app.teardown_request
    def stop(exc: BaseException | None) -> None:
        if timers:
            timers.pop().__exit__(None, None, None)
