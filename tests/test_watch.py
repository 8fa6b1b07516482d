"""`briefing watch`, as a user runs it: build, then edit, break, fix (in place and by rename, as editors
save), each save giving the right PDF or the right one-line error without exiting; Ctrl-C exits 130."""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = (ROOT / "tests" / "data" / "mini.yaml").read_text("utf-8")
OLD_ZH, OLD_EN = "记者获悉", "it was learned"


class Watch:
    """A running `briefing watch` whose output lines are read as they come."""

    def __init__(self, tmp: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp / "xdg"), "SOURCE_DATE_EPOCH": "1"}
        env.pop("BRIEFING_DEBUG", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "briefing", "watch", *args], cwd=tmp, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._pump, args=(name, stream), daemon=True).start()

    def _pump(self, name: str, stream) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def until(self, pattern: str, timeout: float = 60) -> list[tuple[str, str]]:
        """Lines up to and including the first that matches `pattern`."""
        got: list[tuple[str, str]] = []
        end = time.monotonic() + timeout
        while True:
            try:
                item = self.lines.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in {timeout} s; got {got}") from None
            got.append(item)
            assert "Traceback" not in item[1], got
            if re.search(pattern, item[1]):
                return got

    def stop(self) -> subprocess.CompletedProcess:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, rest)


def text_of(pdf: Path) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(str(pdf)).pages).replace("\n", "")


def save(path: Path, text: str, by_rename: bool = False) -> None:
    """Save as an editor does: in place, or to a new file renamed over the old one (a new inode)."""
    time.sleep(0.02)   # a distinct modification time even on coarse file systems
    if by_rename:
        tmp = path.with_name(f".{path.name}.swp")
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)
    else:
        path.write_text(text, "utf-8")


def rebuilt_seconds(lines: list[tuple[str, str]]) -> float:
    return float(re.search(r"\((\d+\.\d+) s\)$", lines[-1][1]).group(1))


@pytest.fixture()
def doc(tmp_path: Path) -> Path:
    p = tmp_path / "brief.yaml"
    p.write_text(MINI, "utf-8")
    return p


@pytest.mark.slow
def test_edit_break_fix_each_give_the_right_pdf_or_error(tmp_path: Path, doc: Path) -> None:
    pdf = tmp_path / "out" / "mini.zh.pdf"
    w = Watch(tmp_path, "brief.yaml", "--lang", "zh")
    try:
        w.until(r"^brief\.yaml → out/mini\.zh\.pdf \(\d+\.\d+ s\)$")
        assert OLD_ZH in text_of(pdf)

        save(doc, MINI.replace(OLD_ZH, "记者从市统计局获悉"))                       # an edit, in place
        w.until(r"→ out/mini\.zh\.pdf")
        assert "记者从市统计局获悉" in text_of(pdf)

        broken = MINI.replace("sections:", "sections: [", 1)                       # a broken save, by rename
        before = pdf.read_bytes()
        save(doc, broken, by_rename=True)
        lines = w.until(r"not rebuilt")
        errors = [t for s, t in lines if s == "err"]
        assert errors[0].startswith("brief.yaml:") and re.match(r"brief\.yaml:\d+:\d+: ", errors[0]), errors
        assert errors[-1].startswith("brief.yaml: not rebuilt (")
        assert all("\n" not in e for e in errors)
        assert pdf.read_bytes() == before                                          # the last good PDF stays

        save(doc, MINI.replace(OLD_ZH, "记者从市发改委获悉"), by_rename=True)         # fixed, by rename
        w.until(r"→ out/mini\.zh\.pdf")
        assert "记者从市发改委获悉" in text_of(pdf)

        save(doc, MINI.replace("{gdp.growth}", "{gdp.growht}", 1))                # a content error
        lines = w.until(r"not rebuilt")
        assert any("gdp.growht" in t for s, t in lines if s == "err"), lines
        assert w.proc.poll() is None                                               # still watching
    finally:
        r = w.stop()
    assert r.returncode == 130
    assert ("err", "briefing: interrupted") in r.stdout
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["mini.zh.pdf"]        # no temporary files


@pytest.mark.slow
def test_an_edit_to_one_language_rebuilds_only_that_one(tmp_path: Path, doc: Path) -> None:
    w = Watch(tmp_path, "brief.yaml", "--out-dir", "pdfs")
    try:
        w.until(r"→ pdfs/mini\.zh\.pdf, pdfs/mini\.en\.pdf")
        zh = (tmp_path / "pdfs" / "mini.zh.pdf").stat().st_mtime_ns
        save(doc, MINI.replace(OLD_EN, "we learned"))
        lines = w.until(r"→ ")
        assert lines[-1][1].startswith("brief.yaml → pdfs/mini.en.pdf; zh unchanged (")
        assert "we learned" in text_of(tmp_path / "pdfs" / "mini.en.pdf")
        assert (tmp_path / "pdfs" / "mini.zh.pdf").stat().st_mtime_ns == zh
        # a deleted PDF is written again at the next save, even if its language did not change
        (tmp_path / "pdfs" / "mini.zh.pdf").unlink()
        save(doc, MINI.replace(OLD_EN, "we heard"))
        w.until(r"→ pdfs/mini\.zh\.pdf, pdfs/mini\.en\.pdf")
    finally:
        assert w.stop().returncode == 130


@pytest.mark.slow
def test_a_file_that_goes_away_and_comes_back(tmp_path: Path, doc: Path) -> None:
    w = Watch(tmp_path, "brief.yaml", "--lang", "en", "-o", "x.pdf")
    try:
        w.until(r"→ x\.pdf")
        doc.unlink()
        w.until(r"^brief\.yaml: the file is gone; waiting for it to come back$")
        save(doc, MINI.replace(OLD_EN, "we heard"))
        w.until(r"→ x\.pdf")
        assert "we heard" in text_of(tmp_path / "x.pdf")
    finally:
        assert w.stop().returncode == 130


def test_watch_usage_errors(tmp_path: Path, doc: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "briefing", "watch", "brief.yaml", "-o", "x.pdf"], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr == "-o: names one output file, but this command builds several — give one --lang, or use --out-dir\n"


@pytest.mark.slow
def test_a_rebuild_in_one_process_gives_the_same_pdf_as_a_fresh_build(tmp_path: Path, monkeypatch) -> None:
    """The watcher reuses the paragraphs it has set before; the result must not differ from a new process."""
    from briefing.load import load
    from briefing.pipeline import BuildOptions, build_model

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    sample = (ROOT / "content" / "jiaozuo-2025-h1.yaml").read_text("utf-8")
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(sample, "utf-8")
    second.write_text(sample.replace("上半年，全市", "上半年，全市上下", 1).replace("In the first half", "Over the first half", 1),
                      "utf-8")
    opts = BuildOptions(parallel=False)
    for lang in ("zh", "en"):
        build_model(load(str(first)), lang, opts)
        again = build_model(load(str(second)), lang, opts)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = tmp_path / f"fresh.{lang}.pdf"
        subprocess.run([sys.executable, "-m", "briefing", "build", str(second), "--lang", lang, "-o", str(out)],
                       env=env, check=True, capture_output=True, timeout=120)
        assert again == out.read_bytes()


@pytest.mark.parametrize("target, says", [
    ("brief.yaml", "-o brief.yaml is the input brief.yaml; it would be lost — give -o the name of a new .pdf file"),
    ("notes.txt", "-o notes.txt already exists and is not a PDF — choose another name, or add --force to replace it"),
])
def test_watch_never_writes_over_its_content_or_a_file_that_is_not_a_pdf(tmp_path: Path, doc: Path, target: str,
                                                                         says: str) -> None:
    (tmp_path / "notes.txt").write_text("my notes", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    r = subprocess.run([sys.executable, "-m", "briefing", "watch", "brief.yaml", "--lang", "zh", "-o", target],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stderr
    assert len(r.stderr.splitlines()) == 1 and says in r.stderr, r.stderr
    assert doc.read_text("utf-8") == MINI and (tmp_path / "notes.txt").read_text("utf-8") == "my notes"


def test_an_id_changed_to_clash_with_the_content_file_is_refused_at_that_save(tmp_path: Path) -> None:
    """--out-dir . and the content file named like its PDF: the save that makes the id match is an error,
    and the content file is left as it is."""
    doc = tmp_path / "x.zh.pdf"          # a content file with an unusual name
    doc.write_text(MINI, "utf-8")
    w = Watch(tmp_path, "x.zh.pdf", "--lang", "zh", "--out-dir", ".")
    try:
        w.until(r"→ mini\.zh\.pdf")
        changed = MINI.replace("id: mini", "id: x", 1)
        save(doc, changed)
        lines = w.until(r"not rebuilt")
        assert any("is the input" in t for s, t in lines if s == "err"), lines
        assert doc.read_text("utf-8") == changed
    finally:
        assert w.stop().returncode == 130


@pytest.mark.slow
def test_warnings_are_shown_when_a_save_changes_them_and_not_again(tmp_path: Path, doc: Path) -> None:
    """As `briefing build` prints `check`'s warnings, watch prints them at the first build; after that a
    save prints the warnings it brought and counts those it cleared, and a save that leaves them as they
    were (even moved by a line added above) prints none."""
    stray = MINI.replace("记者获悉，上半年", "记者获悉，上半年增长7.9%，")
    doc.write_text(stray, "utf-8")
    w = Watch(tmp_path, "brief.yaml", "--lang", "zh")

    def rebuilt() -> list[tuple[str, str]]:
        """The lines of one rebuild: up to its status line on stdout, and stderr lines that raced it."""
        lines = w.until(r"→ out/mini\.zh\.pdf")
        time.sleep(0.5)
        while not w.lines.empty():
            lines.append(w.lines.get())
        return lines

    try:
        lines = rebuilt()
        warned = [t for s, t in lines if s == "err"]
        assert len(warned) == 2 and all(re.match(r"brief\.yaml:\d+:\d+: warning: ", t) for t in warned), lines
        assert "figure ‘7.9%’ typed as text" in warned[1]

        save(doc, "# a comment that moves every line\n" + stray.replace(OLD_ZH, "记者从市统计局获悉"))
        lines = rebuilt()
        assert [t for s, t in lines if s == "err"] == [], lines              # the same warnings: not again

        both = stray.replace("高于全省平均水平", "高于全省平均水平0.9个百分点，")
        save(doc, both)
        lines = rebuilt()
        new = [t for s, t in lines if s == "err"]
        assert len(new) == 1 and "figure ‘0.9个百分点’ typed as text" in new[0], lines   # only what it brought

        save(doc, MINI)
        lines = rebuilt()
        assert [t for s, t in lines if s == "err"] == [f"brief.yaml: {len(warned) + len(new)} warnings fixed, none left"]
    finally:
        assert w.stop().returncode == 130
