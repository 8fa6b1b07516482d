"""What every part of `briefing mail` shares: the error form, the two languages, text checks."""
from __future__ import annotations

import unicodedata
from typing import Literal

from ..errors import DeliveryError
from ..model import Lang as Lang  # the one language type, re-exported for the mail modules

MAIL = "briefing mail"   # the `where` of every mail error, as the user typed the command

Security = Literal["plain", "starttls", "ssl"]


def err(what: str, fix: str, where: str = MAIL) -> DeliveryError:
    return DeliveryError(what, fix, where)


def control_char(text: str, allow: str = "") -> str | None:
    """The first control character in `text` (CR, LF, NUL, ESC, DEL, U+2028, …) not in `allow`, or None."""
    for ch in text:
        if ch in allow:
            continue
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in "\u0085\ufeff":
            return ch
    return None


def has_control(text: str, allow: str = "") -> bool:
    return control_char(text, allow) is not None


def describe_char(ch: str) -> str:
    """'a line break (LF, U+000A)' — how an error names a character the user cannot see."""
    names = {"\n": "a line break (LF, U+000A)", "\r": "a carriage return (CR, U+000D)",
             "\t": "a tab (U+0009)", "\0": "a NUL byte (U+0000)"}
    return names.get(ch, f"a control character (U+{ord(ch):04X})")


def check_text(value: str, what: str, where: str = MAIL, allow: str = "") -> str:
    """Refuse control characters in a header value, address, name or setting: `what` names the field."""
    ch = control_char(value, allow)
    if ch is not None:
        raise err(f"{what} contains {describe_char(ch)}",
                  "remove it: header values, names and addresses are one line of text", where)
    return value
