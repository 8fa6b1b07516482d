"""Cache entries that cannot make a wrong PDF: verified on read, written atomically, never left half-written.

Used by the hyphenation cache (typeset/prepare.py). An entry is one file: a one-line JSON header
`{"<magic>": <format>, "key": …, "bytes": n, "sha256": …}` and then the payload (n bytes, with that SHA-256).
`read_entry` returns the payload only when the file is a regular file (not a symbolic link, FIFO or device)
of at most `cap` bytes (read in chunks: the size the file system reports is not trusted), its header names
the format and the key it is looked up by (an entry copied or renamed to another key is refused), and the
payload has the length and checksum the header says; anything else raises `Problem` (the caller discards
the entry, says so in one line naming the cache, and computes the value again). An entry written by
another version of briefing (a header with another format number, or a file the caller's `legacy` test
recognizes as kept before entries had headers) raises `Stale`, a `Problem` the callers replace without a
word: after an upgrade it is expected, not damage.

`write_entry` writes to a temporary file in the same folder and renames it into place, so a reader sees
the old entry or the new one, never a part; the temporary file is removed on any failure, and one left by
a killed process is removed by the next write into that folder once it is `STALE_S` old. A cache that
cannot be written (read-only, full) only costs time: the caller goes on without it.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_HEADER = 1024
TMP_PREFIX = ".tmp-"
STALE_S = 120.0                # a write takes milliseconds: a temporary file this old was left by a kill


class Problem(Exception):
    """An entry that exists but cannot be used; str() says why."""


class KeyMismatch(Problem):
    """An entry that names another key than the one it was looked up by: a chart entry renamed or copied
    (damage), or, where one file name serves changing keys (the hyphenation table, keyed by pyphen's
    version), an entry from before an upgrade (stale: the caller decides)."""


class Stale(Problem):
    """An entry written by another version of briefing (an older format, or a newer one after a downgrade):
    not damage, so it is replaced without a word. Only a damaged entry is worth a warning."""


Legacy = Callable[[Any], bool]


def _old_or_damaged(data: bytes, why: str, legacy: Legacy | None) -> Problem:
    """An entry without a readable header: before entries had headers, briefing kept some caches as one
    JSON value (a chart's drawing, the font digests); a file that `legacy` recognizes as such is stale,
    anything else is damaged."""
    if legacy is None:
        return Problem(why)
    try:
        whole = json.loads(data)
    except (ValueError, RecursionError):
        return Problem(why)
    return Stale("was written by an older version of briefing") if legacy(whole) else Problem(why)


def cache_root() -> Path:
    """`$XDG_CACHE_HOME/briefing` (default `~/.cache/briefing`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefing"


def read_bytes_capped(path: Path, cap: int) -> bytes:
    """The file's bytes, refusing symbolic links, non-regular files and anything over `cap` bytes.
    FileNotFoundError when absent or not ours to read; Problem when present but unusable."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM):
            raise FileNotFoundError(str(path)) from None
        if e.errno == errno.ELOOP:
            raise Problem("is a symbolic link") from None
        raise Problem(f"cannot be read ({e.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Problem("is not a regular file")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > cap:
                raise Problem(f"is larger than {cap} bytes")
        return b"".join(chunks)
    except OSError as e:
        raise Problem(f"cannot be read ({e.strerror})") from None
    finally:
        os.close(fd)


def encode(magic: str, fmt: int, key: str, payload: bytes) -> bytes:
    header = {magic: fmt, "key": key, "bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    return json.dumps(header, sort_keys=True).encode("ascii") + b"\n" + payload


def decode(magic: str, fmt: int, key: str, data: bytes, legacy: Legacy | None = None) -> bytes:
    """The verified payload of an entry read for `key`; Problem if it is not one (Stale if it is one of
    another version's: another format number, or a headerless file that `legacy` recognizes)."""
    head, nl, payload = data.partition(b"\n")
    if not nl or len(head) > MAX_HEADER:
        raise _old_or_damaged(data, "has no header", legacy)
    try:
        h = json.loads(head)
    except (ValueError, RecursionError):
        raise _old_or_damaged(data, "has a damaged header", legacy) from None
    if not isinstance(h, dict):
        raise _old_or_damaged(data, "has a damaged header", legacy)
    if magic in h and h[magic] != fmt and isinstance(h[magic], int) and not isinstance(h[magic], bool):
        raise Stale(f"was written by another version of briefing (format {h[magic]}, this one reads {fmt})")
    if h.get(magic) != fmt or set(h) != {magic, "key", "bytes", "sha256"}:
        raise Problem("has no header of ours" if magic not in h else "has a damaged header")
    if h["key"] != key:
        raise KeyMismatch("belongs to another key (its key does not match its name)")
    if h["bytes"] != len(payload):
        raise Problem("is truncated" if isinstance(h["bytes"], int) and h["bytes"] > len(payload)
                      else "has the wrong length")
    if hashlib.sha256(payload).hexdigest() != h["sha256"]:
        raise Problem("fails its checksum")
    return payload


def read_entry(path: Path, magic: str, fmt: int, key: str, cap: int, legacy: Legacy | None = None) -> bytes | None:
    """The verified payload, None when there is no entry. Problem (after removing the entry) when an entry
    exists but is unusable."""
    try:
        return decode(magic, fmt, key, read_bytes_capped(path, cap), legacy)
    except FileNotFoundError:
        return None
    except Problem:
        discard(path)
        raise


def write_entry(path: Path, magic: str, fmt: int, key: str, payload: bytes) -> bool:
    """Store an entry; False when the cache cannot be written (the caller goes on)."""
    return write_atomic(path, encode(magic, fmt, key, payload))


def discard(path: Path) -> None:
    try:
        os.unlink(path)   # a symbolic link itself, never its target
    except OSError:
        pass


_swept: set[str] = set()


def write_atomic(path: Path, data: bytes) -> bool:
    """Temp file + rename in the same folder; the temporary file is removed on any failure. The first write
    into a folder in a process removes stale temporary files."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if str(folder) not in _swept:
            _swept.add(str(folder))
            sweep(folder)
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=".part", dir=folder)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        discard(Path(tmp))
        return False
    except BaseException:   # interrupted: leave nothing behind
        discard(Path(tmp))
        raise


def sweep(folder: Path, now: float | None = None) -> int:
    """Remove temporary files older than STALE_S (left by a killed write); the count removed."""
    return sweep_files(folder, lambda name: name.startswith(TMP_PREFIX), STALE_S, now)


def sweep_files(folder: str | os.PathLike[str], ours: Callable[[str], bool], max_age: float,
                now: float | None = None) -> int:
    """Remove the regular files of `folder` whose name is `ours` and which are older than `max_age` seconds
    (temporary files a killed write left). Best effort and quiet: returns how many were removed. Used by the
    caches here and by the PDF outputs (outputs.sweep_stale_temps)."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not ours(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > max_age:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            pass
    return removed
