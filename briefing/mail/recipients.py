"""The readers file (`--recipients readers.csv`): who gets the briefing, in which language.

Columns (header row, any order, case-insensitive): `email`, `name`, `lang` (zh or en), optional `cc`
(addresses separated by `;`) and `salutation` (replaces the default `尊敬的张三：` / `Dear Zhang San,`).
Other columns are ignored, except near-misspellings of these, which are errors. UTF-8 (with or without
the BOM Excel writes); comma, semicolon or tab separated; blank lines and lines starting with `#` are
skipped. Every problem is reported as `readers.csv:LINE:COL: column: what — what to do`, all of them
before anything is sent.
"""
from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path

from ..errors import BriefingError, DeliveryError, ErrorList, Where
from .addresses import ADDR_SPEC, parse_address
from .common import Lang, control_char, describe_char, read_input

COLUMNS = ("email", "name", "lang", "cc", "salutation")
REQUIRED = ("email", "name", "lang")
# A list of 20,000 readers (more than one run should send: at a polite 30 a minute it takes 11 hours) with
# generous names, cc addresses and salutations fits in 5 MB; a bigger file is a wrong file or a list to split.
MAX_BYTES = 5 * 1024 * 1024
MAX_READERS = 20000
# Mail servers must take 100 recipients per message (RFC 5321 4.5.3.1.8) and many refuse more; the reader,
# the cc and the --bcc addresses all count, so one reader's row copies at most 50.
MAX_CC = 50
_LANGS: dict[str, Lang] = {"zh": "zh", "chinese": "zh", "中文": "zh", "en": "en", "english": "en", "英文": "en"}


@dataclass(frozen=True)
class Reader:
    line: int
    address: Address           # email, with the name as display name
    lang: Lang
    cc: tuple[Address, ...] = ()
    salutation: str | None = None

    @property
    def email(self) -> str:
        return self.address.addr_spec

    @property
    def name(self) -> str:
        return self.address.display_name


def _lang(value: str) -> Lang | None:
    v = value.strip().lower().replace("_", "-")
    return _LANGS.get(v) or _LANGS.get(v.split("-")[0]) if v else None


def _columns(raw: str, delimiter: str) -> list[int]:
    """1-based start column of each field on a physical line (quoted fields included)."""
    starts, i, n = [1], 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == '"':
            i += 1
            while i < n and not (raw[i] == '"' and raw[i + 1: i + 2] != '"'):
                i += 2 if raw[i] == '"' else 1
        elif ch == delimiter:
            starts.append(i + 2)
        i += 1
    return starts


def read_recipients(path: str | Path) -> list[Reader]:
    """All readers, or an ErrorList naming every bad row (file:line:col, column, what to do)."""
    p = Path(path)
    shown = str(path)

    def fail(what: str, fix: str, line: int | None = None, col: int | None = None) -> DeliveryError:
        return DeliveryError(what, fix, Where(shown, line, col) if line else shown)

    data = read_input(p, MAX_BYTES, subject="", kind="readers file (CSV)",
                      fix_missing="check the path given to --recipients",
                      fix_size=f"split the list into files of at most {MAX_READERS} readers", where=shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise fail("not UTF-8 text (perhaps GBK from Excel)",
                   "save it as UTF-8 (Excel: Save As → 'CSV UTF-8')", line, col) from None
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")),
                        None)
    if header_index is None:
        raise fail("has no header row and no readers", "write a header row: email,name,lang")
    header_line = lines[header_index]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    if header_line.count(delimiter) == 0:
        delimiter = ","
    errors: list[BriefingError] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    where_of: dict[str, int] = {}
    readers: list[Reader] = []
    seen: dict[str, int] = {}
    line_no = 0
    try:
        for row in reader:
            first = line_no + 1
            line_no = reader.line_num
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue
            raw = lines[first - 1] if first - 1 < len(lines) else ""
            cols = _columns(raw, delimiter)

            def col_of(i: int, cols: list[int] = cols) -> int:
                return cols[i] if i < len(cols) else 1

            if header is None:
                header = [c.strip().lower() for c in row]
                for i, name in enumerate(header):
                    if name in COLUMNS:
                        if name in where_of:
                            errors.append(fail(f"column {name!r} appears twice", "keep one", first, col_of(i)))
                        where_of.setdefault(name, i)
                        continue
                    close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.75)
                    if close and close[0] not in header:
                        errors.append(fail(f"unknown column {name!r}", f"did you mean {close[0]!r}?", first,
                                           col_of(i)))
                missing = [c for c in REQUIRED if c not in where_of]
                if missing:
                    errors.append(fail(f"the header row has no {', '.join(repr(m) for m in missing)} column",
                                       "the header needs email, name and lang (cc and salutation are optional)",
                                       first))
                    break
                continue
            if len(readers) + len(errors) >= MAX_READERS:
                errors.append(fail(f"more than {MAX_READERS} readers", "split the list into smaller files", first))
                break

            def cell(name: str, row: list[str] = row, col_of=col_of) -> tuple[str, int]:  # type: ignore[no-untyped-def]
                i = where_of.get(name)
                return (row[i] if i is not None and i < len(row) else ""), col_of(i if i is not None else 0)

            before = len(errors)
            email, ecol = cell("email")
            name, ncol = cell("name")
            lang_text, lcol = cell("lang")
            cc_text, ccol = cell("cc")
            salutation, scol = cell("salutation")
            address = None
            for col_name, value, col in (("name", name, ncol), ("salutation", salutation, scol)):
                ch = control_char(value)
                if ch is not None:
                    errors.append(fail(f"{col_name}: contains {describe_char(ch)}",
                                       "remove it: each cell is one line of plain text", first, col))
            if not email.strip():
                errors.append(fail("email: empty", "give the reader's address, like name@example.org", first, ecol))
            elif not ADDR_SPEC.fullmatch(email.strip()):
                hint = ("give only the address here (the name goes in the name column)" if "<" in email
                        else "write it like name@example.org")
                errors.append(fail(f"email: {email.strip()!r} is not an e-mail address", hint, first, ecol))
            else:
                key = email.strip().lower()
                if key in seen:
                    errors.append(fail(f"email: {email.strip()} is already on line {seen[key]}",
                                       "list each reader once (a rerun never sends twice anyway)", first, ecol))
                seen.setdefault(key, first)
                if len(errors) == before:
                    address = Address(display_name=" ".join(name.split()), addr_spec=email.strip())
            lang = _lang(lang_text)
            if lang is None:
                what = "empty" if not lang_text.strip() else f"{lang_text.strip()!r} is not a language we write"
                errors.append(fail(f"lang: {what}", "write zh (Chinese) or en (English)", first, lcol))
            cc: list[Address] = []
            items = [c.strip() for c in cc_text.split(";") if c.strip()]
            if len(items) > MAX_CC:
                errors.append(fail(f"cc: {len(items)} addresses (limit {MAX_CC})",
                                   "copy fewer people on one reader's message, or give them rows of their own",
                                   first, ccol))
                items = []
            for item in items:
                try:
                    cc.append(parse_address(item, "cc:", where=str(Where(shown, first, ccol))))
                except DeliveryError as e:
                    errors.append(fail(e.what, "one address per reader in email; several cc addresses are "
                                       "separated with ;", first, ccol))
            if len(errors) == before and address is not None and lang is not None:
                readers.append(Reader(first, address, lang, tuple(cc), " ".join(salutation.split()) or None))
    except csv.Error as e:
        if "field larger than field limit" in str(e):   # a cell over 128 K characters: a quote left open
            errors.append(fail(f"a cell is longer than {csv.field_size_limit():,} characters",
                               "check for a quote (\") left open on this line", line_no + 1))
        else:   # the row that failed starts after the last one read (an open quote runs on to later lines)
            errors.append(fail(f"CSV syntax: {e}", "check the quotes on this line", line_no + 1))
    if errors:
        raise ErrorList(errors)
    if not readers:
        raise fail("lists no readers", "add one row per reader under the header: email,name,lang")
    return readers
