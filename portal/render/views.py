"""The routes: language chooser, pages, 404, sitemap and robots.txt."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from typing import Any

import flask_babel
from babel import Locale
from babel.core import get_global
from babel.dates import format_time, format_timedelta
from babel.lists import format_list
from flask import Blueprint, Flask, abort, current_app, g, get_template_attribute, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..load.content import SEARCH_PATH, Page, feed_url, search_url
from ..load.fallback import Fallback
from ..load.settings import Language, Settings, language_name
from ..load.site import Site
from . import structured
from .bodies import bodies
from .markdown import CONTACT_SLOT, HAND_WRITTEN_NUMBER, MEMBERS_SLOT, link_numbers, phone_link
from .uitext import safe

bp = Blueprint("portal", __name__)


@dataclass(frozen=True)
class Link:
    """A link to a page in some language, as the templates show it."""

    lang: Language
    url: str
    note: str = ""  # set when the link leads to a start page instead of a missing translation
    hreflang: str = ""  # the language of what it leads to, when not `lang` (a fallback page)


@dataclass(frozen=True)
class NavItem:
    """One item of a language's menu (components/menu.html)."""

    url: str
    title: str


@dataclass(frozen=True)
class Chrome:
    """The parts of every page of one language: computed once per language, not per page."""

    lang: Language
    programme: str
    municipality: str
    nav: tuple[NavItem, ...]  # the menu's items, made once per language
    start_url: str
    hours: list[str]
    missing_note: str  # in this language: "this page is not translated, you go to the start page"
    og_locale: str
    search_url: str
    hide_visit_url: str | None  # the page on hiding a visit, beside the quick exit
    source_language: str  # the default language's name in this language ("Swedish", "السويدية")
    department: str = ""  # the municipality's department that runs the programme
    voicemail: str = ""  # when the answering machine is listened to, in this language
    reply_time: str = ""  # how soon texts are answered, in this language ("1 day", "1 dag")
    interpreters: str = ""  # the interpreters' languages as a list in this language
    # the {{ contact }} block, rendered once per language
    contact_details: Markup = field(default_factory=Markup)


class Portal:
    """What the views need: the Site, the renderer, and the per-language chrome."""

    def __init__(self, site: Site, drafts: bool = False) -> None:
        self.site = site
        self.drafts = drafts
        self._chrome: dict[str, Chrome] = {}
        self._notes: dict[tuple[str, str], str] = {}
        self._members: dict[tuple[str, int, str], str] = {}

    @property
    def fallbacks(self) -> dict[str, Fallback]:
        """The untranslated pages shown in another language (load/fallback.py), by address."""
        return self.site.fallbacks

    def fallback_note(self, code: str, source: str) -> str:
        """In language `code`: "not translated yet: shown in <the source language>"."""
        if (code, source) not in self._notes:
            with flask_babel.force_locale(code):
                self._notes[(code, source)] = safe(_(
                    "not translated yet: shown in %(language)s",
                    language=language_name(source, self.site.settings.language(code).formats)))
        return self._notes[(code, source)]

    def members_html(self, code: str, level: int, page_url: str) -> str:
        """What `{{ members }}` becomes in one language (components/members.html)."""
        key = (code, level, page_url)
        if key not in self._members:
            with flask_babel.force_locale(code):
                self._members[key] = render_template(
                    "member-list.html", member_list=self.site.settings.members,
                    code=code, level=level, page_url=page_url)
        return self._members[key]

    def chrome(self, code: str) -> Chrome:
        if code not in self._chrome:
            settings = self.site.settings
            with flask_babel.force_locale(code):
                note = safe(_("start page (this page is not in this language yet)"))
            hide = self.site.page(code, settings.hide_visit_page or "")
            texts = contact_texts(settings, code)
            self._chrome[code] = Chrome(
                lang=settings.language(code),
                programme=settings.programme[code],
                municipality=settings.municipality[code],
                nav=tuple(NavItem(page.url, page.title) for page in self.site.nav(code)),
                start_url=self.site.start(code).url,
                hours=settings.opening_hours(code),
                missing_note=note,
                og_locale=_og_locale(code),
                search_url=search_url(code),
                hide_visit_url=hide.url if hide else None,
                source_language=language_name(settings.default_language,
                                              settings.language(code).formats),
                department=settings.department.get(code, ""),
                voicemail=texts["voicemail"],
                reply_time=texts["reply_time"],
                interpreters=texts["interpreters"],
            )
            with flask_babel.force_locale(code):
                details = get_template_attribute("components/contact.html", "details")(
                    self._chrome[code], settings)
            self._chrome[code] = replace(self._chrome[code], contact_details=Markup(details))
        return self._chrome[code]

    def links(self, page: Page, pattern: str | None = None) -> list[Link]:
        """One link per language: to this page's translation, or to that language's start page.

        With a pattern such as SEARCH_PATH, every language's version of that URL instead.
        """
        translations = self.site.translations(page.name)
        result = []
        for language in self.site.settings.languages:
            other = translations.get(language.code)
            if pattern is not None:
                result.append(Link(language, pattern.format(code=language.code)))
            elif other is not None:
                result.append(Link(language, other.url))
            elif (fallback := self.site.fallback(language.code, page.name)) is not None:
                result.append(Link(language, fallback.url,
                                   self.fallback_note(language.code, fallback.page.lang),
                                   fallback.page.lang))
            else:
                chrome = self.chrome(language.code)
                result.append(Link(language, chrome.start_url, chrome.missing_note))
        return result


def contact_texts(settings: Settings, code: str) -> dict[str, str]:
    """The contact promises written in one language: a time, a length of time, a list."""
    locale = settings.language(code).formats
    contact = settings.contact
    hour, minute = (int(part) for part in (contact.voicemail or "00:00").split(":"))
    return {
        "voicemail": (format_time(time(hour, minute), "HH:mm", locale=locale)
                      if contact.voicemail else ""),
        "reply_time": (format_timedelta(timedelta(days=contact.reply_days), granularity="day", threshold=100,
                                        locale=locale) if contact.reply_days else ""),
        "interpreters": format_list(settings.interpreter_languages(code), locale=locale),
    }


def _og_locale(code: str) -> str:
    """Open Graph's `ll_CC`, with the language's likeliest country from CLDR (sv -> sv_SE)."""
    likely = get_global("likely_subtags").get(code, code)
    territory = Locale.parse(likely).territory
    return f"{code}_{territory}" if territory else code


def portal() -> Portal:
    state: Portal = current_app.extensions["portal"]
    return state


@bp.before_app_request
def select_language() -> None:
    """Take the UI language from the URL, and make flask-babel forget the previous page's."""
    site = portal().site
    lang = (request.view_args or {}).get("lang")
    g.lang = lang if lang in site.settings.codes else site.settings.default_language
    flask_babel.refresh()


def page_inputs(page: Page) -> dict[str, Any]:
    """Everything page.html is rendered from except the body: all a page's key is made of,
    with the body's own inputs (see publish/units.py)."""
    state = portal()
    settings = state.site.settings
    translations = state.site.translations(page.name)
    default = translations.get(settings.default_language)
    x_default = "/" if page.is_index else (default or page).url
    return {
        "page": page,
        "chrome": state.chrome(page.lang),
        "links": state.links(page),
        "alternates": [(code, settings.absolute(p.url)) for code, p in translations.items()],
        "x_default": settings.absolute(x_default),
        "canonical": settings.absolute(page.url),
        "drafts": state.drafts,
        # The start page's link cards: the pages' titles, descriptions and addresses (in the
        # key, so a renamed or retitled page renders the start page again).
        "routes": [(p.title, p.description, p.url) for p in
                   (state.site.page(page.lang, name) for name in page.routes) if p is not None],
    }


def page_context(page: Page) -> dict[str, Any]:
    """page_inputs, the body, and what is made from them: the page's JSON-LD."""
    site = portal().site
    body = shown_body(page)
    return {**page_inputs(page), "body": body, "feed_url": feed_url(page.lang),
            "structured_data": structured.script(
                structured.graph(site.settings, page.lang, page, body))}


def shown_body(page: Page) -> str:
    """A page's body as it is shown: `{{ members }}` and `{{ contact }}` filled in."""
    body = with_members(bodies(portal().site).html(page), page)
    return body.replace(CONTACT_SLOT, portal().chrome(page.lang).contact_details)


def with_members(body: str, page: Page) -> str:
    """The body with `{{ members }}` filled in: each member's name one heading level below
    the heading before it."""
    at = body.find(MEMBERS_SLOT)
    if at == -1:
        return body
    before = re.findall(r"<h([1-6])[\s>]", body[:at])
    level = min(6, int(before[-1]) + 1 if before else 2)
    html = portal().members_html(page.lang, level, page.url)
    return body.replace(MEMBERS_SLOT, html)


def fallback_inputs(fallback: Fallback) -> dict[str, Any]:
    """What fallback.html is rendered from: the borrowed page in the visitor's chrome."""
    state = portal()
    settings = state.site.settings
    shown = replace(fallback.page, lang=fallback.lang, body="")  # the visitor's address and menu
    chrome = state.chrome(fallback.lang)
    return {
        "page": shown,
        "borrowed": fallback.page,  # with its text: the key of its unit (publish/units.py) holds it
        "borrowed_dir": settings.language(fallback.page.lang).dir,
        "borrowed_language": language_name(fallback.page.lang, chrome.lang.formats),
        "chrome": chrome,
        "links": state.links(fallback.page),
        "canonical": settings.absolute(fallback.page.url),
    }


@dataclass(frozen=True)
class Choice:
    """One language on the language chooser or the 404 page."""

    lang: Language
    url: str
    text: str
    link: str = ""
    contact: Markup = field(default_factory=Markup)  # how to call, and 112, in this language


def choices(not_found: bool = False) -> list[Choice]:
    """Every language's start page, with the contact line in that language (chooser, 404)."""
    state = portal()
    settings = state.site.settings
    result = []
    line = get_template_attribute("components/contact_line.html", "line")
    for lang in settings.languages:
        with flask_babel.force_locale(lang.code):
            contact = Markup(line(settings))
            if not_found:
                result.append(Choice(lang, state.site.start(lang.code).url,
                                     safe(_("We could not find that page. It may have moved.")),
                                     safe(_("Go to the start page")), contact))
            else:
                result.append(Choice(lang, state.site.start(lang.code).url,
                                     settings.programme[lang.code], contact=contact))
    return result


@bp.route("/")
def chooser() -> str:
    """Every language by its own name; nothing is remembered about the visitor's choice."""
    state = portal()
    settings = state.site.settings
    titles = []
    for lang in settings.languages:
        with flask_babel.force_locale(lang.code):
            titles.append((lang, safe(_("Choose your language"))))
    return render_template("chooser.html", chrome=state.chrome(settings.default_language),
                           starts=[state.site.start(code) for code in settings.codes],
                           choices=choices(), titles=titles, links=[], page=None,
                           exit_labels=exit_labels(),
                           chooser_description=state.site.start(settings.default_language).description,
                           canonical=settings.absolute("/"),
                           structured_data=structured.script(
                               structured.graph(settings, settings.default_language)))


@bp.route("/<lang>/")
def start(lang: str) -> str:
    return show(lang, f"/{lang}/")


@bp.route("/<lang>/<slug>/")
def page(lang: str, slug: str) -> str:
    return show(lang, f"/{lang}/{slug}/")


def show(lang: str, url: str) -> str:
    found = portal().site.by_url(url)
    if found is None and url in portal().fallbacks:
        fallback = portal().fallbacks[url]
        return render_template("fallback.html", **fallback_inputs(fallback),
                               body=shown_body(fallback.page))
    if found is None:
        abort(404)
    return render_template("page.html", **page_context(found))


@bp.route("/<lang>/search/")
def search(lang: str) -> str:
    """Search with Pagefind when JavaScript runs; without it, a list of every page."""
    state = portal()
    if lang not in state.site.settings.codes:
        abort(404)
    start = state.site.start(lang)
    return render_template("search.html", chrome=state.chrome(lang), page=None, search_page=True,
                           links=state.links(start, SEARCH_PATH),
                           pages=list(state.site.pages(lang)), description=start.description,
                           canonical=state.site.settings.absolute(search_url(lang)))


def _page_at(lang: str, slug: str | None) -> Page:
    url = f"/{lang}/" if slug is None else f"/{lang}/{slug}/"
    found = portal().site.by_url(url)
    if found is None:
        abort(404)
    return found


@bp.route("/<lang>/poster/", defaults={"slug": None})
@bp.route("/<lang>/<slug>/poster/")
def poster(lang: str, slug: str | None) -> str:
    """An A4 poster of a page: title, description, a large QR code, the address and contact."""
    from .qr import qr_svg

    inputs = poster_inputs(_page_at(lang, slug))
    return render_template("poster.html", **inputs, qr=qr_svg(inputs["url"], inputs["page"].title))


def poster_inputs(page: Page) -> dict[str, Any]:
    """What poster.html (and the QR code) is rendered from: no menu, no body."""
    return {"chrome": poster_chrome(page.lang), "page": replace(page, body=""),
            "url": portal().site.settings.absolute(page.url), "links": []}


def poster_chrome(code: str) -> Chrome:
    """A language's chrome as posters show it: without the menu."""
    return replace(portal().chrome(code), nav=())


@bp.route("/<lang>/qr.svg", defaults={"slug": None})
@bp.route("/<lang>/<slug>/qr.svg")
def qr_code(lang: str, slug: str | None) -> tuple[str, int, dict[str, str]]:
    """The page's address as a QR code: a self-contained SVG file."""
    from .qr import qr_svg

    found = _page_at(lang, slug)
    svg = qr_svg(portal().site.settings.absolute(found.url), title=found.title, standalone=True)
    return svg, 200, {"Content-Type": "image/svg+xml"}


@bp.route("/404.html")
def not_found_page() -> str:
    """The 404 page as a file, for the web server to serve (Frozen-Flask skips error handlers)."""
    state = portal()
    settings = state.site.settings
    return render_template("404.html", chrome=state.chrome(settings.default_language),
                           choices=choices(not_found=True), links=[], page=None,
                           exit_labels=exit_labels(), one_language=False)


@bp.route("/<lang>/404.html")
def not_found_in(lang: str) -> str:
    """The 404 page of one language: served for a missing address under /<lang>/."""
    state = portal()
    if lang not in state.site.settings.codes:
        abort(404)
    others = [choice for choice in choices(not_found=True) if choice.lang.code != lang]
    return render_template("404.html", chrome=state.chrome(lang), choices=others, links=[],
                           page=None, one_language=True)


def not_found(error: Exception) -> tuple[str, int]:
    lang = request.path.strip("/").split("/", 1)[0]
    if lang in portal().site.settings.codes:
        return not_found_in(lang), 404
    return not_found_page(), 404


@bp.route("/sitemap.xml")
def sitemap() -> tuple[str, int, dict[str, str]]:
    site = portal().site
    entries = [(page, site.translations(page.name)) for page in site.pages()]
    xml = render_template("sitemap.xml", site=site, entries=entries)
    return xml, 200, {"Content-Type": "application/xml; charset=utf-8"}


@bp.route("/robots.txt")
def robots() -> tuple[str, int, dict[str, str]]:
    site = portal().site
    text = f"User-agent: *\nAllow: /\n\nSitemap: {site.settings.absolute('/sitemap.xml')}\n"
    return text, 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.app_context_processor
def data_for_templates() -> dict[str, Any]:
    """The data every page template may read; components are given what they use instead."""
    state = portal()
    return {"site_settings": state.site.settings, "all_chrome": state.chrome, "exit_labels": None}


def numbers(text: str, links: bool = True) -> Markup:
    """Plain text (a page's description, say) with its phone numbers made call links, or only
    kept left to right where the text is itself inside a link."""
    html = str(escape(text))
    if links:
        return Markup(link_numbers(html))
    return Markup(HAND_WRITTEN_NUMBER.sub(r'<bdi class="portal-tel" dir="ltr">\1</bdi>', html))


def exit_labels() -> list[tuple[str, str, str]]:
    """The quick-exit button's words in every language, for pages that serve every language."""
    labels: list[tuple[str, str, str]] = []
    for lang in portal().site.settings.languages:
        with flask_babel.force_locale(lang.code):
            labels.append((lang.code, lang.dir, safe(_("Leave this page"))))
    return labels


def init_app(app: Flask) -> None:
    from .member_views import bp as member_bp

    # Helpers that depend on nothing but their arguments (and the interface language): every
    # template and component may call them, like `_()` and `ngettext()`.
    app.jinja_env.globals.update(phone_link=phone_link, numbers=numbers, search_url=search_url,
                                 format_date=flask_babel.format_date)
    app.register_blueprint(bp)
    app.register_blueprint(member_bp)
    app.register_error_handler(404, not_found)
