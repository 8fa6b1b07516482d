"""The send log: one JSON object per line, appended as the list is sent, so a rerun never sends twice.

Each attempt writes a `sending` entry (with the Message-ID it will use) before the message goes out and an
outcome entry after: `accepted` (written and fsynced to disk before the next reader), `rejected`,
`temporary`, `failed` (the connection broke before the message was complete: not delivered) or
`uncertain` (it broke after the whole message was sent, before the server confirmed it). A reader whose
last outcome is `accepted` is skipped by later runs; the others are sent again, reusing the Message-ID of
the earlier attempt so that a copy that did arrive is shown once by mail programs.

The log is locked while a run uses it, so two runs of the same list cannot both send.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import DeliveryError, Where
from .common import MAIL, read_input

log = logging.getLogger("briefing.mail")

OUTCOMES = ("accepted", "rejected", "temporary", "failed", "uncertain")
# Each attempt logs two lines of about 300 bytes: a full run of the largest list (20,000 readers) writes
# about 12 MB, so 64 MB holds several complete runs, and a wrong --log (/dev/zero, a huge file) is refused
# after reading 64 MB at most.
MAX_BYTES = 64 * 1024 * 1024


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class SendLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[dict[str, Any]] = []
        self._fd: int | None = None

    # -- reading ------------------------------------------------------------------------------------------------
    def read(self) -> SendLog:
        """Load the entries (no lock, nothing created): for --dry-run and before opening."""
        if self._fd is None and not os.path.lexists(self.path):
            return self
        raw = read_input(self.path, MAX_BYTES, subject="cannot read the send log", kind="send log",
                         fix_missing="check the path given to --log",
                         fix_size="start a new log with --log (readers in the old one are then sent to again), "
                                  "or split the list", where=str(self.path))
        self.entries = []
        lines = raw.split(b"\n")
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                if not isinstance(entry, dict) or not isinstance(entry.get("recipient"), str):
                    raise TypeError("not a log entry")
            except (ValueError, TypeError):
                if n == len(lines) and line.startswith(b'{"'):
                    # the last line, an entry cut short by a crash or power loss: nothing was accepted in it
                    # (a last line that is no entry at all means this is not a send log: never dropped)
                    log.warning("%s: %s:%d: ignoring an incomplete last line (a run was interrupted)", MAIL,
                                self.path, n)
                    continue
                raise DeliveryError("not a send-log entry (one JSON object per line)",
                                    "the log is damaged: fix or delete this line (readers it named may get "
                                    "the briefing again)", Where(str(self.path), n, 1)) from None
            self.entries.append(entry)
        return self

    def last_outcome(self) -> dict[str, dict[str, Any]]:
        """recipient (lower case) → the last outcome entry for them."""
        out: dict[str, dict[str, Any]] = {}
        for e in self.entries:
            if e.get("status") in OUTCOMES:
                out[e["recipient"].lower()] = e
        return out

    def accepted(self) -> dict[str, dict[str, Any]]:
        """Recipients the server has accepted a message for, in any run."""
        out: dict[str, dict[str, Any]] = {}
        for e in self.entries:
            if e.get("status") == "accepted":
                out.setdefault(e["recipient"].lower(), e)
        return out

    def earlier_message_id(self, recipient: str) -> str | None:
        """The Message-ID of an unconfirmed earlier attempt, to reuse."""
        mid = None
        for e in self.entries:
            if e["recipient"].lower() == recipient.lower() and e.get("status") in ("sending", "uncertain"):
                mid = e.get("message_id") or mid
        return mid

    # -- writing -------------------------------------------------------------------------------------------------
    def open(self) -> SendLog:
        """Lock the log for this run (creating it), then read it."""
        from ..inputs import kind_of

        def not_a_log(mode: int) -> DeliveryError:
            return DeliveryError(f"cannot open the send log: is {kind_of(mode)}, not a regular file",
                                 "give --log the name of a regular file", str(self.path))

        try:
            if os.path.exists(self.path) and not stat.S_ISREG(mode := os.stat(self.path).st_mode):
                raise not_a_log(mode)   # a pipe, device or folder: never opened (a FIFO would block)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY, 0o600)
        except OSError as e:
            raise DeliveryError(f"cannot open the send log: {(e.strerror or str(e)).lower()}",
                                "choose a writable --out-dir or --log", str(self.path)) from None
        if not stat.S_ISREG(mode := os.fstat(fd).st_mode):   # swapped meanwhile
            os.close(fd)
            raise not_a_log(mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise DeliveryError("another `briefing mail` run is sending this list right now (the log is locked)",
                                "wait for it to finish, then run again", str(self.path)) from None
        self._fd = fd
        try:
            self.read()
        except BaseException:
            self.close()
            raise
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            # A last line cut short by a crash holds no finished entry (an accepted one is fsynced whole):
            # drop it, so that the log stays one complete JSON object per line.
            tail = os.pread(fd, min(size, 1 << 20), max(0, size - (1 << 20)))
            keep = size - len(tail) + tail.rfind(b"\n") + 1 if b"\n" in tail else 0
            os.ftruncate(fd, keep)
            os.fsync(fd)
        return self

    def append(self, entry: dict[str, Any], durable: bool) -> None:
        """Append one entry; `durable`: fsync before returning (an accepted send must survive a crash)."""
        assert self._fd is not None
        entry = {"time": now_iso(), **entry}
        line = json.dumps(entry, ensure_ascii=False, separators=(", ", ": ")).encode("utf-8") + b"\n"
        try:
            os.write(self._fd, line)
            if durable:
                os.fsync(self._fd)
        except OSError as e:
            raise DeliveryError(f"cannot write the send log: {(e.strerror or str(e)).lower()}",
                                "free some disk space; the log must be kept to avoid sending twice",
                                str(self.path)) from None
        self.entries.append(entry)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)   # closing releases the lock
            self._fd = None
