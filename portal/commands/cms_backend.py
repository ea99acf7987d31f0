"""The editor at /admin/ in `portal serve`: the page, its configuration, and Decap CMS's local
backend protocol (what `decap-server` answers at POST /api/v1), over the project's own files.

Only `content/<lang>/*.md`, `content/site.yml` and images in `static/images/` are read or
written, each through the project's file policy (`files.py`: no link out of its folder, regular
files only, size limits). A request must be JSON from the preview's own origin (a page on another
site cannot post JSON here without a CORS preflight, which is never answered), and the preview
already answers only loopback host names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from werkzeug.wrappers import Request, Response

from ..errors import ContentError
from ..load import cms, files
from ..load.content import INDEX, MAX_BYTES, is_slug
from ..load.settings import LANG_CODE, SETTINGS_FILE, Settings, require_settings
from ..load.site import Project
from ..publish.headers import admin_headers

MEDIA_FOLDER = "static/images"
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".webp": "image/webp"}  # no SVG: it can carry scripts
MAX_MEDIA = 5_000_000
MAX_REQUEST = 8_000_000  # a page, or an image in base64
JSON_TYPE = re.compile(r"application/json\s*(?:;\s*charset=utf-8\s*)?", re.IGNORECASE)


class Refused(Exception):
    """A request the local backend will not carry out; the message says why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class LocalBackend:
    """Answers /admin/ in the preview for one project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = Path(os.path.realpath(project.root))
        self.scripts = cms.vendored()

    def __call__(self, request: Request) -> Response:
        path = request.path
        if path == cms.ADMIN.rstrip("/"):
            response = Response("", status=308, headers={"Location": cms.ADMIN})
        elif path == cms.PROXY:
            response = self.api(request)
        elif path == cms.ADMIN or path == cms.ADMIN + "index.html":
            response = self.page(self.index)
        elif path == cms.ADMIN + "config.yml":
            response = self.page(self.config)
        elif path.startswith(cms.ADMIN) and path[len(cms.ADMIN):] in self.scripts:
            data = self.scripts[path[len(cms.ADMIN):]].read_bytes()
            response = Response(data, mimetype="text/javascript")
        else:
            response = Response("Not found\n", status=404, mimetype="text/plain")
        for name, value in admin_headers(self.settings_or_none()).items():
            response.headers[name] = value
        return response

    def settings_or_none(self) -> Settings | None:
        try:
            return require_settings(self.project.content, self.project.root)
        except ContentError:
            return None

    def page(self, make: Callable[[], Response]) -> Response:
        try:
            return make()
        except ContentError as exc:  # the settings are broken: say so, as the preview does
            text = "\n".join(str(p) for p in exc.problems)
            return Response(f"The editor needs valid settings first:\n{text}\n", status=500,
                            mimetype="text/plain")

    def index(self) -> Response:
        settings = require_settings(self.project.content, self.project.root)
        title = f"{settings.programme.get(settings.default_language, '')} – CMS"
        return Response(cms.admin_page(title, cms.ui_language(settings)), mimetype="text/html")

    def config(self) -> Response:
        settings = require_settings(self.project.content, self.project.root)
        return Response(cms.config_yaml(settings, local=True), mimetype="text/yaml")

    # -- the proxy protocol ------------------------------------------------------------------

    def api(self, request: Request) -> Response:
        try:
            body = self.accept(request)
            try:
                result = self.act(body["action"], body.get("params") or {})
            except OSError as exc:  # a full disk, a file locked by another program
                raise Refused(f"the file could not be saved: {exc.strerror or exc}", 500) from None
        except Refused as exc:
            return Response(json.dumps({"error": str(exc)}), status=exc.status,
                            mimetype="application/json")
        return Response(json.dumps(result), mimetype="application/json")

    def accept(self, request: Request) -> dict[str, Any]:
        """The request's JSON, if it may be answered at all."""
        if request.method != "POST":
            raise Refused("only POST", 405)
        if not JSON_TYPE.fullmatch(request.headers.get("Content-Type", "").strip()):
            raise Refused("the request must be JSON (Content-Type: application/json)", 415)
        origin = request.headers.get("Origin")
        if origin != f"{request.scheme}://{request.host}":
            raise Refused("only the editor on this preview may write files (wrong Origin)", 403)
        if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
            raise Refused("only the editor on this preview may write files", 403)
        if (request.content_length or 0) > MAX_REQUEST:
            raise Refused("the request is too large", 413)
        data = request.get_data(cache=False)
        if len(data) > MAX_REQUEST:
            raise Refused("the request is too large", 413)
        try:
            body = json.loads(data)
        except ValueError:
            raise Refused("the request is not valid JSON", 400) from None
        if not isinstance(body, dict) or not isinstance(body.get("action"), str) \
                or not isinstance(body.get("params", {}), dict | None):
            raise Refused("the request needs an `action` and `params`", 400)
        return body

    def act(self, action: str, params: dict[str, Any]) -> Any:
        if action == "info":
            return {"repo": self.root.name, "publish_modes": ["simple"], "type": "local_fs"}
        if action == "entriesByFolder":
            folder = self.folder(params.get("folder"))
            extension = str(params.get("extension", "md")).lstrip(".")
            return [self.entry(p) for p in self.pages(folder) if p.endswith("." + extension)]
        if action == "entriesByFiles":
            listed = params.get("files")
            if not isinstance(listed, list):
                raise Refused("`files` must be a list")
            return [self.entry(self.source(item.get("path") if isinstance(item, dict) else None),
                               item.get("label")) for item in listed]
        if action == "getEntry":
            return self.entry(self.source(params.get("path")))
        if action == "persistEntry":
            return self.persist(params)
        if action == "getMedia":
            if self.relative(params.get("mediaFolder")) != MEDIA_FOLDER:
                raise Refused(f"images live in {MEDIA_FOLDER}/")
            return [self.media(p) for p in self.images()]
        if action == "getMediaFile":
            return self.media(self.image(params.get("path")))
        if action == "persistMedia":
            asset = params.get("asset")
            path = self.write_asset(asset)
            return self.media(path)
        if action in ("deleteFile", "deleteFiles"):
            paths = params.get("paths") if action == "deleteFiles" else [params.get("path")]
            if not isinstance(paths, list) or not paths:
                raise Refused("nothing to delete")
            targets = [self.image(p) for p in paths]  # pages are never deleted from here
            for rel in targets:
                (self.root / rel).unlink(missing_ok=True)
            return {"message": f"deleted {', '.join(targets)}"}
        if action == "getDeployPreview":
            return None
        raise Refused(f"unknown or unsupported action {action!r} (the local editor publishes "
                      "directly: the review workflow is for GitHub and GitLab)")

    # -- paths -------------------------------------------------------------------------------

    def relative(self, value: Any) -> str:
        """A clean relative path: no absolute path, backslash, `..`, hidden or empty part."""
        if not isinstance(value, str) or not value or len(value) > 300:
            raise Refused("a path is missing or too long")
        if "\\" in value or "\x00" in value or any(ord(c) < 32 for c in value):
            raise Refused(f"{value!r} is not a plain path")
        parts = PurePosixPath(value).parts
        if value.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise Refused(f"{value!r} is outside the project's content")
        return "/".join(parts)

    def folder(self, value: Any) -> str:
        rel = self.relative(value)
        parts = rel.split("/")
        if len(parts) != 2 or parts[0] != "content" or not LANG_CODE.fullmatch(parts[1]):
            raise Refused(f"{rel!r} is not a language folder such as content/sv")
        return rel

    def source(self, value: Any) -> str:
        """A page or the settings file, as a path relative to the project."""
        rel = self.relative(value)
        parts = rel.split("/")
        if rel == f"content/{SETTINGS_FILE}":
            return rel
        if len(parts) == 3 and parts[0] == "content" and LANG_CODE.fullmatch(parts[1]) \
                and parts[2].endswith(".md"):
            if parts[2][:-3] != INDEX and not is_slug(parts[2][:-3]):
                raise Refused(f"{parts[2]!r} cannot be a page's file name: use lowercase a-z, "
                              "0-9 and hyphens (a new translation takes the file name of the "
                              "page it translates, in `slug`)")
            return rel
        raise Refused(f"{rel!r} is not a page (content/<lang>/<name>.md) or content/{SETTINGS_FILE}")

    def image(self, value: Any) -> str:
        rel = self.relative(value)
        folder, _, name = rel.rpartition("/")
        if folder != MEDIA_FOLDER or PurePosixPath(name).suffix.lower() not in MEDIA_TYPES:
            raise Refused(f"{rel!r}: images are {', '.join(MEDIA_TYPES)} files in {MEDIA_FOLDER}/")
        return rel

    def pages(self, folder: str) -> list[str]:
        listing = files.walk(self.root / folder, self.root, within=self.root / "content")
        return [p.relative_to(self.root).as_posix() for p in listing.files
                if p.parent == self.root / folder and p.suffix == ".md"]

    def images(self) -> list[str]:
        listing = files.walk(self.root / MEDIA_FOLDER, self.root, within=self.root / "static")
        return [p.relative_to(self.root).as_posix() for p in listing.files
                if p.parent == self.root / MEDIA_FOLDER and p.suffix.lower() in MEDIA_TYPES]

    def within(self, rel: str) -> Path:
        return self.root / ("content" if rel.startswith("content/") else "static")

    # -- reading and writing -----------------------------------------------------------------

    def read(self, rel: str, limit: int) -> bytes | None:
        path = self.root / rel
        if not path.exists() and not path.is_symlink():
            return None
        try:
            return files.read(path, self.root, limit, within=self.within(rel))
        except files.UnsafeFile as exc:
            raise Refused(f"{rel}: {exc}", 403) from None

    def entry(self, rel: str, label: Any = None) -> dict[str, Any]:
        data = self.read(rel, MAX_BYTES)
        file: dict[str, Any] = {"path": rel, "id": _sha(data) if data is not None else None}
        if isinstance(label, str):
            file["label"] = label
        if data is None:
            return {"data": None, "file": file}
        try:
            return {"data": data.decode("utf-8"), "file": file}
        except UnicodeDecodeError:
            raise Refused(f"{rel} is not UTF-8 text", 422) from None

    def media(self, rel: str) -> dict[str, Any]:
        data = self.read(rel, MAX_MEDIA)
        if data is None:
            raise Refused(f"{rel} does not exist", 404)
        return {"id": _sha(data), "content": base64.b64encode(data).decode("ascii"),
                "encoding": "base64", "path": rel, "name": rel.rpartition("/")[2]}

    def persist(self, params: dict[str, Any]) -> dict[str, str]:
        entries = params.get("dataFiles")
        if entries is None and isinstance(params.get("entry"), dict):
            entries = [params["entry"]]
        if not isinstance(entries, list) or not entries:
            raise Refused("persistEntry needs `dataFiles`")
        planned: list[tuple[str, bytes]] = []
        for item in entries:
            if not isinstance(item, dict) or not isinstance(item.get("raw"), str):
                raise Refused("each data file needs `path` and `raw`")
            if item.get("newPath") not in (None, item.get("path")):
                raise Refused("pages are not renamed or moved from the editor (the file name "
                              "links a page's translations)")
            rel = self.source(item.get("path"))
            data = item["raw"].encode("utf-8")
            if len(data) > MAX_BYTES:
                raise Refused(f"{rel} is too large", 413)
            planned.append((rel, data))
        assets = params.get("assets") or []
        if not isinstance(assets, list):
            raise Refused("`assets` must be a list")
        for asset in assets:
            self.check_asset(asset)
        for rel, data in planned:  # every path was checked before anything is written
            self.write(rel, data)
        for asset in assets:
            self.write_asset(asset)
        return {"message": "entry persisted"}

    def check_asset(self, asset: Any) -> tuple[str, bytes]:
        if not isinstance(asset, dict) or asset.get("encoding") != "base64" \
                or not isinstance(asset.get("content"), str):
            raise Refused("an image must come as base64 with its path")
        rel = self.image(asset.get("path"))
        if len(asset["content"]) > MAX_MEDIA * 4 // 3 + 4:
            raise Refused(f"{rel} is too large: images may be at most {MAX_MEDIA // 1_000_000} MB", 413)
        try:
            data = base64.b64decode(asset["content"], validate=True)
        except ValueError:
            raise Refused(f"{rel} is not valid base64") from None
        return rel, data

    def write_asset(self, asset: Any) -> str:
        rel, data = self.check_asset(asset)
        self.write(rel, data)
        return rel

    def write(self, rel: str, data: bytes) -> None:
        """Replace one file at once (the preview never reads half a file), through real folders
        inside its place only: a link put where the file or a folder should be is refused."""
        path = self.root / rel
        place = Path(os.path.realpath(self.within(rel)))
        folder = path.parent
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise Refused(f"{rel}: its folder is a link or not a folder", 403)
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise Refused(f"{rel}: is a link or not a regular file; the editor will not replace it", 403)
        if not Path(os.path.realpath(folder)).is_relative_to(place) and folder.exists():
            raise Refused(f"{rel} is outside its folder", 403)
        folder.mkdir(parents=False, exist_ok=True)  # a new language folder, never deeper
        files.replace(path, data, mode=0o644)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
