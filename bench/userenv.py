"""The environment a benchmark gives the processes it times: what a user's installed copy runs with.

A wheel installed by pip carries compiled bytecode (pip compiles every module at install), so a user's
`briefing build` loads .pyc files. A machine that sets PYTHONDONTWRITEBYTECODE (this one does) would make
every timed process compile each of our modules, ReportLab's, babel's and matplotlib's from source again
(about 0.2 s of a warm build), which no user pays. So the timed processes, ours and the Typst reference's
(whose chart script imports matplotlib too), get PYTHONDONTWRITEBYTECODE removed and PYTHONPYCACHEPREFIX
set to a folder of the benchmark's own, and an untimed warm-up run fills that folder before any timing.
The checkout and the venv are left as they are (the bytecode goes to that folder only).
"""
from __future__ import annotations

import os
import shutil
import tempfile

_PREFIX: str | None = None


def user_env(**extra: str) -> dict[str, str]:
    """os.environ as a user's installed copy sees it (bytecode written to and read from the benchmark's
    folder), plus `extra`."""
    global _PREFIX
    if _PREFIX is None:
        _PREFIX = os.environ.get("BRIEFING_BENCH_PYCACHE") or tempfile.mkdtemp(prefix="briefing-bench-pyc-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = _PREFIX
    env["BRIEFING_BENCH_PYCACHE"] = _PREFIX   # a benchmark script run by another shares the folder
    env.update(extra)
    return env


def cleanup() -> None:
    """Remove the bytecode folder, if this process made it."""
    if _PREFIX and not os.environ.get("BRIEFING_BENCH_PYCACHE"):
        shutil.rmtree(_PREFIX, ignore_errors=True)


NOTE = "bytecode compiled once, untimed, as pip does at install (see bench/userenv.py)"
