"""The soak's verdict (bench/soak_check.py) must be able to fail: each kind of wrong final
state, made by hand, is named as that kind, and a right one passes."""

from __future__ import annotations

from typing import Any

from bench.soak_check import Verdict, check_dlq, check_index

CURRENT = {"a.txt": ("v2", "aa"), "b.pdf": ("v1", "bb"), "c.xlsx": ("v1", "cc")}
DELETED = {"gone.txt"}


def _doc(key: str, version: str, sha256: str | None, status: str = "complete") -> dict[str, Any]:
    return {"source": {"bucket": "landing", "key": key, "version_id": version},
            "status": status, "sha256": sha256}


def _verdict(documents: list[dict[str, Any]]) -> Verdict:
    verdict = Verdict()
    check_index(verdict, CURRENT, DELETED, documents)
    return verdict


def test_the_right_final_state_passes() -> None:
    verdict = _verdict([_doc("a.txt", "v2", "aa"), _doc("b.pdf", "v1", "bb"),
                        _doc("c.xlsx", "v1", None, status="failed")])
    assert verdict.ok and verdict.statuses == {"complete": 2, "failed": 1}


def test_each_wrong_final_state_is_named() -> None:
    verdict = _verdict([
        _doc("a.txt", "v1", "old"),  # an older version won
        _doc("b.pdf", "v1", "bb"), _doc("b.pdf", "v1", "bb"),  # twice
        _doc("gone.txt", "v1", "gg"),  # deleted, still searchable
        _doc("never.txt", "v1", "nn"),  # no such key
    ])  # and c.xlsx has no document
    assert (verdict.wrong_version, verdict.duplicated, verdict.resurrected, verdict.unknown,
            verdict.lost) == (["a.txt"], ["b.pdf"], ["gone.txt"], ["never.txt"], ["c.xlsx"])
    assert not verdict.ok


def test_the_dlq_must_hold_exactly_the_poison() -> None:
    verdict = Verdict()
    event = '{"detail-type": "Object Created", "detail": {"object": {"key": "x.xlsx"}}}'
    check_dlq(verdict, ["not json {", event], ["not json {", "[[[]]]"])
    assert (verdict.dlq_expected, verdict.dlq_missing, verdict.dlq_unexpected) == \
        (1, 1, ["Object Created x.xlsx"])
    assert not verdict.ok
