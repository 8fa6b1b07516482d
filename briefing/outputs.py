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

import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from .errors import OutputError

STDOUT = "-"


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
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:200]}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError(f"cannot write to {folder}: {e.strerror or e}", fix, where) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, target)
        elif _link_new(tmp, target, where):
            os.unlink(tmp)
        _sync_folder(folder)
    except OSError as e:
        _unlink_quietly(tmp)
        raise OutputError(f"cannot write file: {e.strerror or e}", fix, where) from None
    except BaseException:  # OutputError, KeyboardInterrupt, …: never leave the temporary file behind
        _unlink_quietly(tmp)
        raise


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
                stdout_fd: int | None = None) -> OutputPlan:
    """Check an output path before anything is built or sent; raise `OutputError` for what would lose data.

    `inputs` are the files the command reads (they are never written over, not even with `overwrite`).
    `label` names the option in messages (`--eml`), `where` prefixes them (`briefing mail`),
    `force_option` is the option that allows replacing an existing file.
    """
    text = os.fspath(path)
    shown = f"{label} {text}" if label else text
    if text == STDOUT:
        return OutputPlan("stdout", None, label=label, where=where)
    if not text or "\0" in text:
        raise OutputError(f"{label or 'output'} {text!r} is not a file name", "give a file name", where)
    fd = sys.stdout.fileno() if stdout_fd is None and _has_fileno(sys.stdout) else stdout_fd
    followed = _stat(text)
    if followed is not None:
        for inp in inputs:
            ist = _stat(inp)
            if ist is not None and same_file(ist, followed):
                same = "is" if os.path.abspath(os.fspath(inp)) == os.path.abspath(text) else "is the same file as"
                raise OutputError(f"{shown} {same} the input {os.fspath(inp)}; it would be lost",
                                  f"give {label or 'the output'} another file name", where)
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
            raise OutputError(f"{shown} is a device or special file, not a regular file",
                              f"write to a regular file, or give {STDOUT} for standard output", where)
    link = _stat(text, follow=False)
    exists = link is not None
    if exists and not overwrite:
        what = "a symbolic link" if stat.S_ISLNK(link.st_mode) else "a file"
        raise OutputError(f"{shown} already exists ({what})",
                          f"add {force_option} to replace it, or choose another name", where)
    # Follow a symbolic link so the link stays and its target gets the bytes (a dangling link: the file
    # it names is created).
    real = Path(os.path.realpath(text)) if exists and stat.S_ISLNK(link.st_mode) else Path(text)
    return OutputPlan("file", real, replace=exists, label=label, where=where)


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
            fd = os.open(plan.path, os.O_WRONLY | os.O_NOCTTY)   # never O_CREAT / O_TRUNC: the node stays
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except OSError as e:
            raise OutputError(f"cannot write {shown}: {_reason(e)}", fix, plan.where) from None
        return
    try:
        atomic_write(plan.path, data, replace=plan.replace, fix=fix, where=plan.where)
    except OutputError as e:
        raise OutputError(f"cannot write {shown}: {e.what}", e.fix, plan.where) from None
