"""Writing output files safely. Imports none of the layout stages.

Two pieces, usable by any command that writes a file (`build -o`, `mail --eml`, …):

- `plan_output(path, inputs=…, overwrite=…)` decides, before any work is done, where the bytes will go
  and refuses what would lose a file: writing over one of the command's own inputs (compared by device
  and inode, so a symlink or hard link to an input is caught too), over an existing file unless the user
  said so, over a folder, or over a device node. `-` means standard output; a path that *is* standard
  output (`/dev/stdout`, `/dev/fd/1`) writes there; a pipe, a terminal or `/dev/null` is written into,
  never replaced; a symbolic link is followed, so the link stays and its target gets the new bytes.
- `write_output(plan, data)` writes accordingly; files are written atomically (`atomic_write`): readers
  see the old file or the whole new one, never a part, and a failure leaves the old file untouched.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from .cachefile import sweep_files
from .errors import OutputError

STDOUT = "-"

# Temporary files are named `.<output name>.~briefing-XXXXXXXX.tmp` next to the output. A write killed
# before its rename (SIGKILL, power loss) leaves one behind; the next write into that folder removes those
# older than STALE_SECONDS (a write takes milliseconds, so an old one belongs to no running process).
TEMP_MARK = ".~briefing-"
_TEMP_RE = re.compile(r"\..*" + re.escape(TEMP_MARK) + r"[a-z0-9_]{8}\.tmp", re.S)
STALE_SECONDS = 15 * 60
FIFO_WAIT_SECONDS = 10.0     # how long a write into a named pipe waits for a program to read it
_TEMP_EXTRA = 1 + len(TEMP_MARK) + 8 + len(".tmp")   # bytes a temporary name adds to the clipped name


def atomic_write(path: str | os.PathLike, data: bytes, *, replace: bool = True, mode: int | None = None,
                 fix: str = "choose a writable output path with -o or --out-dir", where: str | None = None) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one, never a part.

    The bytes go to a temporary file in the same folder, are flushed to disk, then renamed over `path`
    (`replace=True`) or linked to `path` only if nothing is there yet (`replace=False`: a file that
    appeared meanwhile is never overwritten). On any failure the temporary file is removed and an
    existing file at `path` is left untouched. `mode` defaults to the replaced file's mode, else 0o644.
    """
    target = Path(path)
    where = where if where is not None else str(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create folder {folder}: {e.strerror or e}",
                          fix.replace("a writable", "another"), where) from None
    if target.is_dir():
        raise OutputError("output path is a folder", "give a file name ending in .pdf", where)
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode) if replace else 0o644
        except OSError:
            mode = 0o644
    sweep_stale_temps(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError(f"cannot write to {folder}: {e.strerror or e}", fix, where) from None
    _CURRENT_TEMPS.add(tmp)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if _commit_guard is not None:
            _commit_guard()
        if replace:
            os.replace(tmp, target)
        elif _link_new(tmp, target, where):
            os.unlink(tmp)
        _sync_folder(folder)
    except OSError as e:
        _unlink_quietly(tmp)
        if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            fix = "make room on that disk, or write to another one"
        raise OutputError(f"cannot write file: {e.strerror or e}", fix, where) from None
    except BaseException:  # OutputError, KeyboardInterrupt, …: never leave the temporary file behind
        _unlink_quietly(tmp)
        raise
    finally:
        _CURRENT_TEMPS.discard(tmp)


# Temporary files being written by this process, so that a signal handler can remove them before it
# exits (`remove_current_temps`), and a check run just before a finished file gets its name.
_CURRENT_TEMPS: set[str] = set()
_commit_guard: Callable[[], None] | None = None


def set_commit_guard(guard: Callable[[], None] | None) -> None:
    """`guard()` runs just before each finished temporary file is renamed into place; it may raise or exit
    to keep the file from appearing (a build worker whose build has died writes nothing)."""
    global _commit_guard
    _commit_guard = guard


def remove_current_temps() -> None:
    """Remove the temporary files this process is writing (for signal handlers about to exit)."""
    for tmp in list(_CURRENT_TEMPS):
        _unlink_quietly(tmp)


def temp_prefix(name: str) -> str:
    """The start of a temporary file's name for output `name` (clipped so the whole name fits in 255 bytes)."""
    return f".{_clip_bytes(name, 120)}{TEMP_MARK}"


def _clip_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of its file-system encoding, never inside a character."""
    raw = os.fsencode(text)
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", "ignore") or "out"


def sweep_stale_temps(folder: str | os.PathLike, max_age: float = STALE_SECONDS, now: float | None = None) -> int:
    """Remove our temporary files older than `max_age` seconds from `folder` (left by killed writes).
    Best effort and quiet: returns how many were removed."""
    return sweep_files(folder, _TEMP_RE.fullmatch, max_age, now)


def check_folder_writable(folder: str | os.PathLike, *, where: str | None = None,
                          fix: str = "choose a writable output path with -o or --out-dir") -> None:
    """Create `folder` if needed and prove that a file can be made in it, before any work is done.

    A real probe (a temporary file, removed at once) rather than `os.access`: it also catches read-only
    mounts, root on a read-only file system, and folders whose permissions `access` misjudges."""
    path = Path(folder) if str(folder) else Path(".")
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} is a file, not a folder", fix.replace("a writable", "another"), where)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create folder {path}: {e.strerror or e}", fix.replace("a writable", "another"),
                          where) from None
    try:
        fd, probe = tempfile.mkstemp(prefix=temp_prefix("probe"), suffix=".tmp", dir=path)
    except OSError as e:
        raise OutputError(f"cannot write to {path}: {e.strerror or e}", fix, where) from None
    os.close(fd)
    _unlink_quietly(probe)
    sweep_stale_temps(path)


def _link_new(tmp: str, target: Path, where: str) -> bool:
    """Give the finished temporary file the name `target`, only if that name is still free.

    True: `target` is a new hard link (the caller removes `tmp`); False: `tmp` was renamed.
    """
    try:
        os.link(tmp, target)
        return True
    except FileExistsError:
        raise OutputError("the file appeared while it was being written; it was left as it is",
                          "run again with a name that is free, or allow replacing it", where) from None
    except OSError:
        # File systems without hard links (FAT, some network mounts): check, then rename (a tiny race).
        if os.path.lexists(target):
            raise OutputError("the file appeared while it was being written; it was left as it is",
                              "run again with a name that is free, or allow replacing it", where) from None
        os.rename(tmp, target)
        return False


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: some systems cannot open folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _reason(e: OSError) -> str:
    return (e.strerror or str(e) or type(e).__name__).lower()


# ---- deciding where an output goes ----------------------------------------------------------------------

Kind = Literal["stdout", "file", "stream"]


@dataclass(frozen=True)
class OutputPlan:
    """Where `write_output` puts the bytes.

    kind "stdout": standard output; "stream": an existing pipe, terminal or /dev/null, written into and
    never replaced; "file": `path` (symbolic links resolved) written atomically, replacing what is there
    only if `replace`.
    """

    kind: Kind
    path: Path | None
    replace: bool = False
    label: str = ""
    where: str | None = None


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stat(path: str | os.PathLike, follow: bool = True) -> os.stat_result | None:
    try:
        return os.stat(path, follow_symlinks=follow)
    except (OSError, ValueError):
        return None


def _is_dev_null(st: os.stat_result) -> bool:
    null = _stat(os.devnull)
    return null is not None and stat.S_ISCHR(st.st_mode) and st.st_rdev == null.st_rdev


def plan_output(path: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = (), overwrite: bool = False,
                label: str = "output", where: str | None = None, force_option: str = "--force",
                stdout_fd: int | None = None, replace_only: tuple[bytes, str] | None = None,
                input_fix: str | None = None) -> OutputPlan:
    """Check an output path before anything is built or sent; raise `OutputError` for what would lose data.

    `inputs` are the files the command reads (they are never written over, not even with `overwrite`).
    `label` names the option in messages (`--eml`), `where` prefixes them (`briefing mail`),
    `force_option` is the option that allows replacing an existing file.
    `replace_only=(magic, kind)`: with `overwrite`, an existing non-empty file is replaced only when its
    first kilobyte holds `magic` (e.g. `(b"%PDF-", "PDF")`: a rebuild replaces the old PDF, but a typo
    never replaces a content file or a document); `force_option` allows it anyway.
    `input_fix` replaces the "what to do" of the message for an output that is an input.
    """
    text = os.fspath(path)
    shown = f"{label} {text}" if label else text
    if text == STDOUT:
        return OutputPlan("stdout", None, label=label, where=where)
    if not text or "\0" in text:
        raise OutputError(f"{label or 'output'} {text!r} is not a file name", "give a file name", where)
    _check_name_lengths(text, label or "output", where)
    fd = sys.stdout.fileno() if stdout_fd is None and _has_fileno(sys.stdout) else stdout_fd
    followed, err = _stat_or_errno(text)
    if followed is not None:
        for inp in inputs:
            ist = _stat(inp)
            if ist is not None and same_file(ist, followed):
                same = "is" if os.path.abspath(os.fspath(inp)) == os.path.abspath(text) else "is the same file as"
                raise OutputError(f"{shown} {same} the input {os.fspath(inp)}; it would be lost",
                                  input_fix or f"give {label or 'the output'} another file name", where)
        if fd is not None:
            out = _stat_fd(fd)
            if out is not None and same_file(out, followed):
                return OutputPlan("stdout", None, label=label, where=where)
        if stat.S_ISDIR(followed.st_mode):
            raise OutputError(f"{shown} is a folder", "give a file name", where)
        if stat.S_ISFIFO(followed.st_mode) or (stat.S_ISCHR(followed.st_mode)
                                               and (_is_dev_null(followed) or _is_tty(text))):
            return OutputPlan("stream", Path(text), label=label, where=where)
        if not stat.S_ISREG(followed.st_mode):
            what = "a socket" if stat.S_ISSOCK(followed.st_mode) else "a device or special file"
            raise OutputError(f"{shown} is {what}, not a regular file",
                              f"write to a regular file, or give {STDOUT} for standard output", where)
    elif err == errno.ELOOP:
        raise OutputError(f"{shown} is a loop of symbolic links", "give a file name", where)
    elif err == errno.ENOTDIR:
        raise OutputError(f"{shown}: a part of the path that should be a folder is a file",
                          "check the path", where)
    elif text.endswith(("/", os.sep)):
        raise OutputError(f"{shown} ends with '/' (a folder name)", "give a file name", where)
    link = _stat(text, follow=False)
    exists = link is not None
    if exists and not overwrite:
        what = "a symbolic link" if stat.S_ISLNK(link.st_mode) else "a file"
        raise OutputError(f"{shown} already exists ({what})",
                          f"add {force_option} to replace it, or choose another name", where)
    if followed is not None and replace_only is not None:
        magic, kind = replace_only
        head = _head(text)
        if head and magic not in head:
            raise OutputError(f"{shown} already exists and is not a {kind}",
                              f"choose another name, or add {force_option} to replace it", where)
    # Follow a symbolic link so the link stays and its target gets the bytes (a dangling link: the file
    # it names is created).
    real = Path(os.path.realpath(text)) if exists and stat.S_ISLNK(link.st_mode) else Path(text)
    return OutputPlan("file", real, replace=exists, label=label, where=where)


def _stat_or_errno(path: str) -> tuple[os.stat_result | None, int | None]:
    try:
        return os.stat(path), None
    except OSError as e:
        return None, e.errno
    except ValueError:
        return None, None


def _head(path: str, size: int = 1024) -> bytes:
    """The first bytes of a regular file (without blocking, should it have become a pipe meanwhile)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return b""
    try:
        return os.read(fd, size) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
    except OSError:
        return b""
    finally:
        os.close(fd)


def _name_max(path: str) -> tuple[int, int]:
    """(longest file name, longest path) in bytes on the file system of `path`'s nearest existing folder."""
    folder = os.path.dirname(os.path.abspath(path)) or os.sep
    while folder and not os.path.isdir(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    limits = []
    for name, default in (("PC_NAME_MAX", 255), ("PC_PATH_MAX", 4096)):
        try:
            limits.append(os.pathconf(folder, name) or default)
        except (OSError, ValueError, AttributeError):
            limits.append(default)
    return limits[0], limits[1]


def _check_name_lengths(text: str, label: str, where: str | None) -> None:
    """A name the file system cannot hold is a usage error now, not `File name too long` after the work."""
    name_max, path_max = _name_max(text)
    for part in Path(text).parts:
        n = len(os.fsencode(part))
        if n > name_max:
            short = part if len(part) <= 40 else part[:20] + "…" + part[-12:]
            raise OutputError(f"{label}: the name '{short}' is {n} bytes long; the file system allows {name_max}",
                              "give a shorter file name", where)
    n = len(os.fsencode(os.path.abspath(text)))
    if n >= path_max:
        raise OutputError(f"{label}: the path is {n:,} bytes long; the file system allows {path_max - 1:,}",
                          "give a shorter path", where)


def _has_fileno(stream: object) -> bool:
    try:
        stream.fileno()  # type: ignore[attr-defined]
        return True
    except (AttributeError, OSError, ValueError):
        return False


def _stat_fd(fd: int) -> os.stat_result | None:
    try:
        return os.fstat(fd)
    except OSError:
        return None


def _is_tty(path: str) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


class _NoReader(Exception):
    pass


def _open_stream(path: Path) -> int:
    """Open a pipe, terminal or /dev/null for writing. A named pipe nobody reads would block `open`
    forever: it is opened without blocking and retried for FIFO_WAIT_SECONDS, then given up."""
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0)
    nonblock = getattr(os, "O_NONBLOCK", 0)
    if not nonblock or not stat.S_ISFIFO(os.stat(path).st_mode):
        return os.open(path, flags)
    deadline = time.monotonic() + FIFO_WAIT_SECONDS
    while True:
        try:
            fd = os.open(path, flags | nonblock)
        except OSError as e:
            if e.errno != errno.ENXIO:   # ENXIO: no reader yet
                raise
            if time.monotonic() > deadline:
                raise _NoReader from None
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)
        return fd


def write_output(plan: OutputPlan, data: bytes, *, stdout: BinaryIO | None = None,
                 fix: str = "choose a writable path") -> None:
    """Write `data` where `plan_output` decided. Files atomically; streams and stdout in one write."""
    shown = f"{plan.label} {plan.path}" if plan.label and plan.path else (plan.label or str(plan.path))
    if plan.kind == "stdout":
        out = stdout if stdout is not None else sys.stdout.buffer
        try:
            out.write(data)
            out.flush()
        except BrokenPipeError:
            raise OutputError("standard output was closed before everything was written",
                              "read the whole output (e.g. do not cut it with head)", plan.where) from None
        except OSError as e:
            raise OutputError(f"cannot write to standard output: {_reason(e)}", fix, plan.where) from None
        return
    assert plan.path is not None
    if plan.kind == "stream":
        try:
            fd = _open_stream(plan.path)   # never O_CREAT / O_TRUNC: the node stays
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except _NoReader:
            raise OutputError(f"nothing read from the pipe {shown} for {FIFO_WAIT_SECONDS:g} s",
                              "start the program that reads it first, or write to a file", plan.where) from None
        except BrokenPipeError:
            raise OutputError(f"the program reading {shown} stopped before everything was written",
                              "let it read the whole output", plan.where) from None
        except OSError as e:
            raise OutputError(f"cannot write {shown}: {_reason(e)}", fix, plan.where) from None
        return
    try:
        atomic_write(plan.path, data, replace=plan.replace, fix=fix, where=plan.where)
    except OutputError as e:
        raise OutputError(f"cannot write {shown}: {e.what.removeprefix('cannot write file: ')}", e.fix,
                          plan.where) from None
