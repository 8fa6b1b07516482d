"""What a user gets from an install: `briefing new`, `briefing build` with no file, the bundled fonts and
sample, and clear errors when a font file is missing or damaged.

(.ci/run checks the same through a real wheel installed in a fresh virtual environment.)
"""
from __future__ import annotations

import fnmatch
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing import bundled, fonts
from briefing.cli import main
from briefing.errors import BriefingError
from briefing.load import load
from briefing.starter import find_content, is_content_file

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini.yaml"
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"
NO_CONTENT = ("briefing build: no content file here (a .yaml file with 'briefing: 1' in ./ or ./content/) — run "
              "`briefing new NAME` to start one from the sample, or name a file: briefing build FILE.yaml\n")


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


# ---- briefing new -------------------------------------------------------------------------------------

def test_new_writes_the_sample_renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    rc, out, err = cli(capsys, "new", "demo")
    assert (rc, err) == (0, "")
    assert out == "wrote demo.yaml (the sample briefing, id demo): edit it, then `briefing build`\n"
    text = (tmp_path / "demo.yaml").read_text(encoding="utf-8")
    # the editor's schema line points at the schema that came with the package
    first = text.splitlines()[0]
    assert first == f"# yaml-language-server: $schema={bundled.schema().as_uri()}" and bundled.schema().is_file()
    b, sample = load(tmp_path / "demo.yaml"), load(SAMPLE)
    assert b.id == "demo"
    # everything else is the sample's
    assert (b.title, b.data.keys(), len(b.sections)) == (sample.title, sample.data.keys(), len(sample.sections))
    assert list(tmp_path.iterdir()) == [tmp_path / "demo.yaml"]   # no temporary file left


@pytest.mark.parametrize("arg, written", [("q3.yaml", "q3.yaml"), ("reports/q3", "reports/q3.yaml"),
                                          ("v1.2", "v1.2.yaml")])
def test_new_takes_a_folder_and_the_suffix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys,
                                           arg: str, written: str) -> None:
    monkeypatch.chdir(tmp_path)
    rc, out, _ = cli(capsys, "new", arg)
    assert rc == 0 and out.startswith(f"wrote {written} ")
    assert load(tmp_path / written).id == Path(written).stem


def test_new_never_writes_over_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo.yaml").write_text("mine\n")
    rc, out, err = cli(capsys, "new", "demo")
    assert (rc, out) == (1, "")
    assert err == "demo.yaml: already exists; it was left as it is — choose another name, or remove the file first\n"
    assert (tmp_path / "demo.yaml").read_text() == "mine\n"


@pytest.mark.parametrize("name", ["my brief", "-x", "报告", ".hidden"])
def test_new_refuses_a_name_unusable_for_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys,
                                              name: str) -> None:
    monkeypatch.chdir(tmp_path)
    rc, out, err = cli(capsys, "new", "--", name) if name.startswith("-") else cli(capsys, "new", name)
    assert (rc, out) == (1, "")
    assert err == (f"briefing new: '{name}' is not usable as a briefing name (it names the file and the PDFs) — "
                   "use letters, digits, '-', '_' and '.', e.g. briefing new q3-report\n")
    assert list(tmp_path.iterdir()) == []


# ---- what `briefing build` builds without a file -----------------------------------------------------------

def test_build_without_content_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")   # YAML, but not a briefing
    assert cli(capsys, "build") == (1, "", NO_CONTENT)
    assert not (tmp_path / "out").exists()


def test_the_one_content_file_of_the_folder_is_chosen(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("title: not a briefing\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "b.yml").write_text("briefing: 1\n")
    assert find_content(tmp_path) == tmp_path / "content" / "b.yml"
    (tmp_path / "a.yaml").write_text("# comment\n\ufeffbriefing: 1\n")
    assert find_content(tmp_path) == tmp_path / "a.yaml"        # ./ before ./content/
    (tmp_path / "c.yaml").write_text("briefing: 1\n")
    with pytest.raises(Exception) as ei:
        find_content(tmp_path)
    assert str(ei.value) == (f"briefing build: 2 content files in {tmp_path.as_posix()}/ (a.yaml, c.yaml) — "
                             f"name the one to build, e.g. briefing build {(tmp_path / 'a.yaml').as_posix()}")


def test_a_checkout_builds_the_sample() -> None:
    assert find_content(ROOT) == SAMPLE
    assert not is_content_file(ROOT / "pyproject.toml") and is_content_file(MINI)


@pytest.mark.slow
def test_new_then_build_in_an_empty_folder(tmp_path: Path) -> None:
    """The README's first steps, as a user types them, outside the checkout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BRIEFING_FONTS", None)
    for args in (["new", "demo"], ["build"]):
        r = subprocess.run([sys.executable, "-m", "briefing", *args], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith("demo.yaml → out/demo.zh.pdf, out/demo.en.pdf (")
    for lang, title in (("zh", "焦作市2025年上半年经济运行情况"), ("en", "Jiaozuo’s Economy in the First Half of 2025")):
        reader = PdfReader(tmp_path / "out" / f"demo.{lang}.pdf")
        assert reader.metadata.title == title
        assert "".join(title.split()) in "".join(reader.pages[0].extract_text().split())


# ---- the fonts -------------------------------------------------------------------------------------------------

def test_every_font_the_code_needs_is_bundled_with_its_licence() -> None:
    """The build step copies what fonts.py opens, the licences and the provenance into the wheel."""
    spec = importlib.util.spec_from_file_location("_build_data", ROOT / "_build_data.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    shipped = [f.name for f in (ROOT / "fonts").iterdir()
               if any(fnmatch.fnmatch(f.name, p) for p in build.BUNDLED["fonts"])]
    assert {p.name for p in fonts.all_font_files()} <= set(shipped)
    assert {"PROVENANCE.md", "SHA256SUMS"} <= set(shipped) and sum(n.startswith("OFL-") for n in shipped) == 3
    assert "jiaozuo-2025-h1.yaml" in [f.name for f in (ROOT / "content").glob(build.BUNDLED["content"][0])]
    # the provenance vouches for every font file, byte for byte
    sums = dict(reversed(line.split()) for line in (ROOT / "fonts" / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {p.name for p in fonts.all_font_files()} | {"sRGB.icc"}    # + PDF/A's colour profile
    assert "sRGB.icc" in shipped


def _fonts_with(tmp_path: Path, name: str, damage: str) -> Path:
    """A BRIEFING_FONTS folder: links to the bundled fonts, `name` damaged as `damage` says."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    for f in fonts.all_font_files():
        if f.name != name:
            (folder / f.name).symlink_to(f)
    src = fonts.fonts_dir() / name
    if damage == "truncated":
        with src.open("rb") as f:
            (folder / name).write_bytes(f.read(1_000_000))
    elif damage == "garbage":
        (folder / name).write_bytes(bytes(range(256)) * 64)
    elif damage == "empty":
        (folder / name).write_bytes(b"")
    return folder


@pytest.mark.parametrize("damage, problem", [
    ("missing", "font file is missing"),
    ("truncated", "damaged or wrong font file: it has a table 'glyf' that runs past the end of the file"),
    ("garbage", "damaged or wrong font file: it is not a TrueType font file"),
    ("empty", "damaged or wrong font file: it is too short for a font file"),
])
def test_damaged_font_file_is_named_with_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    damage: str, problem: str) -> None:
    folder = _fonts_with(tmp_path, "NotoSerifSC-Regular.ttf", damage)
    monkeypatch.setenv("BRIEFING_FONTS", str(folder))
    fonts.font_file.cache_clear()
    try:
        with pytest.raises(BriefingError) as ei:
            fonts.font_file("serif", False)
        assert fonts.font_file("sans", False).info.num_glyphs > 30_000   # the others are fine
    finally:
        fonts.font_file.cache_clear()
    assert ei.value.line() == (f"{folder / 'NotoSerifSC-Regular.ttf'}: {problem} — put the bundled font files "
                               f"into BRIEFING_FONTS ({folder}), or unset BRIEFING_FONTS to use the fonts that "
                               "come with briefing")


def test_what_to_do_about_fonts_depends_on_where_they_come_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFING_FONTS", raising=False)
    assert fonts.fonts_dir() == ROOT / "fonts" and not bundled.installed()    # tests run on the checkout
    assert fonts.font_fix() == ("restore the fonts/ folder from the repository (git checkout -- fonts) and "
                                "check it with SHA256SUMS")
    monkeypatch.setattr(bundled, "installed", lambda: True)
    assert fonts.font_fix().startswith("reinstall briefing (its package carries the fonts)")


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_damaged_font_gives_one_line_and_exit_1(tmp_path: Path, damage: str) -> None:
    folder = _fonts_with(tmp_path, "NotoSerifSC-Regular.ttf", damage)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEFING_FONTS": str(folder)}
    for args in (["check", str(MINI)], ["build", str(MINI), "--lang", "zh", "-o", str(tmp_path / "x.pdf")]):
        r = subprocess.run([sys.executable, "-m", "briefing", *args], env=env, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 1, r.stderr
        line = r.stderr.splitlines()[0]
        assert line.startswith(f"{folder / 'NotoSerifSC-Regular.ttf'}: damaged or wrong font file: it ")
        assert line.endswith(f" — put the bundled font files into BRIEFING_FONTS ({folder}), or unset "
                             "BRIEFING_FONTS to use the fonts that come with briefing")
        assert "internal error" not in r.stderr and "Traceback" not in r.stderr
        assert not (tmp_path / "x.pdf").exists()
