"""Test settings shared by all tests.

Every test session gets a fresh, empty cache folder (`XDG_CACHE_HOME`, inherited by the subprocesses the
tests start), so no test can pass on chart drawings or hyphenation patterns left in the user's
~/.cache by an older version of the code. The folder is removed when the session ends.

Markers: `slow` marks tests that run the tool in a subprocess or build a whole document; `pytest -m "not
slow"` is the fast lane to run while working, plain `pytest` runs everything.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

_CACHE = tempfile.mkdtemp(prefix="briefing-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE

# CI runs the property tests with a fixed seed, so a run is reproducible; locally every run explores anew
# (and hypothesis replays the failures it found before from its database).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_unconfigure(config) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


# The fast lane stays fast: tests that take seconds without the `slow` marker are listed at the end of a run.
_UNMARKED_SLOW: list[tuple[str, float]] = []


def pytest_runtest_logreport(report) -> None:
    if report.when == "call" and report.duration > 2.0 and "slow" not in report.keywords:
        _UNMARKED_SLOW.append((report.nodeid, report.duration))


def pytest_terminal_summary(terminalreporter) -> None:
    if _UNMARKED_SLOW:
        terminalreporter.write_sep("-", "over 2 s without @pytest.mark.slow (mark them, to keep `-m 'not slow'` fast)")
        for nodeid, secs in sorted(_UNMARKED_SLOW, key=lambda t: -t[1]):
            terminalreporter.write_line(f"{secs:5.1f} s  {nodeid}")


# ---- PDFs built once per session for the accessibility and archival checks (test_tagging, test_validators)

ROOT = Path(__file__).resolve().parent.parent

# A session started in the background of a non-interactive shell (`pytest &`, as scripts and CI runners
# may) begins with SIGINT ignored, and so would every build and watch it starts (an ignored signal stays
# ignored across exec, and a Unix program keeps it so): the tests that press Ctrl-C need it back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"
# (paper, bleed): the four page set-ups every PDF must pass in
VARIANTS = (("a4", ""), ("a4", "3mm"), ("letter", ""), ("letter", "3mm"))


def content_files() -> list[Path]:
    """Every content file in the repository (a YAML file with `briefing: 1` at its top), the sample first."""
    top = re.compile(r"^briefing: *1 *$", re.M)
    found = sorted(p for p in (ROOT / "tests").rglob("*.yaml")
                   if "malformed" not in p.parts and top.search(p.read_text("utf-8", "replace")))
    return [SAMPLE] + found


@dataclass(frozen=True)
class Built:
    content: Path
    lang: str
    paper: str
    bleed: str
    pdfa: bool
    pdf: Path

    @property
    def name(self) -> str:
        return (f"{self.content.stem}.{self.lang}.{self.paper}{'-bleed' if self.bleed else ''}"
                f"{'-pdfa' if self.pdfa else ''}")


class Builds:
    """PDFs built once per test session, by group, each group by one `briefing build` command the first
    time a test asks for it (so a test module that needs the sample's default build does not pay for the
    rest). Groups: (paper, bleed, pdfa).

    * ("a4", "", False): the sample, as `briefing build` makes it by default (PDF/UA-1);
    * ("a4", "", True): the sample, every release of tests/releases/ and a quarter of the other content
      files, with --pdfa (PDF/A-2u and PDF/UA-1);
    * the three other page set-ups (a4 + bleed, letter, letter + bleed), with --pdfa: the sample and a
      quarter of the other content files each.
    With BRIEFING_FULL_MATRIX=1 every content file is in every --pdfa group."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.done: dict[tuple[str, str, bool], list[Built]] = {}
        self.full = os.environ.get("BRIEFING_FULL_MATRIX") == "1"

    def files(self, group: tuple[str, str, bool]) -> list[Path]:
        files = content_files()
        if not group[2]:
            return [SAMPLE]
        if self.full:
            return files
        k = VARIANTS.index(group[:2])
        others = [f for f in files if f != SAMPLE and f.parent.name != "releases"]
        return ([SAMPLE] + [f for f in files if f.parent.name == "releases" and k == 0]
                + [f for i, f in enumerate(others) if i % len(VARIANTS) == k])

    def get(self, paper: str = "a4", bleed: str = "", pdfa: bool = True) -> list[Built]:
        group = (paper, bleed, pdfa)
        if group not in self.done:
            chosen = self.files(group)
            folder = self.folder / f"{paper}{'-bleed' if bleed else ''}{'-pdfa' if pdfa else ''}"
            args = ["build", *map(str, chosen), "--paper", paper, "--out-dir", str(folder), "-q", "-j", "2"]
            args += (["--pdfa"] if pdfa else []) + (["--bleed", bleed] if bleed else [])
            r = subprocess.run([sys.executable, "-m", "briefing", *args], capture_output=True, text=True,
                               cwd=ROOT, timeout=900)
            assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
            self.done[group] = [Built(f, lang, paper, bleed, pdfa, folder / f"{_id(f)}.{lang}.pdf")
                                for f in chosen for lang in ("zh", "en")]
        return self.done[group]

    def all(self) -> list[Built]:
        return self.get(pdfa=False) + [b for paper, bleed in VARIANTS for b in self.get(paper, bleed)]

    def one(self, content: Path, lang: str, **group) -> Path:
        return next(b.pdf for b in self.get(**group) if b.content == content and b.lang == lang)


@pytest.fixture
def mini_content(tmp_path: Path) -> Path:
    """tests/data/mini.yaml copied into the test's folder, its schema line pointing into the repository."""
    target = tmp_path / "mini.yaml"
    mini = ROOT / "tests" / "data" / "mini.yaml"
    target.write_text(mini.read_text(encoding="utf-8").replace("../../briefing/", str(ROOT / "briefing") + "/"),
                      encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def builds(tmp_path_factory) -> Builds:
    return Builds(tmp_path_factory.mktemp("builds"))


@pytest.fixture(scope="session")
def validation_builds(builds) -> list[Built]:
    """Every PDF the validators check (Builds.all)."""
    built = builds.all()
    missing = [b.pdf for b in built if not b.pdf.is_file()]
    assert not missing, missing
    return built


def _id(content: Path) -> str:
    return yaml.safe_load(content.read_text("utf-8"))["id"]
