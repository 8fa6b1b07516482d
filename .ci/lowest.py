"""Print a pip constraints file pinning every declared dependency to its lower bound.

pyproject.toml's `>=` bounds (runtime and the `test` extra) are promises: .ci/run installs exactly these
versions in a fresh virtual environment and runs the tests against them. A dependency without a lower
bound is an error here, so every bound stays real.
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lowest(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"]) + list(project.get("optional-dependencies", {}).get("test", []))
    pins: dict[str, str] = {}
    for req in reqs:
        m = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*[>=]=\s*([0-9][0-9A-Za-z.]*)\s*"
                         r"(?:,\s*<[^;]*)?(?:;.*)?", req)
        if not m:
            raise SystemExit(f"pyproject.toml: dependency {req!r} has no lower bound (>=X) or pin (==X) — give it one")
        name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
        if pins.get(name, m.group(2)) != m.group(2):
            raise SystemExit(f"pyproject.toml: {name} has two lower bounds ({pins[name]}, {m.group(2)}) — use one")
        pins[name] = m.group(2)
    return pins


if __name__ == "__main__":
    sys.stdout.write("".join(f"{name}=={version}\n" for name, version in sorted(lowest().items())))
