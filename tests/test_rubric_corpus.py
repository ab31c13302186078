"""The phrasing corpus (tests/data/rubric_corpus/*.yaml: real county 评分标准 texts with hand-scored cases),
run through the same path as ``rubric --json`` (``rubric.run``): never a wrong score, and the share of
cases scored right stays above the floor measured (docs/rubric.md)."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from workbook_builder import rubric

CORPUS = sorted((Path(__file__).parent / "data" / "rubric_corpus").glob("*.yaml"))
#: the share of cases right when last measured, less a margin (docs/rubric.md has the figures)
RIGHT_FLOOR = 0.66


def entries():
    for f in CORPUS:
        yield from yaml.safe_load(f.read_text(encoding="utf-8")) or []


def verdict(e: dict, case: dict) -> tuple[str, dict]:
    """right / abstained / wrong for one hand-scored case, and what the command answered."""
    actual = case.get("actual")
    actuals = None if actual is None else [str(x) for x in actual] if isinstance(actual, list) else [str(actual)]
    met = None
    if "met" in case:
        met = [int(x) for x in str(case["met"] or "").replace("，", ",").split(",") if x.strip()]
    try:
        got = rubric.run(e["text"], float(e["weight"]), e.get("target"), actuals, met, e.get("unit", ""))
    except rubric.ValueProblem as err:
        got = {"recognised": False, "reading": str(err)}
    given = got.get("score", got.get("score_range"))
    if "score" in case:
        want = case["score"]
    elif "score_range" in case:
        want = list(case["score_range"])
    else:
        want = None  # expect: abstain
    if given is None:
        return ("right" if want is None else "abstained"), got
    if want is None:
        return "wrong", got
    same = (isinstance(want, list) and isinstance(given, list) and [float(x) for x in want] == [float(x) for x in given]) or \
        (not isinstance(want, list) and not isinstance(given, list) and abs(float(want) - float(given)) < 1e-9)
    return ("right" if same else "wrong"), got


def measure():
    counts, wrong = Counter(), []
    for e in entries():
        for case in e["cases"]:
            v, got = verdict(e, case)
            counts[v] += 1
            if v == "wrong":
                wrong.append((e["id"], case, got.get("score", got.get("score_range")), got.get("reading")))
    return counts, wrong


def test_corpus_is_there():
    assert CORPUS and sum(len(e["cases"]) for e in entries()) >= 300


def test_no_case_is_scored_wrong_and_the_right_share_holds():
    counts, wrong = measure()
    assert wrong == []
    total = sum(counts.values())
    assert counts["right"] / total >= RIGHT_FLOOR, counts


@pytest.mark.parametrize("e", list(entries())[:40], ids=lambda e: e["id"])
def test_full_width_and_trailing_punctuation_read_the_same(e):
    """A text and its full-width form, with or without its last full stop, give the same answers."""
    wide = e["text"].translate(str.maketrans(",;:()", "，；：（）")).rstrip("。.") + "。"
    narrow = e["text"].rstrip("。.")
    for case in e["cases"]:
        a, _ = verdict(e, case)
        b, _ = verdict({**e, "text": wide}, case)
        c, _ = verdict({**e, "text": narrow}, case)
        assert a == b == c, (e["id"], case)
