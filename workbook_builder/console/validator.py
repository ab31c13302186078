"""The validation process: a separate process that reads returns with the safe reader's worker pool.

The console never reads a returned file in its own process. It sends batches to this process, which hands
them to ``reader.pool.validate_isolated`` (one forked worker with the reader's memory and time caps; a worker
that dies costs one file, which gets an ``unreadable`` finding). If this process itself is killed, the
returns it held are still ``pending`` in the database and are sent again.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import subprocess
import sys
from pathlib import Path

_HEAD = 8  # each message: its length (8 bytes, big-endian), then the pickle


def _send(out, obj) -> None:
    body = pickle.dumps(obj)
    out.write(len(body).to_bytes(_HEAD, "big") + body)
    out.flush()


def _serve(inp, out) -> None:
    """The process's loop: (template file, key, [(id, path)]) in, (id, report) … ("done", None) out."""
    from ..paths import ENV
    from ..reader.pool import validate_isolated
    base_env = os.environ.get(ENV, "")
    while True:
        try:
            task = pickle.load(inp)
        except (EOFError, OSError, pickle.UnpicklingError):
            return
        if task is None:
            return
        template_file, key, items = task
        os.environ[ENV] = os.pathsep.join(x for x in (template_file, base_env) if x)
        ids = [i for i, _ in items]
        for rid, rep in zip(ids, validate_isolated([Path(p) for _, p in items], key, jobs=1)):
            _send(out, (rid, rep))
        _send(out, ("done", None))


class Validator:
    """A handle on the validation process; ``run`` yields (return id, FileReport) and restarts it when lost.

    The process leads its own process group: when it is lost, its reader workers go with it."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self.buf = b""

    def _start(self) -> None:
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([root] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        self.buf = b""
        self.proc = subprocess.Popen([sys.executable, "-m", "workbook_builder.console.validator"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def _recv(self):
        """The next message; EOFError when the process is gone (even if a worker still holds the pipe)."""
        fd = self.proc.stdout.fileno()
        while True:
            if len(self.buf) >= _HEAD:
                n = int.from_bytes(self.buf[:_HEAD], "big")
                if len(self.buf) >= _HEAD + n:
                    body, self.buf = self.buf[_HEAD:_HEAD + n], self.buf[_HEAD + n:]
                    return pickle.loads(body)
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise EOFError
                self.buf += chunk
            elif self.proc.poll() is not None:
                raise EOFError

    def run(self, template_file: str, key: bytes | None, items: list[tuple[int, str]]):
        """Reports for ``items`` ((id, path)); stops early (the rest stays pending) if the process is lost."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        try:
            pickle.dump((template_file, key, items), self.proc.stdin)
            self.proc.stdin.flush()
            while True:
                rid, rep = self._recv()
                if rid == "done":
                    return
                yield rid, rep
        except (EOFError, OSError, pickle.UnpicklingError):
            self.stop()

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            pickle.dump(None, self.proc.stdin)
            self.proc.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=3)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # a worker left behind by a lost process
        except (ProcessLookupError, PermissionError):
            pass
        self.proc = None


if __name__ == "__main__":
    _out = os.fdopen(os.dup(1), "wb")  # the reports' channel; anything printed goes to stderr instead
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _serve(sys.stdin.buffer, _out)
