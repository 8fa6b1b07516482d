"""The JSON Schema shipped for editors (briefing/content.schema.json) against the sample content.

The YAML language server reads a content file as JSON data: an unquoted 2025-07-30 stays a string there
(YAML 1.2), while PyYAML's safe_load turns it into a date. We load the way the editor does, so the test
sees what an editor user sees.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "briefing" / "content.schema.json"
SAMPLE_PATH = ROOT / "content" / "jiaozuo-2025-h1.yaml"
FIGURES_PATH = ROOT / "tests" / "data" / "source_figures.txt"
EN_TERMS_PATH = ROOT / "tests" / "data" / "en_terms.txt"
# The newspaper page the sample was made from, as extracted text (a copy kept in the repo, so the tests run
# anywhere).
SOURCE_PAGE = ROOT / "tests" / "data" / "source" / "jiaozuo-2025-h1.zh.txt"


class EditorLoader(yaml.SafeLoader):
    """safe_load without the timestamp resolver: dates stay strings, as in the YAML language server."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_as_editor(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    return load_as_editor(SAMPLE_PATH)


def errors_of(validator: Draft202012Validator, doc: Any) -> list[ValidationError]:
    return list(validator.iter_errors(doc))


def all_error_paths(errors: list[ValidationError]) -> Iterator[tuple]:
    """Paths of each error and of the sub-errors of oneOf/anyOf/if branches."""
    for err in errors:
        yield tuple(err.absolute_path)
        yield from all_error_paths(list(err.context or []))


def describe(errors: list[ValidationError]) -> str:
    return "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors)


# ---------------------------------------------------------------- the schema and the sample

def test_schema_has_id_title_and_descriptions() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"]
    # Every top-level property carries help for the editor's hover.
    undocumented = [name for name, sub in schema["properties"].items() if "description" not in sub]
    assert undocumented == []


def test_sample_starts_with_the_language_server_line() -> None:
    first = SAMPLE_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../briefing/content.schema.json"
    # The relative path in that line must point at the shipped schema.
    target = (SAMPLE_PATH.parent / first.split("$schema=")[1]).resolve()
    assert target == SCHEMA_PATH


def test_sample_parses_with_safe_load() -> None:
    doc = yaml.safe_load(SAMPLE_PATH.read_text(encoding="utf-8"))
    assert doc["id"] == "jiaozuo-2025-h1"


def test_sample_validates(validator: Draft202012Validator, sample: dict[str, Any]) -> None:
    errors = errors_of(validator, sample)
    assert errors == [], describe(errors)


def test_sample_has_the_required_charts(sample: dict[str, Any]) -> None:
    charts = [block["chart"] for section in walk_sections(sample) for block in section.get("blocks", [])
              if "chart" in block]
    kinds = [c["kind"] for c in charts]
    assert len(charts) >= 5
    assert {"hbar", "donut", "progress", "grouped"} <= set(kinds)
    for chart in charts:  # title, unit and source in both languages
        for field in ("title", "unit", "source"):
            assert chart[field]["zh"] and chart[field]["en"], (chart.get("id"), field)


def walk_sections(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in doc["sections"]:
        yield section
        yield from section.get("sections", [])


# ---------------------------------------------------------------- broken variants are refused

def mutated(sample: dict[str, Any], change) -> dict[str, Any]:
    doc = copy.deepcopy(sample)
    change(doc)
    return doc


def first_paragraph_blocks(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["sections"][0]["blocks"]


BROKEN: dict[str, tuple[Any, tuple]] = {
    "missing en in the title": (lambda d: d["title"].pop("en"), ("title",)),
    "empty zh in a paragraph": (
        lambda d: d["sections"][1]["blocks"][0]["paragraph"].__setitem__("zh", "  "),
        ("sections", 1, "blocks", 0, "paragraph", "zh"),
    ),
    "unknown block kind": (
        lambda d: first_paragraph_blocks(d).append({"quote": {"zh": "引语", "en": "A quote"}}),
        ("sections", 0, "blocks"),
    ),
    "block with two keys": (
        lambda d: first_paragraph_blocks(d)[3].__setitem__("source", {"zh": "来源", "en": "Source"}),
        ("sections", 0, "blocks", 3),
    ),
    "unknown chart kind": (
        lambda d: next(b for b in first_paragraph_blocks(d) if "chart" in b)["chart"].__setitem__("kind", "pie"),
        ("sections", 0, "blocks"),
    ),
    "hbar chart without items": (
        lambda d: next(b for b in first_paragraph_blocks(d) if "chart" in b)["chart"].pop("items"),
        ("sections", 0, "blocks"),
    ),
    "donut field on an hbar chart": (
        lambda d: next(b for b in first_paragraph_blocks(d) if "chart" in b)["chart"].__setitem__(
            "center", {"zh": "中", "en": "centre"}),
        ("sections", 0, "blocks"),
    ),
    "wrong metric kind": (lambda d: d["data"]["gdp"]["growth"].__setitem__("kind", "percentage"),
                          ("data", "gdp", "growth", "kind")),
    "metric with neither value nor expr": (
        lambda d: d["data"]["services"]["province"].pop("expr"), ("data", "services", "province")),
    "computed without a value": (
        lambda d: d["data"]["services"]["province"].__setitem__("computed", 6.0), ("data", "services", "province")),
    "count without unit": (lambda d: d["data"]["promo"]["signed"].pop("unit"), ("data", "promo", "signed")),
    "rank without scope": (lambda d: d["data"]["gdp"]["rank"].pop("scope"), ("data", "gdp", "rank")),
    "scale on a percent": (lambda d: d["data"]["gdp"]["growth"].__setitem__("scale", "万"), ("data", "gdp", "growth")),
    "unknown scale": (lambda d: d["data"]["budget"]["revenue"].__setitem__("scale", "千"),
                      ("data", "budget", "revenue", "scale")),
    "date that is not a date": (lambda d: d["data"]["report"]["date"].__setitem__("value", "30 July"),
                                ("data", "report", "date", "value")),
    "upper-case data key": (lambda d: d["data"].__setitem__("GDP", d["data"]["gdp"]), ("data",)),
    "sub-sub-section": (
        lambda d: d["sections"][0]["sections"][0].__setitem__("sections", [d["sections"][1]]),
        ("sections", 0, "sections", 0),
    ),
    "unknown top-level field": (lambda d: d.__setitem__("colour", "red"), ()),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_variant_is_refused_at_its_place(
    validator: Draft202012Validator, sample: dict[str, Any], name: str
) -> None:
    change, place = BROKEN[name]
    errors = errors_of(validator, mutated(sample, change))
    assert errors, f"{name}: the schema accepted it"
    # The editor must point at (or inside) the broken field, not just "somewhere in the file".
    paths = list(all_error_paths(errors))
    assert any(p[: len(place)] == place for p in paths), f"{name}: errors at {paths}"


# ---------------------------------------------------------------- the test data files

def data_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def test_source_figures_are_distinct_and_spaceless() -> None:
    figures = data_lines(FIGURES_PATH)
    assert len(figures) == len(set(figures))
    assert all(not re.search(r"\s", f) for f in figures)
    assert all(re.search(r"[0-9]", f) for f in figures)


def test_every_listed_figure_is_printed_on_the_source_page() -> None:
    page = re.sub(r"\s+", "", SOURCE_PAGE.read_text(encoding="utf-8"))
    # The page prints the date without the year; our text prints the full date, which contains it.
    missing = [f for f in data_lines(FIGURES_PATH) if f not in page]
    assert missing == []


def test_every_number_on_the_source_page_is_listed() -> None:
    """Each run of digits the page prints (outside names and years) is covered by some listed figure."""
    page = re.sub(r"\s+", "", SOURCE_PAGE.read_text(encoding="utf-8"))
    covered = [False] * len(page)
    for figure in data_lines(FIGURES_PATH):
        for m in re.finditer(re.escape(figure), page):
            covered[m.start():m.end()] = [True] * (m.end() - m.start())
    # Names and years the content keeps as text (see the comment at the top of the sample).
    for name in ("“3+13+N”", "“1+2+4+N”", "“345”", "“1131”", "“30条”", "20条", "15条", "2024年度", "2025年",
                 "5G"):
        for m in re.finditer(re.escape(name), page):
            covered[m.start():m.end()] = [True] * (m.end() - m.start())
    uncovered = [m.group(0) + " in …" + page[max(0, m.start() - 8):m.end() + 4] + "…"
                 for m in re.finditer(r"[0-9][0-9.]*", page) if not all(covered[m.start():m.end()])]
    assert uncovered == []


def test_en_terms_are_distinct() -> None:
    terms = data_lines(EN_TERMS_PATH)
    assert 20 <= len(terms) <= 40
    assert len(terms) == len(set(terms))
