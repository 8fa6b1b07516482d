"""The JSON Schema (what an editor's YAML language server checks) and the loader agree (issue #10 item 7): every
content file in the repository and every example in docs/content-format.md is accepted by both; each broken
variant below is refused by both."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from test_schema import EditorLoader

from briefing.errors import ErrorList
from briefing.load import loads

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "briefing" / "content.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
DOC = ROOT / "docs" / "content-format.md"
CONTENT_FILES = sorted([*ROOT.glob("content/*.yaml"), *ROOT.glob("tests/releases/*.yaml"), ROOT / "tests/data/mini.yaml"])

HEAD = """briefing: 1
id: t
masthead: {zh: 简报, en: Brief}
title: {zh: 标题, en: Title}
date: 2025-07-30
author: {zh: 某, en: X}
source: {zh: 报, en: paper}
"""
SECTIONS = "sections:\n  - heading: {zh: 甲, en: A}\n    blocks:\n      - paragraph: {zh: 文, en: Text}\n"


def schema_errors(text: str) -> list[str]:
    doc = yaml.load(text, Loader=EditorLoader)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}" for e in VALIDATOR.iter_errors(doc)]


def loader_errors(text: str, name: str = "x.yaml") -> list[str]:
    try:
        loads(text, name)
    except ErrorList as e:
        return e.lines()
    return []


def docs_examples() -> list[tuple[str, str]]:
    """(name, complete document) for each YAML example of docs/content-format.md that is content (not the
    document skeleton with `…`): a `data:`/`sections:` example, a top-level field or a metric."""
    out = []
    for n, block in enumerate(re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S), 1):
        if "…" in block or block.lstrip().startswith("#"):
            continue
        body = textwrap.dedent(block)
        fields = yaml.safe_load(body)
        if not isinstance(fields, dict):
            continue
        head = "".join(line + "\n" for line in HEAD.splitlines() if line.split(":")[0] not in fields)
        text = head + body + ("" if "sections" in fields else SECTIONS)
        out.append((f"docs example {n}: {body.splitlines()[0][:40]}", text))
    return out


EXAMPLES = docs_examples()


def test_the_docs_have_examples():
    assert len(EXAMPLES) >= 5, [n for n, _ in EXAMPLES]


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_content_file_passes_schema_and_loader(path):
    text = path.read_text(encoding="utf-8")
    assert loader_errors(text, str(path)) == []
    assert schema_errors(text) == []


@pytest.mark.parametrize("name, text", EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_every_docs_example_passes_schema_and_loader(name, text):
    assert loader_errors(text) == [], text
    assert schema_errors(text) == [], text


DATA = HEAD + "data:\n  k: {kind: percent, value: 6.3}\n"
BROKEN: dict[str, str] = {
    "scale 千": HEAD + "data:\n  k: {kind: money, value: 1, scale: 千}\n" + SECTIONS,
    "scale on a permille": HEAD + "data:\n  k: {kind: permille, value: 5.8, scale: 万}\n" + SECTIONS,
    "unit on a multiple": HEAD + "data:\n  k: {kind: multiple, value: 2, unit: {zh: 倍, en: times}}\n" + SECTIONS,
    "change words on a rank": HEAD + "data:\n  k: {kind: rank, value: 2, scope: {zh: 全省, en: x}, "
                              "change: {zh: 上升/下降, en: up/down}}\n" + SECTIONS,
    "change words that are no pair": HEAD + "data:\n  k: {kind: pp, value: 1, change: {zh: 提高, en: higher/lower}}\n"
                                     + SECTIONS,
    "decimals 7": HEAD + "data:\n  k: {kind: percent, value: 6, decimals: 7}\n" + SECTIONS,
    "decimals as text": HEAD + "data:\n  k: {kind: percent, value: 6, decimals: '1'}\n" + SECTIONS,
    "a placeholder reaching an attribute": DATA + "sections:\n  - heading: {zh: '{k.__class__}', en: A}\n"
                                                  "    blocks: []\n",
    "an unmatched brace": DATA + "sections:\n  - heading: {zh: '增长{k', en: A}\n    blocks: []\n",
    "zh_grouping as text": HEAD + "numbers: {zh_grouping: 'yes'}\n" + SECTIONS,
    "an unknown numbers setting": HEAD + "numbers: {grouping: true}\n" + SECTIONS,
    "an unknown kind": HEAD + "data:\n  k: {kind: ratio, value: 2}\n" + SECTIONS,
    "numbered as text": HEAD + "sections:\n  - heading: {zh: 甲, en: A}\n    numbered: 'no'\n    blocks: []\n",
    "numbered without a heading": HEAD + "sections:\n  - numbered: false\n    blocks:\n"
                                  "      - paragraph: {zh: 文, en: Text}\n",
    "numbered on a sub-section": HEAD + "sections:\n  - heading: {zh: 甲, en: A}\n    sections:\n"
                                 "      - heading: {zh: 乙, en: B}\n        numbered: false\n        blocks: []\n",
    "a section without a heading or blocks": HEAD + "sections:\n  - id: empty\n",
    "running_title as a plain string": HEAD + "running_title: Short\n" + SECTIONS,
    "running_title with one side": HEAD + "running_title: {en: Short}\n" + SECTIONS,
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_variants_are_refused_by_both(name):
    text = BROKEN[name]
    assert loader_errors(text), f"{name}: the loader accepted it"
    assert schema_errors(text), f"{name}: the schema accepted it"
