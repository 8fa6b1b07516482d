"""Settings file: `$XDG_CONFIG_HOME/briefing/mail.toml` (default `~/.config/briefing/mail.toml`).

    server = "smtp.example.org"      # host, or host:port
    port = 587
    security = "starttls"            # plain | starttls | ssl
    user = "office@example.org"
    sender = "焦作市统计局 <office@example.org>"
    signature = "焦作市统计局 综合科"   # or a table: signature = { zh = "…", en = "…" }
    reply_to = "desk@example.org"     # optional
    bcc = ["archive@example.org"]    # optional
    rate = "30/min"                  # optional
    timeout = 30                     # optional, seconds

Command-line options win. The password is never read from here: a `password` key is an error.
"""
from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DeliveryError, Where
from .common import Lang, check_text, read_input
from .smtp import PASSWORD_VAR

KEYS = ("server", "port", "security", "user", "sender", "signature", "reply_to", "bcc", "rate", "timeout")
SECURITIES = ("plain", "starttls", "ssl")
# A dozen settings and a signature take a few hundred bytes; 64 KB leaves room for comments and long
# signatures while a wrong file (/dev/zero, a log, a PDF) is refused after reading 64 KB at most.
MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Settings:
    path: Path | None = None
    server: str | None = None
    port: int | None = None
    security: str | None = None
    user: str | None = None
    sender: str | None = None
    signature: dict[Lang, str] = field(default_factory=dict)
    reply_to: str | None = None
    bcc: tuple[str, ...] = ()
    rate: str | None = None
    timeout: float | None = None


def default_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME", "").strip()
    if not base or not os.path.isabs(base):
        base = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base) / "briefing" / "mail.toml"


def _line_of(text: str, key: str) -> int | None:
    m = re.search(rf"(?m)^\s*\"?{re.escape(key)}\"?\s*=", text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def load_settings(path: str | Path | None, env: Mapping[str, str]) -> Settings:
    """Read the settings file; a missing default file means no settings, a missing `--config` is an error."""
    explicit = path is not None
    p = Path(path) if explicit else default_path(env)
    shown = str(p)
    if not explicit and not os.path.lexists(p):
        return Settings()
    raw = read_input(p, MAX_BYTES, subject="", kind="settings file (TOML)",
                     fix_missing="check the path given to --config" if explicit else "remove the broken link",
                     fix_size="a settings file is a dozen short lines: check that this is the right file",
                     where=shown)
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise DeliveryError("not UTF-8 text", "save it as UTF-8", Where(shown, line, col)) from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        where = Where(shown, int(m.group(1)), int(m.group(2))) if m else shown
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e)).rstrip(".")
        raise DeliveryError(f"TOML syntax: {reason}", "fix the settings file (strings need \"quotes\")",
                            where) from None

    def fail(key: str, what: str, fix: str) -> DeliveryError:
        line = _line_of(text, key)
        return DeliveryError(f"{key}: {what}", fix, Where(shown, line, 1) if line else shown)

    for key in data:
        if key.lower() in ("password", "pass", "passwd", "smtp_password", "secret"):
            raise fail(key, "passwords are never read from the settings file",
                       f"remove this line and set {PASSWORD_VAR} in the environment (or type it at the prompt)")
        if key not in KEYS:
            raise fail(key, "unknown setting", f"the settings are: {', '.join(KEYS)}")

    def string(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail(key, "must be a non-empty text in quotes", f'write it like {key} = "…"')
        check_text(value, f"{shown}: {key}")
        return value.strip()

    security = string("security")
    if security is not None and security.lower() not in SECURITIES:
        raise fail("security", f"{security!r} is not plain, starttls or ssl", 'write security = "starttls"')
    port = data.get("port")
    if port is not None and (not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536):
        raise fail("port", f"{port!r} is not a port number", "write it like port = 587")
    timeout = data.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not 0 < timeout <= 3600):
        raise fail("timeout", f"{timeout!r} is not a number of seconds between 0 and 3600", "write timeout = 30")
    signature: dict[Lang, str] = {}
    sig = data.get("signature")
    if isinstance(sig, str):
        check_text(sig, f"{shown}: signature", allow="\n\r\t")
        signature = {"zh": sig, "en": sig}
    elif isinstance(sig, dict):
        for k, v in sig.items():
            if k not in ("zh", "en") or not isinstance(v, str):
                raise fail("signature", f"unknown entry {k!r}", 'write signature = { zh = "…", en = "…" }')
            check_text(v, f"{shown}: signature.{k}", allow="\n\r\t")
            signature[k] = v  # type: ignore[index]
    elif sig is not None:
        raise fail("signature", "must be text or a table with zh and en", 'write signature = "…"')
    bcc = data.get("bcc", [])
    if isinstance(bcc, str):
        bcc = [bcc]
    if not isinstance(bcc, list) or not all(isinstance(b, str) for b in bcc):
        raise fail("bcc", "must be an address or a list of addresses", 'write bcc = ["archive@example.org"]')
    rate = data.get("rate")
    if rate is not None and not isinstance(rate, str):
        raise fail("rate", "must be text like \"30/min\"", 'write rate = "30/min"')
    return Settings(p, string("server"), port, security.lower() if security else None, string("user"),
                    string("sender"), signature, string("reply_to"), tuple(bcc), rate,
                    float(timeout) if timeout is not None else None)
