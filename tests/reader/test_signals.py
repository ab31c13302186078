"""Signals, with real processes: Ctrl-C is quiet in every worker, workers never outlive their parent, a worker
ended by a signal is named by it, and an interrupted run ends with valid output, one Chinese line, 128 + signal.

No timing is assumed: each test waits for a sign of progress (a worker exists, a result was printed, a file
was written), polling with generous bounds that only a hang would reach.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from workbook_builder.reader import pool
from workbook_builder.reader.pool import validate_isolated

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "庆城县自然资源局-2024.xlsx"
BOUND = 120  # seconds: reached only by a hang
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _until(cond, what: str):
    end = time.monotonic() + BOUND
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def _kids(pid: int) -> list[int]:
    out = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _ignores(pid: int, sig: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            mask = next(int(ln.split()[1], 16) for ln in f if ln.startswith("SigIgn:"))
    except (OSError, StopIteration):
        return False
    return bool(mask >> (sig - 1) & 1)


def _lines(err: str) -> list[str]:
    err = re.sub(r"\S+:\s+\d+%\|[^\]]*\]", "", err)
    return [ln for ln in re.split(r"[\r\n]", err) if ln.strip()]


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    d = tmp_path_factory.mktemp("returns")
    for i in range(80):
        shutil.copy(EXAMPLE, d / f"部门{i:02d}.xlsx")
    return d


def _start(argv: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "workbook_builder", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def _interrupt_like_a_terminal(p: subprocess.Popen) -> None:
    os.killpg(p.pid, signal.SIGINT)  # Ctrl-C reaches the parent and every worker


def _check_interrupted(p, err: str, status: int = 130) -> str:
    assert p.returncode == status, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = _lines(err)
    assert len(lines) == 1 and CHINESE.search(lines[0]) and "已中断" in lines[0], lines
    return lines[0]


def test_ctrl_c_in_validate_json_ends_with_valid_json_and_one_chinese_line(returns):
    p = _start(["validate", "--json", "--jobs", "2", str(returns)])
    assert p.stdout.readline().strip() == "["
    first = p.stdout.readline()  # one result printed: the run is under way
    assert first.startswith("{")
    _until(lambda: len(_kids(p.pid)) >= 2, "two workers")
    _interrupt_like_a_terminal(p)
    rest, err = p.communicate(timeout=BOUND)
    items = json.loads("[\n" + first + rest)
    assert 1 <= len(items) < 80
    line = _check_interrupted(p, err)
    assert "共 80 份" in line


def test_ctrl_c_in_consolidate_writes_nothing_and_keeps_the_old_summary(returns, tmp_path):
    out = tmp_path / "汇总表.xlsx"
    out.write_bytes(b"old summary")
    p = _start(["consolidate", str(returns), "-o", str(out), "--jobs", "2"])
    _until(lambda: len(_kids(p.pid)) >= 2, "two workers")
    _interrupt_like_a_terminal(p)
    _, err = p.communicate(timeout=BOUND)
    line = _check_interrupted(p, err)
    assert f"未写出 {out}；原有文件未改动" in line
    assert out.read_bytes() == b"old summary"
    assert [f.name for f in tmp_path.iterdir()] == ["汇总表.xlsx"]


def _prefill_list(tmp_path: Path, n: int) -> Path:
    csv = tmp_path / "名单.csv"
    csv.write_text("部门名称,编制数\n" + "".join(f"局{i},{10 + i % 50}\n" for i in range(n)), encoding="utf-8")
    return csv


def test_ctrl_c_in_build_prefill_jobs_is_quiet_and_says_the_set_is_incomplete(tmp_path):
    out = tmp_path / "o"
    p = _start(["build", "--template", "zizhou_2024", "--prefill", str(_prefill_list(tmp_path, 400)),
                "--out-dir", str(out), "--jobs", "2"])
    _until(lambda: out.is_dir() and any(out.glob("局*.xlsx")), "a first workbook")
    _interrupt_like_a_terminal(p)
    _, err = p.communicate(timeout=BOUND)
    line = _check_interrupted(p, err)
    assert "生成未完成（应生成 400 份" in line
    assert (out / "生成未完成.txt").exists()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("command", ["validate", "prefill"])
def test_workers_never_outlive_their_parent(returns, tmp_path, sig, command):
    if command == "validate":
        argv = ["validate", "--jobs", "2", str(returns)]
    else:
        argv = ["build", "--template", "zizhou_2024", "--prefill", str(_prefill_list(tmp_path, 400)),
                "--out-dir", str(tmp_path / "o"), "--jobs", "2"]
    p = _start(argv)
    workers = _until(lambda: (k if len(k := _kids(p.pid)) >= 2 else None), "two workers")
    os.kill(p.pid, sig)  # the parent only, as `kill` or a service manager would
    _, err = p.communicate(timeout=BOUND)
    assert p.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 128 + sig), err
    if sig == signal.SIGTERM:
        assert "Traceback" not in err and "已中断（收到 SIGTERM 信号）" in err
    _until(lambda: not any(_alive(w) for w in workers), "workers gone with their parent")


def _one_busy_worker(monkeypatch, **kw):
    """validate_isolated in a thread, its one worker busy until we write to ``release``.

    The worker is forked, so it inherits a validate_file that first waits on a pipe, then reads the example.
    Returns (the worker's pid, the thread, the result box, the pipe's write end).
    """
    from workbook_builder.reader import validate
    real = validate.validate_file
    wait_r, release = os.pipe()

    def held(path, *a, **k):
        os.read(wait_r, 1)
        return real(EXAMPLE, *a, **k)

    monkeypatch.setattr(validate, "validate_file", held)
    box = {}
    before = set(_kids(os.getpid()))
    th = threading.Thread(target=lambda: box.setdefault("reports", list(validate_isolated([EXAMPLE], **kw))))
    th.start()
    pid = _until(lambda: next(iter(set(_kids(os.getpid())) - before), None), "a worker")
    _until(lambda: _ignores(pid, signal.SIGINT), "the worker set up")
    return pid, th, box, release


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT], ids=["SIGTERM", "SIGKILL", "SIGINT"])
def test_a_worker_ended_by_a_signal_is_named_by_it_not_by_memory(monkeypatch, sig):
    pid, th, box, release = _one_busy_worker(monkeypatch)
    os.kill(pid, sig)
    if sig == signal.SIGINT:  # ignored by a worker (the parent answers Ctrl-C): the worker goes on
        os.write(release, b"x")
    th.join(timeout=BOUND)
    assert not th.is_alive()
    (rep,) = box["reports"]
    if sig == signal.SIGINT:
        assert rep.department and not any(f.code == "unreadable" for f in rep.findings)
    else:
        (f,) = rep.findings
        assert f.code == "unreadable" and signal.Signals(sig).name in f.detail and "内存" not in f.detail


def test_a_stopped_worker_is_reported_as_stopped(monkeypatch):
    monkeypatch.setattr(pool, "GRACE", 1.0)
    pid, th, box, _ = _one_busy_worker(monkeypatch, time_limit=1.0)
    os.kill(pid, signal.SIGSTOP)
    th.join(timeout=BOUND)
    assert not th.is_alive()
    (rep,) = box["reports"]
    (f,) = rep.findings
    assert f.code == "unreadable" and "暂停" in f.detail and "内存" not in f.detail
    _until(lambda: not _alive(pid), "the stopped worker removed")


def test_without_prctl_the_watchdog_still_ends_a_worker_whose_parent_died():
    """The fallback where PR_SET_PDEATHSIG is not available: a thread watching the parent's pid."""
    worker = ("import sys, time; sys.platform = 'other'  # no prctl: only the watchdog\n"
              "from workbook_builder.workers import worker_init\n"
              "import os; worker_init(os.getppid()); print('ready', flush=True); time.sleep(10**6)")
    parent = ("import subprocess, sys, time\n"
              f"c = subprocess.Popen([sys.executable, '-c', {worker!r}], stdout=subprocess.PIPE, text=True)\n"
              "assert c.stdout.readline().strip() == 'ready'\n"
              "print(c.pid, flush=True); time.sleep(10**6)")
    p = subprocess.Popen([sys.executable, "-c", parent], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = int(p.stdout.readline())
    assert _alive(child)
    p.kill()
    p.wait(timeout=BOUND)
    p.stdout.close()
    _until(lambda: not _alive(child), "the orphaned worker gone")
