"""Frictionless reads a table in a forked process while the rules judge its rows here (validate/beside.py):
the report must be the very one a single process makes, a broken file is still its file's problem,
and a failure in the child is raised here rather than lost or hung on."""
from __future__ import annotations

import os

import pytest
from validate_corpus import build_case, cases, expected

from site_builder.validate import beside
from site_builder.validate.whole import validate_registry


def _report(data, monkeypatch, processes: int):
    monkeypatch.setattr(beside, "workers", lambda: processes)
    monkeypatch.setattr(beside, "ROWS_TO_FORK", 0)  # the corpus's tables are small
    report = validate_registry(data, keep_scans=True)
    return [(p.file, p.row, p.field, p.rule, p.message) for p in report.problems], report.counts


def test_every_corpus_case_reports_the_same_problems_in_the_same_order_either_way(tmp_path, monkeypatch):
    """Every case with problems in rows (the others stop before Frictionless reads a row)."""
    differ = []
    for case in [c for c in cases() if any(row for _, row, _, _ in expected(c))]:
        data = build_case(case, tmp_path / case)
        alone, beside_it = _report(data, monkeypatch, 1), _report(data, monkeypatch, 2)
        if alone != beside_it:
            differ.append(case)
    assert differ == []


def test_the_rows_are_read_in_another_process_on_two_cores(monkeypatch):
    monkeypatch.setattr(beside, "workers", lambda: 2)
    pids = list(beside.rows_beside(lambda: (os.getpid() for _ in range(3 * beside.BATCH + 1)), (ValueError,)))
    assert len(pids) == 3 * beside.BATCH + 1
    assert set(pids) != {os.getpid()} and len(set(pids)) == 1
    monkeypatch.setattr(beside, "workers", lambda: 1)
    assert set(beside.rows_beside(lambda: (os.getpid() for _ in range(3)), (ValueError,))) == {os.getpid()}


def _broken():
    yield 1
    yield 2
    raise ValueError("第 4 行读不下去")


@pytest.mark.parametrize("processes", [1, 2])
def test_a_file_that_cannot_be_read_on_gives_the_rows_before_then_its_error(monkeypatch, processes):
    monkeypatch.setattr(beside, "workers", lambda: processes)
    got = []
    with pytest.raises((ValueError, beside.ReadFailure)) as failed:
        for item in beside.rows_beside(_broken, (ValueError,)):
            got.append(item)
    assert got == [1, 2]
    assert "第 4 行读不下去" in str(failed.value)
    if processes == 2:
        assert failed.value.error.type == "unreadable-file"


def _bug():
    yield "a"
    raise TypeError("a bug in the reading code")


def test_a_bug_in_the_child_is_raised_here_with_its_traceback(monkeypatch):
    monkeypatch.setattr(beside, "workers", lambda: 2)
    with pytest.raises(RuntimeError, match="TypeError: a bug in the reading code"):
        list(beside.rows_beside(_bug, (ValueError,)))


def test_stopping_early_leaves_no_child_behind(monkeypatch):
    """The parent raising mid-table (an error of its own) must not wait on a child blocked on a
    full pipe: the child stops on the closed pipe and is reaped."""
    monkeypatch.setattr(beside, "workers", lambda: 2)
    before = _children()
    rows = beside.rows_beside(lambda: ("x" * 1000 for _ in range(200_000)), (ValueError,))
    assert next(rows) == "x" * 1000
    assert len(_children() - before) == 1
    rows.close()
    assert _children() == before


def _children() -> set[str]:
    """This process's children (a zombie not yet reaped is one)."""
    pid = os.getpid()
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
        return set(f.read().split())
