"""Delivery: atomic file writes for `briefing build` (from briefing/outputs.py) and, lazily, the e-mail API.

The e-mail code lives in the package `briefing/mail/`; the names it used to have here (`load_pdf`,
`build_message`, `send_message`, …) still resolve, without importing smtplib into every build.
"""
from __future__ import annotations

from typing import Any

from .outputs import atomic_write, plan_output, write_output

__all__ = ["atomic_write", "plan_output", "write_output"]


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        # the import system asks for __path__ & co. on `from .deliver import atomic_write`: answering it
        # must not import the mail package (smtplib, ssl, email) into every build
        raise AttributeError(f"module 'briefing.deliver' has no attribute {name!r}")
    from . import mail

    try:
        return getattr(mail, name)
    except AttributeError:
        raise AttributeError(f"module 'briefing.deliver' has no attribute {name!r}") from None
