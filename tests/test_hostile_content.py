"""Hostile or broken content never crashes the loader and never reaches the site as a script."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import yaml
from conftest import make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import create_app
from portal.render.bodies import checked_site as load_site

ATTACKS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">', "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">x</a>', '<svg onload="alert(1)">', "<iframe src=x>",
    '<p style="background:url(javascript:alert(1))">x</p>', "<!-- <script>x</script> -->",
    "{{ phone }}", "{{ nope }}", "{{", "}}", "---", "...", "../../../etc/passwd", "[a](../x.md)",
    "## نص عربي", "# H1", "###### h6", "| a | b |\n|---|---|\n| <script>x</script> | y |",
    "`<script>`", "```\n<script>alert(1)</script>\n```", "![x](javascript:alert(1))",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", "\x00", "\u202e", "\ufeff",
]
HEADERS = [
    "title: T\ndescription: D", "- a list\n- of things", "just a string", "42", "null", "",
    "title: !!python/object/apply:os.system ['echo pwned']\ndescription: d",
    "title: &a [*a]\ndescription: d", "title: [unclosed\ndescription: d", "title:\n  nested: x",
    "slug: ../../etc\ntitle: T\ndescription: D", "slug: UPPER\ntitle: T\ndescription: D",
    "title: T\ndescription: D\ndraft: maybe", "title: T\ndescription: D\nupdated: 2026-13-45",
    "title: T\ndescription: D\norder: [1]", "? complex key\n: value",
]
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
headers = st.one_of(st.sampled_from(HEADERS), texts,
                    st.dictionaries(st.sampled_from(["title", "description", "slug", "order",
                                                     "draft", "updated", "x"]),
                                    st.one_of(texts, st.integers(), st.booleans(), st.none()))
                    .map(lambda d: yaml.safe_dump(d, allow_unicode=True)))
bodies = st.lists(st.one_of(st.sampled_from(ATTACKS), texts), max_size=8).map("\n\n".join)


@st.composite
def files(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))  # anything, often not UTF-8
    header, body = draw(headers), draw(bodies)
    closing = "---\n" if draw(st.booleans()) or draw(st.booleans()) else ""
    text = f"---\n{header}\n{closing}\n{body}\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text.encode("utf-8")


SCRIPT = re.compile(r"<script|javascript:|\son[a-z]+\s*=|<iframe|<svg|<math|<style", re.IGNORECASE)
OWN_SCRIPT = re.compile(r'<script src="/static/js/(?:portal\.js" defer|early\.js")></script>')
# The page's JSON-LD: a data block that never runs, and holds no `<` that could end it.
OWN_DATA = re.compile(r'<script type="application/ld\+json">[^<]*</script>')
WORKDIR = Path(tempfile.mkdtemp(prefix="portal-hostile-"))
PROJECT = make_project(WORKDIR)


EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "150"))  # more for a longer local run


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_any_file_gives_a_clean_page_or_a_located_error(data: bytes) -> None:
    target = PROJECT.content / "sv" / "fientlig.md"
    target.write_bytes(data)
    try:
        site, problems = load_site(PROJECT)
    finally:
        target.unlink()
    for problem in problems:
        assert problem.path.startswith("content/") and problem.message
        assert problem.line is None or problem.line >= 1
    errors = [p for p in problems if p.severity == "error"]
    if site is None or errors:
        ours = [p for p in errors if p.path == "content/sv/fientlig.md"]
        assert ours, errors
        assert all(p.line is not None and p.line >= 1 for p in ours), ours  # file AND line
        return
    page = site.page("sv", "fientlig")
    if page is not None:
        html = create_app(PROJECT, site=site).test_client().get(page.url).get_data(as_text=True)
        own = OWN_DATA.sub("", OWN_SCRIPT.sub("", html), count=1)  # the portal's own, nothing else
        assert not SCRIPT.search(own), own


def test_a_huge_file_is_refused_with_its_name() -> None:
    target = PROJECT.content / "sv" / "stor.md"
    target.write_text("---\ntitle: T\ndescription: D\n---\n" + "Text. " * 600_000, encoding="utf-8")
    try:
        site, problems = load_site(PROJECT)
    finally:
        target.unlink()
    assert site is None
    assert any(p.path == "content/sv/stor.md" and "at most 0.5 MB" in p.message for p in problems)


def teardown_module() -> None:
    shutil.rmtree(WORKDIR, ignore_errors=True)
