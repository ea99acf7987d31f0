"""A project's templates/ replaces the portal's templates of the same name, or extends them."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from portal.errors import ContentError
from portal.load.site import Project
from portal.publish.build import build


def test_an_override_can_extend_the_portals_own_template_and_change_one_block(small: Project) -> None:
    (small.root / "templates").mkdir()
    (small.root / "templates" / "page.html").write_text(
        '{% extends "portal:page.html" %}\n'
        "{% block title %}{{ page.title }} | Ekbacka kommun{% endblock %}\n", encoding="utf-8")
    out = small.root / "build"
    build(small, out)
    html = BeautifulSoup((out / "sv" / "kontakt" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert html.title is not None and html.title.get_text().endswith("| Ekbacka kommun")
    # everything else is still the portal's page: its text, menu, quick exit and footer
    assert html.find("main") is not None and html.find("main").get_text(strip=True)
    assert html.find("nav") is not None and html.find("footer") is not None
    assert html.select_one(".portal-exit") is not None


def test_the_portal_prefix_cannot_reach_outside_the_portals_templates(small: Project) -> None:
    (small.root / "templates").mkdir()
    (small.root / "templates" / "page.html").write_text(
        '{% extends "portal:../../../etc/passwd" %}\n', encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        build(small, small.root / "build")
    assert "templates/page.html:1: template error" in str(caught.value)
    assert "root:" not in str(caught.value)
    assert not (small.root / "build").exists()
