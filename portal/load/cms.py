"""Web editing: the `cms:` settings and the Decap CMS configuration generated from the project.

The configuration is made from the settings (languages, directions, the default language) and
from `content.FIELDS` with the loader's own rules, so it cannot drift from what `portal check`
accepts. Each language is one folder collection over `content/<lang>/*.md`; the settings file
is a file collection. Decap's own i18n mode is not used: it writes a file for every language
when a page is created (decaporg/decap-cms#6932), and an empty title there would stop the build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from .checks import MAX_DESCRIPTION
from .content import FIELDS, MAX_SLUG, SLUG
from .settings import DAYS, MAX_TEXT, PHONE, SETTINGS_FILE, TIME

if TYPE_CHECKING:
    from .settings import Settings, _Reader

VENDOR = Path(__file__).parent.parent / "admin"  # portal/admin/
DECAP = VENDOR / "decap-cms"
DECAP_VERSION = "3.16.3"  # vendored in portal/admin/decap-cms/ (see README: the CMS, and why)
ADMIN = "/admin/"
PROXY = "/admin/api/v1"  # the local backend the preview answers (Decap's proxy protocol)
BACKENDS = ("github", "gitlab")
KEYS = ("backend", "repo", "branch", "base_url", "api_root", "app_id", "review")
REPO = re.compile(r"[A-Za-z0-9_.\-]{1,100}(?:/[A-Za-z0-9_.\-]{1,100}){1,4}")
BRANCH = re.compile(r"[A-Za-z0-9_\-]{1,100}(?:[./][A-Za-z0-9_\-]{1,100}){0,5}")
APP_ID = re.compile(r"[A-Za-z0-9_\-]{1,200}")
GITHUB_API = "https://api.github.com"

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True)
class Cms:
    """Where the web editor publishes: a GitHub or GitLab repository, through its API."""

    backend: str  # "github" or "gitlab"
    repo: str  # owner/name (GitLab: group/subgroup/name)
    branch: str
    base_url: str  # GitLab: the server (PKCE sign-in); GitHub: the OAuth server for sign-in
    api_root: str  # the API the browser talks to
    app_id: str  # GitLab: the OAuth application's id
    review: bool  # editorial workflow: changes become merge requests, published after review

    @property
    def origins(self) -> tuple[str, ...]:
        """The other origins the editor at /admin/ talks to (and nothing else)."""
        return tuple(dict.fromkeys(_origin(u) for u in (self.api_root, self.base_url)))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def read_settings(reader: _Reader) -> Cms | None:
    """The `cms:` section of site.yml, every problem reported with its line."""
    data = reader.data.get("cms")
    if not isinstance(data, dict):
        reader.problem(("cms",), "'cms' must be a mapping with `backend`, `repo` and `base_url` "
                                 "(see docs/cms.md)")
        return None
    reader.known(("cms",), data, KEYS)
    before = len(reader.problems)
    backend = reader.text("cms", "backend")
    if backend and backend not in BACKENDS:
        reader.problem(("cms", "backend"), f"cms.backend {backend!r} must be one of: "
                                           f"{', '.join(BACKENDS)}")
    repo = reader.text("cms", "repo")
    if repo and not REPO.fullmatch(repo):
        reader.problem(("cms", "repo"), f"cms.repo {repo!r} must be the repository as owner/name, "
                                        "e.g. ekbacka/avhopp-portal")
    branch = reader.clean(("cms", "branch"), str(data.get("branch", "main")))
    if not BRANCH.fullmatch(branch) or ".." in branch:
        reader.problem(("cms", "branch"), f"cms.branch {branch!r} must be a branch name such as main")
    base_url = reader.url("cms", "base_url")
    api_root = reader.url("cms", "api_root") if data.get("api_root") else ""
    if not api_root:
        api_root = GITHUB_API if backend == "github" else base_url.rstrip("/") + "/api/v4"
    app_id = ""
    if backend == "gitlab":
        app_id = reader.text("cms", "app_id")
        if app_id and not APP_ID.fullmatch(app_id):
            reader.problem(("cms", "app_id"), "cms.app_id must be the application ID GitLab "
                                              "shows (letters and digits)")
    elif "app_id" in data:
        reader.problem(("cms", "app_id"), "cms.app_id is for GitLab only: remove it")
    review = data.get("review", True)
    if not isinstance(review, bool):
        reader.problem(("cms", "review"), "cms.review must be true (changes are reviewed before "
                                          "they are published) or false")
        review = True
    if len(reader.problems) > before:
        return None
    return Cms(backend, repo, branch, base_url.rstrip("/"), api_root.rstrip("/"), app_id, review)


def _hint(key: str) -> str:
    text = FIELDS[key]
    return text[0].upper() + text[1:] + "."


def page_fields(settings: Settings, code: str) -> list[dict[str, Any]]:
    """One Decap field per front-matter field the loader knows (`content.FIELDS`), with its rules."""
    default = code == settings.default_language
    made: dict[str, dict[str, Any]] = {
        "title": {"widget": "string", "required": True},
        "description": {"widget": "text", "required": True,
                        "pattern": [rf"^[^\n]{{1,{MAX_DESCRIPTION}}}$",
                                    f"One line of at most {MAX_DESCRIPTION} characters"]},
        "slug": {"widget": "string", "required": False,
                 "pattern": [f"^(?=.{{1,{MAX_SLUG}}}$){SLUG.pattern}$",
                             "Lowercase a-z, 0-9 and single hyphens, e.g. kontakt"]},
        "order": {"widget": "number", "value_type": "int", "required": False},
        "updated": {"widget": "string", "required": False,
                    "pattern": [DATE_PATTERN, "A date written as YYYY-MM-DD"]},
        "draft": {"widget": "boolean", "required": False},
        "easy_read": {"widget": "boolean", "required": False},
        "faq": {"widget": "boolean", "required": False},
        # a start page's audience routes: the file names of pages shown as link cards
        "routes": {"widget": "list", "required": False},
        "reviewed": {"widget": "string", "required": False,
                     "pattern": [DATE_PATTERN, "A date written as YYYY-MM-DD"]},
        # Written by `portal translations done`, never by hand: kept as it is when saved.
        "translated_from": {"widget": "hidden", "required": False},
    }
    if not default:
        # A translation made in the editor is a draft until someone publishes it.
        made["draft"]["default"] = True
        made["slug"]["hint"] = ("For a new translation: the file name of the "
                                f"{settings.language(settings.default_language).name} page "
                                "(e.g. kontakt), which links the two. " + _hint("slug"))
    else:
        made.pop("reviewed")  # the default language is the source, not a translation
    fields = []
    for key, spec in made.items():
        field = {"name": key, "label": key, **spec}
        field.setdefault("hint", _hint(key))
        fields.append(field)
    # The text: raw Markdown, saved exactly as typed ({{ phone }}, {#id} and tables stay as they
    # are; the rich-text mode would rewrite them).
    fields.append({"name": "body", "label": "text", "widget": "markdown", "modes": ["raw"],
                   "required": False})
    return fields


def _per_language(settings: Settings, key: str) -> dict[str, Any]:
    return {"name": key, "label": key, "widget": "object",
            "fields": [{"name": lang.code, "label": f"{lang.name} ({lang.code})",
                        "widget": "string", "pattern": [f"^[^\\n]{{1,{MAX_TEXT}}}$",
                                                        f"One line, at most {MAX_TEXT} characters"]}
                       for lang in settings.languages]}


def _hours(name: str, time: list[str], required: bool = True) -> dict[str, Any]:
    return {"name": name, "label": name, "widget": "list", "required": required, "fields": [
        {"name": "days", "label": "days", "widget": "string",
         "pattern": [f"^({'|'.join(DAYS)})(-({'|'.join(DAYS)}))?$",
                     "One day or a range, e.g. mon-fri"]},
        {"name": "opens", "label": "opens", "widget": "string", "pattern": time},
        {"name": "closes", "label": "closes", "widget": "string", "pattern": time}]}


def _phone(name: str, label: str) -> dict[str, Any]:
    return {"name": name, "label": label, "widget": "string",
            "pattern": [f"^{PHONE.pattern}$", "Digits, spaces and hyphens, e.g. 070-174 06 05"]}


def settings_fields(settings: Settings) -> list[dict[str, Any]]:
    """The parts of site.yml a communicator keeps up to date: names, contact details, hours.
    `portal check` validates the whole file after saving, as for a hand edit."""
    time = [f"^{TIME.pattern}$", "A time such as 08:00"]
    return [
        {"name": "base_url", "label": "base_url", "widget": "hidden"},
        {"name": "default_language", "label": "default_language", "widget": "hidden"},
        {"name": "languages", "label": "languages", "widget": "hidden"},
        _per_language(settings, "municipality"),
        _per_language(settings, "programme"),
        {"name": "contact", "label": "contact", "widget": "object", "fields": [
            _phone("phone", "phone"), _phone("sms", "sms"),
            {"name": "email", "label": "email", "widget": "string"},
            {"name": "address", "label": "address", "widget": "string"},
            _hours("hours", time),
            _phone("after_hours", "after_hours"),
            _hours("sms_hours", time, required=False),
            {"name": "cost", "label": "cost", "widget": "select", "required": False,
             "options": ["free", "mobile"]},
            {"name": "voicemail", "label": "voicemail", "widget": "string", "required": False,
             "pattern": time},
            {"name": "reply_days", "label": "reply_days", "widget": "number",
             "value_type": "int", "min": 0, "max": 10, "required": False},
            {"name": "anonymous", "label": "anonymous", "widget": "boolean", "required": False},
            {"name": "interpreters", "label": "interpreters", "widget": "list",
             "required": False},
            {"name": "email_secure", "label": "email_secure", "widget": "boolean",
             "required": False}]},
        _phone("emergency", "emergency"), _phone("police", "police"),
        _phone("healthcare", "healthcare"),
        {"name": "quick_exit", "label": "quick_exit", "widget": "string",
         "pattern": ["^https://", "A full https:// address"]},
        {"name": "hide_visit_page", "label": "hide_visit_page", "widget": "string",
         "required": False},
        {"name": "cms", "label": "cms", "widget": "hidden", "required": False},
        # A joint programme's members are edited in the file (docs/joint-programme.md): kept
        # exactly as they are when the settings are saved here.
        {"name": "members", "label": "members", "widget": "hidden", "required": False},
        {"name": "fallback", "label": "fallback", "widget": "select", "required": False,
         "options": ["default", "english", "none"]},
        {**_per_language(settings, "department"), "required": False},
        {"name": "logo", "label": "logo", "widget": "string", "required": False,
         "pattern": [r"^[A-Za-z0-9_.\-/]+\.(svg|png)$", "A file in static/, e.g. images/logo.svg"]},
    ]


def _backend(settings: Settings, local: bool) -> dict[str, Any]:
    cms = settings.cms
    if local or cms is None:
        return {"name": "proxy", "proxy_url": PROXY, "branch": cms.branch if cms else "main"}
    backend: dict[str, Any] = {"name": cms.backend, "repo": cms.repo, "branch": cms.branch,
                               "base_url": cms.base_url, "api_root": cms.api_root,
                               "squash_merges": True}
    if cms.backend == "gitlab":
        backend.update(auth_type="pkce", app_id=cms.app_id, auth_endpoint="oauth/authorize")
    return backend


def config(settings: Settings, local: bool) -> dict[str, Any]:
    """Decap CMS's configuration: local (the preview's own backend) or the settings' backend."""
    collections: list[dict[str, Any]] = []
    for lang in settings.languages:
        default = lang.code == settings.default_language
        collections.append({
            "name": f"pages_{lang.code}",
            "label": f"{lang.name} ({lang.code})",
            "label_singular": f"{lang.name} ({lang.code})",
            "folder": f"content/{lang.code}",
            "extension": "md", "format": "frontmatter",
            "create": True, "delete": False,
            # The file name links the translations of a page: for a new page it comes from the
            # title; a translation takes the default language's file name from `slug`.
            "slug": "{{slug}}" if default else "{{fields.slug}}",
            "identifier_field": "title", "summary": "{{title}}",
            "sortable_fields": ["title", "order", "updated"],
            "editor": {"preview": False},  # the portal's preview is the real one
            "fields": page_fields(settings, lang.code),
        })
    collections.append({
        "name": "settings", "label": "site.yml", "delete": False, "editor": {"preview": False},
        "files": [{"name": "site", "label": "site.yml", "file": f"content/{SETTINGS_FILE}",
                   "fields": settings_fields(settings)}],
    })
    cms = settings.cms
    made: dict[str, Any] = {
        "backend": _backend(settings, local),
        "locale": ui_language(settings),
        "media_folder": "static/images", "public_folder": "/static/images",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "show_preview_links": False,
        "collections": collections,
    }
    if cms is not None and cms.review and not local:
        made["publish_mode"] = "editorial_workflow"
    return made


def ui_language(settings: Settings) -> str:
    """The editor's own language: Swedish for a Swedish site, else English."""
    return "sv" if settings.default_language == "sv" else "en"


def config_yaml(settings: Settings, local: bool) -> str:
    """`config.yml` for /admin/, with a note that it is generated."""
    head = ("# Made by the portal from content/site.yml and the front-matter rules: do not edit.\n"
            f"# Decap CMS {DECAP_VERSION}; see docs/cms.md.\n")
    return head + yaml.safe_dump(config(settings, local), allow_unicode=True, sort_keys=False,
                                 width=1000)


def admin_page(title: str, lang: str) -> str:
    """The editor's HTML: two scripts from this site and a link to the configuration."""
    return f"""<!doctype html>
<html lang="{escape(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{escape(title)}</title>
<link rel="cms-config-url" type="text/yaml" href="{ADMIN}config.yml">
</head><body>
<script src="{ADMIN}decap-cms.js"></script>
<script src="{ADMIN}portal-admin.js"></script>
</body></html>
"""


def vendored() -> dict[str, Path]:
    """The editor's script files by name: Decap CMS's bundle and chunks, and the portal's own."""
    found = {p.name: p for p in DECAP.glob("*.js")}
    found["portal-admin.js"] = VENDOR / "portal-admin.js"
    return found
