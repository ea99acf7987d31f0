"""UI strings: every string in the templates is in every language's .po file, translated."""

from __future__ import annotations

import pytest

from portal.load.catalogs import coverage, extract, po_path, read_catalog
from portal.load.site import Project

LANGS = ("sv", "en", "ar", "fa", "so", "fi")


@pytest.mark.parametrize("lang", LANGS)
def test_every_ui_string_is_translated(real_project: Project, lang: str) -> None:
    catalog = read_catalog(po_path(real_project.translations, lang), lang)
    in_use = {m.id for m in extract() if m.id}
    in_po = {m.id for m in catalog if m.id}
    assert in_use <= in_po, f"run `portal translations update`: missing {in_use - in_po}"
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    stats = coverage(catalog, lang)
    assert stats.translated == stats.total


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_in_ui_strings_are_kept(real_project: Project, lang: str) -> None:
    catalog = read_catalog(po_path(real_project.translations, lang), lang)
    for message in catalog:
        for name in ("%(number)s", "%(date)s"):
            if message.id and name in message.id:
                assert name in message.string, (lang, message.id)
