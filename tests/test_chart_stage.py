"""Charts as a stage of their own: plain data with alt text, drawn in a worker while the text is laid out,
the same PDF either way; render and vector never reach the model; compose does no cache I/O."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_charts import WIDTH, samples

from briefing import charts
from briefing.charts.alt import STRINGS, alt_text
from briefing.charts.worker import can_fork

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    charts._font_fingerprints.cache_clear()


def imports_of(module: str) -> set[str]:
    tree = ast.parse((ROOT / "briefing" / module).read_text("utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            out.add(base)
            out.update(f"{base}.{a.name}" if not node.module else base for a in node.names)
            if node.level and not node.module:
                out.update("." + a.name for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


@pytest.mark.parametrize("module", ["render.py", "vector.py", "figure.py"])
def test_render_and_vector_never_reach_the_model_or_the_chart_stage(module: str) -> None:
    bad = {".model", ".charts", ".localize", ".load", ".compose", "matplotlib"}
    assert not {i for i in imports_of(module) if i in bad or i.startswith("matplotlib")}


def test_compose_does_no_cache_io() -> None:
    src = (ROOT / "briefing" / "compose.py").read_text("utf-8")
    assert "cache=False" in src and "charts.render(c, width, cache=False)" in src   # the only drawing call
    assert not {i for i in imports_of("compose.py") if "cache" in i}
    assert "open(" not in src and "cache_dir" not in src


def test_alt_text_tables_have_the_same_keys() -> None:
    assert STRINGS["zh"].keys() == STRINGS["en"].keys()
    assert set(charts.KINDS) <= STRINGS["zh"].keys()


def test_alt_text_names_kind_title_and_every_label_with_its_value_as_printed() -> None:
    zh, en = samples("zh"), samples("en")
    assert alt_text(zh["hbar"]) == (
        "条形图：主要经济指标同比增速。单位：同比增长（%）。地区生产总值6.3%，全省第6位；一般公共预算收入4.5%，全省第1位；"
        "社会消费品零售总额8.2%，全省第3位；固定资产投资6.6%，全省第5位；规上工业增加值8.4%，全省第8位。")
    assert alt_text(en["hbar"]) == (
        "Bar chart: Main indicators, growth. Unit: Year-on-year growth (%). GDP 6.3%, 6th in Henan; "
        "General public budget revenue 4.5%, 1st in Henan; Retail sales of consumer goods 8.2%, 3rd in Henan; "
        "Fixed-asset investment 6.6%, 5th in Henan; Value added of industry above designated size 8.4%, 8th in Henan.")
    assert alt_text(zh["grouped"]).endswith("高技术产业增加值：焦作43.8%，全省14.9%；战略性新兴产业增加值：焦作15.2%，全省10.7%；"
                                            "服务业增加值：焦作6.9%，全省6.0%。")
    assert "Jiaozuo: Q1 5.9%, Jan–Apr 6.0%, Jan–May 6.1%, H1 6.3%; Henan: Q1 5.9%" in alt_text(en["line"])
    assert alt_text(zh["hbar_ref"]).endswith("；参考线：规上工业增加值8.4%。")
    assert alt_text(en["donut"]) == ("Donut chart: Spending on livelihoods. Livelihood spending 75.6%; "
                                     "Other spending 24.4%; centre: 75.6%.")
    assert alt_text(zh["progress"]) == ("进度图：年度目标完成情况。城镇新增就业3.91万人，完成年度目标的66.6%，目标5.86万人，完成66.7%；"
                                        "新设企业9万户，目标15万户，完成60%。")
    # every value label the chart prints is in its alt text
    for lang in ("zh", "en"):
        for chart in samples(lang).values():
            alt = alt_text(chart)
            for p in list(chart.points) + [p for row in chart.matrix for p in row]:
                assert p.text in alt


def test_the_stage_gives_figures_with_alt_text_and_the_worker_draws_them_the_same() -> None:
    from briefing.load import load
    from briefing.localize import localize

    local = localize(load(str(SAMPLE)), "en")
    found = charts.charts_of(local)
    assert len(found) >= 5
    with charts.draw_charts(local, WIDTH, cache=False, parallel=False) as here:
        mine = [here.figure(c) for c in found]
    with charts.draw_charts(local, WIDTH, cache=False, parallel=True) as there:
        assert there.pending == can_fork()
        theirs = [there.figure(c) for c in found]
        assert not there.pending
    assert mine == theirs
    assert [f.alt for f in mine] == [alt_text(c) for c in found] == [f.alt for f in theirs]


def test_a_worker_that_dies_is_replaced_by_drawing_here() -> None:
    import signal

    from briefing.load import load
    from briefing.localize import localize

    if not can_fork():
        pytest.skip("one core: no worker")
    local = localize(load(str(SAMPLE)), "zh")
    found = charts.charts_of(local)
    with charts.draw_charts(local, WIDTH, cache=False) as d:
        os.kill(d._worker.pid, signal.SIGKILL)
        figs = [d.figure(c) for c in found]
    assert figs == [charts.render(c, WIDTH, cache=False) for c in found]


def _build(env: dict, *args: str) -> subprocess.CompletedProcess:
    code = ("import sys, json; from briefing.pipeline import build, BuildOptions; "
            "pdf = build(sys.argv[1], 'zh', BuildOptions(parallel=sys.argv[2] == '1')); "
            "open(sys.argv[3], 'wb').write(pdf); "
            "print(json.dumps(['matplotlib' in sys.modules, [m for m in sys.modules if m.startswith('matplotlib.')]]))")
    return subprocess.run([sys.executable, "-c", code, str(SAMPLE), *args], env=env, capture_output=True,
                          text=True, timeout=180, check=True)


@pytest.mark.slow
def test_worker_or_not_cached_or_not_the_pdf_is_the_same_and_a_warm_build_never_imports_matplotlib(
        tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "x"), "SOURCE_DATE_EPOCH": "1"}
    a, b, c = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"
    cold = json.loads(_build(env, "1", str(a)).stdout)
    warm = json.loads(_build(env, "1", str(b)).stdout)
    env["XDG_CACHE_HOME"] = str(tmp_path / "y")
    here = json.loads(_build(env, "0", str(c)).stdout)
    assert a.read_bytes() == b.read_bytes() == c.read_bytes()
    assert warm == [False, []]                       # all cached: matplotlib never imported
    assert here[0] is True                           # drawn in this process: imported here
    if can_fork():
        assert cold == [False, []]                   # drawn in the worker: never imported by the build
    # only the parts the drawing needs: no pyplot, no GUI or file backends
    assert not [m for m in here[1] if m.startswith(("matplotlib.pyplot", "matplotlib.backends.backend_"))]


def test_the_chart_worker_dies_with_a_killed_build(tmp_path: Path) -> None:
    """SIGKILL the build while its worker is drawing (a drawing made to take a minute): the worker goes at
    once too, and writes nothing into the cache after the kill."""
    import signal
    import time

    if not can_fork():
        pytest.skip("one core: no worker")
    code = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from briefing import charts
from briefing.load import load
from briefing.localize import localize
import briefing.charts.kinds as kinds
def draw(chart, width):   # a drawing that would outlive the test
    open({str(tmp_path / "drawing")!r}, "w").close()
    time.sleep(60)
kinds.draw = draw
d = charts.draw_charts(localize(load({str(SAMPLE)!r}), "zh"), 480.0)
print(d._worker.pid, flush=True)
time.sleep(60)
"""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    worker = int(proc.stdout.readline())
    end = time.monotonic() + 60
    while not (tmp_path / "drawing").exists() and time.monotonic() < end:   # the worker is drawing
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{worker}/stat") as f:   # a zombie waiting for init to reap it counts as gone
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.02)
    else:
        os.kill(worker, signal.SIGKILL)
        raise AssertionError("the chart worker outlived its build")
    entries = list((tmp_path / "xdg" / "briefing" / "charts").glob("*.json"))
    time.sleep(1.0)
    assert list((tmp_path / "xdg" / "briefing" / "charts").glob("*.json")) == entries   # nothing written after


def test_no_process_to_spare_draws_the_charts_here(monkeypatch) -> None:
    from briefing.load import load
    from briefing.localize import localize

    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    local = localize(load(str(SAMPLE)), "zh")
    with charts.draw_charts(local, WIDTH, cache=False) as d:
        assert not d.pending
        figs = [d.figure(c) for c in charts.charts_of(local)]
    assert figs == [charts.render(c, WIDTH, cache=False) for c in charts.charts_of(local)]
