"""The repository is complete on its own, and the tests run in a clean environment."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_tests_use_a_fresh_cache_not_the_users():
    """conftest.py gives every session its own empty XDG_CACHE_HOME: nothing from ~/.cache is read."""
    cache = Path(os.environ["XDG_CACHE_HOME"]).resolve()
    assert cache.is_relative_to(Path(tempfile.gettempdir()).resolve())
    assert cache.name.startswith("briefing-test-cache-")
    assert cache != (Path.home() / ".cache").resolve()


def test_no_file_in_the_repository_points_outside_it():
    """Code, tests and docs cite the rules and read data inside the repository (or ../shared/ relative to
    it), never by an absolute path of one machine."""
    offenders = []
    for path in [*ROOT.glob("briefing/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("docs/*.md"),
                 *ROOT.glob("*.md"), *ROOT.glob("bench/*.py"), *ROOT.glob("scripts/*.py")]:
        text = path.read_text(encoding="utf-8")
        if path.name != "test_project.py" and re.search(r"/work/|TYPESETTING\.md", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], "use paths inside the repository; cite layout rules as docs/typesetting.md rule N"


def test_every_rule_cited_by_number_is_in_the_docs():
    rules = (ROOT / "docs" / "typesetting.md").read_text(encoding="utf-8")
    numbers = {int(n) for n in re.findall(r"^\| (\d+) \| \*\*", rules, re.M)}
    assert numbers == set(range(1, 13))
    cited = set()
    for path in [*ROOT.glob("briefing/**/*.py"), *ROOT.glob("tests/*.py")]:
        for m in re.finditer(r"docs/typesetting\.md rules? ([\d, and]+)", path.read_text(encoding="utf-8")):
            cited |= {int(n) for n in re.findall(r"\d+", m.group(1))}
    assert cited and cited <= numbers


def test_ci_runs_the_readme_test_command_and_every_dependency_has_a_real_lower_bound():
    import importlib.util
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    cmd = lines[lines.index(next(line for line in lines if line.startswith("# 2."))) + 1]
    assert cmd.startswith("python3 -m venv .venv && ") and cmd.endswith(".venv/bin/python -m pytest")
    assert "awk '/^# 2\\./" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")   # .ci/run runs that line
    out = subprocess.run([sys.executable, str(ROOT / ".ci" / "lowest.py")], capture_output=True, text=True,
                         check=True).stdout
    pins = dict(line.split("==") for line in out.splitlines())
    assert {"reportlab", "babel", "matplotlib", "pyyaml", "pyphen", "pypdf", "pytest"} <= set(pins)
    spec = importlib.util.spec_from_file_location("lowest", ROOT / ".ci" / "lowest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.lowest() == pins


def test_the_code_is_clean_under_the_house_ruff_rules():
    """pyproject.toml's [tool.ruff] rules (E, F, I, B, UP), on everything in the repository."""
    import shutil
    import subprocess
    import sys

    import pytest

    if shutil.which("ruff") is None and subprocess.run([sys.executable, "-m", "ruff", "--version"],
                                                       capture_output=True).returncode != 0:
        pytest.skip("ruff is not installed (pip install -e '.[test]' installs it)")
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", str(ROOT)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.slow
def test_the_package_type_checks_under_the_house_mypy_configuration():
    """pyproject.toml's [tool.mypy]: the language is one `Lang` (model.Lang) everywhere it is typed."""
    import subprocess
    import sys

    if subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode != 0:
        pytest.skip("mypy is not installed (pip install -e '.[test]' installs it)")
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "mypy"     # the session's fresh cache, not the repository
    r = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache)], capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    lang_types = [line for path in ROOT.glob("briefing/**/*.py")
                  for line in path.read_text(encoding="utf-8").splitlines()
                  if re.search(r"Literal\[\s*[\"']zh[\"']\s*,\s*[\"']en[\"']\s*\]", line)]
    assert lang_types == ['Lang = Literal["zh", "en"]']
