"""Shared fixtures: the real site built once, and small fixture trees copied to break."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from portal import create_app
from portal.freeze import build
from portal.site import Project

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def real_project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def built(real_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "build"
    build(real_project, out)
    return out


def make_project(tmp: Path, case: str = "small") -> Project:
    """A copy of a fixture content tree with the real translations and static files."""
    root = tmp / case
    shutil.copytree(FIXTURES / case, root)
    shutil.copytree(ROOT / "translations", root / "translations",
                    ignore=shutil.ignore_patterns("*.mo"))
    shutil.copytree(ROOT / "static", root / "static")
    return Project(root)


@pytest.fixture
def small(tmp_path: Path) -> Project:
    return make_project(tmp_path)


@pytest.fixture
def small_built(small: Project) -> Path:
    out = small.root / "build"
    build(small, out)
    return out


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def client_for() -> Callable[[Project], object]:
    return lambda project: create_app(project, drafts=True).test_client()


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def file_for(out: Path, url: str) -> Path:
    """The built file that a site path is served from."""
    path = out / url.lstrip("/")
    return path / "index.html" if url.endswith("/") else path
