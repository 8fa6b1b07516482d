"""The two independent validators on every content file of the repository (conftest.validation_builds):
page-validation's PDF/UA-1 and PDF/A-2u profiles, and outloud (PDF/UA-1 + WCAG 2.2). Each PDF is built
once and validated once; outloud runs once for all of them."""
from __future__ import annotations

import re

import pytest
from pdf_validators import PDFA, UA, outloud_check, page_check

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outloud(validation_builds):
    return outloud_check([b.pdf for b in validation_builds])


def test_every_content_file_is_validated_in_both_languages_and_all_page_set_ups(validation_builds):
    from conftest import SAMPLE, VARIANTS, content_files

    assert {(b.content, b.lang) for b in validation_builds} == {(f, lang) for f in content_files()
                                                               for lang in ("zh", "en")}
    assert {(b.paper, b.bleed) for b in validation_builds if b.content == SAMPLE and b.pdfa} == set(VARIANTS)
    assert {(b.paper, b.bleed) for b in validation_builds if b.content != SAMPLE} == set(VARIANTS)
    assert len(content_files()) >= 16


def test_page_validation_pdf_ua_1_and_pdf_a_2u(validation_builds):
    problems = []
    for b in validation_builds:
        for profile in (UA, PDFA) if b.pdfa else (UA,):
            r = page_check(b.pdf, profile)
            assert r.rules > 50, f"{b.name}: profile {profile} ran only {r.rules} rules"
            if r.failed_rules or r.failed_checks:
                problems.append(f"{b.name} {profile}: {r.failures}")
    assert not problems, "\n".join(problems)


def test_a_default_build_does_not_claim_pdf_a(validation_builds):
    plain = [b for b in validation_builds if not b.pdfa]
    assert plain
    for b in plain:
        r = page_check(b.pdf, PDFA)
        assert any(rule == "PDFA2U-ID-SCHEMA-001" for rule, _ in r.failures), b.name


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _head_rows(b) -> list[str]:
    """Each table's column heads of the file in b's language, as one line with whitespace removed: the
    head row a table repeats (as an artifact) on each page it continues on."""
    from briefing import model as m
    from briefing.load import load
    from briefing.localize import localize

    heads: list[str] = []

    def walk(sections) -> None:
        for s in sections:
            heads.extend(_squash("".join(block.columns)) for block in s.blocks if isinstance(block, m.LTable))
            walk(s.sections)

    walk(localize(load(str(b.content)), b.lang).sections)
    return heads


def _is_repeated_head(line: str, heads: list[str]) -> bool:
    """outloud quotes a line's first 90 characters, cut with "…"."""
    text = _squash(line.removesuffix("…"))
    return len(text) >= 10 and any(text in h for h in heads)


def test_outloud_no_errors(validation_builds, outloud):
    """No outloud error on any PDF, with one exception: a table's head row repeated on a page where the
    table continues, when its words read like a sentence (as national-2020q1's "Indicator | Value, first
    quarter | Growth on the first quarter of 2019 (%)" did; its heads are now short and no file here is
    reported: test_outloud_reports_no_file_of_the_repository).

    That row is page furniture and an artifact on purpose (issue #12: the table is one Table, its head
    read once; ISO 32000-1 §14.8.2.2). outloud's TAG-002 (outloud/rules/tagging.py, artifacted_prose)
    reports an artifact line of >= 8 words with >= 4 lower-case ones unless furniture_keys() finds the
    line on 3 pages (documents of 6 pages or more) or on every page (shorter ones). A head row is on the
    page the table starts on, tagged, and on each page it continues on, so a table continued once in a
    document of 3 pages or more is reported whatever the PDF does, short of not repeating the head (worse
    in print) or tagging it twice (a reader would hear it twice). So such a finding is accepted when every
    line it quotes is part of one of the file's column-head rows and it quotes every line it counts;
    anything else fails, the running header and the "(continued)" caption included (they are short, so
    outloud must not report them), and test_tagging checks that artifacts hold nothing but furniture.
    docs/accessibility.md says the same."""
    problems = []
    for b in validation_builds:
        res = outloud[b.pdf]
        assert res.crashed is None, f"{b.name}: outloud could not read it: {res.crashed}"
        for f in res.errors:
            if f["rule"] == "TAG-002" and (f.get("page") or 1) > 1:
                lines = (f.get("evidence") or "").split("; ")
                if f.get("count", 1) <= len(lines) and all(_is_repeated_head(x, _head_rows(b)) for x in lines):
                    continue
            problems.append(f"{b.name}: {f['rule']} p{f.get('page')} {f['message']} [{f.get('evidence')}]")
    assert not problems, "\n".join(problems)


def test_outloud_reports_no_file_of_the_repository(validation_builds, outloud):
    """The acceptance above is for a user's wordy head rows; the repository's own files need none of it."""
    errors = [f"{b.name}: {f['rule']} p{f.get('page')} [{f.get('evidence')}]" for b in validation_builds
              for f in outloud[b.pdf].errors]
    assert not errors, "\n".join(errors)


def test_outloud_warnings_are_only_the_known_ones(validation_builds, outloud):
    """Warnings are allowed where a person has to judge: DOC-040 (the test fixtures' placeholder title
    "Title") and FIG-012 (a line chart's alternative text is mostly figures: it lists every value)."""
    unexpected = [f"{b.name}: {f['rule']} {f['message']}" for b in validation_builds
                  for f in outloud[b.pdf].warnings if f["rule"] not in ("DOC-040", "FIG-012")]
    assert not unexpected, "\n".join(unexpected)
    sample = [b for b in validation_builds if b.content.parent.name == "content"]
    assert all(not outloud[b.pdf].warnings and not outloud[b.pdf].errors for b in sample)
