"""Building never loses published files: atomic swaps, and refusal of folders that are not ours."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.commands.cli import main
from portal.errors import BuildError, ContentError
from portal.load.site import Project
from portal.publish.build import build
from portal.publish.marker import MARKER
from portal.publish.target import STAGING

pytestmark = pytest.mark.slow  # many builds each


def checksums(folder: Path, marker: bool = True) -> dict[str, str]:
    """Every file's hash; without the marker, whose file list records times and inodes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and (marker or p.name != MARKER)}


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if ".new-" in p.name or ".old-" in p.name]


@contextmanager
def kept_if_it_fails(small: Project, jobs: int | None = None) -> Iterator[Path]:
    """A site built into build/; whatever build fails inside the block must leave it byte for
    byte as it was, with nothing left beside it."""
    out = small.root / "build"
    build(small, out, jobs=jobs)
    before = checksums(out)
    yield out
    assert checksums(out) == before
    assert leftovers(small.root) == []


def no_space(*args: object) -> object:
    raise OSError(28, "No space left on device")


def test_a_failed_build_leaves_the_previous_output_untouched(small: Project) -> None:
    with kept_if_it_fails(small) as out:
        (small.content / "sv" / "kontakt.md").write_text("---\ntitle: Trasig\n---\n",
                                                         encoding="utf-8")
        with pytest.raises(ContentError):
            build(small, out)


def test_a_crash_while_freezing_leaves_the_previous_output_untouched(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    with kept_if_it_fails(small) as out:
        (small.content / "sv" / "index.md").write_text(
            "---\ntitle: Ny\ndescription: Ny text.\n---\n\nNy text.\n", encoding="utf-8")
        monkeypatch.setattr("portal.render.markdown.Renderer.render", no_space)
        with pytest.raises(BuildError, match="nothing was published"):
            build(small, out)


def test_a_rebuild_replaces_the_previous_build(small: Project) -> None:
    out = small.root / "build"
    build(small, out)
    (small.content / "sv" / "bara-svenska.md").unlink()
    build(small, out)
    assert not (out / "sv" / "bara-svenska").exists()
    assert (out / MARKER).is_file() and (out / "sv" / "index.html").is_file()
    assert leftovers(small.root) == []


def test_a_foreign_folder_is_refused_and_left_alone(runner: CliRunner, small: Project) -> None:
    out = small.root / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"not ours")
    result = runner.invoke(main, ["--project", str(small.root), "build", "--out", str(out)])
    assert result.exit_code == 1
    assert "not empty and was not made by the portal" in result.output
    assert [p.name for p in out.iterdir()] == ["holiday.jpg"]


def test_a_file_added_to_a_previous_build_is_never_deleted(small: Project) -> None:
    out = small.root / "build"
    build(small, out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match=r"notes\.txt"):
        build(small, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("target", [".", "content", "content/sv/build", "static/out", ".."])
def test_the_project_and_its_sources_are_refused_as_targets(small: Project, target: str) -> None:
    with pytest.raises(BuildError):
        build(small, small.root / target)
    assert (small.content / "sv" / "index.md").is_file()


def test_an_empty_folder_is_accepted(small: Project) -> None:
    out = small.root / "empty"
    out.mkdir()
    result = build(small, out)
    assert result.pages == 7 and (out / "sv" / "kontakt" / "index.html").is_file()


def test_build_command_reports_pages_and_time(runner: CliRunner, small: Project) -> None:
    out = small.root / "site"
    result = runner.invoke(main, ["--project", str(small.root), "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Built 7 pages" in result.output


def test_a_crash_in_post_processing_leaves_the_previous_output_untouched(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    with kept_if_it_fails(small) as out:
        edit = small.content / "sv" / "kontakt.md"
        edit.write_text(edit.read_text(encoding="utf-8") + "\nNy mening.\n", encoding="utf-8")
        monkeypatch.setattr("portal.publish.postprocess.compress.pack", no_space)
        with pytest.raises(BuildError, match="No space left"):
            build(small, out)


@pytest.mark.parametrize(("text", "line", "message"), [
    ("{% extends 'base.html' %}\n{% block main %}\n{% if %}\n{% endblock %}\n", 3,
     "Expected an expression"),
    ("{% extends 'base.html' %}\n{% block main %}\n{{ page.title.nope.deeper }}\n{% endblock %}\n", 3,
     "has no attribute 'nope'"),
])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_broken_template_override_leaves_the_previous_output_untouched(
    small: Project, text: str, line: int, message: str, jobs: int
) -> None:
    with kept_if_it_fails(small) as out:
        small.templates.mkdir()
        (small.templates / "page.html").write_text(text, encoding="utf-8")
        with pytest.raises(ContentError) as raised:
            build(small, out, jobs=jobs)
    assert f"templates/page.html:{line}: template error:" in str(raised.value.format_message())
    assert message in raised.value.format_message()


def test_assets_are_fingerprinted_and_text_is_precompressed(small_built: Path) -> None:
    import gzip
    import re

    css = sorted((small_built / "static" / "css").glob("portal.*.css"))
    assert len(css) == 1 and re.fullmatch(r"portal\.[0-9a-f]{10}\.css", css[0].name)
    page = (small_built / "sv" / "index.html").read_text(encoding="utf-8")
    assert f'href="/static/css/{css[0].name}"' in page
    assert not (small_built / "static" / "css" / "portal.css").exists()
    packed = small_built / "sv" / "index.html.gz"
    assert gzip.decompress(packed.read_bytes()) == (small_built / "sv" / "index.html").read_bytes()


def test_two_builds_of_the_same_content_are_byte_identical(small: Project) -> None:
    build(small, small.root / "one")
    build(small, small.root / "two")
    assert checksums(small.root / "one", marker=False) == checksums(small.root / "two", marker=False)


def test_leftovers_of_a_killed_build_are_cleared(small: Project) -> None:
    import subprocess

    out = small.root / "build"
    stale = small.root / ".build.new-abc123"
    stale.mkdir()
    (stale / "index.html").write_text("half", encoding="utf-8")
    ended = subprocess.Popen(["true"])
    ended.wait()  # the id of a process that has ended: the build that was killed
    (stale / STAGING).write_text(str(ended.pid), encoding="utf-8")
    build(small, out)
    assert not stale.exists() and leftovers(small.root) == []


def test_a_folder_that_only_looks_like_a_leftover_is_kept(small: Project) -> None:
    mine = small.root / ".build.new-mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    build(small, small.root / "build")
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("kind", ["link to a folder", "empty folder"])
def test_a_folder_added_to_a_previous_build_is_never_deleted(small: Project, kind: str) -> None:
    out = small.root / "build"
    build(small, out)
    media = small.root / "media"
    media.mkdir()
    (media / "film.mp4").write_bytes(b"someone's film")
    if kind == "empty folder":
        (out / "uploads").mkdir()
    else:
        (out / "uploads").symlink_to(media)
    with pytest.raises(BuildError, match="uploads/"):
        build(small, out)
    assert (out / "uploads").is_dir() and (media / "film.mp4").is_file()


def test_a_file_added_during_a_build_is_kept(small: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    out = small.root / "build"
    build(small, out)
    from portal.publish.postprocess import steps

    original = steps.run

    def meanwhile(*args: object) -> object:
        (out / "uploaded.pdf").write_bytes(b"someone's file")
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(steps, "run", meanwhile)
    with pytest.raises(BuildError, match="was added"):
        build(small, out)
    kept = [p for p in small.root.iterdir() if ".kept-" in p.name]
    assert len(kept) == 1 and (kept[0] / "uploaded.pdf").read_bytes() == b"someone's file"
    assert (out / "sv" / "index.html").is_file()  # the new site is in place


def test_a_parallel_build_is_byte_identical_to_a_serial_one(small: Project) -> None:
    serial = build(small, small.root / "serial", jobs=1)
    parallel = build(small, small.root / "parallel", jobs=2)
    assert serial.files == parallel.files
    assert (checksums(small.root / "serial", marker=False)
            == checksums(small.root / "parallel", marker=False))


def test_a_failure_in_a_worker_stops_the_build_with_its_own_error(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    with kept_if_it_fails(small, jobs=2) as out:
        settings = small.content / "site.yml"  # a new address: every page is rendered again
        settings.write_text(settings.read_text(encoding="utf-8").replace("Storgatan 12",
                                                                          "Storgatan 14"),
                            encoding="utf-8")
        monkeypatch.setattr("portal.render.markdown.Renderer.render", no_space)
        with pytest.raises(BuildError, match="No space left"):
            build(small, out, jobs=2)


def test_build_command_takes_a_number_of_jobs(runner: CliRunner, small: Project) -> None:
    result = runner.invoke(main, ["--project", str(small.root), "build", "--out",
                                  str(small.root / "site"), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(main, ["--project", str(small.root), "build", "--jobs", "0"])
    assert refused.exit_code == 2 and "--jobs" in refused.output
