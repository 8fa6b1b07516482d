"""What the loader reads for the editorial check: glossary, names, a printed value with its relation,
progress shares, and the position of every character of a text, folded or not."""
from __future__ import annotations

from decimal import Decimal

import pytest

from briefing.errors import ErrorList
from briefing.load import loads
from briefing.localize import localize

HEAD = """id: t
masthead: {zh: 简报, en: Brief}
title: {zh: 标题, en: Title}
date: 2025-07-30
author: {zh: 某, en: X}
source: {zh: 报, en: paper}
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(ErrorList) as ei:
        loads(text, "x.yaml")
    return ei.value.lines()


def test_glossary_forms_and_names():
    b = loads(HEAD + """glossary:
  社会消费品零售总额: total retail sales of consumer goods
  规上工业增加值: [value added of industrial enterprises above designated size, industrial value added]
  固定资产投资: {en: investment in fixed assets, note: NBS}
names: [“3+13+N”, 5G]
sections: []
""", "x.yaml")
    got = [(t.zh, t.en, t.note) for t in b.glossary]
    assert got == [
        ("社会消费品零售总额", ("total retail sales of consumer goods",), None),
        ("规上工业增加值", ("value added of industrial enterprises above designated size", "industrial value added"),
         None),
        ("固定资产投资", ("investment in fixed assets",), "NBS"),
    ]
    assert [n.text for n in b.names] == ["“3+13+N”", "5G"]
    assert (b.glossary[0].where.line, b.names[1].where.line) == (8, 11)


def test_glossary_and_names_errors():
    lines = errors_of(HEAD + """glossary:
  固定资产投资: {note: NBS}
  社会消费品零售总额: {en: x, colour: red}
  工业: 12
  投资: {en: []}
names: [ok, [a, b]]
sections: []
""")
    assert lines == [
        "x.yaml:8:11: glossary.固定资产投资: missing field 'en' — add `en:`",
        "x.yaml:9:22: glossary.社会消费品零售总额: unknown field 'colour' — use one of: en, note",
        "x.yaml:11:12: glossary.投资.en: the list is empty — add at least one item, or remove the field",
        "x.yaml:12:13: names[1]: expected text, found a list — write the text in quotes",
    ]


def test_value_with_relation_and_computed():
    b = loads(HEAD + """data:
  new: {kind: count, value: 3.91, scale: 万, unit: {zh: 人, en: people}}
  target: {kind: count, value: 5.86, scale: 万, unit: {zh: 人, en: people}}
  share: {kind: percent, value: 66.6, expr: new / target * 100, computed: 66.7}
  share_derived: {kind: percent, expr: new / target * 100}
sections: []
""", "x.yaml")
    share, derived = b.data["share"], b.data["share_derived"]
    assert (share.value, share.decimals, share.derived, share.computed) == (Decimal("66.6"), 1, False,
                                                                           Decimal("66.7"))
    assert share.expr == "new / target * 100"
    assert round(share.expr_value, 4) == Decimal("66.7235")
    assert (derived.value, derived.derived) == (Decimal("66.7"), True)
    assert derived.expr_value == share.expr_value


def test_progress_share_is_drawn_as_printed():
    b = loads(HEAD + """data:
  new: {kind: count, value: 3.91, scale: 万, unit: {zh: 人, en: people}}
  target: {kind: count, value: 5.86, scale: 万, unit: {zh: 人, en: people}}
  share: {kind: percent, value: 66.6}
sections:
  - heading: {zh: 就业, en: Jobs}
    blocks:
      - chart:
          kind: progress
          title: {zh: 完成, en: Done}
          unit: {zh: 占比, en: Share}
          items:
            - {label: {zh: 就业, en: Jobs}, value: new, target: target, share: share}
""", "x.yaml")
    point = localize(b, "en").sections[0].blocks[0].points[0]
    assert point.share_text == "66.6%"


def test_share_only_on_progress_charts():
    lines = errors_of(HEAD + """data:
  a: {kind: percent, value: 6.6}
sections:
  - heading: {zh: 就业, en: Jobs}
    blocks:
      - chart:
          kind: hbar
          title: {zh: 完成, en: Done}
          unit: {zh: 占比, en: Share}
          items:
            - {value: a, share: a}
""")
    assert lines == ["x.yaml:17:26: sections[0].blocks[0].chart.items[0]: unknown field 'share' — "
                     "use one of: label, note, value"]


def test_every_character_of_a_folded_text_has_its_position():
    text = HEAD + """data:
  a: {kind: percent, value: 6.3}
sections:
  - heading: {zh: 总体, en: Overview}
    blocks:
      - paragraph:
          zh: "增长{a}"
          en: >-
            The economy grew by {a} in the
            first half, and by {b} in June.
"""
    assert errors_of(text) == [
        "x.yaml:16:32: sections[0].blocks[0].paragraph.en: unknown placeholder {b}: no such key under `data:` "
        "— define it under `data:` or fix the name"]
    assert text.splitlines()[15][31:34] == "{b}"
