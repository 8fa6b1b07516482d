"""Nothing the user had is lost, nothing hangs, every failure is one line with the documented exit code.

Outputs are checked before the build starts: never over a content file (by device and inode, so links
count), never the same output for two inputs, never replacing a device, a pipe or a socket, never over a
file that is not a PDF without --force, never a name the file system cannot hold, never into a folder
that cannot be written. Content files are read with a byte cap and never opened when they are pipes or
devices. Exit codes: 0 success, 1 content or usage error, 2 internal error, 130 interrupted.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from briefing import outputs
from briefing.cli import main
from briefing.errors import ErrorList
from briefing.inputs import InputProblem, read_capped
from briefing.load import loads

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini.yaml"
SAMPLE = ROOT / "content" / "jiaozuo-2025-h1.yaml"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with brief.yaml (the mini briefing, id `mini`) as the current folder."""
    shutil.copy(MINI, tmp_path / "brief.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRIEFING_DEBUG", raising=False)
    return tmp_path


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return rc, out, err


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The command must stop before building with exactly one error line and exit code 1."""
    t = time.perf_counter()
    rc, out, err = run_main(capsys, *args)
    assert rc == 1, err
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert time.perf_counter() - t < 2.0   # said before the build, not after it
    return err.rstrip("\n")


# ---------------------------------------------------------------------------------- never over an input

def test_output_named_as_the_content_file_is_refused(work: Path, capsys) -> None:
    before = (work / "brief.yaml").read_bytes()
    line = refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "brief.yaml")
    assert line == ("briefing build: -o brief.yaml is the input brief.yaml; it would be lost — give -o the name "
                    "of a new .pdf file")
    assert (work / "brief.yaml").read_bytes() == before


@pytest.mark.parametrize("link", ["symlink", "hardlink", "through a symlinked folder"])
def test_output_reaching_the_content_file_through_a_link_is_refused(work: Path, capsys, link: str) -> None:
    before = (work / "brief.yaml").read_bytes()
    if link == "symlink":
        (work / "out.pdf").symlink_to(work / "brief.yaml")
        target = "out.pdf"
    elif link == "hardlink":
        os.link(work / "brief.yaml", work / "out.pdf")
        target = "out.pdf"
    else:
        (work / "alias").symlink_to(work)
        target = "alias/brief.yaml"
    line = refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", target)
    assert line.startswith(f"briefing build: -o {target} is the same file as the input brief.yaml; it would be lost")
    assert (work / "brief.yaml").read_bytes() == before


def test_out_dir_holding_a_content_file_named_like_the_output_is_refused(work: Path, capsys) -> None:
    (work / "od").mkdir()
    shutil.copy(work / "brief.yaml", work / "od" / "mini.zh.pdf")
    before = (work / "od" / "mini.zh.pdf").read_bytes()
    line = refused(capsys, "build", "od/mini.zh.pdf", "--out-dir", "od")
    assert line == ("briefing build: output od/mini.zh.pdf is the input od/mini.zh.pdf; it would be lost — choose "
                    "another --out-dir, or give the briefing another id")
    assert (work / "od" / "mini.zh.pdf").read_bytes() == before
    assert sorted(p.name for p in (work / "od").iterdir()) == ["mini.zh.pdf"]


def test_a_bundled_font_is_never_an_output(work: Path, capsys) -> None:
    from briefing.fonts import all_font_files

    font = all_font_files()[0]
    size = font.stat().st_size
    line = refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", str(font), "--force")
    assert "is the input" in line and "it would be lost" in line
    assert font.stat().st_size == size


def test_two_content_files_with_one_id_are_refused_before_building(work: Path, capsys) -> None:
    shutil.copy(work / "brief.yaml", work / "copy.yaml")
    line = refused(capsys, "build", "brief.yaml", "copy.yaml", "--out-dir", "out")
    assert line == ("copy.yaml: id: 'mini' is also the id of brief.yaml: both would be written to out/mini.zh.pdf — "
                    "give each briefing its own id, or build them into different folders")
    assert not (work / "out").exists()


def test_a_file_that_is_not_a_pdf_is_replaced_only_with_force(work: Path, capsys) -> None:
    notes = work / "notes.txt"
    notes.write_text("my notes\n")
    line = refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "notes.txt")
    assert line == ("briefing build: -o notes.txt already exists and is not a PDF — choose another name, or add "
                    "--force to replace it")
    assert notes.read_text() == "my notes\n"
    rc, out, err = run_main(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "notes.txt", "--force")
    assert rc == 0, err
    assert notes.read_bytes().startswith(b"%PDF-")


def test_the_same_content_file_twice_is_built_once(work: Path, capsys) -> None:
    from briefing.runner import plan_build

    (work / "link.yaml").symlink_to(work / "brief.yaml")
    plan = plan_build(["brief.yaml", "./brief.yaml", "link.yaml"], ["zh"], None, "out")
    assert plan.files == ["brief.yaml"] and list(plan.outputs) == [("brief.yaml", "zh")]


# ---------------------------------------------------------------------------------- odd output paths

def test_empty_output_name_is_an_error(work: Path, capsys) -> None:
    assert refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "") == \
        "briefing build: -o '' is not a file name — give a file name"
    assert not (work / "out").exists()


def test_output_name_too_long_for_the_file_system(work: Path, capsys) -> None:
    name = "x" * 300 + ".pdf"
    assert refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", name) == (
        "briefing build: -o: the name 'xxxxxxxxxxxxxxxxxxxx…xxxxxxxx.pdf' is 304 bytes long; the file system "
        "allows 255 — give a shorter file name")


def test_a_long_unicode_output_name_within_the_limit_is_written(work: Path, capsys) -> None:
    name = "焦作" * 40 + ".pdf"                    # 244 bytes: fits, and so must its temporary file
    rc, _, err = run_main(capsys, "build", "brief.yaml", "--lang", "zh", "-o", name)
    assert rc == 0, err
    assert (work / name).read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in work.iterdir()) == sorted(["brief.yaml", name])


def test_output_ending_in_a_slash_is_a_folder_name(work: Path, capsys) -> None:
    assert refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "new/") == \
        "briefing build: -o new/ ends with '/' (a folder name) — give a file name"


def test_out_dir_that_is_a_file(work: Path, capsys) -> None:
    (work / "afile").write_text("x")
    assert refused(capsys, "build", "brief.yaml", "--out-dir", "afile") == (
        "briefing build: --out-dir afile is not a folder: it is a file — choose another --out-dir")
    assert refused(capsys, "build", "brief.yaml", "--out-dir", "afile/sub") == (
        "briefing build: --out-dir afile/sub is not a folder (its part afile is a file) — choose another --out-dir")
    assert refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "afile/x.pdf") == (
        "briefing build: -o afile/x.pdf: a part of the path that should be a folder is a file — check the path")


def test_dev_full_and_dev_zero_are_refused(work: Path, capsys) -> None:
    for dev in ("/dev/full", "/dev/zero"):
        if not os.path.exists(dev):
            continue
        assert refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", dev) == (
            f"briefing build: -o {dev} is a device or special file, not a regular file — write to a regular "
            "file, or give - for standard output")
        assert stat.S_ISCHR(os.stat(dev).st_mode)


def test_dev_null_is_written_into_and_stays_a_device(work: Path, capsys) -> None:
    rc, out, err = run_main(capsys, "build", "brief.yaml", "--lang", "zh", "-o", os.devnull)
    assert rc == 0, err
    assert out.startswith(f"brief.yaml → {os.devnull} (")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_socket_is_refused(work: Path, capsys) -> None:
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind("s.pdf")
        assert refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "s.pdf") == (
            "briefing build: -o s.pdf is a socket, not a regular file — write to a regular file, or give - for "
            "standard output")
        assert stat.S_ISSOCK(os.stat("s.pdf").st_mode)
    finally:
        sock.close()


def test_a_named_pipe_output_is_written_into(work: Path, capsys) -> None:
    os.mkfifo("pipe.pdf")
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(Path("pipe.pdf").read_bytes()))
    reader.start()
    rc, _, err = run_main(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "pipe.pdf")
    reader.join(10)
    assert rc == 0, err
    assert got and got[0].startswith(b"%PDF-")
    assert stat.S_ISFIFO(os.stat("pipe.pdf").st_mode)


def test_a_named_pipe_nobody_reads_gives_up(work: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outputs, "FIFO_WAIT_SECONDS", 0.3)
    os.mkfifo("pipe.pdf")
    rc, _, err = run_main(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "pipe.pdf")
    assert rc == 1
    assert err.splitlines()[0] == ("briefing build: nothing read from the pipe -o pipe.pdf for 0.3 s — start the "
                                   "program that reads it first, or write to a file")


@contextmanager
def small_mount(size: str, *options: str):
    """A tmpfs of `size` (root only, where mounting is allowed); skips the test otherwise."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small file system")
    import tempfile

    point = Path(tempfile.mkdtemp(prefix="briefing-mount-"))
    opts = ",".join((f"size={size}",) + options)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(point)], capture_output=True)
    if r.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)
        point.rmdir()


def test_unwritable_output_folder_is_found_before_the_build(work: Path, capsys) -> None:
    if os.geteuid() != 0:
        ro = work / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        why = "Permission denied"
        ctx = None
    else:
        ctx = small_mount("1m", "ro")
        ro = ctx.__enter__()
        why = "Read-only file system"
    try:
        line = refused(capsys, "build", "brief.yaml", "--out-dir", str(ro / "sub"))
        assert line == (f"briefing build: cannot create folder {ro / 'sub'}: {why} — choose another output path "
                        "with -o or --out-dir")
        line = refused(capsys, "build", "brief.yaml", "--out-dir", str(ro))
        assert line == f"briefing build: cannot write to {ro}: {why} — choose a writable output path with -o or --out-dir"
    finally:
        if ctx is not None:
            ctx.__exit__(None, None, None)
        else:
            ro.chmod(0o755)


def test_a_full_disk_keeps_the_old_pdf_and_leaves_no_temporary_file(work: Path, capsys) -> None:
    with small_mount("1m") as disk:
        old = disk / "mini.zh.pdf"
        old.write_bytes(b"%PDF-1.4 the previous briefing\n")
        fs = os.statvfs(disk)
        (disk / "filler").write_bytes(b"x" * (fs.f_bavail * fs.f_frsize - 8192))   # 8 KB left
        rc, _, err = run_main(capsys, "build", "brief.yaml", "--lang", "zh", "--out-dir", str(disk))
        assert rc == 1
        assert err.splitlines() == [
            f"briefing build: cannot write output {old}: No space left on device — make room on that disk, or "
            "write to another one",
            "brief.yaml: failed",
        ]
        assert old.read_bytes() == b"%PDF-1.4 the previous briefing\n"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "mini.zh.pdf"]


# ---------------------------------------------------------------------------------- temporary files

def test_stale_temporary_files_of_killed_writes_are_removed(tmp_path: Path) -> None:
    prefix = outputs.temp_prefix("mini.zh.pdf")
    stale = tmp_path / f"{prefix}abcd1234.tmp"
    young = tmp_path / f"{prefix}efgh5678.tmp"
    foreign = tmp_path / ".mini.zh.pdf.abcd1234.tmp"    # not ours: never touched
    for p in (stale, young, foreign):
        p.write_bytes(b"%PDF-half")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    os.utime(foreign, (hour_ago, hour_ago))
    outputs.atomic_write(tmp_path / "other.pdf", b"%PDF-new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([young.name, foreign.name, "other.pdf"])


def test_temporary_name_of_a_long_unicode_output_fits_the_file_system(tmp_path: Path) -> None:
    name = "长" * 83 + ".pdf"   # 253 bytes
    outputs.atomic_write(tmp_path / name, b"%PDF-x")
    assert (tmp_path / name).read_bytes() == b"%PDF-x"
    assert len(os.fsencode(outputs.temp_prefix(name))) + 12 <= 255


# ---------------------------------------------------------------------------------- bounded reading

def test_a_named_pipe_as_content_is_refused_at_once(work: Path, capsys) -> None:
    os.mkfifo("pipe.yaml")
    unblock = threading.Timer(5.0, lambda: open("pipe.yaml", "wb").close())   # should the check open it
    unblock.start()
    try:
        t = time.perf_counter()
        rc, out, err = run_main(capsys, "check", "pipe.yaml")
        secs = time.perf_counter() - t
    finally:
        unblock.cancel()
    assert (rc, out, err) == (1, "", "pipe.yaml: is a named pipe (FIFO), not a regular file — give the path of a "
                                     "content file saved on disk\n")
    assert secs < 1.0


@pytest.mark.parametrize("dev", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_content_is_refused_at_once(work: Path, capsys, dev: str) -> None:
    if not os.path.exists(dev):
        pytest.skip(f"no {dev}")
    t = time.perf_counter()
    rc, out, err = run_main(capsys, "build", dev)
    assert rc == 1
    assert err == (f"{dev}: is a device, not a regular file — give the path of a content file saved on disk\n"
                   f"{dev}: failed\n")
    assert time.perf_counter() - t < 1.0


def test_the_size_the_file_system_reports_is_not_trusted() -> None:
    maps = Path("/proc/self/maps")
    if not maps.exists() or maps.stat().st_size != 0:
        pytest.skip("needs a /proc file that reports size 0")
    with pytest.raises(InputProblem) as info:
        read_capped(maps, 64)
    assert info.value.what == "file is larger than the limit of 64 bytes"
    assert read_capped(maps, 10**7).startswith(b"")   # under the cap it is read whole


def test_values_cap_without_aliases_says_so() -> None:
    text = "".join(f"k{i}: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" for i in range(5_600))
    with pytest.raises(ErrorList) as info:
        loads(text, "x.yaml")
    line = info.value.lines()[0]
    assert line.endswith("more than 50,000 values (a briefing has a few thousand) — split the content into "
                         "several briefings")
    assert "alias" not in line


# ---------------------------------------------------------------------------------- exit codes

def test_usage_errors_exit_with_1(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["build", "--paper", "a3"])
    assert info.value.code == 1
    assert "argument --paper: invalid choice: 'a3'" in capsys.readouterr().err


def test_check_and_build_agree_on_an_internal_error(work: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefing.localize

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(briefing.localize, "localize", broken)
    expected = ("brief.yaml: internal error: ZeroDivisionError: boom — please report this (set BRIEFING_DEBUG=1 "
                "for details)\n")
    rc, out, err = run_main(capsys, "check", "brief.yaml")
    assert (rc, out, err) == (2, "", expected)
    rc, out, err = run_main(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "x.pdf")
    assert (rc, out, err) == (2, "", expected + "brief.yaml: failed\n")
    assert not (work / "x.pdf").exists()


# ---------------------------------------------------------------------------------- signals (slow)

def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _descendants(pid: int) -> list[int]:
    out = []
    for c in _children(pid):
        out += [c, *_descendants(c)]
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] not in "ZX"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT", "SIGKILL"])
def test_workers_die_with_their_build_and_write_nothing_after_the_signal(tmp_path: Path, sig: str) -> None:
    """A two-language build runs in two workers; the signal reaches the parent only (as from `kill`)."""
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BRIEFING_DEBUG", None)
    p = subprocess.Popen([sys.executable, "-m", "briefing", "build", str(SAMPLE), "--out-dir", str(out),
                          "--no-cache", "--jobs", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(_children(p.pid)) < 2 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.01)
        workers = _descendants(p.pid)
        assert len(workers) >= 2, "the build did not start its workers"
        time.sleep(0.2)                   # into the middle of the layout
        os.kill(p.pid, getattr(signal, sig))
        sent = time.time()
        rc = p.wait(30)
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], "a worker outlived its build"
        written = [f for f in out.iterdir()] if out.exists() else []
        assert not [f.name for f in written if f.stat().st_mtime >= sent], "a PDF was written after the signal"
        assert not [f.name for f in written if f.name.endswith(".tmp")] or sig == "SIGKILL"
        if sig != "SIGKILL":
            assert rc == 130
            assert p.stderr.read().endswith("briefing: interrupted\n")
        else:
            assert rc == -signal.SIGKILL
    finally:
        if p.poll() is None:
            p.kill()
        for pid in workers:   # a failed test leaves nothing running (orphans would hold the pipes open)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        p.communicate(timeout=30)


@pytest.mark.slow
def test_a_fifo_among_the_inputs_of_a_parallel_build_does_not_stall(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "briefing", "build", "pipe.yaml", str(MINI), "--jobs", "2",
                        "--lang", "zh", "--out-dir", "out"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=60)
    assert time.perf_counter() - t < 30
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "pipe.yaml: is a named pipe (FIFO), not a regular file — give the path of a content file saved on disk",
        "[1/2] pipe.yaml: failed",
        "1 of 2 files failed: pipe.yaml",
    ]
    assert (tmp_path / "out" / "mini.zh.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.slow
def test_pdf_to_standard_output_keeps_progress_off_it(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "briefing", "build", str(MINI), "--lang", "zh", "-o", "-"],
                       cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"%PDF-") and r.stdout.rstrip().endswith(b"%%EOF")
    assert r.stderr.decode().startswith(f"{MINI} → standard output (")
    assert list(tmp_path.iterdir()) == []


def test_watch_never_writes_over_its_content_file(work: Path) -> None:
    from briefing.pipeline import BuildOptions
    from briefing.watch import Target, watch

    before = (work / "brief.yaml").read_bytes()
    said: list[str] = []
    errors: list[str] = []
    watch("brief.yaml", [Target("zh", Path("brief.yaml"))], "out", BuildOptions(parallel=False),
          say=said.append, err=errors.append, max_builds=1)
    assert errors[0] == ("briefing watch: -o brief.yaml is the input brief.yaml; it would be lost — give -o the "
                         "name of a new .pdf file")
    assert (work / "brief.yaml").read_bytes() == before


@pytest.mark.parametrize("meanwhile", ["a PDF", "a text file", "a link to the content file"])
def test_the_output_is_checked_again_when_the_pdf_is_ready(work: Path, meanwhile: str) -> None:
    """What appears at the output path during the build (another build of the same briefing, an editor, a
    link) is judged as it would have been at the start."""
    from briefing.pipeline import BuildOptions
    from briefing.runner import plan_build, run_tasks

    plan = plan_build(["brief.yaml"], ["zh"], "x.pdf", "out")
    out = work / "x.pdf"
    if meanwhile == "a PDF":
        out.write_bytes(b"%PDF-1.7 another build's\n")
    elif meanwhile == "a text file":
        out.write_text("notes\n")
    else:
        out.symlink_to(work / "brief.yaml")
    before = (work / "brief.yaml").read_bytes()
    [result] = list(run_tasks(plan, BuildOptions(parallel=False), 1))
    if meanwhile == "a PDF":
        assert result.errors == ()
        assert out.read_bytes().startswith(b"%PDF-") and b"another build's" not in out.read_bytes()
    elif meanwhile == "a text file":
        assert result.errors == ("briefing build: -o x.pdf already exists and is not a PDF — choose another name, "
                                 "or add --force to replace it",)
        assert out.read_text() == "notes\n"
    else:
        assert result.errors[0].startswith("briefing build: -o x.pdf is the same file as the input brief.yaml")
    assert (work / "brief.yaml").read_bytes() == before
    assert not [p.name for p in work.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_output_closed_by_its_reader_is_no_internal_error(work: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(f"'{sys.executable}' -m briefing check brief.yaml brief.yaml | head -c 0", shell=True,
                       cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_a_terminal_that_cannot_show_a_character_gets_an_escape(work: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "ascii"}
    r = subprocess.run([sys.executable, "-m", "briefing", "build", "brief.yaml", "--lang", "zh", "-o", "x.pdf"],
                       cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("brief.yaml \\u2192 x.pdf (")


def test_ids_that_differ_only_in_case_are_refused_before_building(work: Path, capsys) -> None:
    """On macOS and Windows file systems out/Q3.zh.pdf and out/q3.zh.pdf are one file: refused everywhere,
    since an output folder is often shared with or copied to one."""
    text = (work / "brief.yaml").read_text(encoding="utf-8")
    (work / "upper.yaml").write_text(text.replace("id: mini", "id: MINI", 1), encoding="utf-8")
    line = refused(capsys, "build", "brief.yaml", "upper.yaml", "--out-dir", "out")
    assert line == ("upper.yaml: id: 'MINI' and 'mini' (the id of brief.yaml) differ only in case: on macOS and "
                    "Windows both would be written to out/mini.zh.pdf — give each briefing an id that differs in "
                    "more than case")
    assert not (work / "out").exists()


def test_a_file_name_with_control_characters_never_reaches_the_terminal_raw(work: Path, capsys) -> None:
    name = "a\r\x1b[2Jb.yaml"
    rc, out, err = run_main(capsys, "build", name)
    assert rc == 1 and "\x1b" not in out + err and "\r" not in out + err
    assert err == ("a\\r\\x1b[2Jb.yaml: no such file — check the path (content files live in content/)\n"
                   "a\\r\\x1b[2Jb.yaml: failed\n")


@pytest.mark.parametrize("value", ["abc", "-1", "1e9", "99999999999999999999", "253402300800"])
def test_a_bad_source_date_epoch_is_a_usage_error_said_before_building(work: Path, capsys, monkeypatch,
                                                                       value: str) -> None:
    """ReportLab reads SOURCE_DATE_EPOCH too: 'abc' or a date past 9999 were internal errors (exit 2)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    line = refused(capsys, "build", "brief.yaml", "--lang", "zh", "-o", "x.pdf")
    assert line == (f"SOURCE_DATE_EPOCH: '{value}' is not a Unix time (whole seconds since 1970, before the year "
                    "10000) — set it like SOURCE_DATE_EPOCH=1735689600, or unset it")
    assert not (work / "x.pdf").exists()
