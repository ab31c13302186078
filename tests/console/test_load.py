"""Load on loopback, bounded in count: many departments upload at once to a real server process; nothing is
lost — every upload is stored byte for byte under its hash, validated once, and matched to its department.
(Times are recorded by benchmarks/console_load.py, never asserted here.)"""

from __future__ import annotations

import hashlib

from .load import run

N = 24


def test_departments_uploading_at_once_lose_nothing(server):
    got = run(server.url, server.data, N)
    rows = got["rows"]
    assert sorted(r[0] for r in rows) == got["ids"] and len(rows) == N  # one return per upload, no more
    assert sorted(r[1] for r in rows) == sorted(got["bodies"])  # each matched to its own department
    assert {r[3] for r in rows} == {"通过"}
    for _, name, sha, _ in rows:
        body = got["bodies"][name]
        assert sha == hashlib.sha256(body).hexdigest()
        path = server.data / "files" / sha[:2] / sha
        assert path.read_bytes() == body
    assert got["audit"] == N
