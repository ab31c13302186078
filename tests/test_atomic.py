"""Every output is written whole or not at all: a full disk or a kill -9 mid-write keeps the old file.

Faults are real: the disk is "filled" with RLIMIT_FSIZE in a child process (the kernel refuses the write
with EFBIG) or by an ENOSPC raised where the zip writer writes; the kill is a real SIGKILL while the child
is blocked inside the write (it tells us over stdout), so no timing is assumed.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from workbook_builder import atomic
from workbook_builder.cli import main

ROOT = Path(__file__).resolve().parents[1]
OLD = b"old file, must survive" * 50


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    d = tmp_path_factory.mktemp("atomic")
    assert main(["build", "--inputs", "examples/qingcheng_2024.inputs.yaml", "-o", str(d / "returns" / "甲.xlsx")]) == 0
    assert main(["templates", "export", "national_2020", "-o", str(d / "指标.xlsx")]) == 0
    (d / "名单.csv").write_text("部门名称,编制数\n甲局,10\n乙局,12\n", encoding="utf-8")
    return d


#: (output file relative to the work folder, argv); every command that writes a file
COMMANDS = [
    ("out/单.xlsx", ["build", "--inputs", "examples/qingcheng_2024.inputs.yaml", "-o", "{d}/out/单.xlsx"]),
    ("out/宏.xlsm", ["build", "--inputs", "examples/qingcheng_2024.inputs.yaml", "--macros", "-o", "{d}/out/宏.xlsm"]),
    ("pre/甲局-2024.xlsx", ["build", "--template", "zizhou_2024", "--prefill", "{d}/名单.csv", "--out-dir", "{d}/pre"]),
    ("proj/庆城县财政局-项目-2024.xlsx", ["projects", "build", "--list", "examples/projects/庆城县项目清单.csv",
                                   "--year", "2024", "-o", "{d}/proj"]),
    ("out/汇总表.xlsx", ["consolidate", "{d}/returns", "-o", "{d}/out/汇总表.xlsx"]),
    ("out/报告.xlsx", ["validate", "{d}/returns", "--report", "{d}/out/报告.xlsx"]),
    ("out/核对.xlsx", ["templates", "check", "{d}/指标.xlsx", "-o", "{d}/out/核对.xlsx"]),
    ("out/导出.xlsx", ["templates", "export", "national_2020", "-o", "{d}/out/导出.xlsx"]),
    ("out/导入.yaml", ["templates", "import", "{d}/指标.xlsx", "-o", "{d}/out/导入.yaml"]),
    ("out/名单.xlsx", ["prefill-template", "--template", "qingcheng_2024", "-o", "{d}/out/名单.xlsx"]),
]
IDS = [argv[0] + ("-" + argv[1] if not argv[1].startswith("-") else "") + "-" + Path(o).suffix[1:]
       for o, argv in COMMANDS]


def _lines(err: str) -> list[str]:
    """stderr without tqdm's progress bars (which end in \\r, not a new line)."""
    err = re.sub(r"\S+:\s+\d+%\|[^\]]*\]", "", err)
    return [ln for ln in re.split(r"[\r\n]", err) if ln.strip()]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(atomic.TEMP_PREFIX))


def _project_output(d: Path) -> str:
    """The project build's first output name (the department comes from the example list)."""
    import csv
    with open(ROOT / "examples/projects/庆城县项目清单.csv", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if len(r) > 2]
    dept = rows[1][rows[0].index("部门")]
    return f"proj/{dept}-项目-2024.xlsx"


def _target(d: Path, out: str) -> Path:
    return d / (_project_output(d) if out.startswith("proj/") else out)


def _child(code: str, cwd: Path = ROOT) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("out,argv", COMMANDS, ids=IDS)
def test_a_full_disk_keeps_the_old_file_and_says_so_in_one_chinese_line(work, out, argv):
    target = _target(work, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(OLD)
    argv = [a.format(d=work) for a in argv]
    limit = len(OLD) + 1024  # any real output is larger than this: the kernel refuses the rest (EFBIG)
    p = _child(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
        from workbook_builder.cli import main
        sys.exit(main({argv!r}))
    """)
    stdout, stderr = p.communicate(timeout=600)
    assert p.returncode not in (0, None), (stdout, stderr)
    assert "Traceback" not in stderr and "FileCreateError" not in stderr + stdout
    lines = _lines(stderr)
    assert len(lines) == 1 and "未写出" in lines[0] and "原有文件未改动" in lines[0], stderr
    assert target.read_bytes() == OLD
    assert _leftovers(target.parent) == []


def test_no_space_left_mid_zip_keeps_the_old_file(work, monkeypatch, capsys):
    """ENOSPC raised by the zip writer after the first part (where a full disk shows up)."""
    target = work / "enospc" / "汇总表.xlsx"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(OLD)
    real = zipfile.ZipFile.write
    calls = []

    def full(self, *a, **kw):
        calls.append(a)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *a, **kw)

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    status = main(["consolidate", str(work / "returns"), "-o", str(target)])
    err = capsys.readouterr().err
    assert status == 2 and len(calls) > 1
    assert f"磁盘已满，未写出 {target}；原有文件未改动" in err
    assert "Traceback" not in err and "FileCreateError" not in err
    assert target.read_bytes() == OLD and _leftovers(target.parent) == []


def test_a_new_file_that_fails_leaves_nothing_under_its_name(tmp_path, monkeypatch):
    def full(*a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(atomic.OutputError, match="磁盘已满.*没有留下不完整的文件"):
        atomic.write_bytes(tmp_path / "新.xlsx", b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_permission_and_path_errors_are_chinese(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "a.xlsx").write_bytes(OLD)
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as a user that can write a read-only folder (root)")
        with pytest.raises(atomic.OutputError, match="没有写入权限，未写出 .*原有文件未改动"):
            atomic.write_bytes(ro / "a.xlsx", b"new")
    finally:
        ro.chmod(0o700)
    assert (ro / "a.xlsx").read_bytes() == OLD
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(atomic.OutputError, match="路径中有一段不是文件夹"):
        atomic.write_bytes(tmp_path / "file" / "a.xlsx", b"new")
    with pytest.raises(atomic.OutputError, match="是文件夹"):
        atomic.write_bytes(tmp_path, b"new")


def test_a_read_only_folder_via_the_command_is_one_chinese_line(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_bytes(b"")
    status = main(["build", "--inputs", "examples/qingcheng_2024.inputs.yaml", "-o", str(f / "a.xlsx")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "未写出" in err and "内部错误" not in err


KILL_MID_ZIP = """
    import os, sys, zipfile
    real = zipfile.ZipFile.write
    n = [0]
    def slow(self, *a, **kw):
        real(self, *a, **kw)
        n[0] += 1
        if n[0] == 3:  # three parts written to the temporary file: say so and wait to be killed
            self.fp.flush()
            print("MID", flush=True)
            os.kill(os.getpid(), 19)  # SIGSTOP: stay here until SIGKILL
    zipfile.ZipFile.write = slow
    from workbook_builder.cli import main
    sys.exit(main({argv!r}))
"""

KILL_BEFORE_RENAME = """
    import os, sys
    real = os.fsync
    def slow(fd):
        real(fd)
        if os.readlink(f"/proc/self/fd/{{fd}}").endswith(".tmp.xlsx"):  # a workbook written, not yet renamed
            print("MID", flush=True)
            os.kill(os.getpid(), 19)
    os.fsync = slow
    from workbook_builder.cli import main
    sys.exit(main({argv!r}))
"""


@pytest.mark.parametrize("out,argv", [COMMANDS[4], COMMANDS[0], COMMANDS[2]], ids=["consolidate", "build", "prefill"])
def test_kill_9_mid_write_keeps_the_old_file_and_no_partial_file(work, out, argv):
    target = _target(work, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(OLD)
    argv = [a.format(d=work) for a in argv]
    code = (KILL_MID_ZIP if argv[0] == "consolidate" else KILL_BEFORE_RENAME).format(argv=argv)
    p = _child(code)
    line = p.stdout.readline()  # blocks until the child is inside the write
    assert line.strip() == "MID", (line, p.stderr.read() if p.poll() is not None else "")
    temps = _leftovers(target.parent)
    assert temps and all((target.parent / t).stat().st_size > 0 for t in temps)  # really mid-write
    p.kill()
    p.wait(timeout=60)
    p.stdout.close()
    p.stderr.close()
    assert p.returncode == -signal.SIGKILL
    assert target.read_bytes() == OLD  # the old file, whole
    assert not any(f.name == target.name and f.read_bytes() != OLD for f in target.parent.iterdir())
    # the one leftover is a ~$ temporary, which a folder scan never reads as a return
    from workbook_builder.reader.batch import collect
    assert not any(f.name.startswith(atomic.TEMP_PREFIX) for f in collect([target.parent]))
