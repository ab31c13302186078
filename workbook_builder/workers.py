"""Worker processes that behave: quiet on Ctrl-C, gone with their parent, and a dead worker named by its signal.

- ``worker_init`` runs first in every worker (the reader's pool, ``build --prefill --jobs``): Ctrl-C is
  left to the parent (no KeyboardInterrupt traceback per worker), and the worker dies with its parent
  (PR_SET_PDEATHSIG on Linux, and a thread watching the parent's pid everywhere else).
- ``on_signals`` makes SIGTERM and SIGHUP in the parent an ``Interrupted``, handled like Ctrl-C: the run
  stops its workers and ends with valid output, one Chinese line and exit status 128 + the signal.
- ``died`` says in Chinese why a worker ended, from its exit code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

_PR_SET_PDEATHSIG = 1
#: seconds between two looks at the parent's pid (the fallback where prctl is not available)
WATCH_INTERVAL = 1.0


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP in the parent."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


def status(e: BaseException) -> int:
    """The exit status of an interrupted run: 128 + the signal (130 for Ctrl-C)."""
    return 128 + int(getattr(e, "signum", signal.SIGINT))


def interrupted_line(e: BaseException) -> str:
    signum = int(getattr(e, "signum", signal.SIGINT))
    return "已中断" if signum == signal.SIGINT else f"已中断（收到 {signal.Signals(signum).name} 信号）"


def _raise(signum, frame):
    raise Interrupted(signum)


@contextlib.contextmanager
def on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Interrupted while the block runs (main thread only; restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _raise) for s in (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def quiet_start() -> Iterator[None]:
    """Around starting a worker: Ctrl-C ignored, so a forked worker never sees it before ``worker_init``."""
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: the parent's handler stays, worker_init follows at once
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def worker_init(parent: int | None = None) -> None:
    """First thing in a worker process: ignore Ctrl-C, restore default SIGTERM, and die with ``parent``."""
    parent = os.getppid() if parent is None else parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()


def _watch(parent: int) -> None:
    import time
    while True:
        time.sleep(WATCH_INTERVAL)
        if os.getppid() != parent:
            os._exit(1)


_CRASH = ("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE")


def died(exitcode: int | None) -> str:
    """Why a worker ended, in Chinese, from its exit code (negative: the signal that ended it)."""
    if exitcode is None:
        return "处理该文件的进程没有响应，已停止"
    if exitcode >= 0:
        return f"处理该文件的进程意外终止（退出码 {exitcode}）"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"信号 {-exitcode}"
    if name == "SIGABRT":
        return "处理该文件的进程意外终止（SIGABRT，多为读取所需内存过多）"
    if name in _CRASH:
        return f"处理该文件的进程意外终止（{name}，程序崩溃）"
    if name == "SIGKILL":
        return "处理该文件的进程意外终止（SIGKILL：被系统或他人强制结束）；请重新校验该文件"
    return f"处理该文件的进程意外终止（被 {name} 信号结束，不是文件本身的问题）；请重新校验该文件"


def stopped(pid: int) -> bool:
    """Whether process ``pid`` is stopped (SIGSTOP, SIGTSTP) rather than busy (Linux; False elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")
    except (OSError, IndexError):
        return False


@contextlib.contextmanager
def process_pool(jobs: int):
    """A ProcessPoolExecutor of well-behaved workers; on Ctrl-C or an error its workers stop at once."""
    from concurrent.futures import ProcessPoolExecutor
    ex = ProcessPoolExecutor(jobs, initializer=worker_init, initargs=(os.getpid(),))
    try:
        yield ex
    except BaseException:
        procs = list((getattr(ex, "_processes", None) or {}).values())
        ex.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.kill()
        for p in procs:
            p.join(timeout=5)
        raise
    ex.shutdown(wait=True)
