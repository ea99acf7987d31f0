"""Measure the portal's build as whole processes on synthetic sites (see generate.py).

For each size: clean build; rebuild after editing one page's text, after changing one page's
title (which every menu of that language shows), after changing one interface string; peak
memory; pages per second; and the live preview's time to serve one page after the first request.
Each figure is the median of --runs runs.

    python benchmarks/run.py --pages 100 --runs 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from generate import generate

BIN = Path(sys.executable).with_name("portal")


def tree_pss_kb(pid: int) -> int:
    """Memory of a process and all its descendants together, in KB: the sum of their
    proportional set sizes, so pages that forked workers share are counted once."""
    parents, pss = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            rollup = (entry / "smaps_rollup").read_text()
        except OSError:
            continue  # the process ended while we looked
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        pss[int(entry.name)] = next((int(line.split()[1]) for line in rollup.splitlines()
                                     if line.startswith("Pss:")), 0)
    tree = {pid}
    for process in sorted(parents):  # children have larger ids, except after a wrap-around
        if parents[process] in tree:
            tree.add(process)
    return sum(pss.get(process, 0) for process in tree)


def timed_build(project: Path, out: Path) -> tuple[float, float, float]:
    """Seconds, peak memory of the largest process (MB, as /usr/bin/time reports it) and peak
    memory of all the build's processes together (workers, Pagefind; PSS sampled every 20 ms)."""
    process = subprocess.Popen(["/usr/bin/time", "-f", "%e %M", str(BIN), "--project",
                                str(project), "build", "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_pss_kb(process.pid))
        time.sleep(0.02)
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(stderr)
    seconds, kilobytes = stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) / 1024, peak / 1024


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def preview_ms(project: Path, url: str, requests: int = 20) -> float:
    """Median milliseconds to serve one page from `portal serve`, after the first request."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(BIN), "--project", str(project), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=60).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=60).read()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)
    finally:
        server.terminate()
        server.wait()


def measure(pages: int, runs: int, work: Path) -> dict[str, float]:
    project = work / f"site-{pages}"
    generate(project, pages)
    count = sum(1 for _ in (project / "content").rglob("*.md"))
    out = work / f"build-{pages}"
    clean, memory, together = [], [], []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        seconds, megabytes, all_processes = timed_build(project, out)
        clean.append(seconds)
        memory.append(megabytes)
        together.append(all_processes)
    page = project / "content" / "sv" / "sida-1.md"
    po = project / "translations" / "sv" / "LC_MESSAGES" / "messages.po"
    edits = {
        "body": lambda i: edit(page, "\n## ", f"\nEn ny mening {i}.\n\n## "),
        "title": lambda i: edit(page, "title: ", f"title: Ny {i} "),
        "po": lambda i: edit(po, 'msgstr "Sök"', f'msgstr "Sök {i}"') if i == 0 else
        edit(po, f'msgstr "Sök {i - 1}"', f'msgstr "Sök {i}"'),
    }
    result = {"pages": count, "clean_s": statistics.median(clean),
              "peak_mb": max(memory), "peak_all_mb": max(together),
              "pages_per_s": count / statistics.median(clean)}
    for name, change in edits.items():
        times = []
        for i in range(runs):
            change(i)
            times.append(timed_build(project, out)[0])
        result[f"rebuild_{name}_s"] = statistics.median(times)
    result["preview_ms"] = preview_ms(project, "/sv/sida-2/")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[100], help="pages per language")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/portal-bench"))
    args = parser.parse_args()
    rows = [measure(pages, args.runs, args.work) for pages in args.pages]
    print("| pages | clean build | body edit | title edit | .po edit | peak memory: largest "
          "process / all together | pages/s | preview, one page |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['pages']} | {r['clean_s']:.1f} s | {r['rebuild_body_s']:.1f} s | "
              f"{r['rebuild_title_s']:.1f} s | {r['rebuild_po_s']:.1f} s | {r['peak_mb']:.0f} MB / "
              f"{r['peak_all_mb']:.0f} MB | "
              f"{r['pages_per_s']:.0f} | {r['preview_ms']:.0f} ms |")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
