"""Site settings: everything specific to the municipality, read from content/site.yml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from babel.dates import format_time, get_day_names

from ..errors import ContentError, Problem, Severity, relative, shown
from . import yamltext
from .members import Member, read_members

if TYPE_CHECKING:
    from .cms import Cms

SETTINGS_FILE = "site.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Every pattern is used with fullmatch: `$` would let a trailing newline through.
PHONE = re.compile(r"\+?[0-9][0-9 \-]{1,18}[0-9]")
HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@([A-Za-z0-9.\-]{1,253})")
PAGE_NAME = re.compile(r"[\w\-]{1,100}")
TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
LANG_CODE = re.compile(r"[a-z]{2,3}")
# What an address may hold: letters, digits and the URL punctuation that needs no quoting in
# HTML, nginx or a robots.txt line. No spaces, quotes, angle brackets, braces or backslashes.
URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?=&%+,@!*]+")
# Control characters, and the invisible direction marks that can make text look other than
# it is: never part of a name, an address or a number.
UNSAFE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
MAX_TEXT = 200
COUNTRY_CODE = "+46"  # Sweden: 070-174 06 05 is dialled as +46701740605


@dataclass(frozen=True)
class Language:
    """A language the site is published in."""

    code: str  # BCP 47, e.g. "sv", "ar"; also the URL segment
    name: str  # the language's name in itself (autonym), e.g. "العربية"
    dir: str  # "ltr" or "rtl"
    locale: str = ""  # for dates and lists, e.g. "en_GB" (default: the code)

    @property
    def formats(self) -> str:
        """The Babel locale that writes this language's dates, times and lists."""
        return self.locale or self.code


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

    @property
    def weekdays(self) -> tuple[int, ...]:
        """The ISO weekdays (1 = Monday) of the run, e.g. (1, 2, 3, 4) for mon-thu; a run
        such as fri-mon goes on over Sunday."""
        first, last = DAYS.index(self.days[0]), DAYS.index(self.days[-1])
        return tuple(day % 7 + 1 for day in range(first, last + 1 if last >= first else last + 8))


@dataclass(frozen=True)
class Contact:
    """How to reach the programme."""

    phone: Phone
    sms: Phone
    email: str
    address: str
    hours: tuple[Hours, ...]
    after_hours: Phone  # social services out of hours (socialjouren)
    sms_hours: tuple[Hours, ...] = ()  # when texts are read, if not the opening hours
    cost: str = "mobile"  # "free": calls and texts cost nothing; "mobile": a call to a mobile
    voicemail: str = ""  # when the answering machine is listened to (weekdays, "HH:MM"); "" = none
    reply_days: int = 0  # texts and e-mails are answered within this many working days; 0 = no promise
    anonymous: bool = True  # general questions can be asked without giving a name
    interpreters: tuple[str, ...] = ()  # languages interpreters are booked for (free of charge)
    email_secure: bool = False  # False: the pages warn that e-mail is not secure


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
    cms: Cms | None = None  # web editing at /admin/ (built only with a `cms:` section)
    members: tuple[Member, ...] = ()  # a joint programme's member municipalities (members.py)
    fallback: str = "default"  # an untranslated page: "default", "english" or "none" (load/fallback.py)
    department: dict[str, str] = field(default_factory=dict)  # e.g. "Socialtjänsten", per language
    logo: str = ""  # a file in static/ (SVG or PNG), as "/static/images/logo.svg"; "" = none
    path: Path = field(default=Path(SETTINGS_FILE), compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def language(self, code: str) -> Language:
        return next(lang for lang in self.languages if lang.code == code)

    def absolute(self, url: str) -> str:
        """The public URL of a site path such as `/sv/kontakt/`."""
        return self.base_url.rstrip("/") + url

    def opening_hours(self, code: str, sms: bool = False) -> list[str]:
        """Opening hours in the given language, e.g. ["måndag–fredag 08:00–17:00"]."""
        return [f"{days} {times}" for days, times, _ in self.hours_table(code, sms)]

    def hours_table(self, code: str, sms: bool = False) -> list[tuple[str, str, str]]:
        """Opening hours as (days, times, ISO weekday numbers such as "1 2 3 4") per row."""
        locale = Locale.parse(self.language(code).formats)
        names = get_day_names("wide", context="stand-alone", locale=locale)
        result = []
        for hours in (self.contact.sms_hours or self.contact.hours) if sms else self.contact.hours:
            first, last = DAYS.index(hours.days[0]), DAYS.index(hours.days[-1])
            days = names[first] if first == last else f"{names[first]}–{names[last]}"
            # 24-hour times in every language ("8:00 GH" or "8:00 AM" misread easily)
            opens, closes = (
                format_time(_clock(t), "HH:mm", locale=locale) for t in (hours.opens, hours.closes)
            )
            numbers = " ".join(str(day + 1) for day in range(first, last + 1))
            result.append((days, f"{opens}–{closes}", numbers))
        return result

    def interpreter_languages(self, code: str) -> list[str]:
        """The interpreters' languages, named in the given language (Babel's names)."""
        return [language_name(lang, self.language(code).formats)
                for lang in self.contact.interpreters]


def language_name(code: str, locale: str) -> str:
    """A language's name in another language's words ("Swedish", "السويدية")."""
    return Locale.parse(code).get_display_name(locale) or code


FALLBACKS = ("default", "english", "none")
CONTACT_KEYS = tuple(f.name for f in fields(Contact))  # contact:'s keys, in the fields' order
COSTS = ("free", "mobile")
LOGO_TYPES = (".svg", ".png")


def host_problem(host: str) -> str | None:
    """Why `host` is not a host name (letters, digits and hyphens in dot-separated labels)."""
    labels = host.lower().split(".")
    if len(host) > 253 or len(labels) < 2 or not all(HOST_LABEL.fullmatch(x) for x in labels):
        return (f"has the host name {shown(host)}, which is not a valid name such as "
                "avhopp.kommun.se (write an international name in its xn-- form)")
    return None


def url_problem(value: str, root_only: bool = False) -> str | None:
    """Why `value` is not a plain https address (None when it is one)."""
    if not URL_CHARACTERS.fullmatch(value):
        bad = next(ch for ch in value if not URL_CHARACTERS.fullmatch(ch))
        return (f"must be a plain web address; {shown(bad)} is not allowed in it "
                "(percent-encode it, e.g. %20 for a space)")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        return f"must be a full https:// address, not {shown(value)}"
    if "@" in parts.netloc:
        return "must not contain a user name or password (remove the part before @)"
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError:
        return f"has a port that is not a number from 1 to 65535: {shown(parts.netloc)}"
    problem = host_problem(parts.hostname or "")
    if problem:
        return problem
    if parts.fragment or value.endswith("#"):
        return "must not end with a #fragment (remove the part from #)"
    if root_only and (parts.path not in ("", "/") or parts.query):
        return ("must be the root of a web address, such as https://avhopp.example.se/ (the "
                "site cannot live in a sub-folder)")
    return None


def _clock(text: str) -> Any:
    from datetime import time

    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def require_settings(content_dir: Path, root: Path, site: str | None = None) -> Settings:
    """The settings, or a ContentError listing every problem with them."""
    settings, problems = load_settings(content_dir, root, site)
    if settings is None:
        raise ContentError(problems)
    return settings


def load_settings(content_dir: Path, root: Path,
                  site: str | None = None) -> tuple[Settings | None, list[Problem]]:
    """Read and validate the settings file; return the settings (None on errors) and problems.
    With `site`, that site's content/sites/<site>/site.yml is laid over it first (sites.py)."""
    path = content_dir / SETTINGS_FILE
    where = relative(path, root)
    if not path.exists() and not path.is_symlink():
        return None, [Problem(where, None, "the settings file is missing (copy it from the "
                              "portal's example content and fill in your details)")]
    try:
        data, lines = yamltext.load(path, root, within=content_dir)
    except yamltext.UnreadableFile as exc:
        return None, [exc.problem]
    reader = _Reader(where, data if isinstance(data, dict) else {}, lines, root / "static")
    if not isinstance(data, dict):
        reader.problem((), "the settings must be a YAML mapping of `key: value` lines")
        return None, reader.problems
    if site is not None:
        from .sites import overlay_settings

        problem = overlay_settings(reader, content_dir, root, site)
        if problem is not None:
            return None, [problem]
    settings = reader.settings()
    errors = [p for p in reader.problems if p.severity == "error"]
    return (settings if not errors else None), reader.problems


class _Reader:
    """Reads settings fields, collecting every problem with its line."""

    # site.yml's keys are the Settings' fields (all but where the file is), in their order
    KEYS = tuple(f.name for f in fields(Settings) if f.name != "path")

    def __init__(self, where: str, data: dict[str, Any], lines: dict[yamltext.Key, int],
                 static: Path | None = None) -> None:
        self.where, self.data, self.lines = where, data, lines
        self.wheres: dict[yamltext.Key, str] = {}  # keys from another file (a site's own settings)
        self.unpublished: set[str] = set()  # shared languages a site leaves out (sites.py)
        self.static = static  # the project's static/ folder, where the logo must be
        self.problems: list[Problem] = []

    def problem(self, path: tuple[str | int, ...], message: str,
                severity: Severity = Severity.ERROR) -> None:
        found = next((path[:end] for end in range(len(path), -1, -1) if path[:end] in self.lines), ())
        self.problems.append(Problem(self.wheres.get(found, self.where),
                                     yamltext.line_of(self.lines, *path), message, severity))

    def text(self, *path: str | int) -> str:
        value: Any = self.data
        for key in path:
            if isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and key < len(value):
                value = value[key]
            else:
                value = None
        name = ".".join(map(str, path))
        if value is None or value == "":
            self.problem(path, f"{name!r} is missing")
            return ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.problem(path, f"{name!r} must be text, not {type(value).__name__}")
            return ""
        return self.clean(path, str(value))

    def clean(self, path: tuple[str | int, ...], value: str) -> str:
        """Text of one line, without control or direction characters, of a sensible length."""
        name = ".".join(map(str, path))
        value = value.strip()
        bad = UNSAFE_TEXT.search(value)
        if bad:
            what = "a line break" if bad.group() in "\n\r\u2028\u2029" else \
                f"the invisible character U+{ord(bad.group()):04X}"
            self.problem(path, f"{name!r} contains {what}: write it on one line, without it")
            return ""
        if len(value) > MAX_TEXT:
            self.problem(path, f"{name!r} is {len(value)} characters long; at most {MAX_TEXT} "
                               "are allowed (shorten it)")
            return ""
        return value

    def url(self, *path: str | int, root_only: bool = False) -> str:
        value = self.text(*path)
        if not value:
            return ""
        problem = url_problem(value, root_only)
        if problem:
            self.problem(path, f"{'.'.join(map(str, path))!r} {problem}")
            return ""
        return value

    def phone(self, country: str, *path: str | int) -> Phone:
        value = self.text(*path)
        if value and not PHONE.fullmatch(value):
            self.problem(path, f"{'.'.join(map(str, path))} {shown(value)} is not a phone number "
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
        value = {code: text for code, text in value.items() if code not in self.unpublished}
        for code in value:
            if code not in codes:
                self.problem((key, code), f"{key!r} names language {code!r}, which is not "
                                          "in `languages`")
        result = {}
        for code, name in value.items():
            if not isinstance(name, str | int) or isinstance(name, bool):
                self.problem((key, code), f"{key}.{code} must be text, not {type(name).__name__}")
            else:
                result[str(code)] = self.clean((key, code), str(name))
        return result

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
            self.known(("languages", index), item, ("code", "name", "dir", "locale"))
            locale = item.get("locale", "")
            if locale:
                try:
                    if not isinstance(locale, str) or Locale.parse(locale).language != code:
                        raise ValueError(locale)
                except (UnknownLocaleError, ValueError, TypeError):
                    self.problem(("languages", index, "locale"), f"locale {shown(locale)} must be "
                                 f"a variant of {code!r} such as '{code}_SE' or 'en_GB'")
                    locale = ""
            if code and not LANG_CODE.fullmatch(code):
                self.problem(("languages", index, "code"), f"language code {shown(code)} is not a "
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
                self.problem(("languages", index, "dir"), f"dir {shown(direction)} must be 'ltr' or 'rtl'")
            if code in [lang.code for lang in result]:
                self.problem(("languages", index, "code"), f"language {code!r} is listed twice")
            result.append(Language(code, name, direction, locale))
        return result

    def hours(self, key: str = "hours") -> list[Hours]:
        contact = self.data.get("contact")
        value = contact.get(key) if isinstance(contact, dict) else None
        if key != "hours" and value is None:
            return []
        if not isinstance(value, list) or not value:
            self.problem(("contact", key), f"'contact.{key}' must list opening hours, e.g. "
                         "`- {days: mon-fri, opens: '08:00', closes: '17:00'}`")
            return []
        result = []
        for index, item in enumerate(value):
            path = ("contact", key, index)
            if not isinstance(item, dict):
                self.problem(path, "each entry needs `days`, `opens` and `closes`")
                continue
            self.known(path, item, ("days", "opens", "closes"))
            days = str(item.get("days", "")).split("-") if isinstance(item.get("days"), str) else [""]
            if len(days) > 2 or any(d not in DAYS for d in days):
                self.problem((*path, "days"), f"days {shown(item.get('days'))} must be one day or a "
                             f"range such as 'mon-fri' (days: {', '.join(DAYS)})")
                continue
            times = [str(item.get("opens", "")), str(item.get("closes", ""))]
            if not all(TIME.fullmatch(t) for t in times):
                self.problem(path, "opens and closes must be quoted times such as '08:00'")
                continue
            result.append(Hours(tuple(days), times[0], times[1]))
        return result

    def page_name(self, key: str) -> str | None:
        """A page's file name without .md, as a setting (letters, digits, hyphens)."""
        value = self.text(key)
        if value and not PAGE_NAME.fullmatch(value):
            self.problem((key,), f"{key} {shown(value)} must be a page's file name without .md, "
                                 "e.g. din-integritet")
            return None
        return value or None

    def known(self, path: tuple[str | int, ...], mapping: dict[Any, Any], keys: tuple[str, ...]) -> None:
        """Report keys that are not settings: a typo would otherwise be ignored silently."""
        for key in mapping:
            if key not in keys:
                where = ".".join(map(str, (*path, key)))
                self.problem((*path, str(key)), f"{shown(where)} is not a known setting "
                                                f"(known here: {', '.join(keys)})")

    def settings(self) -> Settings:
        from .cms import read_settings as read_cms  # cms.py imports this module
        self.known((), self.data, self.KEYS)
        if isinstance(self.data.get("contact"), dict):
            self.known(("contact",), self.data["contact"], CONTACT_KEYS)
        base_url = self.url("base_url", root_only=True)
        languages = self.languages()
        codes = [lang.code for lang in languages]
        default = self.text("default_language")
        if default and codes and default not in codes:
            self.problem(("default_language",), f"default_language {default!r} is not in "
                         "`languages`")
        country = COUNTRY_CODE
        contact = Contact(
            phone=self.phone(country, "contact", "phone"),
            sms=self.phone(country, "contact", "sms"),
            email=self.text("contact", "email"),
            address=self.text("contact", "address"),
            hours=tuple(self.hours()),
            after_hours=self.phone(country, "contact", "after_hours"),
            sms_hours=tuple(self.hours("sms_hours")),
            **self.promises(),
        )
        email = EMAIL.fullmatch(contact.email)
        if contact.email and (email is None or host_problem(email.group(1))):
            self.problem(("contact", "email"), f"contact.email {shown(contact.email)} is not an "
                                               "e-mail address such as avhopp@kommun.se")
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
            hide_visit_page=self.page_name("hide_visit_page") if self.data.get("hide_visit_page") else None,
            cms=read_cms(self) if "cms" in self.data else None,
            members=read_members(self, codes, default, country),
            fallback=self.fallback(),
            department=(self.per_language("department", codes)
                        if "department" in self.data else {}),
            logo=self.logo(),
        )

    def fallback(self) -> str:
        value = self.data.get("fallback", "default")
        if value not in FALLBACKS:
            self.problem(("fallback",), f"fallback {shown(value)} must be one of "
                         f"{', '.join(FALLBACKS)} (what an untranslated page shows)")
            return "none"
        return str(value)

    def promises(self) -> dict[str, Any]:
        """What reaching the programme costs and how it answers (contact.cost, .voicemail ...)."""
        contact = self.data.get("contact")
        contact = contact if isinstance(contact, dict) else {}
        result: dict[str, Any] = {}
        cost = contact.get("cost", "mobile")
        if cost not in COSTS:
            self.problem(("contact", "cost"), f"contact.cost {shown(cost)} must be 'free' (calls "
                         "and texts cost nothing) or 'mobile' (they cost what a call to a mobile "
                         "number costs)")
        else:
            result["cost"] = cost
        voicemail = contact.get("voicemail", "")
        if voicemail and not (isinstance(voicemail, str) and TIME.fullmatch(voicemail)):
            self.problem(("contact", "voicemail"), f"contact.voicemail {shown(voicemail)} must be "
                         "the quoted time the answering machine is listened to, such as '09:00' "
                         "(leave it out if there is no answering machine)")
        elif voicemail:
            result["voicemail"] = voicemail
        days = contact.get("reply_days", 0)
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 10:
            self.problem(("contact", "reply_days"), f"contact.reply_days {shown(days)} must be a "
                         "whole number of working days from 1 to 10 (0: no promise)")
        else:
            result["reply_days"] = days
        for key, default in (("anonymous", True), ("email_secure", False)):
            value = contact.get(key, default)
            if not isinstance(value, bool):
                self.problem(("contact", key), f"contact.{key} {shown(value)} must be true or false")
            else:
                result[key] = value
        interpreters = contact.get("interpreters", [])
        if not isinstance(interpreters, list):
            self.problem(("contact", "interpreters"), "contact.interpreters must be a list of "
                         "language codes, e.g. [ar, fa, so, ti]")
            return result
        codes = []
        for index, code in enumerate(interpreters):
            try:
                if not isinstance(code, str) or not LANG_CODE.fullmatch(code):
                    raise ValueError(code)
                Locale.parse(code)
            except (UnknownLocaleError, ValueError):
                self.problem(("contact", "interpreters", index), f"interpreter language "
                             f"{shown(code)} is not a language code such as 'ar' or 'ti'")
                continue
            codes.append(code)
        result["interpreters"] = tuple(codes)
        return result

    def logo(self) -> str:
        """The logo's site path, if the file is in static/, local, and SVG or PNG."""
        if "logo" not in self.data:
            return ""
        value = self.text("logo")
        if not value:
            return ""
        path = Path(value)
        if (path.is_absolute() or ".." in path.parts or "\\" in value
                or not re.fullmatch(r"[A-Za-z0-9_.\-/]+", value)):
            self.problem(("logo",), f"logo {shown(value)} must be a file in static/ named by its "
                         "path there, such as images/logo.svg (letters, digits, - _ . /)")
            return ""
        if path.suffix.lower() not in LOGO_TYPES:
            self.problem(("logo",), f"logo {shown(value)} must be an SVG or PNG file")
            return ""
        static = self.static
        if static is not None:
            target = static / path
            inside = static.resolve() in target.resolve().parents
            if not inside or not target.is_file():
                self.problem(("logo",), f"logo {shown(value)} is not a file in static/ (put "
                             f"the file at static/{value})")
                return ""
        return "/static/" + path.as_posix()
