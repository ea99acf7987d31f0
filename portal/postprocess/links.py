"""The last safety net: every internal link and asset in the frozen pages must exist."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..errors import BuildError

REFERENCE = re.compile(r'\s(?:href|src)="([^"]*)"')


def check(root: Path) -> None:
    """Raise BuildError naming each page with a link to a file the build does not have."""
    broken: list[str] = []
    for path in sorted(root.rglob("*.html")):
        url = "/" + path.relative_to(root).as_posix().removesuffix("index.html")
        for ref in REFERENCE.findall(path.read_text(encoding="utf-8")):
            target = urlsplit(urljoin(url, ref.replace("&amp;", "&")))
            if target.scheme not in ("", "http", "https") or target.netloc or not target.path:
                continue  # other sites, mail, phone, or an anchor on the same page
            file = root / unquote(target.path).lstrip("/")
            if not (file.is_file() or (file / "index.html").is_file()):
                broken.append(f"{url} links to {ref}, which is not part of the site")
    if broken:
        more = f" (and {len(broken) - 20} more)" if len(broken) > 20 else ""
        raise BuildError("broken links, nothing was published:\n" + "\n".join(broken[:20]) + more)
