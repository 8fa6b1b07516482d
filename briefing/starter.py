"""`briefing new NAME` and what `briefing build` builds when given no file.

`new` writes a starter content file: the sample briefing, renamed (file `NAME.yaml`, `id: NAME`, so its
PDFs are `out/NAME.zh.pdf` and `out/NAME.en.pdf`). It never writes over an existing file.

`build` with no file builds *the* content file of the current folder: the one `.yaml`/`.yml` file in
`./` whose top level has the `briefing:` key (the format version every content file starts with), else
the one in `./content/` (so a checkout builds the sample). None, or several in the same folder, is a
one-line error saying what to do.
"""
from __future__ import annotations

import re
from pathlib import Path

from . import bundled
from .errors import BriefingError

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CONTENT_KEY = re.compile(r"^\ufeff?briefing[ \t]*:", re.M)
_SCAN_LIMIT = 4 * 1024 * 1024   # a content file is never larger (the loader's own limit)


def is_content_file(path: Path) -> bool:
    """A YAML file whose top level has the `briefing:` key (read cheaply: no YAML parsing)."""
    try:
        if not path.is_file() or path.stat().st_size > _SCAN_LIMIT:
            return False
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return False
    return _CONTENT_KEY.search(text) is not None


def find_content(folder: Path = Path(".")) -> Path:
    """The content file `briefing build` builds when given none (see the module docstring)."""
    for where in (folder, folder / "content"):
        found = sorted(p for p in where.glob("*") if p.suffix in (".yaml", ".yml") and is_content_file(p))
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(p.name for p in found[:5]) + (", …" if len(found) > 5 else "")
            raise BriefingError(f"{len(found)} content files in {where.as_posix()}/ ({names})",
                                f"name the one to build, e.g. briefing build {found[0].as_posix()}",
                                "briefing build")
    raise BriefingError("no content file here (a .yaml file with 'briefing: 1' in ./ or ./content/)",
                        "run `briefing new NAME` to start one from the sample, or name a file: "
                        "briefing build FILE.yaml", "briefing build")


def starter_text(name: str, file: str) -> str:
    """The sample briefing with `id: name` and an editor schema line that points at the installed schema."""
    sample = bundled.sample_content()
    try:
        text = sample.read_text(encoding="utf-8")
    except OSError as e:
        raise BriefingError(f"cannot read the sample briefing {sample}: {e.strerror or e}",
                            "reinstall briefing (pip install --force-reinstall briefing)", "briefing new") from None
    text, n = re.subn(r"(?m)^id:.*$", f"id: {name}", text, count=1)
    if n != 1:   # the sample always has one: a damaged installation
        raise BriefingError(f"the sample briefing {sample} has no id line",
                            "reinstall briefing (pip install --force-reinstall briefing)", "briefing new")
    lines = text.split("\n")
    if lines[0].startswith("# yaml-language-server:"):
        lines[0] = f"# yaml-language-server: $schema={bundled.schema().as_uri()}"
    lines[1:1] = ["#", "# Started with `briefing new` from the sample briefing below: edit it, check it with",
                  f"# `briefing check {file}`, build it with `briefing build {file}`, which writes",
                  f"# out/{name}.zh.pdf and out/{name}.en.pdf. The format: docs/content-format.md in the briefing",
                  "# repository."]
    return "\n".join(lines)


def new_content(name: str) -> Path:
    """Write the starter file for `briefing new NAME`; returns its path. NAME may carry a folder and the
    .yaml suffix (`briefing new reports/q3.yaml`)."""
    target = Path(name)
    if target.suffix in (".yaml", ".yml"):
        stem = target.stem
    else:
        stem, target = target.name, target.with_name(target.name + ".yaml")
    if not NAME_RE.fullmatch(stem):
        raise BriefingError(f"'{stem}' is not usable as a briefing name (it names the file and the PDFs)",
                            "use letters, digits, '-', '_' and '.', e.g. briefing new q3-report", "briefing new")
    if target.exists() or target.is_symlink():
        raise BriefingError("already exists; it was left as it is",
                            "choose another name, or remove the file first", target.as_posix())
    from .outputs import atomic_write

    atomic_write(target, starter_text(stem, target.as_posix()).encode("utf-8"), replace=False,
                 fix="choose a writable folder", where=target.as_posix())
    return target
