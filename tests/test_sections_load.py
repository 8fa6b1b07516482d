"""Sections without a heading (a preamble) and `numbered: false`: what the loader accepts, and its exact
messages for what it refuses."""
from __future__ import annotations

import pytest

from briefing.errors import ErrorList
from briefing.load import loads
from briefing.localize import localize

HEAD = """briefing: 1
id: t
masthead: {zh: 简报, en: Brief}
title: {zh: 标题, en: Title}
date: 2025-07-30
author: {zh: 某, en: X}
source: {zh: 报, en: paper}
"""


def errors(text: str) -> list[str]:
    with pytest.raises(ErrorList) as ei:
        loads(HEAD + text, "x.yaml")
    return ei.value.lines()


def test_preamble_and_unnumbered_section_load():
    b = loads(HEAD + """sections:
  - blocks:
      - paragraph: {zh: 开篇。, en: Preamble.}
  - heading: {zh: 附注, en: Notes}
    numbered: false
    blocks:
      - paragraph: {zh: 注。, en: Note.}
  - heading: {zh: 综合, en: General}
    blocks:
      - paragraph: {zh: 文。, en: Text.}
""", "x.yaml")
    first, notes, general = b.sections
    assert first.heading is None and notes.numbered is False and general.numbered is True
    local = localize(b, "zh").sections
    assert [(s.heading, s.numbered) for s in local] == [("", False), ("附注", False), ("综合", True)]


def test_numbered_must_be_true_or_false():
    assert errors("sections:\n  - heading: {zh: 甲, en: A}\n    numbered: 'no'\n    blocks: []\n") == [
        "x.yaml:10:15: sections[0].numbered: expected true or false, found a string — write `numbered: false` "
        "(a heading without its number) or leave it out"]


def test_numbered_needs_a_heading():
    assert errors("sections:\n  - numbered: false\n    blocks:\n      - paragraph: {zh: 文, en: Text}\n") == [
        "x.yaml:9:5: sections[0].numbered: a section without a heading has no number — remove `numbered`, "
        "or add a `heading`"]


def test_sub_sections_are_not_numbered():
    assert errors("sections:\n  - heading: {zh: 甲, en: A}\n    sections:\n      - heading: {zh: 乙, en: B}\n"
                  "        numbered: false\n        blocks: []\n") == [
        "x.yaml:12:9: sections[0].sections[0].numbered: sub-sections are not numbered — remove `numbered`"]


def test_a_section_without_heading_needs_blocks():
    assert errors("sections:\n  - id: empty\n") == [
        "x.yaml:9:5: sections[0]: a section without a heading has nothing in it — add `blocks:` (a preamble), "
        "or a `heading:`"]
