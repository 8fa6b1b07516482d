"""What every part of `briefing mail` shares: the error form, the two languages, text checks."""
from __future__ import annotations

import os
import unicodedata
from typing import Literal

from ..errors import DeliveryError, Where
from ..model import Lang as Lang  # the one language type, re-exported for the mail modules

MAIL = "briefing mail"   # the `where` of every mail error, as the user typed the command

Security = Literal["plain", "starttls", "ssl"]


def err(what: str, fix: str, where: str = MAIL) -> DeliveryError:
    return DeliveryError(what, fix, where)


# Bidirectional embeddings, overrides and isolates: no Chinese or English name needs them, and in a display
# name or subject they reorder what the reader sees ("‮gro.elpmaxe@ssob" shown as "boss@example.org").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_char(text: str, allow: str = "") -> str | None:
    """The first control character in `text` (CR, LF, NUL, ESC, DEL, U+2028, …) not in `allow`, or None."""
    for ch in text:
        if ch in allow:
            continue
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in "\u0085\ufeff" or ch in BIDI_CONTROLS:
            return ch
    return None


def has_control(text: str, allow: str = "") -> bool:
    return control_char(text, allow) is not None


def describe_char(ch: str) -> str:
    """'a line break (LF, U+000A)' — how an error names a character the user cannot see."""
    names = {"\n": "a line break (LF, U+000A)", "\r": "a carriage return (CR, U+000D)",
             "\t": "a tab (U+0009)", "\0": "a NUL byte (U+0000)"}
    if ch in BIDI_CONTROLS:
        return f"a bidirectional text control (U+{ord(ch):04X})"
    return names.get(ch, f"a control character (U+{ord(ch):04X})")


def check_text(value: str, what: str, where: str = MAIL, allow: str = "") -> str:
    """Refuse control characters in a header value, address, name or setting: `what` names the field."""
    ch = control_char(value, allow)
    if ch is not None:
        raise err(f"{what} contains {describe_char(ch)}",
                  "remove it: header values, names and addresses are one line of text", where)
    return value


def read_input(path: str | os.PathLike, cap: int, *, subject: str, kind: str, fix_missing: str,
               fix_size: str, where: str | Where = MAIL) -> bytes:
    """The bytes of a file the user named (a PDF, a readers file, a note, the settings or the send log),
    read with `cap` as a hard limit (briefing/inputs.py: the size the file system reports is not trusted;
    pipes, devices, sockets and folders are refused before they are opened, so nothing blocks or fills
    memory). Every problem is one `DeliveryError`: `{where}: {subject}: {why} — {fix}` (no subject: `{where}:
    {why} — {fix}`); `kind` names what
    was expected ("PDF file", "text file")."""
    from ..inputs import InputProblem, read_capped

    def fail(why: str, fix: str) -> DeliveryError:
        return DeliveryError(f"{subject}: {why}" if subject else why, fix, where)

    try:
        return read_capped(path, cap, what=kind, fix_size=fix_size)
    except InputProblem as e:
        raise fail(e.what, f"give the path of a {kind}" if e.what.startswith("is a folder") else e.fix) from None
    except FileNotFoundError:
        raise fail("no such file", fix_missing) from None
    except PermissionError:
        raise fail("permission denied", "check the file's permissions") from None
    except (OSError, ValueError) as e:   # ValueError: a NUL byte in the path
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise fail(reason[:1].lower() + reason[1:], fix_missing) from None
