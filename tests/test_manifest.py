"""An interrupted `build --prefill` says so: 生成未完成.txt while it runs, 生成清单.csv when done, and the next run
into the same folder names what is missing."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

from workbook_builder.cli import main
from workbook_builder.manifest import MANIFEST, MARKER
from workbook_builder.reader.batch import collect

ROOT = Path(__file__).resolve().parents[1]
N = 6


def _list(tmp_path: Path) -> Path:
    csv_path = tmp_path / "名单.csv"
    csv_path.write_text("部门名称,编制数\n" + "".join(f"局{i},{10 + i}\n" for i in range(N)), encoding="utf-8")
    return csv_path


def _argv(tmp_path: Path, out: Path) -> list[str]:
    return ["build", "--template", "zizhou_2024", "--prefill", str(_list(tmp_path)), "--out-dir", str(out)]


def test_a_finished_run_lists_every_file_with_its_hash_and_leaves_no_marker(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(_argv(tmp_path, out)) == 0
    assert not (out / MARKER).exists()
    with open(out / MANIFEST, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["文件", "字节数", "SHA-256"]
    built = sorted(p.name for p in out.glob("*.xlsx"))
    assert sorted(r[0] for r in rows[1:]) == built and len(built) == N
    for name, size, digest in rows[1:]:
        data = (out / name).read_bytes()
        assert int(size) == len(data) and digest == hashlib.sha256(data).hexdigest()
    assert set(collect([out])) == {out / n for n in built}  # the records are never read as returns
    capsys.readouterr()
    (out / built[0]).unlink()
    (out / built[1]).write_bytes(b"changed")
    assert main(_argv(tmp_path, out)) == 0
    err = capsys.readouterr().err
    assert f"有 1 份已不在：{built[0]}" in err and f"有 1 份已被改动：{built[1]}" in err


def test_a_killed_run_is_reported_as_incomplete_by_the_next_run(tmp_path, capsys):
    out = tmp_path / "o"
    # the child is killed -9 while writing its third workbook, before its rename
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import os, sys
        real, n = os.fsync, [0]
        def slow(fd):
            real(fd)
            n[0] += 1
            if n[0] == 7:  # the marker and two workbooks took two each (file, folder)
                print("MID", flush=True)
                os.kill(os.getpid(), 19)
        os.fsync = slow
        from workbook_builder.cli import main
        sys.exit(main({_argv(tmp_path, out)!r}))
    """)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert child.stdout.readline().strip() == "MID"
    child.kill()
    child.wait(timeout=60)
    child.stdout.close()
    assert (out / MARKER).exists() and not (out / MANIFEST).exists()
    assert len(list(out.glob("局*.xlsx"))) == 2
    assert len(list(out.glob("~$局2-*.tmp.xlsx"))) == 1  # the third, cut off before its rename
    assert main(_argv(tmp_path, out)) == 0
    err = capsys.readouterr().err
    assert f"上次在 {out} 的生成没有完成（应生成 {N} 份，已生成 2 份，缺 {N - 2} 份：" in err
    assert "局2-" in err and "局0-" not in err  # the missing ones are named
    assert not (out / MARKER).exists() and (out / MANIFEST).exists()
    assert not list(out.glob("~$*"))  # the killed run's temporary file is swept


def test_ctrl_c_during_a_build_names_how_far_it_got(tmp_path, capsys, monkeypatch):
    from workbook_builder import prefill
    real, n = prefill._build_one, [0]

    def interrupted(args):
        n[0] += 1
        if n[0] == 3:
            raise KeyboardInterrupt
        return real(args)

    monkeypatch.setattr(prefill, "_build_one", interrupted)
    out = tmp_path / "o"
    assert main(_argv(tmp_path, out)) == 130
    err = capsys.readouterr().err
    assert f"已中断；{out} 中的生成未完成（应生成 {N} 份，已生成 2 份）" in err and "Traceback" not in err


def test_a_project_build_keeps_the_same_record(tmp_path, capsys):
    out = tmp_path / "项目"
    argv = ["projects", "build", "--list", "examples/projects/庆城县项目清单.csv", "--year", "2024", "-o", str(out)]
    assert main(argv) == 0
    assert not (out / MARKER).exists()
    with open(out / MANIFEST, encoding="utf-8-sig", newline="") as f:
        names = [r[0] for r in list(csv.reader(f))[1:]]
    assert names and sorted(names) == sorted(p.name for p in out.glob("*.xlsx"))
    (out / names[0]).unlink()
    capsys.readouterr()
    assert main(argv) == 0
    assert f"有 1 份已不在：{names[0]}" in capsys.readouterr().err
