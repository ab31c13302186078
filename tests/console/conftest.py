"""A real console server process on loopback, with its own data folder, for the browser and load tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Server:
    def __init__(self, data: Path, db: str | None = None):
        self.data = data
        args = [sys.executable, "-m", "workbook_builder", "serve", "--data", str(data), "--port", "0"]
        if db:
            args += ["--db", db]
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env)
        line = self.proc.stdout.readline()
        m = re.search(r"http://[\d.]+:\d+/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("控制台没有启动：" + line + self.proc.stderr.read())
        self.url = m.group(0).rstrip("/")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "数据")
    yield s
    s.stop()


def wait_for(fn, tries: int = 600, pause: float = 0.1):
    """Poll ``fn`` until it returns something true (a bounded number of tries, not a wall-clock limit)."""
    for _ in range(tries):
        got = fn()
        if got:
            return got
        time.sleep(pause)
    raise AssertionError("等待超出次数")
