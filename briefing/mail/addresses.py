"""Strict e-mail addresses: one address per item, no line breaks or other control characters anywhere.

`--to 'a@example.org\\nBcc: chief@example.org'` must never become a second recipient, so every value is
checked for control characters first and must then be exactly one `addr@example.org` or
`Name <addr@example.org>`; display names are kept as text and encoded per RFC 2047 when the message is
written (Python's `email` SMTP policy does that).
"""
from __future__ import annotations

import re
from email.headerregistry import Address

from .common import MAIL, check_text, err

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDR_SPEC = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*")
_ANGLE = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<spec>[^<>]*)>")
_QUOTED = re.compile(r'"(?P<text>(?:[^"\\]|\\.)*)"')
_NAME_SPECIALS = set('<>@,;:"\\[]()')
FORM = "write it like name@example.org or 'Name <name@example.org>'"


def parse_address(value: str, option: str, where: str = MAIL) -> Address:
    """Exactly one address: 'a@x.org' or 'Name <a@x.org>' ('"Li, Ming" <a@x.org>' for a name with a comma)."""
    shown = f"{option} {value!r}"
    check_text(value, shown, where)
    text = value.strip()
    if not text:
        raise err(f"{option} is empty", "give an address like name@example.org", where)
    if ADDR_SPEC.fullmatch(text):
        return Address(addr_spec=text)
    m = _ANGLE.fullmatch(text)
    if m:
        spec, name = m["spec"].strip(), m["name"].strip()
        if ADDR_SPEC.fullmatch(spec):
            quoted = _QUOTED.fullmatch(name)
            if quoted:
                name = re.sub(r"\\(.)", r"\1", quoted["text"])
            elif _NAME_SPECIALS & set(name):
                if "," in name and "@" in name:
                    raise _several(shown, option, where)
                raise err(f"{shown}: the name contains one of {''.join(sorted(_NAME_SPECIALS))}",
                          "put the name in double quotes: '\"Li, Ming\" <li@example.org>'", where)
            return Address(display_name=" ".join(name.split()), addr_spec=spec)
        text = spec
    if text.count("@") > 1 and re.search(r"[,;\s]", text):
        raise _several(shown, option, where)
    hint = ("non-ASCII addresses are not supported; use the ASCII (punycode) form" if not text.isascii()
            else FORM)
    raise err(f"{shown} is not an e-mail address", hint, where)


def _several(shown: str, option: str, where: str):
    return err(f"{shown} holds more than one address", f"give one address per {option} (repeat {option})",
               where)


def parse_addresses(values: list[str], option: str, where: str = MAIL) -> list[Address]:
    """One address per value (repeat the option for several); duplicates are dropped, order kept."""
    out: list[Address] = []
    seen: set[str] = set()
    for value in values:
        a = parse_address(value, option, where)
        if a.addr_spec.lower() not in seen:
            seen.add(a.addr_spec.lower())
            out.append(a)
    return out
