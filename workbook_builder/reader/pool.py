"""Validate files in worker processes: a memory cap per worker, and a lost worker costs one file.

Each worker takes one file at a time over a pipe. A worker that dies (the out-of-memory killer, a
crash in a C library) is replaced, and the file it held gets an ``unreadable`` finding; the batch
goes on. Reports come back in the order of the files.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator
from multiprocessing.connection import wait
from pathlib import Path

from ..workers import died, quiet_start, stopped, worker_init
from .findings import FileReport

#: seconds a busy worker may go past its own time limit before the parent stops it
GRACE = 30.0
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


def _worker(conn, parent: int, sign_key: bytes | None, time_limit: float | None) -> None:
    worker_init(parent)  # quiet on Ctrl-C (the parent answers it), gone with the parent
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
        self.proc = ctx.Process(target=_worker, args=(child, os.getpid(), sign_key, time_limit), daemon=True)
        with quiet_start():
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
            ready = wait(list(busy) + [w.proc.sentinel for w in busy.values()], timeout=time_limit * 3 + GRACE)
            why = {}
            if not ready:  # a worker stuck beyond its own deadline: give up on its file
                ready = [next(iter(busy))]
                w = busy[ready[0]]
                why[id(w)] = ("处理该文件的进程被暂停（SIGSTOP），已停止等待；请重新校验该文件" if stopped(w.proc.pid)
                              else f"处理该文件超过 {time_limit * 3 + GRACE:g} 秒仍未完成，已停止")
                w.proc.kill()
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
                    w.proc.join(timeout=2)
                    code = w.proc.exitcode
                    w.proc.kill()
                    w.proc.join(timeout=2)
                    rep = _lost(path, why.get(id(w)) or died(code))
                    workers[workers.index(w)] = w = _Worker(ctx, sign_key, time_limit)
                done[i] = rep
                if todo:
                    w.give(*todo.pop())
            while nxt in done:
                yield done.pop(nxt)
                nxt += 1
    except BaseException:  # Ctrl-C, SIGTERM, the consumer gone: the workers go at once
        for w in workers:
            w.proc.kill()
        raise
    finally:
        for w in workers:
            w.stop()
