"""Rebuilds render only what changed, and are byte-identical to a clean build of the same content."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_build_output import checksums

from portal.load.site import Project
from portal.publish.build import BuildResult, build

pytestmark = pytest.mark.slow  # many builds each


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def body(p: Project) -> None:
    replace(p.content / "sv" / "kontakt.md", "Vi träffas på", "Vi ses gärna på")


def menu_title(p: Project) -> None:
    replace(p.content / "sv" / "kontakt.md", "title: Kontakt", "title: Kontakta oss")


def slug(p: Project) -> None:
    replace(p.content / "sv" / "kontakt.md", "slug: kontakt", "slug: prata-med-oss")


def new_page(p: Project) -> None:
    (p.content / "sv" / "stod.md").write_text(
        "---\ntitle: Stöd till familjer\ndescription: Hjälp för dig som är förälder.\n---\n\n"
        "Du kan få stöd även om ditt barn inte vill ha kontakt med oss.\n", encoding="utf-8")


def deleted_page(p: Project) -> None:
    (p.content / "sv" / "bara-svenska.md").unlink()


def renamed_page(p: Project) -> None:
    (p.content / "sv" / "bara-svenska.md").rename(p.content / "sv" / "endast-svenska.md")


def po_string(p: Project) -> None:
    replace(p.translations / "sv" / "LC_MESSAGES" / "messages.po",
            'msgstr "Kontakta oss"', 'msgstr "Hör av dig"')


def template(p: Project) -> None:
    (p.templates / "components").mkdir(parents=True)
    footer = Path(__file__).parent.parent / "portal" / "templates" / "components" / "footer.html"
    text = footer.read_text(encoding="utf-8")
    (p.templates / "components" / "footer.html").write_text(
        text.replace("</footer>", "<p>Ekbacka kommun, socialtjänsten</p>\n</footer>", 1),
        encoding="utf-8")


def settings(p: Project) -> None:
    replace(p.content / "site.yml", "Storgatan 12", "Storgatan 14")


def stylesheet(p: Project) -> None:
    css = p.static / "css" / "portal.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.portal-poster { color: #111; }\n",
                   encoding="utf-8")


EDITS = [body, menu_title, slug, new_page, deleted_page, renamed_page, po_string, template,
         settings, stylesheet]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_a_rebuild_after_an_edit_is_byte_identical_to_a_clean_build(
    small: Project, edit: Callable[[Project], None]
) -> None:
    out = small.root / "build"
    build(small, out)
    edit(small)
    build(small, out)
    clean = build(small, small.root / "clean")
    assert clean.reused == 0
    assert checksums(out, marker=False) == checksums(small.root / "clean", marker=False)


def rebuild(small: Project, edit: Callable[[Project], None]) -> tuple[Path, BuildResult]:
    out = small.root / "build"
    build(small, out)
    edit(small)
    return out, build(small, out)


def test_a_body_edit_renders_that_page_alone(small: Project) -> None:
    _out, result = rebuild(small, body)
    assert result.rendered == ("page:/sv/kontakt/", "site")  # site: start, 404, sitemap, search


def test_a_menu_title_renders_the_pages_of_that_language_and_no_other(small: Project) -> None:
    _out, result = rebuild(small, menu_title)
    assert set(result.rendered) == {"site", "page:/sv/", "page:/sv/kontakt/",
                                    "page:/sv/bara-svenska/", "poster:/sv/kontakt/"}


def test_a_title_outside_the_menu_renders_that_page_and_its_poster(small: Project) -> None:
    new_page(small)
    _out, result = rebuild(small, lambda p: replace(p.content / "sv" / "stod.md",
                                                   "title: Stöd till familjer",
                                                   "title: Stöd för familjer"))
    assert set(result.rendered) == {"site", "page:/sv/stod/", "poster:/sv/stod/"}


def test_an_interface_string_renders_only_its_language(small: Project) -> None:
    out, result = rebuild(small, po_string)
    assert result.rendered and all(not unit.startswith(("page:/en/", "page:/ar/", "poster:/en/"))
                                   for unit in result.rendered)
    assert "Hör av dig" in (out / "sv" / "kontakt" / "index.html").read_text(encoding="utf-8")


def test_unchanged_files_are_not_rewritten(small: Project) -> None:
    out = small.root / "build"
    build(small, out)
    kept = ["en/index.html", "en/index.html.gz", "sv/index.html", "sv/kontakt/poster/index.html",
            "sv/kontakt/qr.svg", "sitemap.xml", "pagefind/en/pagefind.js"]
    before = {rel: (out / rel).stat().st_ino for rel in kept}
    changed = (out / "sv" / "kontakt" / "index.html").stat().st_ino
    body(small)
    build(small, out)
    assert {rel: (out / rel).stat().st_ino for rel in kept} == before
    assert (out / "sv" / "kontakt" / "index.html").stat().st_ino != changed


def test_a_deleted_page_disappears_from_the_build(small: Project) -> None:
    out, _ = rebuild(small, deleted_page)
    assert not (out / "sv" / "bara-svenska").exists()
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "bara-svenska" not in sitemap and "/sv/kontakt/" in sitemap


def test_a_renamed_slug_leaves_no_old_address_behind(small: Project) -> None:
    out, _ = rebuild(small, slug)
    assert not (out / "sv" / "kontakt").exists()
    start = (out / "sv" / "index.html").read_text(encoding="utf-8")
    assert 'href="/sv/prata-med-oss/"' in start and 'href="/sv/kontakt/"' not in start


def test_a_file_changed_by_hand_in_the_build_is_rendered_again(small: Project) -> None:
    out = small.root / "build"
    build(small, out)
    page = out / "en" / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<main", b"<main data-tampered"))
    result = build(small, out)
    assert "page:/en/" in result.rendered
    assert (out / "en" / "index.html").read_bytes() == original


def test_a_parallel_rebuild_is_byte_identical_to_a_clean_build(small: Project) -> None:
    out = small.root / "build"
    build(small, out, jobs=2)
    settings(small)
    build(small, out, jobs=2)
    build(small, small.root / "clean", jobs=1)
    assert checksums(out, marker=False) == checksums(small.root / "clean", marker=False)


def test_a_build_from_a_copied_folder_reuses_nothing_it_cannot_trust(small: Project) -> None:
    out = small.root / "build"
    build(small, out)
    copy = small.root / "copy"
    shutil.copytree(out, copy)  # new inodes and times: the marker's stamps no longer match
    result = build(small, copy)
    assert result.reused == 0
    assert checksums(copy, marker=False) == checksums(out, marker=False)


def test_a_page_that_links_to_a_moved_page_is_rendered_again(small: Project) -> None:
    new_page(small)  # not in the menu: only the link in the text leads to it
    replace(small.content / "sv" / "kontakt.md", "Tillbaka till", "Läs om [stöd](stod.md). Tillbaka till")
    out = small.root / "build"
    build(small, out)
    replace(small.content / "sv" / "stod.md", "title: Stöd", "slug: stod-till-familjer\ntitle: Stöd")
    result = build(small, out)
    assert "page:/sv/kontakt/" in result.rendered
    assert 'href="/sv/stod-till-familjer/"' in (out / "sv" / "kontakt" / "index.html").read_text(
        encoding="utf-8")
    build(small, small.root / "clean")
    assert checksums(out, marker=False) == checksums(small.root / "clean", marker=False)


def test_a_template_of_the_project_replaces_the_portals_own(small: Project) -> None:
    out, result = rebuild(small, template)
    assert result.reused == 0  # every page shows the footer
    for page in ("sv/index.html", "ar/index.html"):
        assert "Ekbacka kommun, socialtjänsten" in (out / page).read_text(encoding="utf-8")


def test_a_link_to_a_page_whose_name_has_any_letters_follows_it(small: Project) -> None:
    target = small.content / "sv" / "frågor+svar.md"
    target.write_text("---\ntitle: Frågor och svar\ndescription: Vanliga frågor.\nslug: faq\n---\n\n"
                      "Här svarar vi på vanliga frågor.\n", encoding="utf-8")
    replace(small.content / "sv" / "bara-svenska.md", "Den här sidan",
            "[Frågor](frågor+svar.md). Den här sidan")
    out = small.root / "build"
    build(small, out)
    replace(target, "slug: faq", "slug: fragor")
    build(small, out)
    build(small, small.root / "clean")
    assert checksums(out, marker=False) == checksums(small.root / "clean", marker=False)


def test_a_linked_folder_of_templates_inside_the_project_is_followed(small: Project) -> None:
    shared = small.root / "shared-components"
    shared.mkdir()
    footer = Path(__file__).parent.parent / "portal" / "templates" / "components" / "footer.html"
    (shared / "footer.html").write_text(footer.read_text(encoding="utf-8"), encoding="utf-8")
    small.templates.mkdir()
    (small.templates / "components").symlink_to(shared)
    out = small.root / "build"
    build(small, out)
    replace(shared / "footer.html", "</footer>", "<p>Socialtjänsten</p>\n</footer>")
    result = build(small, out)
    assert result.reused == 0
    build(small, small.root / "clean")
    assert checksums(out, marker=False) == checksums(small.root / "clean", marker=False)


def test_a_new_compressor_makes_new_gz_files(small: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    out = small.root / "build"
    build(small, out)
    monkeypatch.setattr("portal.publish.postprocess.compress.pack",
                        lambda data: gzip.compress(data, compresslevel=1, mtime=0))
    monkeypatch.setattr("portal.publish.postprocess.compress.key", lambda: "level 1")
    build(small, out)
    build(small, small.root / "clean")
    assert checksums(out, marker=False) == checksums(small.root / "clean", marker=False)
