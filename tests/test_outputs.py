"""briefing/outputs.py: output paths that would lose a file are refused before anything is written."""
from __future__ import annotations

import io
import os
import stat
import threading
from pathlib import Path

import pytest

from briefing.errors import OutputError
from briefing.outputs import atomic_write, plan_output, write_output

DATA = b"new bytes\r\n"


def refused(path: str | Path, *needles: str, **kw: object) -> str:
    with pytest.raises(OutputError) as info:
        plan_output(path, label="--eml", where="briefing mail", **kw)
    line = str(info.value)
    assert "\n" not in line and line.startswith("briefing mail: --eml ") and " — " in line, line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    p = tmp_path / "x.zh.pdf"
    p.write_bytes(b"%PDF-1.7 original")
    return p


def test_the_input_itself_is_refused_even_with_force(pdf: Path) -> None:
    line = refused(pdf, "is the input", "another file name", inputs=[pdf], overwrite=True)
    assert str(pdf) in line
    assert pdf.read_bytes() == b"%PDF-1.7 original"


def test_a_relative_spelling_of_the_input_is_refused(pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(pdf.parent)
    (pdf.parent / "sub").mkdir()
    refused(f"./sub/../{pdf.name}", "input", inputs=[pdf], overwrite=True)


def test_a_symlink_to_the_input_is_refused(pdf: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.eml"
    link.symlink_to(pdf)
    refused(link, "is the same file as the input", inputs=[pdf], overwrite=True)
    assert link.is_symlink() and pdf.read_bytes() == b"%PDF-1.7 original"


def test_a_hard_link_to_the_input_is_refused(pdf: Path, tmp_path: Path) -> None:
    hard = tmp_path / "hard.eml"
    os.link(pdf, hard)
    refused(hard, "is the same file as the input", inputs=[pdf], overwrite=True)


def test_an_input_reached_through_a_symlinked_folder_is_refused(pdf: Path, tmp_path: Path) -> None:
    (tmp_path / "alias").symlink_to(tmp_path, target_is_directory=True)
    refused(tmp_path / "alias" / pdf.name, "input", inputs=[pdf], overwrite=True)


def test_an_existing_file_needs_force(tmp_path: Path) -> None:
    old = tmp_path / "o.eml"
    old.write_bytes(b"old")
    refused(old, "already exists (a file)", "add --force to replace it")
    assert old.read_bytes() == b"old"


def test_force_replaces_atomically_and_keeps_the_mode(tmp_path: Path) -> None:
    old = tmp_path / "o.eml"
    old.write_bytes(b"old")
    old.chmod(0o600)
    plan = plan_output(old, overwrite=True, label="--eml")
    write_output(plan, DATA)
    assert old.read_bytes() == DATA
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.eml"]  # no temporary file left


def test_a_new_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "o.eml"
    write_output(plan_output(target, label="--eml"), DATA)
    assert target.read_bytes() == DATA


def test_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plan = plan_output("-", label="--eml")
    out = io.BytesIO()
    write_output(plan, DATA, stdout=out)
    assert out.getvalue() == DATA and not (tmp_path / "-").exists()


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.eml"
    real.write_bytes(b"old")
    link = tmp_path / "link.eml"
    link.symlink_to(real)
    refused(link, "already exists (a symbolic link)")
    write_output(plan_output(link, overwrite=True, label="--eml"), DATA)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == DATA


def test_a_dangling_symlink_creates_its_target_with_force(tmp_path: Path) -> None:
    link = tmp_path / "link.eml"
    link.symlink_to(tmp_path / "later.eml")
    refused(link, "already exists (a symbolic link)")
    write_output(plan_output(link, overwrite=True, label="--eml"), DATA)
    assert link.is_symlink() and (tmp_path / "later.eml").read_bytes() == DATA


def test_dev_null_is_written_into_not_replaced() -> None:
    plan = plan_output(os.devnull, label="--eml")
    assert plan.kind == "stream"
    write_output(plan, DATA)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_other_devices_are_refused() -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    refused("/dev/zero", "device or special file", "give - for standard output", overwrite=True)
    assert stat.S_ISCHR(os.stat("/dev/zero").st_mode)


def test_a_fifo_is_written_into(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_output(plan_output(fifo, label="--eml"), DATA)
    reader.join(5)
    assert got == [DATA] and stat.S_ISFIFO(fifo.stat().st_mode)


def test_the_file_standard_output_goes_to_is_standard_output(tmp_path: Path) -> None:
    out = tmp_path / "captured"
    with open(out, "wb") as f:
        plan = plan_output(f"/proc/self/fd/{f.fileno()}", label="--eml", stdout_fd=f.fileno())
        assert plan.kind == "stdout"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, "is a folder", overwrite=True)


def test_no_clobber_write_never_replaces_a_file_that_appeared(tmp_path: Path) -> None:
    target = tmp_path / "o.eml"
    plan = plan_output(target, label="--eml")          # free when checked …
    target.write_bytes(b"someone else's")              # … taken before the write
    with pytest.raises(OutputError, match="appeared while it was being written"):
        write_output(plan, DATA)
    assert target.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.eml"]


def test_atomic_write_keeps_the_old_file_when_the_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "o.pdf"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.pdf"]
