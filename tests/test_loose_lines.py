"""A justified English line that must stay loose (the next word is a figure that cannot be broken) gives
part of its extra space to its letters, at most 0.03 em between two, so that its word spaces open less
(typeset.breaker._track). Set in-process; positions of the drawn characters."""
from __future__ import annotations

import pytest

from briefing.typeset import ParaStyle, Run, breaker
from briefing.typeset.breaker import lines_for, prepare

W = 481.9    # the A4 text column, pt
STYLE = ParaStyle(lang="en", family="serif", size=10.5, leading=16, align="justify", first_indent=0)
RUNS = [Run("According to preliminary estimates, gross domestic product (GDP) for the year was "),
        Run("CNY\u00a0121.0207\u00a0trillion", figure=True),   # as localize prints it
        Run(", up 3.0% over the previous year. The value added of the primary industry was ")]


def gaps(line) -> tuple[list[float], list[float]]:
    """(word gaps, gaps between two letters) of a set line, in em: where the next character's pen position
    is past the previous one's advance."""
    word, letter = [], []
    t, xs, adv = line.text, line.xs, line.advances
    for k in range(1, len(t)):
        if t[k] == " ":
            continue
        prev = k - 2 if t[k - 1] == " " else k - 1
        gap = (xs[k] - xs[prev] - adv[prev]) / STYLE.size
        (word if t[k - 1] == " " else letter).append(gap)
        if t[k - 1] != " " and not (t[k - 1].isalnum() and t[k].isalnum()):
            letter.pop()
    return word, letter


def first_line(monkeypatch: pytest.MonkeyPatch | None = None, track: float | None = None):
    if monkeypatch is not None:
        monkeypatch.setattr(breaker, "TRACK_EM", track)
    line = lines_for(prepare(RUNS, STYLE), W)[0]
    assert line.text.rstrip().endswith("was") and line.ratio > 1
    return line


def test_a_loose_line_shares_its_space_with_its_letters(monkeypatch):
    tracked = first_line()
    w1, l1 = gaps(tracked)
    w0, l0 = gaps(first_line(monkeypatch, 0.0))
    assert max(l0) < 1e-6 and max(w0) > 0.8          # untracked: letters tight, word spaces past 0.8 em
    assert 0 < max(l1) <= 0.03 + 1e-6                # tracked: at most 0.03 em between two letters
    assert max(w1) < max(w0) - 0.1                   # and the word spaces close by more than 0.1 em
    # the line still fills its measure exactly
    assert abs(tracked.xs[-1] + tracked.advances[-1] - W) < 0.05


def test_normal_lines_are_not_tracked():
    lines = lines_for(prepare([Run("The economy was generally stable over the year, the quality of development "
                                   "rose steadily and people's well-being kept improving. " * 4)], STYLE), W)
    assert all(max(gaps(ln)[1], default=0.0) < 1e-6 for ln in lines if ln.ratio <= 1)
