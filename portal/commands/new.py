"""`portal new`: a new page with its front matter filled in, and drafts for translators."""

from __future__ import annotations

import datetime as dt

import click
import yaml

from ..errors import relative, shown
from ..load.content import DISGUISING, MAX_SLUG, RESERVED, closing_line, is_slug
from ..load.settings import require_settings
from ..load.site import Project

MAX_TITLE = 120

TEMPLATE = """---
{front_matter}---

{intro}

## {heading}

{text}
"""

TEXTS = {
    "intro": "Write one or two short sentences that say what this page is about.",
    "heading": "A heading",
    "text": "Write short sentences in plain words. Link to other pages by their file name, "
            "for example `[Contact](kontakt.md)`. Insert contact details with "
            "placeholders, for example {{ phone }}. Remove the line draft: true when the page "
            "is ready to be published.",
}


def new_page(project: Project, name: str, title: str | None, translate: bool) -> list[str]:
    """Create `content/<default>/<name>.md` (and drafts in other languages); return their paths."""
    name = name.removesuffix(".md")
    if name in RESERVED:
        raise click.ClickException(f"{name!r} is an address the portal itself uses: choose another name")
    if not is_slug(name):
        raise click.ClickException(f"{shown(name)} cannot be a page name: use lowercase a-z, 0-9 "
                                   f"and hyphens, at most {MAX_SLUG} characters, e.g. "
                                   "`portal new oppettider`")
    if title is not None and (not title.strip() or len(title) > MAX_TITLE
                              or any(ch in title for ch in "\r\n\t\x00")
                              or DISGUISING.search(title)):
        raise click.ClickException(f"the title {shown(title)} must be one line of at most "
                                   f"{MAX_TITLE} characters, without invisible characters")
    settings = require_settings(project.content, project.root)
    default = settings.default_language
    target = project.content / default / f"{name}.md"
    created = []
    if target.exists():
        if not translate:
            raise click.ClickException(f"{relative(target, project.root)} already exists (add "
                                       "--translate to create the missing translations of it)")
        text = target.read_text(encoding="utf-8")
    else:
        title = title or name.replace("-", " ").capitalize()
        order = 10 * (1 + len(list((project.content / default).glob("*.md"))))
        # A draft until the writer has replaced the example text: drafts are never published.
        front_matter = yaml.safe_dump(
            {"title": title, "description": f"{title}: what this page tells the reader.",
             "slug": name, "order": order, "updated": dt.date.today(), "draft": True},
            allow_unicode=True, sort_keys=False)
        text = TEMPLATE.format(front_matter=front_matter, **TEXTS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        created.append(relative(target, project.root))
    if translate:
        draft = text if "\ndraft: true\n" in text else _as_draft(text)
        for code in settings.codes:
            other = project.content / code / f"{name}.md"
            if code == default or other.exists():
                continue
            other.parent.mkdir(parents=True, exist_ok=True)
            # A draft copy of the source text: translators replace it and run `translations done`.
            other.write_text(draft, encoding="utf-8")
            created.append(relative(other, project.root))
    return created


def _as_draft(text: str) -> str:
    """The page with `draft: true` added as the last front-matter line."""
    lines = text.split("\n")
    closing = closing_line(lines)
    assert closing is not None  # the page was written or loaded with closed front matter
    lines.insert(closing, "draft: true")
    return "\n".join(lines)
