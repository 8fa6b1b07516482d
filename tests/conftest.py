"""Test settings shared by all tests.

Every test session gets a fresh, empty cache folder (`XDG_CACHE_HOME`, inherited by the subprocesses the
tests start), so no test can pass on chart drawings or hyphenation patterns left in the user's
~/.cache by an older version of the code. The folder is removed when the session ends.

Markers: `slow` marks tests that run the tool in a subprocess or build a whole document; `pytest -m "not
slow"` is the fast lane to run while working, plain `pytest` runs everything.
"""
import os
import shutil
import tempfile

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
