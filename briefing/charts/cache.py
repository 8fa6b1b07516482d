"""The chart cache: drawings kept as files in `$XDG_CACHE_HOME/briefing/charts`, which cannot make a wrong PDF.

Entries are `briefing.cachefile` entries, two parts in one file: a one-line JSON header
`{"briefing-chart-cache": 1, "key": …, "bytes": n, "sha256": …}` and then the drawing's JSON (n bytes, with
that SHA-256). An entry is used only when it is a regular file (not a symbolic link, FIFO or device), at most
`MAX_ENTRY` bytes, names the key it is looked up by (an entry copied or renamed to another key is refused), its
payload has the length and checksum the
header says, and the payload parses as a drawing (`Figure.from_json`: shape, types, ranges). Anything else
is a *problem*: the entry is removed and the chart drawn again; the caller reports problems in one line,
except an entry kept by another version of briefing (`Stale`: an older or newer format), replaced silently.

Writes go to a temporary file in the same folder, renamed into place; a temporary file left by a killed
build is removed by a later write once it is `STALE_S` old. A cache that cannot be written (read-only, full)
only costs time: the build goes on without it.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import cachefile
from ..cachefile import (
    STALE_S,
    TMP_PREFIX,
    Problem,
    Stale,
    cache_root,
    discard,
    read_bytes_capped,
    sweep,
    write_atomic,
)
from ..figure import Figure

__all__ = ["FORMAT", "MAGIC", "MAX_ENTRY", "STALE_S", "TMP_PREFIX", "Problem", "Stale", "cache_dir", "cache_root",
           "decode", "discard", "encode", "font_fingerprints", "read", "read_bytes_capped", "sweep", "write",
           "write_atomic"]

FORMAT = 1
MAGIC = "briefing-chart-cache"
MAX_ENTRY = 16 * 1024 * 1024   # bytes; the largest chart we draw is well under 1 MB


def cache_dir() -> Path:
    """Where chart drawings are kept: `$XDG_CACHE_HOME/briefing/charts`."""
    return cache_root() / "charts"


def encode(key: str, payload: bytes) -> bytes:
    return cachefile.encode(MAGIC, FORMAT, key, payload)


def decode(key: str, data: bytes) -> bytes:
    """The verified payload of an entry read for `key`; Problem if it is not one."""
    return cachefile.decode(MAGIC, FORMAT, key, data)


def _legacy_drawing(value: object) -> bool:
    """A drawing as versions before entry headers kept it: the bare `Figure.to_json()` object."""
    return isinstance(value, dict) and set(value) == {"width", "height", "ops"}


def _legacy_digests(value: object) -> bool:
    """The font digests as versions before entry headers kept them: a bare table of SHA-256 digests."""
    return isinstance(value, dict) and all(isinstance(v, str) and len(v) == 64 for v in value.values())


def read(key: str, folder: Path | None = None) -> Figure | None:
    """The cached drawing for `key`, None when there is none. Problem (after removing the entry) when an
    entry exists but is unusable."""
    path = (folder or cache_dir()) / f"{key}.json"
    payload = cachefile.read_entry(path, MAGIC, FORMAT, key, MAX_ENTRY, legacy=_legacy_drawing)
    if payload is None:
        return None
    try:
        return Figure.from_json(json.loads(payload))
    except (ValueError, TypeError, RecursionError):
        discard(path)
        raise Problem("is not a valid drawing") from None


def write(key: str, figure: Figure, folder: Path | None = None) -> bool:
    """Store a drawing; False when the cache cannot be written (the build goes on)."""
    payload = json.dumps(figure.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return write_atomic((folder or cache_dir()) / f"{key}.json", encode(key, payload))


def font_fingerprints(paths: list[Path]) -> tuple[tuple[str, int, str], ...]:
    """(file name, size, sha256) of each font. Hashing 20 MB per run is slow, so digests are kept in
    `fonts.json` (an entry like the others: header, length, checksum) keyed by path, size, mtime and inode.
    A damaged store is a Problem after the digests are computed afresh and stored again."""
    folder = cache_dir()
    store = folder / "fonts.json"
    known: dict[str, str] = {}
    problem = None
    try:
        data = json.loads(cachefile.decode(MAGIC, FORMAT, "fonts", read_bytes_capped(store, MAX_ENTRY),
                                           legacy=_legacy_digests))
        if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) and len(v) == 64
                                                  for k, v in data.items()):
            raise Problem("is not a table of font digests")
        known = data
    except FileNotFoundError:
        pass
    except Stale:            # kept by another version of briefing: replaced below without a word
        discard(store)
    except (Problem, ValueError, RecursionError) as e:
        problem = Problem(f"font digests {store.name} {e}" if isinstance(e, Problem)
                          else f"font digests {store.name} are damaged")
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
