"""Background work: generation jobs (a progress row in ``jobs``) and the validation loop.

The validation loop sends every ``pending`` return to the validation process (validator.py) and records
its report. Pending returns are found again at each start, so a restart or a killed worker loses nothing.
A job left running by a stopped console is marked 中断 at start and can be started again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..reader.findings import FileReport
from .returns import record
from .storage import Store, now
from .validator import Validator

LOG = logging.getLogger("workbook_builder.console")
BATCH = 50


class Jobs:
    def __init__(self, store: Store):
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="生成")
        store.run("UPDATE jobs SET status = '中断', message = ? WHERE status IN ('排队', '进行中')",
                  "控制台在生成过程中被关闭，请重新生成")

    def start(self, kind: str, round_id: int, total: int, work: Callable[[int], str]) -> int:
        jid = self.store.insert("jobs", kind=kind, round_id=round_id, status="排队", done=0, total=total,
                                message="", output=None, created_at=now())
        self.pool.submit(self._run, jid, work)
        return jid

    def _run(self, jid: int, work) -> None:
        self.store.run("UPDATE jobs SET status = '进行中' WHERE id = ?", jid)
        try:
            out = work(jid)
        except Exception:
            LOG.exception("")
            self.store.run("UPDATE jobs SET status = '失败', message = ? WHERE id = ?",
                           "生成时出错，未生成文件；请重试，若仍出错请联系技术支持", jid)
            return
        self.store.run("UPDATE jobs SET status = '完成', done = total, output = ? WHERE id = ?", out, jid)

    def stop(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class ValidationLoop(threading.Thread):
    """Validates pending returns, round by round, in batches; wakes when a return arrives."""

    def __init__(self, store: Store, key_of: Callable[[int], tuple[str, bytes | None]]):
        super().__init__(daemon=True, name="校验")
        self.store = store
        self.key_of = key_of
        self.wake = threading.Event()
        self.halt = threading.Event()
        self.validator = Validator()
        self.validations = 0  # files sent to the validation process (tests count the work)

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                worked = self.once()
            except Exception:
                LOG.exception("")
                worked = False
            if not worked:
                self.wake.wait(2.0)
                self.wake.clear()
        self.validator.stop()

    def once(self) -> bool:
        pend = self.store.rows("SELECT id, round_id, sha256 FROM returns WHERE status = 'pending' ORDER BY id")
        if not pend:
            return False
        rnd = pend[0]["round_id"]
        batch = [r for r in pend if r["round_id"] == rnd][:BATCH]
        try:
            template_file, key = self.key_of(rnd)
        except Exception:
            LOG.exception("")
            for r in batch:
                rep = FileReport(file="")
                rep.add("unreadable", detail="本轮所用的指标体系无法读取，请联系技术支持")
                record(self.store, r["id"], rep)
            return True
        items = []
        for r in batch:
            items.append((r["id"], str(self.store.as_file(r["sha256"], ".xlsx"))))
        for rid, rep in self.validator.run(template_file, key, items):
            self.validations += 1
            rep.file = next(p for i, p in items if i == rid)
            record(self.store, rid, rep)
        return True

    def stop(self) -> None:
        self.halt.set()
        self.wake.set()
