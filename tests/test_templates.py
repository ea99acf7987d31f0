"""The portal's templates have a declared interface: each component is a macro that is given
everything it uses, lists its parameters in a comment directly above it (GOV.UK Frontend
style), and is imported without the page's context, so an override sees what it may use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import file_for, parse
from jinja2 import Environment, nodes

from portal import create_app
from portal.load.content import search_url
from portal.load.site import Project, load_site

ROOT = Path(__file__).parent.parent
TEMPLATES = ROOT / "portal" / "templates"
COMPONENTS = sorted((TEMPLATES / "components").glob("*.html"))
# Names Jinja defines inside a macro or loop by itself.
IMPLICIT = {"caller", "loop", "varargs", "kwargs"}
# Flask's globals that belong to the request: a component is given its data instead.
REQUEST_BOUND = {"request", "session", "g", "config", "url_for", "get_flashed_messages"}
# One line per parameter: `- name (type, required|optional): what it is`.
PARAMETER_LINE = re.compile(r"^\s*- (\w+) \((.+), (required|optional)\): \S", re.MULTILINE)
MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(")


@pytest.fixture(scope="module")
def env() -> Environment:
    return create_app(Project(ROOT)).jinja_env


def helpers(env: Environment) -> set[str]:
    """The environment's globals a component may call: `_()`, `phone_link()`, `numbers()`, ..."""
    return set(env.globals) - REQUEST_BOUND


def template_names(tree: nodes.Template) -> set[str]:
    """What a template defines at its top level: its macros, imports and `set` names."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, nodes.Macro):
            names.add(node.name)
        elif isinstance(node, nodes.Import):
            names.add(node.target)
        elif isinstance(node, nodes.FromImport):
            names.update(name if isinstance(name, str) else name[1] for name in node.names)
        elif isinstance(node, nodes.Assign | nodes.AssignBlock):
            names.update(n.name for n in node.find_all(nodes.Name) if n.ctx == "store")
    return names


def undeclared(env: Environment, source: str) -> dict[str, set[str]]:
    """Per macro, the variables it reads that are neither its parameters, nor names it sets
    itself (for, set, with, nested macros, Jinja's implicit ones), nor the template's own
    macros and imports, nor the environment's helpers."""
    tree = env.parse(source)
    outside = template_names(tree) | helpers(env) | IMPLICIT
    found: dict[str, set[str]] = {}
    for macro in tree.find_all(nodes.Macro):
        names = list(macro.find_all(nodes.Name))
        own = {arg.name for arg in macro.args}
        own |= {n.name for n in names if n.ctx in ("store", "param")}
        own |= {inner.name for inner in macro.find_all(nodes.Macro)}
        read = {n.name for n in names if n.ctx == "load"}
        found[macro.name] = read - own - outside
    return found


def documented(source: str) -> dict[str, dict[str, str] | None]:
    """Per macro, the parameters listed in the comment directly above it, each with
    `required` or `optional` (None: no comment directly above it)."""
    result: dict[str, dict[str, str] | None] = {}
    for match in MACRO.finditer(source):
        before = source[:match.start()].rstrip()
        start = before.rfind("{#")
        if not before.endswith("#}") or start == -1:
            result[match.group(1)] = None
            continue
        found = PARAMETER_LINE.findall(before[start:])
        result[match.group(1)] = {name: need for name, _, need in found}
    return result


def all_templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".xml"))


def test_no_template_hands_its_page_context_to_a_component(env: Environment) -> None:
    imports, leaks = [], []
    for path in all_templates():
        tree = env.parse(path.read_text(encoding="utf-8"))
        for node in tree.find_all((nodes.Import, nodes.FromImport, nodes.Include)):
            assert isinstance(node, nodes.Import | nodes.FromImport | nodes.Include)
            where = f"{path.relative_to(TEMPLATES)}:{node.lineno}"
            imports.append(where)
            if node.with_context:
                leaks.append(where)
    assert len(imports) >= 10  # base.html, page.html, poster.html, the components, ...
    assert leaks == []


@pytest.mark.parametrize("path", COMPONENTS, ids=lambda p: p.name)
def test_every_component_macro_reads_only_what_it_is_given(env: Environment, path: Path) -> None:
    found = undeclared(env, path.read_text(encoding="utf-8"))
    assert found, f"{path.name} defines no macro: a component is a macro with parameters"
    assert {name: names for name, names in found.items() if names} == {}


def test_a_component_reading_the_pages_variables_is_caught(env: Environment) -> None:
    """Putting back what header.html read before it was given it: the page's settings, and
    whether the page is the search page."""
    source = (TEMPLATES / "components" / "header.html").read_text(encoding="utf-8")
    leaky = source.replace("{% if current %}", "{% if current or search_page %}")
    leaky = leaky.replace("settings.logo %}", "site_settings.logo %}")
    assert leaky.count("search_page") == 1 and leaky.count("site_settings") == 1
    assert undeclared(env, leaky)["header"] == {"search_page", "site_settings"}
    assert undeclared(env, source)["header"] == set()


def test_a_component_calling_flasks_request_is_caught(env: Environment) -> None:
    source = (TEMPLATES / "components" / "share.html").read_text(encoding="utf-8")
    leaky = source.replace('value="{{ canonical }}"', 'value="{{ request.url }}"')
    assert undeclared(env, leaky)["share"] == {"request"}


@pytest.mark.parametrize("path", COMPONENTS, ids=lambda p: p.name)
def test_every_component_macro_documents_each_parameter_above_it(env: Environment, path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    docs = documented(source)
    for macro in env.parse(source).find_all(nodes.Macro):
        needs = {arg.name: "required" for arg in macro.args}
        # Jinja aligns defaults with the last arguments.
        for arg in macro.args[len(macro.args) - len(macro.defaults):]:
            needs[arg.name] = "optional"
        assert docs.get(macro.name) == needs, (
            f"{path.name}: the comment above `{macro.name}` must list each parameter as "
            "`- name (type, required|optional): what it is`")


def test_a_parameter_missing_from_the_comment_is_caught() -> None:
    source = (TEMPLATES / "components" / "meta.html").read_text(encoding="utf-8")
    names = ["chrome", "settings", "title", "description", "url"]
    assert documented(source)["preview"] == dict.fromkeys(names, "required")
    without = source.replace("- url (string, required): the page's", "and the page's")
    assert without != source
    assert documented(without)["preview"] == dict.fromkeys(names[:-1], "required")
    # a comment that is not directly above the macro does not document it
    apart = source.replace("{% macro preview", "<p></p>\n{% macro preview")
    assert documented(apart)["preview"] is None


def test_the_menu_marks_the_page_shown_or_search_and_nothing_elsewhere(built: Path) -> None:
    site, _ = load_site(Project(ROOT))
    assert site is not None
    outside = 0
    for code in site.settings.codes:
        in_menu = {page.url for page in site.nav(code)}
        for page in site.pages(code):
            html = parse(file_for(built, page.url))
            marked = [a["href"] for a in html.select('.portal-nav__link[aria-current="page"]')]
            assert marked == ([page.url] if page.url in in_menu else []), page.url
            outside += page.url not in in_menu
        html = parse(file_for(built, search_url(code)))
        marked = [a["href"] for a in html.select('.portal-nav__link[aria-current="page"]')]
        assert marked == [search_url(code)]
    assert outside  # pages outside the menu (easy-to-read ones, say) were seen
    for url in ("/", "/404.html"):  # pages for every language have no menu
        assert parse(file_for(built, url)).select(".portal-nav") == []
