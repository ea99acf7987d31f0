"""Posters and QR codes per member municipality, beside the page that lists the members.

A page with `{{ members }}` at `/sv/hitta-din-kommun/` has, for each member, a printable
poster at `/sv/hitta-din-kommun/poster/<id>/` with the member's local numbers, and its QR
code at `.../poster/<id>/qr.svg`, which opens the page at that member's entry.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, render_template

from ..load.content import Page
from ..load.members import Member, has_members_block
from ..load.site import Site

bp = Blueprint("members", __name__)


def member_pages(site: Site) -> list[Page]:
    """The pages that list the members (`{{ members }}`), in every language."""
    if not site.settings.members:
        return []
    return [page for page in site.pages() if has_members_block(page.body)]


def poster_url(page: Page, member: Member) -> str:
    return f"{page.url}poster/{member.id}/"


def qr_url(page: Page, member: Member) -> str:
    return f"{page.url}poster/{member.id}/qr.svg"


def _found(lang: str, slug: str | None, member_id: str) -> tuple[Page, Member]:
    from .views import portal

    site = portal().site
    page = site.by_url(f"/{lang}/" if slug is None else f"/{lang}/{slug}/")
    member = next((m for m in site.settings.members if m.id == member_id), None)
    if page is None or member is None or not has_members_block(page.body):
        abort(404)
    return page, member


def member_poster_inputs(page: Page, member: Member) -> dict[str, Any]:
    """What a member's poster is rendered from: the page's poster, titled with the member."""
    from .views import portal, poster_inputs

    inputs = poster_inputs(page)
    url = portal().site.settings.absolute(page.url) + "#" + member.anchor()
    shown = replace(inputs["page"], title=member.name[page.lang])
    return {**inputs, "page": shown, "url": url, "member": member, "back_url": page.url}


@bp.route("/<lang>/poster/<member_id>/", defaults={"slug": None})
@bp.route("/<lang>/<slug>/poster/<member_id>/")
def member_poster(lang: str, slug: str | None, member_id: str) -> str:
    """A printable poster with one member's local numbers and a QR code to its entry."""
    from .qr import qr_svg

    inputs = member_poster_inputs(*_found(lang, slug, member_id))
    return render_template("poster.html", **inputs, qr=qr_svg(inputs["url"], inputs["page"].title))


@bp.route("/<lang>/poster/<member_id>/qr.svg", defaults={"slug": None})
@bp.route("/<lang>/<slug>/poster/<member_id>/qr.svg")
def member_qr(lang: str, slug: str | None, member_id: str) -> tuple[str, int, dict[str, str]]:
    """The address of one member's entry on the members page, as a QR code file."""
    from .qr import qr_svg
    from .views import portal

    page, member = _found(lang, slug, member_id)
    url = portal().site.settings.absolute(page.url) + "#" + member.anchor()
    svg = qr_svg(url, title=member.name[page.lang], standalone=True)
    return svg, 200, {"Content-Type": "image/svg+xml"}
