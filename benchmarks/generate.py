"""Generate a synthetic multilingual portal of L languages x P pages, for benchmarks.

The pages are made from the shipped content's own paragraphs (so Arabic and Persian text,
tables, lists and placeholders are real), with headings, a table and links between pages.

    python benchmarks/generate.py --pages 1000 --out /tmp/bench-1000
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def paragraphs(lang: str) -> list[str]:
    """The shipped pages' paragraphs and lists in one language, without links between pages."""
    blocks = []
    for path in sorted((CONTENT / lang).glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[2]
        for block in body.split("\n\n"):
            block = re.sub(r"\]\([a-z0-9-]+\.md(#[^)]*)?\)", "](index.md)", block.strip())
            if block and not block.startswith("#"):
                blocks.append(block)
    return blocks


def headings(lang: str) -> list[str]:
    found = []
    for path in sorted((CONTENT / lang).glob("*.md")):
        found += re.findall(r"^## (.+)$", path.read_text(encoding="utf-8"), re.M)
    return found


def generate(out: Path, pages: int, seed: int = 1) -> None:
    """Write the project: settings, translations, static files and L x P pages."""
    if out.exists():
        shutil.rmtree(out)
    (out / "content").mkdir(parents=True)
    settings = (CONTENT / "site.yml").read_text(encoding="utf-8")
    settings = re.sub(r"(?m)^hide_visit_page: .*$", "hide_visit_page: sida-1", settings)
    (out / "content" / "site.yml").write_text(settings, encoding="utf-8")
    shutil.copytree(ROOT / "translations", out / "translations",
                    ignore=shutil.ignore_patterns("*.mo"))
    shutil.copytree(ROOT / "static", out / "static")
    langs = sorted(p.name for p in CONTENT.iterdir() if p.is_dir())
    for lang in langs:
        rng = random.Random(f"{seed}-{lang}")
        texts, titles = paragraphs(lang), headings(lang)
        folder = out / "content" / lang
        folder.mkdir()
        start = (CONTENT / lang / "index.md").read_text(encoding="utf-8")
        start = re.sub(r"\]\([a-z0-9-]+\.md(#[^)]*)?\)", "](sida-1.md)", start)
        start = re.sub(r"(?m)^routes: .*$", "routes: [sida-1, sida-2, sida-3]", start)
        (folder / "index.md").write_text(re.sub(r"(?m)^translated_from: .*\n", "", start),
                                         encoding="utf-8")
        for number in range(1, pages):
            title = f"{rng.choice(titles)[:40]} {number}"
            plain = re.sub(r"\{\{[^}]*\}\}|[*#|\[\]()-]", "", rng.choice(texts))
            description = " ".join(plain.split())[:150]
            links = " · ".join(f"[{rng.choice(titles)[:30]}](sida-{rng.randrange(1, pages)}.md)"
                               for _ in range(3))
            sections = []
            for _ in range(4):
                sections.append(f"## {rng.choice(titles)}\n\n{rng.choice(texts)}\n\n{rng.choice(texts)}")
            table = "| A | B |\n|---|---|\n" + "\n".join(
                f"| {rng.choice(titles)[:30]} | {rng.randrange(100)} |" for _ in range(3))
            fields = {"title": title, "description": description or title,
                      "slug": f"sida-{number}", "updated": "2026-11-23"}
            if number < 10:  # like a real site: a handful of main pages in the menu
                fields["order"] = number + 1
            front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
            text = (f"---\n{front}---\n\n{rng.choice(texts)}\n\n"
                    f"{links}\n\n" + "\n\n".join(sections) + f"\n\n### {rng.choice(titles)}\n\n{table}\n")
            (folder / f"sida-{number}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100, help="pages per language")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, args.pages)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
