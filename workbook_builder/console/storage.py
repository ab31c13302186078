"""The console's storage: a database (SQLite in the data folder, or PostgreSQL) and a content-addressed file store.

Every uploaded file is kept byte for byte under its SHA-256 (``files/ab/abcd…``) and never rewritten; the
name the user gave is only ever shown, never used as a path. The tables hold rounds, departments, returns,
findings, jobs and an audit log. SQL is written once with ``?`` placeholders and runs on both databases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import queue
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, stored_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS templates (
  id {ID}, code TEXT NOT NULL, version TEXT NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL,
  ref TEXT NOT NULL, sha256 TEXT, file_name TEXT, ok INTEGER NOT NULL, report TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rounds (
  id {ID}, name TEXT NOT NULL, template_id INTEGER NOT NULL, year INTEGER NOT NULL, sign INTEGER NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lists (
  id {ID}, round_id INTEGER NOT NULL, kind TEXT NOT NULL, sha256 TEXT NOT NULL, file_name TEXT NOT NULL,
  ok INTEGER NOT NULL, preview TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS departments (
  id {ID}, round_id INTEGER NOT NULL, name TEXT NOT NULL, code TEXT NOT NULL UNIQUE, row_no INTEGER,
  prefill TEXT NOT NULL, UNIQUE (round_id, name));
CREATE TABLE IF NOT EXISTS returns (
  id {ID}, round_id INTEGER NOT NULL, department_id INTEGER, sha256 TEXT NOT NULL, file_name TEXT NOT NULL,
  via TEXT NOT NULL, status TEXT NOT NULL, submitted INTEGER NOT NULL, superseded INTEGER NOT NULL,
  result TEXT, total DOUBLE PRECISION, grade TEXT, report TEXT, uploaded_at TEXT NOT NULL, checked_at TEXT,
  kind TEXT NOT NULL DEFAULT '自评表');
CREATE INDEX IF NOT EXISTS returns_round ON returns (round_id, status);
CREATE TABLE IF NOT EXISTS findings (
  id {ID}, return_id INTEGER NOT NULL, severity TEXT NOT NULL, code TEXT NOT NULL, sheet TEXT NOT NULL,
  cell TEXT NOT NULL, message TEXT NOT NULL, expected TEXT NOT NULL, found TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS findings_return ON findings (return_id);
CREATE TABLE IF NOT EXISTS jobs (
  id {ID}, kind TEXT NOT NULL, round_id INTEGER NOT NULL, status TEXT NOT NULL, done INTEGER NOT NULL,
  total INTEGER NOT NULL, message TEXT NOT NULL, output TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  id {ID}, at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);
"""

ID = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgresql": "BIGSERIAL PRIMARY KEY"}
#: tables in creation order (tests drop them on PostgreSQL)
TABLES = ("settings", "blobs", "templates", "rounds", "lists", "departments", "returns", "findings", "jobs", "audit")


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class StorageError(Exception):
    """The database cannot be used (a Chinese message)."""


class Store:
    """One data folder (files, outputs) and one database; safe to share between threads."""

    def __init__(self, data_dir: str | Path, url: str | None = None, pool: int = 8):
        self.data = Path(data_dir)
        (self.data / "files").mkdir(parents=True, exist_ok=True)
        (self.data / "out").mkdir(exist_ok=True)
        (self.data / "tpl").mkdir(exist_ok=True)
        self.url = url or f"sqlite:///{self.data / 'console.db'}"
        self.dialect = "postgresql" if self.url.startswith(("postgresql://", "postgres://")) else "sqlite"
        self._pool: queue.LifoQueue = queue.LifoQueue()
        self._size = pool
        self._made = 0
        self._lock = threading.Lock()
        with self.tx() as c:
            for stmt in SCHEMA.format(ID=ID[self.dialect]).split(";"):
                if stmt.strip():
                    c.execute(stmt)

    # --- connections -------------------------------------------------------------------------
    def _connect(self):
        if self.dialect == "sqlite":
            path = self.url.removeprefix("sqlite:///")
            c = sqlite3.connect(path, timeout=60, check_same_thread=False, isolation_level=None)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA busy_timeout=60000")
            c.row_factory = sqlite3.Row
            return c
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ImportError:
            raise StorageError("使用 PostgreSQL 需要安装 psycopg（pip install 'psycopg[binary]'）") from None
        try:
            return psycopg.connect(self.url, row_factory=dict_row, autocommit=True)
        except psycopg.Error:
            raise StorageError("无法连接数据库，请检查数据库地址、用户名和密码") from None

    @contextmanager
    def _conn(self):
        try:
            c = self._pool.get_nowait()
        except queue.Empty:
            c = self._connect()
        try:
            yield c
        except BaseException:
            try:
                c.close()
            except Exception:  # noqa: BLE001, S110 - a broken connection is dropped
                pass
            raise
        else:
            if self._pool.qsize() < self._size:
                self._pool.put(c)
            else:
                c.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    @contextmanager
    def tx(self) -> Iterator[_Tx]:
        """A transaction: everything inside commits together or not at all."""
        with self._conn() as c:
            c.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
            try:
                yield _Tx(self, c)
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")

    def rows(self, sql: str, *params) -> list[dict[str, Any]]:
        with self._conn() as c:
            cur = c.execute(self._sql(sql), params)
            return [dict(r) for r in cur.fetchall()]

    def row(self, sql: str, *params) -> dict[str, Any] | None:
        got = self.rows(sql, *params)
        return got[0] if got else None

    def run(self, sql: str, *params) -> None:
        with self.tx() as t:
            t.execute(sql, *params)

    def insert(self, table: str, **cols) -> int:
        with self.tx() as t:
            return t.insert(table, **cols)

    # --- settings and audit --------------------------------------------------------------------
    def setting(self, key: str, default: str | None = None) -> str | None:
        r = self.row("SELECT value FROM settings WHERE key = ?", key)
        return r["value"] if r else default

    def set_setting(self, key: str, value: str, only_if_missing: bool = False) -> bool:
        """Store a setting; with ``only_if_missing`` the first writer wins (returns whether this one did)."""
        with self.tx() as t:
            have = t.row("SELECT value FROM settings WHERE key = ?", key)
            if have is not None and only_if_missing:
                return False
            if have is None:
                t.execute("INSERT INTO settings (key, value) VALUES (?, ?)", key, value)
            else:
                t.execute("UPDATE settings SET value = ? WHERE key = ?", value, key)
            return True

    def audit(self, who: str, action: str, detail: Any = "") -> None:
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        self.insert("audit", at=now(), who=who, action=action, detail=text)

    # --- files -----------------------------------------------------------------------------------
    def blob_path(self, sha: str) -> Path:
        if len(sha) != 64 or any(ch not in "0123456789abcdef" for ch in sha):
            raise ValueError("不是文件的内容摘要")
        return self.data / "files" / sha[:2] / sha

    def put(self, data: bytes) -> str:
        """Store bytes under their SHA-256 (once; an existing file is never rewritten) and return the hash."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.blob_path(sha)
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o444)
            try:
                os.link(tmp, path)  # atomic; a concurrent writer of the same bytes wins harmlessly
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        with self.tx() as t:
            if t.row("SELECT sha256 FROM blobs WHERE sha256 = ?", sha) is None:
                t.execute("INSERT INTO blobs (sha256, size, stored_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                          sha, len(data), now())
        return sha

    def read(self, sha: str) -> bytes:
        return self.blob_path(sha).read_bytes()

    def as_file(self, sha: str, suffix: str) -> Path:
        """The stored bytes under a name with ``suffix`` (a hard link in ``tpl/``), for readers that need one."""
        suffix = suffix if suffix in (".xlsx", ".csv", ".xls", ".xlsm", ".txt") else ".bin"
        out = self.data / "tpl" / f"{sha}{suffix}"
        if not out.exists():
            try:
                os.link(self.blob_path(sha), out)
            except FileExistsError:
                pass
        return out


class _Tx:
    def __init__(self, store: Store, conn):
        self.s, self.c = store, conn

    def execute(self, sql: str, *params) -> None:
        self.c.execute(self.s._sql(sql), params)

    def rows(self, sql: str, *params) -> list[dict[str, Any]]:
        return [dict(r) for r in self.c.execute(self.s._sql(sql), params).fetchall()]

    def row(self, sql: str, *params) -> dict[str, Any] | None:
        got = self.rows(sql, *params)
        return got[0] if got else None

    def insert(self, table: str, **cols) -> int:
        names = ", ".join(cols)
        marks = ", ".join("?" for _ in cols)
        cur = self.c.execute(self.s._sql(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id"),
                             tuple(cols.values()))
        r = cur.fetchone()
        return int(r["id"] if not isinstance(r, tuple) else r[0])
