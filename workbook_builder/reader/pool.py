"""Validate files in worker processes: a memory cap per worker, and a lost worker costs one file.

Each worker takes one file at a time over a pipe. A worker that dies (the out-of-memory killer, a
crash in a C library) is replaced, and the file it held gets an ``unreadable`` finding; the batch
goes on. Reports come back in the order of the files.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from multiprocessing.connection import wait
from pathlib import Path
from typing import Iterator

from .findings import FileReport

#: address space a worker may add to what it had at start (a file needing more is refused)
MEMORY_HEADROOM = 768 * 1024 * 1024


def _limit_memory() -> None:
    try:
        import resource
        with open("/proc/self/statm") as f:
            vm = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = vm + MEMORY_HEADROOM
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or cap < hard:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):
        pass  # not Linux: the per-part bounds of the container still hold


def _worker(conn, sign_key: bytes | None, time_limit: float | None) -> None:
    from .validate import validate_file
    _limit_memory()
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        i, path = task
        rep = validate_file(path, sign_key, time_limit=time_limit)
        try:
            conn.send((i, rep))
        except MemoryError:
            conn.send((i, _lost(path, "读取所需内存过多")))


def _lost(path, why: str) -> FileReport:
    rep = FileReport(file=str(path))
    rep.add("unreadable", detail=why)
    return rep


class _Worker:
    def __init__(self, ctx, sign_key, time_limit):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, sign_key, time_limit), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, Path] | None = None

    def give(self, i: int, path: Path) -> None:
        self.task = (i, path)
        self.conn.send((i, str(path)))

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()


def validate_isolated(files: list[Path], sign_key: bytes | None = None, jobs: int = 1,
                      time_limit: float | None = None) -> Iterator[FileReport]:
    """Reports for ``files`` in order, each file read in a worker process of its own pool."""
    from .validate import TIME_LIMIT
    time_limit = TIME_LIMIT if time_limit is None else time_limit
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    workers = [_Worker(ctx, sign_key, time_limit) for _ in range(max(1, min(jobs, len(files))))]
    todo = list(enumerate(files))[::-1]
    done: dict[int, FileReport] = {}
    nxt = 0
    try:
        for w in workers:
            if todo:
                w.give(*todo.pop())
        while nxt < len(files):
            busy = {w.conn: w for w in workers if w.task is not None}
            ready = wait(list(busy) + [w.proc.sentinel for w in busy.values()], timeout=time_limit * 3 + 30)
            if not ready:  # a worker stuck beyond its own deadline: give up on its file
                ready = [next(iter(busy))]
                busy[ready[0]].proc.kill()
            handled: set[int] = set()
            for r in ready:
                w = busy.get(r) or next((x for x in busy.values() if x.proc.sentinel == r), None)
                if w is None or id(w) in handled or w.task is None:
                    continue
                handled.add(id(w))
                i, path = w.task
                w.task = None
                rep = None
                try:
                    if w.conn.poll():
                        _, rep = w.conn.recv()
                except (EOFError, OSError):
                    rep = None
                if rep is None:  # the worker died with the file: replace it, the batch goes on
                    rep = _lost(path, "处理该文件的进程意外终止（可能内存不足）")
                    w.proc.kill()
                    w.proc.join(timeout=2)
                    workers[workers.index(w)] = w = _Worker(ctx, sign_key, time_limit)
                done[i] = rep
                if todo:
                    w.give(*todo.pop())
            while nxt in done:
                yield done.pop(nxt)
                nxt += 1
    finally:
        for w in workers:
            w.stop()
