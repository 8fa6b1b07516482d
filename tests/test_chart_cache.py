"""The chart cache cannot make a wrong PDF: damaged, swapped, symlinked, truncated or foreign entries are
discarded with one line naming the cache and drawn again; writes leave no temporary files; a read-only or
full cache still builds, quietly; matplotlib keeps its files in our cache and its warnings to itself."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_charts import WIDTH, samples

from briefing import cachefile, charts
from briefing.charts import cache

ROOT = Path(__file__).resolve().parent.parent

ZH = samples("zh")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    charts._font_fingerprints.cache_clear()
    charts._reported.clear()


def entry(chart) -> Path:
    return cache.cache_dir() / f"{charts.cache_key(chart, WIDTH)}.json"


def fresh(chart) -> charts.Figure:
    return charts.render(chart, WIDTH, cache=False)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def assert_redrawn(chart, caplog: pytest.LogCaptureFixture, why: str) -> None:
    """The chart comes back right, one warning line names the cache and the reason, the entry is good again."""
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        got = charts.render(chart, WIDTH)
    assert got == fresh(chart)
    lines = warnings_of(caplog)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"briefing: chart cache {cache.cache_dir()}: entry ")
    assert why in lines[0] and "\n" not in lines[0]
    assert lines[0].endswith("; discarded and redrawn")
    assert cache.read(charts.cache_key(chart, WIDTH)) == got     # stored afresh, and valid


def test_swapped_entries_are_refused(caplog: pytest.LogCaptureFixture) -> None:
    a, b = ZH["hbar"], ZH["bar"]
    charts.render(a, WIDTH)
    charts.render(b, WIDTH)
    pa, pb = entry(a), entry(b)
    da, db = pa.read_bytes(), pb.read_bytes()
    pa.write_bytes(db)
    pb.write_bytes(da)
    assert_redrawn(a, caplog, "belongs to another key")
    assert_redrawn(b, caplog, "belongs to another key")


def test_a_symlinked_entry_is_refused_and_its_target_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    a, b = ZH["hbar"], ZH["donut"]
    charts.render(b, WIDTH)
    charts.render(a, WIDTH)
    entry(a).unlink()
    entry(a).symlink_to(entry(b))
    assert_redrawn(a, caplog, "is a symbolic link")
    assert not entry(a).is_symlink()
    assert cache.read(charts.cache_key(b, WIDTH)) == fresh(b)


@pytest.mark.parametrize("content, why", [
    (b'{"ops": []}', "has no header"),                                   # a foreign file
    (b"[]", "has no header"),
    (b"", "has no header"),
    (b"\x00\xff garbage", "has no header"),
    (b'{"briefing-chart-cache": 1, "key": "x"\n{}', "has a damaged header"),
    (b'{"some-other-tool": 1, "key": "x", "bytes": 2, "sha256": "0"}\n{}', "has no header of ours"),
])
def test_foreign_files_are_refused(content: bytes, why: str, caplog: pytest.LogCaptureFixture) -> None:
    chart = ZH["grouped"]
    charts.render(chart, WIDTH)
    entry(chart).write_bytes(content)
    assert_redrawn(chart, caplog, why)


def test_truncated_and_flipped_entries_are_refused(caplog: pytest.LogCaptureFixture) -> None:
    chart = ZH["line"]
    charts.render(chart, WIDTH)
    good = entry(chart).read_bytes()
    entry(chart).write_bytes(good[: len(good) // 2])
    assert_redrawn(chart, caplog, "is truncated")
    flipped = bytearray(good)
    flipped[-40] ^= 0x01
    entry(chart).write_bytes(bytes(flipped))
    assert_redrawn(chart, caplog, "fails its checksum")


@pytest.mark.parametrize("payload", [
    {"ops": []},                                                           # right checksum, wrong shape
    {"width": WIDTH, "height": 100.0, "ops": []},                          # a blank chart
    {"width": WIDTH, "height": "100", "ops": [{"t": "path"}]},             # wrong types
    {"width": WIDTH, "height": 100.0, "ops": [{"t": "text", "text": "x", "x": 0, "y": 0, "size": 1e9,
                                              "bold": False, "angle": 0, "color": "#000000",
                                              "anchor": "left", "lang": "zh"}]},   # out of range
    "[" * 100_000 + "]" * 100_000,                                         # too deep for any parser
])
def test_entries_with_a_valid_checksum_but_not_a_drawing_are_refused(payload, caplog) -> None:
    chart = ZH["progress"]
    key = charts.cache_key(chart, WIDTH)
    raw = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
    cache.cache_dir().mkdir(parents=True, exist_ok=True)
    entry(chart).write_bytes(cache.encode(key, raw))
    assert_redrawn(chart, caplog, "is not a valid drawing")


def test_a_fifo_or_a_folder_in_place_of_an_entry_does_not_block(caplog: pytest.LogCaptureFixture) -> None:
    chart = ZH["hbar"]
    cache.cache_dir().mkdir(parents=True, exist_ok=True)
    os.mkfifo(entry(chart))
    t = time.perf_counter()
    assert_redrawn(chart, caplog, "is not a regular file")
    assert time.perf_counter() - t < 20


def test_an_oversized_entry_is_not_read_whole(monkeypatch, caplog) -> None:
    chart = ZH["hbar"]
    charts.render(chart, WIDTH)
    monkeypatch.setattr(cache, "MAX_ENTRY", 100)
    with caplog.at_level(logging.WARNING):
        assert charts.render(chart, WIDTH) == fresh(chart)
    assert "is larger than 100 bytes; discarded and redrawn" in warnings_of(caplog)[0]


@pytest.mark.parametrize("content", [b"[]", b'{"ops": []}', b"x" * 10, b"{" * 50_000])
def test_a_damaged_font_digest_store_is_rebuilt(content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    chart = ZH["hbar"]
    charts.render(chart, WIDTH)
    key = charts.cache_key(chart, WIDTH)
    (cache.cache_dir() / "fonts.json").write_bytes(content)
    charts._font_fingerprints.cache_clear()
    with caplog.at_level(logging.WARNING):
        assert charts.render(chart, WIDTH) == fresh(chart)
    lines = warnings_of(caplog)
    assert len(lines) == 1 and "font digests fonts.json" in lines[0], lines
    assert charts.cache_key(chart, WIDTH) == key                      # the same digests, recomputed
    charts._font_fingerprints.cache_clear()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        charts.render(chart, WIDTH)
    assert warnings_of(caplog) == []                                  # and stored afresh


def test_many_damaged_entries_make_one_line(caplog: pytest.LogCaptureFixture) -> None:
    from briefing.load import load
    from briefing.localize import localize

    local = localize(load(str(ROOT / "content" / "jiaozuo-2025-h1.yaml")), "zh")
    with charts.draw_charts(local, WIDTH, parallel=False):
        pass
    for f in cache.cache_dir().glob("*.json"):
        if f.name != "fonts.json":
            f.write_bytes(b'{"ops": []}')
    with caplog.at_level(logging.WARNING), charts.draw_charts(local, WIDTH, parallel=False) as d:
        figs = [d.figure(c) for c in charts.charts_of(local)]
    lines = warnings_of(caplog)
    assert len(lines) == 1 and "more)" in lines[0], lines
    assert all(f.ops for f in figs)


def test_writes_leave_no_temporary_files_and_stale_ones_are_swept(tmp_path: Path) -> None:
    folder = cache.cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / f"{cache.TMP_PREFIX}killed.part"      # what a killed write leaves
    recent = folder / f"{cache.TMP_PREFIX}writing.part"    # another build, writing right now
    stale.write_bytes(b"half")
    recent.write_bytes(b"half")
    old = time.time() - cache.STALE_S - 10
    os.utime(stale, (old, old))
    cachefile._swept.clear()
    charts.render(ZH["hbar"], WIDTH)
    names = sorted(p.name for p in folder.iterdir())
    assert stale.name not in names and recent.name in names
    assert [n for n in names if n.startswith(cache.TMP_PREFIX)] == [recent.name]


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "c"
    folder.mkdir()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    assert cache.write_atomic(folder / "x.json", b"data") is False
    assert list(folder.iterdir()) == []


# ---------------------------------------------------------------- whole builds, as a user runs them

CHART_DOC = (ROOT / "tests" / "data" / "mini.yaml").read_text("utf-8") + """
          - chart:
              kind: hbar
              title: {zh: 增速, en: Growth}
              unit: {zh: "%", en: "%"}
              items:
                - {value: gdp.growth, note: "{gdp.rank:scoped}"}
                - {value: revenue_growth}
          - chart:
              kind: line
              title: {zh: 趋势, en: Trend}
              unit: {zh: "%", en: "%"}
              x: [{zh: 一季度, en: Q1}, {zh: 上半年, en: H1}]
              series:
                - {label: {zh: 本市, en: City}, values: [revenue_growth, gdp.growth]}
                - {label: {zh: 全省, en: Province}, values: [services_prov, services]}
"""


def build(tmp_path: Path, xdg: Path, *extra: str, env: dict | None = None,
          cwd: Path | None = None) -> subprocess.CompletedProcess:
    doc = tmp_path / "chart.yaml"
    doc.write_text(CHART_DOC, "utf-8")
    (tmp_path / "tmp").mkdir(exist_ok=True)
    e = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(xdg), "TMPDIR": str(tmp_path / "tmp"),
         **(env or {})}
    for name in ("MPLCONFIGDIR", "MATPLOTLIBRC"):
        if name not in (env or {}):
            e.pop(name, None)
    e["SOURCE_DATE_EPOCH"] = "1"
    return subprocess.run([sys.executable, "-m", "briefing", "build", str(doc), "--lang", "zh",
                           "--out-dir", str(tmp_path / "out"), *extra], env=e, capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    # pypdf before 7.1 extracts an ideographic space followed by a space ("图1\u3000 增速")
    return "".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\u3000 ", "\u3000")


def quiet_success(r: subprocess.CompletedProcess, tmp_path: Path) -> None:
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr                      # no warnings at all, from us or matplotlib
    text = pdf_text(tmp_path / "out" / "mini.zh.pdf")
    assert "图1\u3000增速" in text and "\n2%\n" in text            # the chart and its ticks
    assert [p.name for p in (tmp_path / "tmp").iterdir()] == []   # no matplotlib-* (or other) folders


@pytest.mark.slow
def test_matplotlib_keeps_its_files_in_our_cache_and_a_users_matplotlibrc_changes_nothing(tmp_path: Path) -> None:
    rc = "lines.linewidth: 9\nmarkers.fillstyle: none\nlines.dash_capstyle: round\n"
    r = build(tmp_path, tmp_path / "xdg")
    quiet_success(r, tmp_path)
    plain = (tmp_path / "out" / "mini.zh.pdf").read_bytes()
    assert (tmp_path / "xdg" / "briefing" / "matplotlib").is_dir()
    user = tmp_path / "user-mpl"
    user.mkdir()
    (user / "matplotlibrc").write_text(rc)
    (tmp_path / "matplotlibrc").write_text(rc)            # matplotlib also reads one in the working folder
    r = build(tmp_path, tmp_path / "xdg2", env={"MPLCONFIGDIR": str(user), "MATPLOTLIBRC": str(user)},
              cwd=tmp_path)
    quiet_success(r, tmp_path)
    assert [p.name for p in user.iterdir()] == ["matplotlibrc"]
    assert (tmp_path / "out" / "mini.zh.pdf").read_bytes() == plain


@pytest.mark.slow
def test_a_cache_that_cannot_be_created_still_builds_quietly(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    quiet_success(build(tmp_path, blocker), tmp_path)


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return r.returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("state", ["read-only", "full"])
def test_a_read_only_or_full_cache_still_builds_quietly(tmp_path: Path, state: str) -> None:
    mnt = tmp_path / "mnt"
    if not _mount_tmpfs(mnt, "256k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        if state == "full":
            (mnt / "briefing" / "charts").mkdir(parents=True)   # the folders exist, nothing more fits
            try:
                with open(mnt / "filler", "wb") as f:
                    while True:
                        f.write(b"\0" * 4096)
                        f.flush()
            except OSError:
                pass
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        quiet_success(build(tmp_path, mnt), tmp_path)
        if state == "full":
            leftovers = [p for p in mnt.rglob("*") if p.name.startswith(cache.TMP_PREFIX)]
            assert leftovers == []
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_writer_killed_mid_write_leaves_no_half_entry_and_its_temporary_file_is_swept(tmp_path: Path) -> None:
    """SIGKILL a process that writes large entries in a loop: every entry left verifies, and the temporary
    file it was writing is removed by the next build's first write once it is stale."""
    import signal

    folder = tmp_path / "cache" / "briefing" / "charts"
    code = f"""
import sys; sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from briefing.charts import cache
folder = Path({str(folder)!r})
payload = b"x" * 4_000_000
i = 0
while True:
    cache.write_atomic(folder / f"{{i % 5:064x}}.json", cache.encode(f"{{i % 5:064x}}", payload))
    i += 1
"""
    proc = subprocess.Popen([sys.executable, "-c", code])
    end = time.monotonic() + 60
    while time.monotonic() < end and not (folder.is_dir() and len(list(folder.glob("*.json"))) >= 2):
        time.sleep(0.05)
    time.sleep(0.13)   # somewhere in the middle of a later write
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    entries = [p for p in folder.iterdir() if not p.name.startswith(cache.TMP_PREFIX)]
    assert entries
    for p in entries:   # each entry is whole: its header's length and checksum hold
        cache.decode(p.stem, p.read_bytes())
    left = [p for p in folder.iterdir() if p.name.startswith(cache.TMP_PREFIX)]   # the write it was in, if any
    assert cache.sweep(folder) == 0                                                  # not stale yet: kept
    assert cache.sweep(folder, now=time.time() + cache.STALE_S + 1) == len(left)
    assert not [p for p in folder.iterdir() if p.name.startswith(cache.TMP_PREFIX)]


def _silently_redrawn(chart, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        got = charts.render(chart, WIDTH)
    assert got == fresh(chart)
    assert warnings_of(caplog) == []
    assert cache.read(charts.cache_key(chart, WIDTH)) == got     # replaced by an entry of this version


def test_entries_from_another_version_are_replaced_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """After an upgrade (or a downgrade) the cache holds entries in another format: not damage, no warning."""
    chart = ZH["grouped"]
    key = charts.cache_key(chart, WIDTH)
    charts.render(chart, WIDTH)
    drawing = json.dumps(fresh(chart).to_json(), separators=(",", ":")).encode()
    for old in (drawing,                                                # before entries had headers
                json.dumps({cache.MAGIC: cache.FORMAT + 1, "key": key, "bytes": 2, "sha256": "0"}).encode()
                + b"\n{}",                                              # a newer format
                cache.encode(key, drawing).replace(f'"{cache.MAGIC}": {cache.FORMAT}'.encode(),
                                                   f'"{cache.MAGIC}": 0'.encode())):   # an older one
        entry(chart).write_bytes(old)
        _silently_redrawn(chart, caplog)


def test_font_digests_from_another_version_are_replaced_without_a_warning(caplog) -> None:
    chart = ZH["hbar"]
    charts.render(chart, WIDTH)
    store = cache.cache_dir() / "fonts.json"
    digests = json.loads(cache.decode("fonts", store.read_bytes()))
    store.write_text(json.dumps(digests, sort_keys=True, indent=0))    # how versions before headers kept it
    charts._font_fingerprints.cache_clear()
    charts._reported.clear()
    _silently_redrawn(chart, caplog)
    assert json.loads(cache.decode("fonts", store.read_bytes())) == digests   # stored again in this format
    store.write_bytes(b"[]")                                            # damaged: one warning, as before
    charts._font_fingerprints.cache_clear()
    charts._reported.clear()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        charts.render(ZH["bar"], WIDTH)
    assert [w for w in warnings_of(caplog) if "fonts.json" in w] == [
        f"briefing: chart cache {cache.cache_dir()}: font digests fonts.json has no header; discarded and redrawn"]
