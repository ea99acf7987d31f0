"""A rendered page body read as data: its headings, its plain text, its questions and answers.

Reads the sanitised HTML the page shows (never the Markdown), so the API, the JSON-LD and the
page always agree. No IO.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements that end a line of text (the rest, like <a> or <strong>, run on within it).
BREAKS = {"p", "li", "br", "tr", "td", "th", "dt", "dd", "div", "table", "blockquote", "pre",
          "hr", "ul", "ol", "dl", "thead", "tbody", "tfoot"}
SPACES = re.compile(r"[ \t\r\f\v]+")


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class Block:
    """A heading, or the text between two headings (`heading` None)."""

    heading: Heading | None
    text: str


def _lines(chunks: list[str]) -> str:
    """Text as a reader sees it: one line per paragraph or item, spaces collapsed."""
    lines = (SPACES.sub(" ", line).strip() for line in "".join(chunks).split("\n"))
    return "\n".join(line for line in lines if line)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._chunks: list[str] = []
        self._heading: tuple[int, str] | None = None
        self._pre = 0  # inside <pre>, line breaks are the text's own

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HEADINGS:
            self._flush()
            self._heading = (HEADINGS[tag], dict(attrs).get("id") or "")
        elif tag in BREAKS:
            self._chunks.append("\n")
        self._pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADINGS and self._heading is not None:
            level, ident = self._heading
            self.blocks.append(Block(Heading(level, ident, _lines(self._chunks).replace("\n", " ")), ""))
            self._chunks, self._heading = [], None
        elif tag in BREAKS:
            self._chunks.append("\n")
        self._pre -= tag == "pre" and self._pre > 0

    def handle_data(self, data: str) -> None:
        """Text; a line break in the source is a space, as a browser shows it."""
        self._chunks.append(data if self._pre and not self._heading else data.replace("\n", " "))

    def _flush(self) -> None:
        text = _lines(self._chunks)
        if text:
            self.blocks.append(Block(None, text))
        self._chunks = []

    def close(self) -> None:
        super().close()
        self._flush()


def blocks(html: str) -> list[Block]:
    """The body as headings and the text between them, in order."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.blocks


def headings(html: str | list[Block]) -> list[Heading]:
    found = blocks(html) if isinstance(html, str) else html
    return [block.heading for block in found if block.heading is not None]


def plain_text(html: str | list[Block]) -> str:
    """The body as plain text: a line per heading, paragraph or list item."""
    found = blocks(html) if isinstance(html, str) else html
    return "\n".join(block.heading.text if block.heading else block.text for block in found)


def questions(html: str) -> list[tuple[str, str]]:
    """(question, answer) pairs: each heading of the body's deepest heading level, with the
    text that follows it up to the next heading. Headings without text after them (section
    titles) are not questions."""
    found = blocks(html)
    levels = [block.heading.level for block in found if block.heading is not None]
    if not levels:
        return []
    deepest = max(levels)
    pairs = []
    for index, block in enumerate(found):
        if block.heading is None or block.heading.level != deepest:
            continue
        after = found[index + 1] if index + 1 < len(found) else None
        if after is not None and after.heading is None and block.heading.text:
            pairs.append((block.heading.text, after.text))
    return pairs
