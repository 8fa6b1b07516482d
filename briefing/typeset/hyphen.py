"""English hyphenation points: Liang's algorithm over pyphen's en_US patterns, the patterns kept parsed in
the user's cache.

pyphen parses its .dic file in about 0.04 s per process (a quarter of what the whole English sample takes to
typeset) and its import compiles regular expressions; the parsed table is kept as a cache entry
(`cachefile`: header with key, length and SHA-256; JSON payload, no code) and read back in a few
milliseconds without importing pyphen. The key is a hash of the dictionary file and of pyphen's parser (its
`__init__.py`), found through the import system without importing it. An entry that fails verification
or has the wrong shape is discarded with one line on stderr naming the cache, and the patterns are parsed
again; one kept by another version of briefing or pyphen (another format or key) is replaced silently.
Points are exactly pyphen's (tested).
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from functools import lru_cache
from pathlib import Path

from .. import cachefile

HYPHEN_LANG, HYPHEN_LEFT, HYPHEN_RIGHT = "en_US", 2, 3   # at least 2 letters before a break, 3 after
MAGIC, FORMAT = "briefing-hyphen-cache", 1
MAX_ENTRY = 4 * 1024 * 1024      # the en_US table is about 180 KB


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/briefing/hyphen` (default `~/.cache/briefing/hyphen`)."""
    return cachefile.cache_root() / "hyphen"


def _sources() -> tuple[Path, str]:
    """pyphen's dictionary file for HYPHEN_LANG and the cache key: a hash of that file and of pyphen's
    parser, so a new pyphen or a new dictionary is parsed again."""
    spec = importlib.util.find_spec("pyphen")
    if spec is None or spec.origin is None:
        raise RuntimeError("pyphen is not installed (pip install pyphen)")
    init = Path(spec.origin)
    dic = init.parent / "dictionaries" / f"hyph_{HYPHEN_LANG}.dic"
    h = hashlib.sha256(f"{MAGIC}:{FORMAT}:".encode())
    for part in (init, dic):
        h.update(part.read_bytes())
    return dic, f"{HYPHEN_LANG}-{h.hexdigest()[:32]}"


@lru_cache(maxsize=1)
def patterns() -> tuple[dict[str, str], int]:
    """The Liang patterns, substring -> two digits of offset then one digit per value (decoded by `_liang`),
    and the longest pattern's length."""
    dic, key = _sources()
    path = cache_dir() / f"hyph_{HYPHEN_LANG}.json"
    try:
        payload = cachefile.read_entry(path, MAGIC, FORMAT, key, MAX_ENTRY)
        if payload is not None:
            return _decode(payload)
    except (cachefile.Stale, cachefile.KeyMismatch):
        pass   # kept by another version of briefing or pyphen (one file name, a key per version): replaced
    except cachefile.Problem as e:
        print(f"briefing: hyphenation cache {path} {e}; discarded, parsed again", file=sys.stderr)
    table, maxlen = _parse(dic)
    payload = json.dumps({"maxlen": maxlen, "patterns": table}, sort_keys=True,
                         separators=(",", ":")).encode("ascii")
    cachefile.write_entry(path, MAGIC, FORMAT, key, payload)
    return table, maxlen


def _decode(payload: bytes) -> tuple[dict[str, str], int]:
    try:
        data = json.loads(payload)
        table, maxlen = data["patterns"], data["maxlen"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise cachefile.Problem("is not a table of hyphenation patterns") from None
    if not (isinstance(table, dict) and isinstance(maxlen, int) and 0 < maxlen < 100
            and all(isinstance(k, str) and isinstance(v, str) and len(v) >= 3 and v.isdigit()
                    for k, v in table.items())):
        raise cachefile.Problem("is not a table of hyphenation patterns")
    return table, maxlen


def _parse(dic: Path) -> tuple[dict[str, str], int]:
    import pyphen

    hd = pyphen.HyphDict(dic)
    table = {}
    for k, (off, vals) in hd.patterns.items():
        if any(getattr(v, "data", None) for v in vals) or not 0 <= int(off) < 100:
            raise RuntimeError(f"{dic}: nonstandard hyphenation is not supported")
        table[k] = f"{int(off):02d}" + "".join(str(int(v)) for v in vals)
    return table, hd.maxlen


def _liang(word: str) -> list[int]:
    """Liang's hyphenation points of `word` (as pyphen's HyphDict.positions computes them)."""
    table, maxlen = patterns()
    pointed = f".{word.lower()}."
    n = len(pointed)
    refs = [0] * (n + 1)
    for i in range(n - 1):
        for j in range(i + 1, min(i + maxlen, n) + 1):
            pattern = table.get(pointed[i:j])
            if pattern:
                m = i + int(pattern[:2])
                for digit in pattern[2:]:
                    v = ord(digit) - 48
                    if v > refs[m]:      # noqa: PLR1730 (a comparison is cheaper than max() here)
                        refs[m] = v
                    m += 1
    return [i - 1 for i, r in enumerate(refs) if r % 2]


@lru_cache(maxsize=20000)
def hyphen_points(word: str) -> tuple[int, ...]:
    """Where a word may take a drawn hyphen: pattern points at least 2 letters from its start and 3 from its
    end. Acronyms are never hyphenated; capitalised words (proper names) only when wider than the measure
    (see prepare._fill_hyphenation)."""
    if len(word) < 5 or word.isupper():
        return ()
    right = len(word) - HYPHEN_RIGHT
    return tuple(k for k in _liang(word) if HYPHEN_LEFT <= k <= right)
