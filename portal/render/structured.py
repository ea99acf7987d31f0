"""Structured data (schema.org JSON-LD) in every page: the service, and the page itself (a
WebPage, or on a page of questions and answers a FAQPage).

The JSON is written by json.dumps with `<`, `>` and `&` escaped (as `\\u003c` …), so no
title, answer or setting can end the `<script type="application/ld+json">` element; a
browser never runs such a data block, and origins.py allows exactly that type.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from ..load.content import Page
from ..load.settings import Phone, Settings
from .bodytext import questions

SCHEMA = "https://schema.org/"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TYPE = "application/ld+json"


def opening_hours(settings: Settings) -> list[dict[str, Any]]:
    """The settings' hours as schema.org OpeningHoursSpecifications."""
    return [{"@type": "OpeningHoursSpecification",
             "dayOfWeek": [SCHEMA + DAY_NAMES[day - 1] for day in hours.weekdays],
             "opens": hours.opens, "closes": hours.closes}
            for hours in settings.contact.hours]


def service(settings: Settings, lang: str, service_type: str) -> dict[str, Any]:
    """The programme as a GovernmentService of the municipality, with its channels."""
    contact = settings.contact
    hours = opening_hours(settings)
    languages = list(settings.codes)

    def point(phone: Phone) -> dict[str, Any]:
        return {"@type": "ContactPoint", "telephone": phone.dial, "hoursAvailable": hours}

    municipality = settings.municipality[lang]
    return {
        "@type": "GovernmentService",
        "name": settings.programme[lang],
        "serviceType": service_type,
        "url": settings.absolute(f"/{lang}/"),
        "provider": {"@type": "GovernmentOrganization", "name": municipality},
        # a joint programme serves its member municipalities; otherwise its own
        "areaServed": ([{"@type": "AdministrativeArea", "name": member.name[lang]}
                        for member in settings.members] if settings.members
                       else {"@type": "AdministrativeArea", "name": municipality}),
        "availableChannel": [
            {"@type": "ServiceChannel", "availableLanguage": languages,
             "servicePhone": point(contact.phone)},
            {"@type": "ServiceChannel", "availableLanguage": languages,
             "serviceSmsNumber": point(contact.sms)},
            {"@type": "ServiceChannel", "availableLanguage": languages,
             "serviceLocation": {"@type": "Place", "address": contact.address}},
        ],
    }


def web_page(settings: Settings, page: Page, body: str) -> dict[str, Any]:
    """The page itself: a WebPage, or a FAQPage when it says `faq: true` and has questions
    (read from its rendered headings, see bodytext.questions)."""
    node: dict[str, Any] = {"@type": "WebPage", "name": page.title,
                            "description": page.description,
                            "url": settings.absolute(page.url), "inLanguage": page.lang}
    if page.updated is not None:
        node["dateModified"] = page.updated.isoformat()
    pairs = questions(body) if page.faq else []
    if pairs:
        node["@type"] = "FAQPage"
        node["mainEntity"] = [{"@type": "Question", "name": question,
                               "acceptedAnswer": {"@type": "Answer", "text": answer}}
                              for question, answer in pairs]
    return node


def graph(settings: Settings, lang: str, page: Page | None = None, body: str = "") -> dict[str, Any]:
    """Everything a page (or the language chooser, without `page`) says about itself, as one
    JSON-LD document."""
    nodes = [service(settings, lang, _("Support for leaving criminal networks"))]
    if page is not None:
        nodes.append(web_page(settings, page, body))
    return {"@context": "https://schema.org", "@graph": nodes}


def script_json(data: Any) -> str:
    """Compact JSON that is safe inside an HTML element: `<`, `>` and `&` escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script(data: Any) -> Markup:
    return Markup(f'<script type="{TYPE}">{script_json(data)}</script>')
