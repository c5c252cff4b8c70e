"""The programme pages and Datasette's `programme_progress` say what the registry says: every
figure of the five demo programmes equals a count made here, independently, from the registry's
CSV files (no query of the project is called), and so does every metric for targets of every
kind of place (city, county, station, one kind of business)."""
from __future__ import annotations

import asyncio
import csv
import html
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from site_builder.vocabulary import TARGET_STATUS

DEMO_PROGRAMMES = {"yc-2024", "sp-2021", "ja-2019", "yj-2025", "zq-2022"}
YES = {"是", "true", "True", "1", "yes"}


@dataclass
class Figure:
    numerator: int
    denominator: int | None
    actual: Decimal | None   # the share rounded to one decimal as the pages print it, or the count
    status: str


class Registry:
    """The registry's CSV files, read as a clerk's spreadsheet would be."""

    def __init__(self, data: Path):
        def rows(name):
            path = data / f"{name}.csv"
            if not path.exists():
                return []
            with open(path, encoding="utf-8-sig", newline="") as f:
                return [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(f)]

        self.release = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))["created"][:10]
        for name in ("regions", "operators", "inspections", "inspection_items", "samplings", "grades", "brands",
                     "upgrades", "boards", "activities", "closures", "parks", "programmes", "programme_targets"):
            setattr(self, name, rows(name))
        self.programme = {p["id"]: p for p in self.programmes}
        parent = {r["code"]: r["parent_code"] for r in self.regions}

        def ancestors(code):
            while code:
                yield code
                code = parent.get(code)

        self.ancestors = {code: set(ancestors(code)) for code in parent}
        checked = {r["inspection_id"] for r in self.inspection_items}
        self.checked_inspections = [i for i in self.inspections if i["id"] in checked]
        self.grade_now = {}
        for g in sorted(self.grades, key=lambda g: g["effective_on"]):
            if g["effective_on"] <= self.release:
                self.grade_now[g["operator_id"]] = g["grade"]

    def graded(self, operator) -> bool:
        """A grade counts while it is in force: its business may operate (active, licence valid)."""
        return (operator["id"] in self.grade_now and operator["status"] == "active"
                and operator["valid_until"] is not None and operator["valid_until"] >= self.release)

    def within(self, code, region) -> bool:
        return code is not None and region in self.ancestors.get(code, ())

    def members(self, t) -> list[dict]:
        if t["station_id"]:
            found = [o for o in self.operators if o["station_id"] == t["station_id"]]
        else:
            found = [o for o in self.operators if self.within(o["region_code"], t["region_code"])]
        return [o for o in found if t["kind"] is None or o["kind"] == t["kind"]]

    def in_place(self, row, t) -> bool:
        if t["station_id"]:
            return row["station_id"] == t["station_id"]
        return self.within(row["region_code"], t["region_code"])

    def figure(self, t) -> Figure:
        start = t["start"] or self.programme[t["programme_id"]]["period_start"]
        end = min(t["deadline"], self.release)

        def during(day):
            return day is not None and start <= day <= end

        members = self.members(t)
        ids = {o["id"] for o in members}
        active = [o for o in members if o["status"] == "active"]

        def share_of_active(test):
            return sum(1 for o in active if test(o)), len(active)

        samplings = [s for s in self.samplings if s["operator_id"] in ids and during(s["sampled_on"])]
        failed = [s for s in samplings if s["result"] == "不合格"]
        closed = [c for c in self.closures if self.in_place(c, t) and during(c["banned_on"])
                  and (t["kind"] is None or c["kind"] == t["kind"])]
        zones = [z for z in self.parks if t["region_code"] and self.within(z["region_code"], t["region_code"])]
        awarded = [b for b in self.brands if b["operator_id"] in ids and b["status"] == "awarded" and during(b["awarded_on"])]
        metric = t["metric"]
        if metric == "registration_rate":
            registered = sum(1 for o in members if o["registered_on"] <= end)
            n, d = registered, registered + len(closed)
        elif metric == "file_rate":
            filed = {i["operator_id"] for i in self.checked_inspections if i["date"] <= end}
            n, d = share_of_active(lambda o: o["id"] in filed)
        elif metric == "inspection_coverage":
            seen = {i["operator_id"] for i in self.inspections if during(i["date"])}
            n, d = share_of_active(lambda o: o["id"] in seen)
        elif metric == "sampling_coverage":
            sampled = {s["operator_id"] for s in samplings}
            n, d = share_of_active(lambda o: o["id"] in sampled)
        elif metric == "sampling_pass_rate":
            n, d = sum(1 for s in samplings if s["result"] == "合格"), len(samplings)
        elif metric == "disposal_rate":
            n, d = sum(1 for s in failed if (s["disposal"] or "").strip()), len(failed)
        elif metric == "licensed_rate":
            n, d = share_of_active(lambda o: o["valid_until"] is not None and o["valid_until"] >= end)
        elif metric == "graded_share":
            n, d = share_of_active(self.graded)
        elif metric == "a_share":
            graded = [o for o in active if self.graded(o)]
            n, d = sum(1 for o in graded if self.grade_now[o["id"]] == "A"), len(graded)
        elif metric == "brands_awarded":
            n, d = len(awarded), None
        elif metric == "model_units":
            n, d = sum(1 for b in awarded if b["program"] == "出彩小作坊"), None
        elif metric == "upgrades":
            n, d = sum(1 for u in self.upgrades if u["operator_id"] in ids and during(u["upgraded_on"])), None
        elif metric == "video_pilots":
            on_video = {b["operator_id"] for b in self.boards if b["remote_video"] in YES or b["open_kitchen"] in YES}
            n, d = sum(1 for o in active if o["id"] in on_video), None
        elif metric == "association_events":
            n, d = sum(1 for a in self.activities if a["kind"] == "association" and self.in_place(a, t)
                       and during(a["held_on"])), None
        elif metric == "closures":
            n, d = len(closed), None
        elif metric == "model_streets":
            n, d = sum(1 for z in zones if z["kind"] == "model_street"), None
        elif metric == "processing_areas":
            n, d = sum(1 for z in zones if z["kind"] in ("park", "processing_area")), None
        else:
            raise AssertionError(f"a metric this test does not know: {metric}")
        if d is None:
            actual = Decimal(n)
        elif d == 0:
            actual = None
        else:
            exact = Fraction(100 * n, d)
            actual = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if actual is None:
            status = "no_data"
        elif actual >= Decimal(t["target"]):
            status = "met"
        elif t["deadline"] < self.release:
            status = "missed"
        else:
            status = "open"
        return Figure(n, d, actual, status)

    def figures(self) -> dict[tuple[str, int], Figure]:
        return {(t["programme_id"], int(t["number"])): self.figure(t) for t in self.programme_targets}


def number(text: str) -> Decimal | None:
    text = text.strip()
    if text == "—":
        return None
    return Decimal(re.match(r"-?\d+(\.\d+)?", text).group(0))


def page_rows(page: str) -> dict[int, dict[str, str]]:
    """The task table of a programme page: number -> the text of its target, actual, count and status cells."""
    rows = {}
    for number_, body in re.findall(r'<tr role="row" id="target-(\d+)">(.*?)</tr>', page, re.S):
        cells = dict(re.findall(r'<td [^>]*class="(target|actual|count)">(.*?)</td>', body, re.S))
        status = re.search(r'<span class="status status-([a-z_]+)">', body).group(1)
        rows[int(number_)] = {k: html.unescape(v) for k, v in cells.items()} | {"status": status}
    return rows


@pytest.fixture(scope="module")
def expected(demo_dir) -> dict[tuple[str, int], Figure]:
    return Registry(demo_dir).figures()


def test_the_demo_ships_the_five_programmes_with_targets_of_every_status(expected, demo_build):
    assert {pid for pid, _ in expected} == DEMO_PROGRAMMES
    assert {p.name for p in (demo_build / "site" / "programmes").iterdir() if p.is_dir()} == DEMO_PROGRAMMES
    statuses = {f.status for f in expected.values()}
    assert {"met", "open", "missed"} <= statuses
    shares = {f.actual for f in expected.values() if f.denominator}
    assert len(shares) > 10, "the shares differ from target to target: something is counted"


@pytest.mark.parametrize("programme", sorted(DEMO_PROGRAMMES))
def test_every_figure_on_a_programme_page_equals_an_independent_count(programme, expected, demo_build):
    page = (demo_build / "site" / "programmes" / programme / "index.html").read_text(encoding="utf-8")
    shown = page_rows(page)
    mine = {n: f for (pid, n), f in expected.items() if pid == programme}
    assert shown.keys() == mine.keys(), "every target of the task table, and no other"
    for n, f in mine.items():
        row = shown[n]
        assert number(row["actual"]) == f.actual, (programme, n, row, f)
        assert row["count"].strip() == ("" if f.denominator is None else f"{f.numerator} / {f.denominator}"), (programme, n)
        assert row["status"] == f.status, (programme, n, row, f)
    # The summary line counts the targets by status.
    for code, term in TARGET_STATUS.items():
        count = sum(1 for f in mine.values() if f.status == code)
        if count:
            assert f'<span class="status status-{code}">{term.zh}</span> {count} 项' in page


def test_the_programme_list_counts_each_programmes_targets(expected, demo_build):
    page = (demo_build / "site" / "programmes" / "index.html").read_text(encoding="utf-8")
    for programme in DEMO_PROGRAMMES:
        card = page[page.index(f'href="/programmes/{programme}/"'):]
        card = card[: card.index("</li>")]
        assert f"任务目标 {sum(1 for pid, _ in expected if pid == programme)} 项" in card


def test_datasette_shows_the_same_figures(expected, demo_build):
    from site_builder.serve.live import datasette_app

    ds = datasette_app(demo_build)
    response = asyncio.run(ds.client.get("/registry/programme_progress.json?_shape=array&_size=max"))
    assert response.status_code == 200
    rows = {(r["programme_id"], r["number"]): r for r in response.json()}
    assert rows.keys() == expected.keys()
    for key, f in expected.items():
        r = rows[key]
        assert (r["numerator"], r["denominator"], r["status"]) == (f.numerator, f.denominator, f.status), key
        assert (None if r["actual"] is None else Decimal(str(r["actual"]))) == f.actual, key


#: Extra targets for the metric test: every metric at the city, a county, a station, and for one
#: kind of business in a county, over the whole of 2025 and up to the release date.
def _extra_targets(reg: Registry) -> list[dict]:
    from site_builder.database.metrics import METRICS

    county = next(r["code"] for r in reg.regions if r["level"] == "county")
    city = next(r["code"] for r in reg.regions if r["level"] == "city")
    station = next(o["station_id"] for o in reg.operators if o["station_id"])
    places = [dict(region_code=city, station_id=None, kind=None), dict(region_code=county, station_id=None, kind=None),
              dict(region_code=None, station_id=station, kind=None),
              dict(region_code=county, station_id=None, kind="workshop")]
    targets = []
    for metric in sorted(METRICS):
        for place in places:
            if place["station_id"] and not METRICS[metric].per_station:
                continue
            for deadline in ("2025-12-31", "2027-12-31"):
                targets.append(dict(programme_id="test-all", number=len(targets) + 1, metric=metric, target=50,
                                    start="2025-01-01", deadline=deadline, note=None, **place))
    return targets


def test_every_metric_equals_an_independent_count_in_every_kind_of_place(demo_dir, tmp_path):
    """Beyond the demo's targets: each metric (a_share and sampling_pass_rate, too) for a city,
    a county, a station and one kind, with the deadline past and ahead."""
    from site_builder.database.build import build_database
    from site_builder.registry.package import Package

    data = Path(shutil.copytree(demo_dir, tmp_path / "data"))
    reg = Registry(data)
    extra = _extra_targets(reg)
    with open(data / "programmes.csv", "a", encoding="utf-8", newline="") as f:
        f.write("test-all,全部指标（测试）,,,,2024-01-01,2027-12-31,\n")
    with open(data / "programme_targets.csv", encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    with open(data / "programme_targets.csv", "a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=header).writerows(
            {k: ("" if v is None else v) for k, v in t.items()} for t in extra)
    build_database(Package.load(data), tmp_path / "registry.db")
    expected = Registry(data).figures()
    conn = sqlite3.connect(tmp_path / "registry.db")
    conn.row_factory = sqlite3.Row
    got = {(r["programme_id"], r["number"]): r for r in conn.execute("SELECT * FROM programme_progress")}
    assert got.keys() == expected.keys()
    for key, f in expected.items():
        r = got[key]
        actual = None if r["actual"] is None else Decimal(str(r["actual"]))
        assert (r["numerator"], r["denominator"], actual, r["status"]) == (f.numerator, f.denominator, f.actual,
                                                                          f.status), (key, dict(r))
    tested = [f for (pid, _), f in expected.items() if pid == "test-all"]
    assert len(tested) == len(extra) and sum(1 for f in tested if f.numerator) > len(tested) // 2
