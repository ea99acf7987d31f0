"""Site settings: everything specific to the municipality, read from content/site.yml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from babel.dates import format_time, get_day_names

from . import yamltext
from .errors import Problem, relative

SETTINGS_FILE = "site.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{1,18}[0-9]$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
LANG_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Language:
    """A language the site is published in."""

    code: str  # BCP 47, e.g. "sv", "ar"; also the URL segment
    name: str  # the language's name in itself (autonym), e.g. "العربية"
    dir: str  # "ltr" or "rtl"


@dataclass(frozen=True)
class Phone:
    """A phone number as written for people, with the link form for `tel:` and `sms:`."""

    display: str
    dial: str  # E.164 for ordinary numbers, the digits for short national numbers


@dataclass(frozen=True)
class Hours:
    """Opening hours for one day or a run of days."""

    days: tuple[str, ...]  # first and last day of the run
    opens: str
    closes: str


@dataclass(frozen=True)
class Contact:
    """How to reach the programme."""

    phone: Phone
    sms: Phone
    email: str
    address: str
    hours: tuple[Hours, ...]
    after_hours: Phone  # social services out of hours (socialjouren)


@dataclass(frozen=True)
class Settings:
    """The validated site settings."""

    base_url: str  # absolute, ends with "/"
    default_language: str
    languages: tuple[Language, ...]
    municipality: dict[str, str]
    programme: dict[str, str]
    contact: Contact
    emergency: Phone  # 112
    police: Phone  # 114 14
    healthcare: Phone  # 1177
    quick_exit: str  # absolute URL of a neutral site
    hide_visit_page: str | None = None  # the page on hiding a visit, linked beside the quick exit
    path: Path = field(default=Path(SETTINGS_FILE), compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def language(self, code: str) -> Language:
        return next(lang for lang in self.languages if lang.code == code)

    def absolute(self, url: str) -> str:
        """The public URL of a site path such as `/sv/kontakt/`."""
        return self.base_url.rstrip("/") + url

    def opening_hours(self, code: str) -> list[str]:
        """Opening hours in the given language, e.g. ["måndag–fredag 08:00–17:00"]."""
        locale = Locale.parse(code)
        names = get_day_names("wide", context="stand-alone", locale=locale)
        result = []
        for hours in self.contact.hours:
            first, last = DAYS.index(hours.days[0]), DAYS.index(hours.days[-1])
            days = names[first] if first == last else f"{names[first]}–{names[last]}"
            opens, closes = (
                format_time(_clock(t), "short", locale=locale) for t in (hours.opens, hours.closes)
            )
            result.append(f"{days} {opens}–{closes}")
        return result


def _clock(text: str) -> Any:
    from datetime import time

    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def load_settings(content_dir: Path, root: Path) -> tuple[Settings | None, list[Problem]]:
    """Read and validate the settings file; return the settings (None on errors) and problems."""
    path = content_dir / SETTINGS_FILE
    where = relative(path, root)
    if not path.is_file():
        return None, [Problem(where, None, "the settings file is missing (copy it from the "
                              "portal's example content and fill in your details)")]
    try:
        data, lines = yamltext.parse(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        return None, [Problem(where, None, "is not UTF-8 text (save it as UTF-8)")]
    except yamltext.YamlSyntaxError as exc:
        return None, [Problem(where, exc.line, f"YAML syntax error: {exc.message}")]
    reader = _Reader(where, data if isinstance(data, dict) else {}, lines)
    if not isinstance(data, dict):
        reader.problem((), "the settings must be a YAML mapping of `key: value` lines")
        return None, reader.problems
    settings = reader.settings()
    return (settings if not reader.problems else None), reader.problems


class _Reader:
    """Reads settings fields, collecting every problem with its line."""

    KEYS = ("base_url", "default_language", "languages", "municipality", "programme", "contact",
            "emergency", "police", "healthcare", "quick_exit", "hide_visit_page")

    def __init__(self, where: str, data: dict[str, Any], lines: dict[yamltext.Key, int]) -> None:
        self.where, self.data, self.lines = where, data, lines
        self.problems: list[Problem] = []

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(self.where, yamltext.line_of(self.lines, *path), message))

    def text(self, *path: str | int) -> str:
        value: Any = self.data
        for key in path:
            if isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and key < len(value):
                value = value[key]
            else:
                value = None
        if value is None or value == "":
            self.problem(path, f"{'.'.join(map(str, path))!r} is missing")
            return ""
        if not isinstance(value, str | int):
            self.problem(path, f"{'.'.join(map(str, path))!r} must be text")
            return ""
        return str(value).strip()

    def url(self, *path: str, root_only: bool = False) -> str:
        value = self.text(*path)
        parts = urlsplit(value)
        if value and (parts.scheme != "https" or not parts.netloc):
            self.problem(path, f"{'.'.join(path)!r} must be a full https:// address, not {value!r}")
        elif root_only and parts.path not in ("", "/"):
            self.problem(path, f"{'.'.join(path)!r} must be the root of a web address, such as "
                               "https://avhopp.example.se/ (the site cannot live in a sub-folder)")
        return value

    def phone(self, country: str, *path: str) -> Phone:
        value = self.text(*path)
        if value and not PHONE.match(value):
            self.problem(path, f"{'.'.join(path)} {value!r} is not a phone number "
                               "(digits, spaces and hyphens, e.g. '070-174 06 05')")
            return Phone(value, "")
        digits = re.sub(r"[^0-9+]", "", value)
        if digits.startswith("0") and len(digits) > 6:
            digits = country + digits[1:]
        return Phone(value, digits)

    def per_language(self, key: str, codes: list[str]) -> dict[str, str]:
        value = self.data.get(key)
        if not isinstance(value, dict):
            self.problem((key,), f"{key!r} must list a name for each language, e.g. `sv: ...`")
            return {}
        for code in codes:
            if not value.get(code):
                self.problem((key,), f"{key!r} has no name for language {code!r} (add `{code}: ...`)")
        for code in value:
            if code not in codes:
                self.problem((key, code), f"{key!r} names language {code!r}, which is not "
                                          "in `languages`")
        for code, name in value.items():
            if not isinstance(name, str | int) or isinstance(name, bool):
                self.problem((key, code), f"{key}.{code} must be text, not {type(name).__name__}")
        return {str(k): str(v) for k, v in value.items()}

    def languages(self) -> list[Language]:
        value = self.data.get("languages")
        if not isinstance(value, list) or not value:
            self.problem(("languages",), "'languages' must be a list of {code, name, dir}")
            return []
        result: list[Language] = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.problem(("languages", index), "each language needs `code`, `name` and `dir`")
                continue
            code = self.text("languages", index, "code")
            name = self.text("languages", index, "name")
            direction = item.get("dir", "ltr")
            if code and not LANG_CODE.match(code):
                self.problem(("languages", index, "code"), f"language code {code!r} is not a "
                             "two- or three-letter lowercase language code such as 'sv' or 'ar' "
                             "(regional variants such as 'en-GB' are not supported)")
                continue
            try:
                Locale.parse(code.replace("-", "_"))
            except (UnknownLocaleError, ValueError):
                self.problem(("languages", index, "code"), f"language {code!r} is unknown "
                             "(use an ISO 639 code such as 'sv', 'ar', 'so')")
                continue
            if direction not in ("ltr", "rtl"):
                self.problem(("languages", index, "dir"), f"dir {direction!r} must be 'ltr' or 'rtl'")
            if code in [lang.code for lang in result]:
                self.problem(("languages", index, "code"), f"language {code!r} is listed twice")
            result.append(Language(code, name, direction))
        return result

    def hours(self) -> list[Hours]:
        contact = self.data.get("contact")
        value = contact.get("hours") if isinstance(contact, dict) else None
        if not isinstance(value, list) or not value:
            self.problem(("contact", "hours"), "'contact.hours' must list opening hours, e.g. "
                         "`- {days: mon-fri, opens: '08:00', closes: '17:00'}`")
            return []
        result = []
        for index, item in enumerate(value):
            path = ("contact", "hours", index)
            if not isinstance(item, dict):
                self.problem(path, "each entry needs `days`, `opens` and `closes`")
                continue
            days = str(item.get("days", "")).split("-")
            if len(days) > 2 or any(d not in DAYS for d in days):
                self.problem((*path, "days"), f"days {item.get('days')!r} must be one day or a "
                             f"range such as 'mon-fri' (days: {', '.join(DAYS)})")
                continue
            times = [str(item.get("opens", "")), str(item.get("closes", ""))]
            if not all(TIME.match(t) for t in times):
                self.problem(path, "opens and closes must be quoted times such as '08:00'")
                continue
            result.append(Hours(tuple(days), times[0], times[1]))
        return result

    def settings(self) -> Settings:
        for key in self.data:
            if key not in self.KEYS:
                self.problem((key,), f"{key!r} is not a known setting (known: {', '.join(self.KEYS)})")
        base_url = self.url("base_url", root_only=True)
        languages = self.languages()
        codes = [lang.code for lang in languages]
        default = self.text("default_language")
        if default and codes and default not in codes:
            self.problem(("default_language",), f"default_language {default!r} is not in "
                         "`languages`")
        country = "+46"
        contact = Contact(
            phone=self.phone(country, "contact", "phone"),
            sms=self.phone(country, "contact", "sms"),
            email=self.text("contact", "email"),
            address=self.text("contact", "address"),
            hours=tuple(self.hours()),
            after_hours=self.phone(country, "contact", "after_hours"),
        )
        if contact.email and not EMAIL.match(contact.email):
            self.problem(("contact", "email"), f"contact.email {contact.email!r} is not an e-mail address")
        return Settings(
            base_url=base_url.rstrip("/") + "/",
            default_language=default,
            languages=tuple(languages),
            municipality=self.per_language("municipality", codes),
            programme=self.per_language("programme", codes),
            contact=contact,
            emergency=self.phone(country, "emergency"),
            police=self.phone(country, "police"),
            healthcare=self.phone(country, "healthcare"),
            quick_exit=self.url("quick_exit"),
            hide_visit_page=str(self.data["hide_visit_page"]) if self.data.get("hide_visit_page") else None,
        )
