"""Member municipalities of a joint programme: read from the optional `members:` list of site.yml.

A joint programme (a host municipality serving its neighbours, a kommunalförbund) publishes one
brand and one number, with each member's local social services as the local way in. A site
without `members:` is a single municipality, exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Problem, Severity, shown

if TYPE_CHECKING:
    from .content import Page
    from .settings import Phone, _Reader

MEMBER_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # fullmatch: a slug, used in addresses
MAX_MEMBER_ID = 40
MEMBER_KEYS = ("id", "name", "social_services", "after_hours", "area", "web")
# What a page may insert about one member: {{ member.<id>.<field> }}
MEMBER_FIELDS = ("name", "social_services", "after_hours", "area", "web")
MEMBERS_BLOCK = re.compile(r"\{\{\s*members\s*\}\}")


@dataclass(frozen=True)
class Member:
    """One member municipality and its local ways in."""

    id: str  # a slug: the anchor on the members page and the folder of its poster
    name: dict[str, str]  # by language (every language: missing ones are the default's)
    social_services: Phone  # the municipality's social services (socialtjänsten)
    after_hours: Phone  # its social services out of hours (socialjouren)
    area: dict[str, str]  # by language: the places it covers; empty when not given
    web: str | None = None  # the municipality's own website (https)

    def anchor(self) -> str:
        """The id of its entry on the members page: `#member-<id>`."""
        return f"member-{self.id}"


def has_members_block(body: str) -> bool:
    """Whether a page's text holds the `{{ members }}` block (wherever the renderer fills it
    in: its posters must exist wherever it links to them)."""
    return "members" in body and MEMBERS_BLOCK.search(body) is not None


def read_members(reader: _Reader, codes: list[str], default: str, country: str) -> tuple[Member, ...]:
    """The `members:` list, every problem reported through `reader` with its line."""
    value: Any = reader.data.get("members")
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        reader.problem(("members",), "'members' must be a list of member municipalities, each "
                       "with `id`, `name`, `social_services` and `after_hours` (or leave it out)")
        return ()
    result: list[Member] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        path: tuple[str | int, ...] = ("members", index)
        if not isinstance(item, dict):
            reader.problem(path, "each member needs `id`, `name`, `social_services` and "
                                 "`after_hours` (a mapping, not a single value)")
            continue
        reader.known(path, item, MEMBER_KEYS)
        member_id = reader.text(*path, "id")
        if member_id and (len(member_id) > MAX_MEMBER_ID or not MEMBER_ID.fullmatch(member_id)):
            reader.problem((*path, "id"), f"member id {shown(member_id)} may only use lowercase "
                           f"a-z, 0-9 and single hyphens, at most {MAX_MEMBER_ID} characters "
                           "(e.g. `id: huddinge`)")
            member_id = ""
        if member_id in seen:
            reader.problem((*path, "id"), f"member id {member_id!r} is used twice (also by "
                           f"members item {seen[member_id] + 1}): give each member its own id")
        elif member_id:
            seen[member_id] = index
        names = _per_language(reader, (*path, "name"), item.get("name"), codes, default,
                              required=True)
        area = _per_language(reader, (*path, "area"), item.get("area"), codes, default,
                             required=False)
        social = reader.phone(country, *path, "social_services")
        after = reader.phone(country, *path, "after_hours")
        web = None
        if item.get("web") is not None:
            web = reader.url(*path, "web") or None
        result.append(Member(member_id, names, social, after, area, web))
    return tuple(result)


def _per_language(reader: _Reader, path: tuple[str | int, ...], value: Any, codes: list[str],
                  default: str, required: bool) -> dict[str, str]:
    """Texts by language; a language without one borrows the default language's, with a warning."""
    name = ".".join(map(str, path))
    if value is None and not required:
        return {}
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        value = {code: str(value) for code in codes}  # one text for every language: a name
    if not isinstance(value, dict) or not value:
        reader.problem(path, f"{name!r} must give a text for each language, e.g. `sv: ...` "
                             "on its own line below it")
        return {}
    result: dict[str, str] = {}
    for code, text in value.items():
        if code in reader.unpublished:
            continue  # a site of a joint programme that leaves this language out (sites.py)
        if code not in codes:
            reader.problem((*path, code), f"{name!r} names language {shown(code)}, which is not "
                                          "in `languages`")
        elif not isinstance(text, str | int) or isinstance(text, bool):
            reader.problem((*path, code), f"{name}.{code} must be text, not {type(text).__name__}")
        else:
            result[code] = reader.clean((*path, code), str(text))
    if not result.get(default):
        reader.problem(path, f"{name!r} has no text for the default language {default!r} "
                             f"(add `{default}: ...`)")
        return result
    for code in codes:
        if not result.get(code):
            reader.problem(path, f"{name!r} has no text for language {code!r}: the "
                                 f"{default!r} text is shown (add `{code}: ...`)", Severity.WARNING)
            result[code] = result[default]
    return result


def check_member_placeholders(members: tuple[Member, ...], pages: list[Page]) -> list[Problem]:
    """`{{ members }}` and `{{ member.<id>.<field> }}` in pages: known members and fields only."""
    from .checks import source_lines
    from .markup import PLACEHOLDER

    ids = [member.id for member in members]
    problems: list[Problem] = []
    for page in pages:
        if "member" not in page.body:
            continue
        for number, line in source_lines(page):
            for match in PLACEHOLDER.finditer(line) if "{{" in line else ():
                name = match.group(1)
                # (`{{ members }}` not alone on its line: an error of every block, checks.py)
                if name == "members" and not members:
                    problems.append(Problem(page.path, number, "{{ members }} lists the member "
                                    "municipalities, but site.yml has no `members:` (add "
                                    "them, or remove the placeholder)"))
                if not name.startswith("member."):
                    continue
                _, member_id, field = name.split(".")
                if member_id not in ids:
                    problems.append(Problem(page.path, number, f"{match.group(0)!r} names member "
                                    f"{member_id!r}, which is not in site.yml's `members:` "
                                    f"(members: {', '.join(ids) or 'none'})"))
                elif field not in MEMBER_FIELDS:
                    problems.append(Problem(page.path, number, f"{match.group(0)!r}: a member has "
                                    f"no {field!r} (use one of: {', '.join(MEMBER_FIELDS)})"))
    return problems
