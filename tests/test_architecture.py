"""The package's shape: every module imports on its own, and loading content needs no renderer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "portal"
MODULES = sorted(
    "portal" + ("." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
                if path.name != "__init__.py" or path.parent != PACKAGE else "")
    for path in PACKAGE.rglob("*.py"))
MODULES = [m.removesuffix(".__init__") for m in MODULES]
# The load stage reads files into a Site; it must not pull in the renderer's libraries.
LOAD_STAGE = ["portal", "portal.errors", "portal.load.files", "portal.load.yamltext", "portal.load.content",
              "portal.load.settings", "portal.load.glossary", "portal.publish.marker", "portal.load.site"]
RENDERERS = ("flask", "jinja2", "markdown", "nh3", "flask_frozen")


@pytest.mark.parametrize("module", MODULES)
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
