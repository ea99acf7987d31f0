"""Several sites from one content folder: `portal build --site ID`.

A member of a joint programme that wants its own address keeps what differs in
`content/sites/<id>/`: a `site.yml` laid over `content/site.yml` (its base URL, names,
contacts: a mapping is merged key by key, any other value replaces the shared one) and pages
`<lang>/<name>.md` that replace the shared page of the same name (or add one). Everything
else is shared. This is a load-step concern: the Site that comes out is an ordinary Site, so
rendering, freezing and post-processing do not know there is more than one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, Severity, relative, shown
from . import files, yamltext

if TYPE_CHECKING:
    from .settings import _Reader

SITES_FOLDER = "sites"  # content/sites/<id>/: never a language folder
SITE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def site_problem(site: str) -> str | None:
    """Why `site` cannot name a site folder (None when it can)."""
    if len(site) > 40 or not SITE_ID.fullmatch(site):
        return (f"--site {shown(site)} must be a site folder's name: lowercase a-z, 0-9 and "
                "single hyphens (e.g. --site huddinge)")
    return None


def site_folder(content_dir: Path, site: str) -> Path:
    return content_dir / SITES_FOLDER / site


def overlay_settings(reader: _Reader, content_dir: Path, root: Path, site: str) -> Problem | None:
    """Lay content/sites/<site>/site.yml over the shared settings held by `reader`; the keys it
    sets are reported at its own lines. A site of its own needs its own `base_url`."""
    from .settings import SETTINGS_FILE

    folder = site_folder(content_dir, site)
    problem = site_problem(site)
    if problem is not None:
        return Problem(relative(content_dir / SITES_FOLDER, root), None, problem)
    path = folder / SETTINGS_FILE
    where = relative(path, root)
    if not path.is_file():
        known = sorted(p.name for p in (content_dir / SITES_FOLDER).glob("*/") if p.is_dir()) \
            if (content_dir / SITES_FOLDER).is_dir() else []
        return Problem(where, None, f"is missing: the site {site!r} needs its own settings with at "
                       f"least its `base_url` (sites found: {', '.join(known) or 'none'})")
    try:
        data, lines = yamltext.load(path, root, within=folder)
    except yamltext.UnreadableFile as exc:
        return exc.problem
    if not isinstance(data, dict) or "base_url" not in data:
        return Problem(where, 1, "a site's settings must be `key: value` lines that give at least "
                                 "its own `base_url` (the address it is published at)")
    shared = _codes(reader.data.get("languages"))
    _merge(reader, data, lines, (), where)
    # A site may publish fewer languages: the shared texts in the others are not its concern.
    reader.unpublished = shared - _codes(reader.data.get("languages"))
    return None


def _codes(languages: Any) -> set[str]:
    if not isinstance(languages, list):
        return set()
    return {str(item.get("code")) for item in languages if isinstance(item, dict)}


def _merge(reader: _Reader, data: dict[Any, Any], lines: dict[yamltext.Key, int],
           path: tuple[str | int, ...], where: str) -> None:
    target: Any = reader.data
    for key in path:
        target = target[key]
    for key, value in data.items():
        inner = (*path, key)
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            # merged key by key: the mapping itself stays where the shared file has it
            _merge(reader, value, lines, inner, where)
            continue
        target[key] = value  # a list, a text, a number: the site's own replaces the shared one
        for known in [k for k in reader.lines if k[: len(inner)] == inner]:
            del reader.lines[known]
            reader.wheres.pop(known, None)
        for known, line in lines.items():
            if known[: len(inner)] == inner:
                reader.lines[known] = line
                reader.wheres[known] = where


def site_pages(content_dir: Path, root: Path, site: str,
               shared: list[tuple[str, Path]]) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """The page files of one site: the shared ones, each replaced by the site's own file of the
    same language and name when it has one, and the site's additional pages."""
    folder = site_folder(content_dir, site)
    if not folder.is_dir():
        return shared, []
    listing = files.walk(folder, root, within=folder)
    problems = list(listing.problems)
    own: dict[tuple[str, str], Path] = {}
    for path in listing.files:
        parts = path.relative_to(folder).parts
        if len(parts) == 1:
            continue  # site.yml, read by overlay_settings
        if len(parts) == 2 and parts[1].endswith(".md"):
            own[(parts[0], path.stem)] = path
        else:
            problems.append(Problem(relative(path, root), None, "is ignored: a site's folder holds "
                                    "its site.yml and <lang>/<name>.md pages only", Severity.WARNING))
    languages = {lang for lang, _ in shared}
    for (lang, _name), path in list(own.items()):
        if lang not in languages:
            problems.append(Problem(relative(path, root), None, f"is ignored: {lang!r} is not a "
                                    "language folder of the shared content (content/<lang>/)",
                                    Severity.WARNING))
            del own[(lang, _name)]
    result = [(lang, own.pop((lang, path.stem), path)) for lang, path in shared]
    result += [(lang, path) for (lang, _name), path in sorted(own.items())]
    return result, problems
