"""The reader never raises: hostile and broken files each become findings, the batch goes on.

FUZZ_FILES files (300 by default; 3,000 with HYPOTHESIS_PROFILE=thorough) are made from an honest
return by tests/reader/fuzz.py, and a third as many from an honest project workbook (two projects). Every file must be in the report, refused with a classified
finding (never the catch-all "读取时出错"), unchanged on disk, within the time limit.
"""

import hashlib
import os
from collections import Counter

import pytest
from projects.helpers import NATIONAL, open_project, road_project

from reader.fuzz import MUTATORS, hostile_files
from reader.helpers import honest_file
from workbook_builder.projects.render import build_project_workbook
from workbook_builder.reader import validate_file
from workbook_builder.reader.batch import collect, validate_many

N = int(os.environ.get("FUZZ_FILES", "3000" if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else "300"))
N_PROJECTS = N // 3


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz")
    honest = honest_file(d, "qingcheng_2024", name="honest.xlsx").read_bytes()
    (d / "honest.xlsx").unlink()
    seed = int(os.environ.get("FUZZ_SEED", "9"))
    for name, data in hostile_files(honest, N, seed=seed):
        (d / name).write_bytes(data)
    (p1, v1), (p2, v2) = road_project(), open_project()
    projects = build_project_workbook(NATIONAL, "庆城县交通运输局", 2024, [p1, p2], [v1, v2])
    for name, data in hostile_files(projects, N_PROJECTS, seed=seed + 1):
        (d / f"project-{name}").write_bytes(data)
    (d / "no-extension").write_bytes(honest)
    (d / "honest.ods").write_bytes(b"PK\x03\x04")
    return d


def _digests(d):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in d.iterdir()}


def test_every_hostile_file_is_a_classified_finding_and_none_is_modified(hostile_dir):
    before = _digests(hostile_dir)
    files = collect([hostile_dir])
    assert len(files) == N + N_PROJECTS + 2  # a folder scan skips nothing: no extension and .ods are in too
    reports = list(validate_many(files, jobs=2, progress=False))
    assert [r.file for r in reports] == [str(f) for f in files]
    crashes = [(r.file, f.detail) for r in reports for f in r.findings
               if f.code == "unreadable" or f.code == "too-slow"]
    assert not crashes, crashes[:10]
    codes = Counter(f.code for r in reports for f in r.findings)
    assert codes["corrupt-file"] and codes["unsupported-format"] and codes["file-too-large"] and codes["xml-invalid"]
    by_mutator = {m.__name__: [r for r in reports if m.__name__ in r.file] for m in MUTATORS}
    assert all(by_mutator.values())
    assert all(any("project-" in r.file for r in rs) for rs in by_mutator.values())
    # damage that leaves no valid workbook is never reported as one
    for name in ("other_format", "deep_xml", "huge_sqref", "many_cells", "no_shared_strings", "duplicate_entry"):
        assert all(not r.valid for r in by_mutator[name]), name
    assert _digests(hostile_dir) == before


def test_in_process_reading_never_raises(hostile_dir):
    """The same files read in this process (no worker isolation): still no exception, no catch-all."""
    files = sorted(hostile_dir.iterdir())
    for f in files[:120] + [f for f in files if f.name.startswith("project-")][:60]:
        rep = validate_file(f)
        assert not [x for x in rep.findings if x.code == "unreadable"], (f.name, rep.flatten(["code", "detail"]))
