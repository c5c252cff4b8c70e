"""A penalty whose publicity term has ended, or that is a warning only, is in the registry but
in no published view: registry.db (so Datasette), the /data/ downloads and the business page."""
from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date

from site_builder.database.publicity import published, warning_only


def test_warning_only_reads_kinds_first_then_the_penalty_text():
    assert warning_only({"penalty_kinds": "警告", "penalty": "警告，罚款2000元"})
    assert not warning_only({"penalty_kinds": "警告；罚款", "penalty": "警告"})
    assert warning_only({"penalty": "警告。"})
    assert not warning_only({"penalty": "警告", "fine_yuan": 500.0})
    assert not warning_only({"penalty": "警告，罚款2000元"})


def test_publicity_end_is_judged_against_the_release_date_not_the_clock():
    rows = [{"id": "a", "publicity_end": "2026-10-31", "penalty": "罚款"},
            {"id": "b", "publicity_end": "2026-11-01", "penalty": "罚款"},
            {"id": "c", "publicity_end": None, "penalty": "罚款"}]
    assert [r["id"] for r in published("penalties", rows, date(2026, 11, 1))] == ["b", "c"]
    assert [r["id"] for r in published("penalties", rows, date(2026, 10, 1))] == ["a", "b", "c"]
    assert list(published("samplings", rows, date(2030, 1, 1))) == rows


def test_ended_penalties_are_in_no_published_view(demo_dir, demo_build):
    with open(demo_dir / "penalties.csv", encoding="utf-8", newline="") as f:
        registry = list(csv.DictReader(f))
    ended = [p for p in registry if p["publicity_end"] and p["publicity_end"] < "2026-11-01"]
    current = [p for p in registry if p not in ended]
    assert ended and current  # the demo tells both stories
    conn = sqlite3.connect(demo_build / "registry.db")
    in_db = {r[0] for r in conn.execute("select id from penalties")}
    assert in_db == {p["id"] for p in current}
    download = (demo_build / "site" / "data" / "penalties.csv").read_text(encoding="utf-8-sig")
    assert {r["id"] for r in csv.DictReader(io.StringIO(download))} == in_db
    shown = {p["operator_id"] for p in current}
    for p in ended:
        page = (demo_build / "site" / "w" / p["operator_id"] / "index.html").read_text(encoding="utf-8")
        assert p["decision_no"] not in page
        if p["operator_id"] not in shown:
            assert "行政处罚" not in page
    for p in current:
        page = (demo_build / "site" / "w" / p["operator_id"] / "index.html").read_text(encoding="utf-8")
        assert p["decision_no"] in page
