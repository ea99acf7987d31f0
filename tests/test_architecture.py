"""The package's shape: stages import only downwards (commands → publish → render → load →
errors), no module imports itself back through others, every module imports on its own, and
loading content needs no renderer."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "portal"
LAYERS = ["errors", "load", "render", "publish", "commands"]  # each may import those before it


def module_name(path: Path) -> str:
    parts = ("portal", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
LOAD_STAGE = sorted(m for m in MODULES if m.startswith("portal.load"))
RENDERERS = ("flask", "jinja2", "markdown", "nh3", "flask_frozen")


def imports(module: str, top_level_only: bool = False) -> set[str]:
    """The portal modules a module imports (anywhere in it, or only when it is imported)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:  # `from . import views` imports a module
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name in MODULES and name != module}


def layer(module: str) -> int:
    """errors 0 … commands 4; the package's own __init__ and __main__ sit on top of all."""
    part = module.split(".")[1] if "." in module else ""
    return LAYERS.index(part) if part in LAYERS else len(LAYERS)


def test_the_stages_are_the_packages_layers() -> None:
    top = {module.split(".")[1] for module in MODULES if module.count(".") >= 1}
    assert top == set(LAYERS) | {"__main__"}, top


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_from_a_later_stage(module: str) -> None:
    upward = {other for other in imports(module) if layer(other) > layer(module)}
    assert not upward, f"{module} (a {LAYERS[layer(module)] if layer(module) < 5 else 'top'} " \
                       f"module) imports {sorted(upward)}"


def test_no_import_circle() -> None:
    graph = {module: imports(module, top_level_only=True) for module in MODULES}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for other in sorted(graph[module]):
            if state.get(other) == 1:
                cycle = [*path[path.index(other):], other]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if other not in state:
                visit(other)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_imports_on_its_own(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_load_stage_imports_no_renderer() -> None:
    code = (f"import sys; import {', '.join(LOAD_STAGE)}; "
            f"print([m for m in {RENDERERS!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout
