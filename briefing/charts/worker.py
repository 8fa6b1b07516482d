"""Drawing charts in a second process while the main one lays out the text.

The worker is forked from the build (so it shares the parsed fonts and imported modules), imports
matplotlib, draws each chart, stores it in the cache and sends it back over a pipe as JSON, one
length-prefixed message per chart. A reader thread in the build collects the messages, so the worker
never waits on a full pipe. The worker dies with the build (PR_SET_PDEATHSIG on Linux, and it stops
when its parent changes), and never runs the parent's exit handlers (`os._exit`).
"""
from __future__ import annotations

import json
import os
import signal
import struct
import sys
import threading
from typing import Any

from ..errors import BriefingError
from ..figure import Figure
from ..model import LChart

_LEN = struct.Struct(">I")


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


class Worker:
    """Charts (index, chart, key) being drawn in a forked process; `result(i)` waits for chart i."""

    def __init__(self, jobs: list[tuple[int, LChart, str]], width: float, cache: bool) -> None:
        self._results: dict[int, Figure | BaseException] = {}
        self._done = False
        self._cond = threading.Condition()
        parent = os.getpid()
        r, w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:
            os.close(r)
            os.close(w)
            raise
        if pid == 0:   # the worker
            status = 1
            try:
                os.close(r)
                _die_with(parent)
                status = _serve(w, jobs, width, cache)
            finally:
                os._exit(status)
        os.close(w)
        self.pid = pid
        self._fd = r
        self._thread = threading.Thread(target=self._read, name="chart-worker-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with os.fdopen(self._fd, "rb") as f:
            while True:
                head = f.read(_LEN.size)
                if len(head) < _LEN.size:
                    break
                body = f.read(_LEN.unpack(head)[0])
                try:
                    i, value = _decode(body)
                except (ValueError, KeyError, TypeError):
                    break
                with self._cond:
                    self._results[i] = value
                    self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    def result(self, i: int) -> Figure | BaseException | None:
        """Chart i's figure or error; None when the worker ended without sending it (it died)."""
        with self._cond:
            while i not in self._results and not self._done:
                self._cond.wait()
            return self._results.get(i)

    def close(self, abandon: bool = False) -> None:
        """Wait for the worker to finish and reap it; `abandon` (the build failed or was interrupted) stops
        it first."""
        if self.pid is None:
            return
        if abandon:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self._thread.join()
        self.pid = None


def _die_with(parent: int) -> None:
    """Linux: the kernel kills the worker when the build process dies; elsewhere the worker checks."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:   # the parent died before prctl took effect
        os._exit(1)


def _serve(w: int, jobs: list[tuple[int, LChart, str]], width: float, cache: bool) -> int:
    from . import cache as store
    from .kinds import draw

    signal.signal(signal.SIGINT, signal.SIG_DFL)   # Ctrl-C: the build handles it and reaps us
    with os.fdopen(w, "wb") as out:
        for i, chart, key in jobs:
            try:
                fig = draw(chart, width)
                msg: dict[str, Any] = {"i": i, "figure": fig.to_json()}
            except BriefingError as e:
                fig, msg = None, {"i": i, "error": [type(e).__name__, e.what, e.fix, str(e.where or "")]}
            except Exception as e:  # noqa: BLE001 - sent to the build, which reports it as an internal error
                fig, msg = None, {"i": i, "internal": f"{type(e).__name__}: {e}"}
            body = json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            try:
                out.write(_LEN.pack(len(body)) + body)
                out.flush()
            except BrokenPipeError:
                return 1
            if fig is not None and cache:
                store.write(key, fig)
    return 0


def _decode(body: bytes) -> tuple[int, Figure | BaseException]:
    from .. import errors

    msg = json.loads(body)
    i = msg["i"]
    if "figure" in msg:
        return i, Figure.from_json(msg["figure"])
    if "error" in msg:
        name, what, fix, where = msg["error"]
        cls = getattr(errors, name, BriefingError)
        if not (isinstance(cls, type) and issubclass(cls, BriefingError)):
            cls = BriefingError
        return i, cls(what, fix, where or None)
    return i, RuntimeError(f"chart worker: {msg['internal']}")
