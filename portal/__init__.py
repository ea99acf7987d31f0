"""The portal: a static site builder for a municipal programme that helps people leave gangs.

Importing the package loads nothing else: `portal check` and the load stage never pay for
Flask, Jinja or Markdown. `create_app`, `Project` and `Site` are imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .load.site import Project, Site
    from .render.app import create_app

__all__ = ["Project", "Site", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .render.app import create_app

        return create_app
    if name in ("Project", "Site"):
        from .load import site

        return getattr(site, name)
    raise AttributeError(f"module 'portal' has no attribute {name!r}")
