"""/admin/: the web editor, in builds whose settings have a `cms:` section (none without one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import BuildError
from ...load.cms import ADMIN, admin_page, config_yaml, ui_language, vendored
from ...load.origins import violations
from ...load.settings import Settings

if TYPE_CHECKING:
    from ..output import Output


def files(settings: Settings) -> dict[str, bytes]:
    """The editor's files by path in the build: its page, its configuration, its scripts."""
    if settings.cms is None:
        return {}
    title = f"{settings.programme.get(settings.default_language, '')} – CMS"
    page = admin_page(title, ui_language(settings))
    found = violations(page)  # the same rule as every page: nothing from another origin
    if found:
        raise BuildError(f"{ADMIN}index.html would load {found[0][1]}")
    made = {"index.html": page.encode("utf-8"),
            "config.yml": config_yaml(settings, local=False).encode("utf-8")}
    made.update({name: path.read_bytes() for name, path in vendored().items()})
    return {ADMIN.strip("/") + "/" + name: data for name, data in made.items()}


def write(output: Output, settings: Settings) -> None:
    for rel, data in files(settings).items():
        output.write(rel, data)
