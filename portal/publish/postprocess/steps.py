"""The post-processing steps of a build, in order: assets, search index, the JSON API and
feeds, host files, the editor, link check."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ...load.site import Site
from ..headers import Policy
from ..previous import digest
from . import admin, api, assets, feeds, hostfiles, links, search

if TYPE_CHECKING:
    from ..output import Output


def run(output: Output, site: Site, hashed: assets.Assets, records: dict[str, dict[str, Any]],
        base: str, jobs: int) -> dict[str, Any]:
    """Finish a build whose units are all in `records`; return facts for the server config."""
    for url, data in hashed.files.items():
        output.write(url.lstrip("/"), data)
    index_search(output, site, records, base, jobs)
    api.write(output, site)
    feeds.write(output, site)
    found = {url: targets for record in records.values()
             for url, targets in record.get("links", {}).items()}
    policy = Policy((), wasm=True)  # no inline scripts: every page was checked for them
    for name, data in hostfiles.files(site.settings, policy).items():
        output.write(name, data)
    admin.write(output, site.settings)
    links.check(found, set(output.files))
    return {"script_hashes": list(policy.script_hashes), "wasm": policy.wasm,
            "fingerprinted": sorted(hashed.files)}


def index_search(output: Output, site: Site, records: dict[str, dict[str, Any]], base: str,
                 jobs: int) -> None:
    """Each language's search bundle: taken from the previous build when the pages it reads
    did not change, else made again by Pagefind."""
    pages: dict[str, list[tuple[str, str]]] = {code: [] for code in site.settings.codes}
    for rel, sha in sorted(output.files.items()):
        code = search.language_read(rel)
        if code in pages:
            pages[code].append((rel, sha))
    todo, keys = [], {}
    for code in site.settings.codes:
        keys[code] = digest(repr((base, pages[code])).encode("utf-8"))
        record = output.previous.reusable(f"search:{code}", keys[code])
        if record is not None:
            output.adopt(record["files"])
            records[f"search:{code}"] = record
        else:
            todo.append(code)
    search.index(output.root, todo, jobs)
    for code in todo:
        folder = output.root / search.output(code)
        before = set(output.files)
        for top, _dirs, names in os.walk(folder):
            for name in sorted(names):
                output.settle(os.path.relpath(os.path.join(top, name), output.root)
                               .replace(os.sep, "/"))
        records[f"search:{code}"] = {"key": keys[code],
                                     "files": sorted(set(output.files) - before)}
