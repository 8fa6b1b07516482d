"""Reading a file the user named, within a byte limit, without ever blocking on it.

`read_capped(path, cap)` refuses what is not a regular file (a named pipe would block the read forever,
`/dev/zero` never ends, a socket cannot be read) before opening it, opens without blocking and checks
again what it opened (the name may have been swapped meanwhile), and reads at most `cap + 1` bytes: the
size the file system reports is not trusted (files in /proc report 0, a growing file grows).
"""
from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path


class InputProblem(Exception):
    """Why a file cannot be read: `what` (starting with a verb or "is …") and `fix`."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what, self.fix = what, fix


def kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_capped(path: str | os.PathLike, cap: int, *, what: str = "file", fix_size: str = "") -> bytes:
    """The bytes of the regular file `path`, at most `cap` of them; raises `InputProblem` or `OSError`
    (FileNotFoundError, PermissionError, …) for the caller to word."""
    p = Path(path)
    st = os.stat(p)
    if stat.S_ISDIR(st.st_mode):
        raise InputProblem(f"is a folder, not a {what}", "give the path of a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputProblem(f"is {kind_of(st.st_mode)}, not a regular file",
                           f"give the path of a {what} saved on disk")
    if st.st_size > cap:
        raise InputProblem(f"file is {st.st_size:,} bytes (limit {cap:,})", fix_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(p, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):   # swapped for a pipe or device after the check above
            raise InputProblem(f"is {kind_of(st.st_mode)}, not a regular file",
                               f"give the path of a {what} saved on disk")
        chunks: list[bytes] = []
        got = 0
        while got <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    finally:
        os.close(fd)
    if got > cap:
        raise InputProblem(f"file is larger than the limit of {cap:,} bytes", fix_size)
    return b"".join(chunks)


MAX_EPOCH = 253402300799   # 9999-12-31T23:59:59Z: the last second a PDF date (and Python's datetime) can hold


def source_date_epoch(env: Mapping[str, str] | None = None) -> int | None:
    """`SOURCE_DATE_EPOCH` (reproducible builds: the PDFs' dates) as whole seconds since 1970, or None when
    unset or empty. Anything else is the user's to fix, said once before a build starts: ReportLab reads the
    variable too, and 'abc', '-1' or a date past the year 9999 failed deep inside it as internal errors."""
    from .errors import BriefingError

    raw = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_EPOCH:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise BriefingError(f"{shown!r} is not a Unix time (whole seconds since 1970, before the year 10000)",
                            "set it like SOURCE_DATE_EPOCH=1735689600, or unset it", "SOURCE_DATE_EPOCH")
    return int(raw)
