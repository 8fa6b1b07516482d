"""The `briefing mail` subcommand (kept for `briefing/cli.py`); the code lives in `briefing/mail/cli.py`."""
from __future__ import annotations

from .mail.cli import add_mail_parser, run_mail

__all__ = ["add_mail_parser", "run_mail"]
