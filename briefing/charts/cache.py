"""The chart cache: drawings kept as files in `$XDG_CACHE_HOME/briefing/charts`, which cannot make a wrong PDF.

An entry is two parts in one file: a one-line JSON header `{"briefing-chart-cache": 1, "key": …, "bytes": n,
"sha256": …}` and then the drawing's JSON (n bytes, with that SHA-256). An entry is used only when it is a
regular file (not a symbolic link, FIFO or device), at most `MAX_ENTRY` bytes, names the key it is looked up
by (an entry copied or renamed to another key is refused), its payload has the length and checksum the
header says, and the payload parses as a drawing (`Figure.from_json`: shape, types, ranges). Anything else
is a *problem*: the entry is removed and the chart drawn again; the caller reports problems in one line.

Writes go to a temporary file in the same folder, renamed into place; a temporary file left by a killed
build is removed by a later write once it is `STALE_S` old. A cache that cannot be written (read-only, full)
only costs time: the build goes on without it.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import tempfile
import time
from pathlib import Path

from ..figure import Figure

FORMAT = 1
MAGIC = "briefing-chart-cache"
MAX_ENTRY = 16 * 1024 * 1024   # bytes; the largest chart we draw is well under 1 MB
MAX_HEADER = 1024
TMP_PREFIX = ".tmp-"
STALE_S = 120.0                # a write takes milliseconds: a temporary file this old was left by a kill


def cache_root() -> Path:
    """`$XDG_CACHE_HOME/briefing` (default `~/.cache/briefing`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefing"


def cache_dir() -> Path:
    """Where chart drawings are kept."""
    return cache_root() / "charts"


class Problem(Exception):
    """An entry that exists but cannot be used; str() says why."""


def read_bytes_capped(path: Path, cap: int) -> bytes:
    """The file's bytes, refusing symbolic links and non-regular files and anything over `cap` bytes (read
    in chunks: the size the file system reports is not trusted). FileNotFoundError when absent or not ours
    to read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM):
            raise FileNotFoundError(str(path)) from None   # absent, or a cache we may not use: no cache
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


def encode(key: str, payload: bytes) -> bytes:
    header = {MAGIC: FORMAT, "key": key, "bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    return json.dumps(header, sort_keys=True).encode("ascii") + b"\n" + payload


def decode(key: str, data: bytes) -> bytes:
    """The verified payload of an entry read for `key`; Problem if it is not one."""
    head, nl, payload = data.partition(b"\n")
    if not nl or len(head) > MAX_HEADER:
        raise Problem("has no header (not written by this version)")
    try:
        h = json.loads(head)
    except (ValueError, RecursionError):
        raise Problem("has a damaged header") from None
    if not isinstance(h, dict) or h.get(MAGIC) != FORMAT or set(h) != {MAGIC, "key", "bytes", "sha256"}:
        raise Problem("has no header (not written by this version)")
    if h["key"] != key:
        raise Problem("belongs to another chart (its key does not match its name)")
    if h["bytes"] != len(payload):
        raise Problem("is truncated" if isinstance(h["bytes"], int) and h["bytes"] > len(payload)
                      else "has the wrong length")
    if hashlib.sha256(payload).hexdigest() != h["sha256"]:
        raise Problem("fails its checksum")
    return payload


def read(key: str, folder: Path | None = None) -> Figure | None:
    """The cached drawing for `key`, None when there is none. Problem (after removing the entry) when an
    entry exists but is unusable."""
    path = (folder or cache_dir()) / f"{key}.json"
    try:
        payload = decode(key, read_bytes_capped(path, MAX_ENTRY))
        try:
            return Figure.from_json(json.loads(payload))
        except (ValueError, TypeError, RecursionError):
            raise Problem("is not a valid drawing") from None
    except FileNotFoundError:
        return None
    except Problem:
        discard(path)
        raise


def discard(path: Path) -> None:
    try:
        os.unlink(path)   # a symbolic link itself, never its target
    except OSError:
        pass


def write(key: str, figure: Figure, folder: Path | None = None) -> bool:
    """Store a drawing; False when the cache cannot be written (the build goes on)."""
    payload = json.dumps(figure.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return write_atomic((folder or cache_dir()) / f"{key}.json", encode(key, payload))


_swept: set[str] = set()


def write_atomic(path: Path, data: bytes) -> bool:
    """Temp file + rename in the same folder, so a reader never sees half an entry; the temporary file is
    removed on any failure. The first write into a folder in a process removes stale temporary files."""
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
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for e in entries:
        if e.name.startswith(TMP_PREFIX):
            try:
                if now - e.stat(follow_symlinks=False).st_mtime > STALE_S:
                    os.unlink(e.path)
                    removed += 1
            except OSError:
                pass
    return removed


def font_fingerprints(paths: list[Path]) -> tuple[tuple[str, int, str], ...]:
    """(file name, size, sha256) of each font. Hashing 20 MB per run is slow, so digests are kept in
    `fonts.json` (an entry like the others: header, length, checksum) keyed by path, size, mtime and inode.
    A damaged store is a Problem after the digests are computed afresh and stored again."""
    folder = cache_dir()
    store = folder / "fonts.json"
    known: dict[str, str] = {}
    problem = None
    try:
        data = json.loads(decode("fonts", read_bytes_capped(store, MAX_ENTRY)))
        if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) and len(v) == 64
                                                  for k, v in data.items()):
            raise Problem("is not a table of font digests")
        known = data
    except FileNotFoundError:
        pass
    except (Problem, ValueError, RecursionError) as e:
        problem = Problem(f"font digests {store.name} {e}" if isinstance(e, Problem) else f"font digests {store.name} are damaged")
        discard(store)
    out, changed = [], False
    for path in paths:
        st = path.stat()
        stamp = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}"
        digest = known.get(stamp)
        if digest is None:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            known[stamp], changed = digest, True
        out.append((path.name, st.st_size, digest))
    if changed:
        payload = json.dumps(known, sort_keys=True, indent=0).encode("utf-8")
        write_atomic(store, encode("fonts", payload))
    if problem is not None:
        raise FontStoreProblem(tuple(out), str(problem))
    return tuple(out)


class FontStoreProblem(Problem):
    """The font digest store was damaged; `fingerprints` are the recomputed digests, valid all the same."""

    def __init__(self, fingerprints: tuple[tuple[str, int, str], ...], why: str) -> None:
        super().__init__(why)
        self.fingerprints = fingerprints
