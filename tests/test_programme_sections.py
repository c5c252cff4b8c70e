"""What the programmes add to the demo's pages, checked against the registry's CSV files: each
business page's latest checklist (✓/✗ with the reply), its 信息公开栏 (health certificates as a
count), its zone and an upgrade with its SC licence; the zone pages; closures published as
enforcement notices without a licence; the 信息公开栏 on a workshop's poster."""
from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from site_builder import urls
from site_builder.vocabulary import VERDICTS, ZONE_KINDS

MARKS = {"符合": "✓", "不符合": "✗", "不适用": "—"}


def rows(data: Path, table: str) -> list[dict]:
    with open(data / f"{table}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def page(site: Path, address: str) -> str:
    return (site / urls.output_path(address)).read_text(encoding="utf-8")


def section(text: str, heading_id: str) -> str | None:
    """The <section> headed by the h2 with `heading_id` (None when the page has none)."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', text, re.S)
    return match.group(0) if match else None


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.fixture(scope="module")
def site(demo_build) -> Path:
    return demo_build / "site"


def latest_checklists(data: Path) -> dict[str, tuple[dict, list[dict]]]:
    """Each business's latest inspection with item results (newest date, then highest id), and
    those results in the list's order."""
    items = rows(data, "inspection_items")
    checked = {r["inspection_id"] for r in items}
    latest = {}
    for inspection in sorted((i for i in rows(data, "inspections") if i["id"] in checked),
                             key=lambda i: (i["date"], i["id"])):
        latest[inspection["operator_id"]] = inspection
    order = {i["id"]: (int(i["number"]), i["id"], i["name"]) for i in rows(data, "checklist_items")}
    out = {}
    for operator_id, inspection in latest.items():
        results = sorted((r for r in items if r["inspection_id"] == inspection["id"]), key=lambda r: order[r["item_id"]][:2])
        out[operator_id] = (inspection, [dict(r, name=order[r["item_id"]][2]) for r in results])
    return out


def test_business_pages_show_the_latest_checklist_item_by_item_with_the_reply(demo_dir, site):
    latest = latest_checklists(demo_dir)
    assert len(latest) > 100
    kinds_shown = set()
    for operator in rows(demo_dir, "operators"):
        found = section(page(site, urls.operator(operator["id"])), "checklist")
        if operator["id"] not in latest:
            assert found is None, operator["id"]
            continue
        inspection, results = latest[operator["id"]]
        assert found is not None, operator["id"]
        shown = [(plain(name), mark, result, plain(note)) for name, mark, result, note in re.findall(
            r'<tr role="row" class="check-\w+"><th scope="row"[^>]*>(.*?)</th><td[^>]*><span aria-hidden="true">(.)</span>'
            r' (\S+) .*?</td><td[^>]*>(.*?)</td></tr>', found)]
        assert shown == [(r["name"], MARKS[r["result"]], r["result"], r["note"]) for r in results], operator["id"]
        reply = plain(found[found.index("主体答复"):])
        assert (inspection["reply"] or "未答复") in reply, operator["id"]
        assert f'{int(inspection["date"][5:7])}月{int(inspection["date"][8:])}日' in found
        kinds_shown.add(operator["kind"])
    assert kinds_shown == {"workshop", "eatery", "stall"}


def test_business_pages_show_the_board_with_health_certificates_as_a_count(demo_dir, site):
    boards = rows(demo_dir, "boards")
    owners = {o["id"]: o["owner_name"] for o in rows(demo_dir, "operators")}
    assert len(boards) > 100
    for board in boards:
        text = page(site, urls.operator(board["operator_id"]))
        found = section(text, "board")
        assert found is not None, board["operator_id"]
        words = plain(found)
        assert f'{board["staff"]} 人，其中 {board["health_certs_valid"]} 人持有效健康证明' in words
        for column, label in (("licence_posted", "亮证经营"), ("commitment_posted", "食品安全承诺"),
                              ("remote_video", "远程视频监管"), ("open_kitchen", "明厨亮灶")):
            mark = "✓" if board[column] == "是" else "✗"
            assert re.search(rf"<dt>{label}</dt><dd><span aria-hidden=\"true\">{mark}</span> {board[column]} ", found), \
                (board["operator_id"], column)
        assert board["suppliers"] in words and board["additives"] in words
        # Counts, never names: neither the owner's name nor the staff's appear on the board.
        assert owners[board["operator_id"]] not in text and owners[board["operator_id"]][0] + "*" not in words
        assert "姓名" not in words


def test_business_pages_name_and_link_their_zone_and_zone_pages_list_them(demo_dir, site):
    zones = {z["id"]: z for z in rows(demo_dir, "parks")}
    kinds = set()
    zoned = [o for o in rows(demo_dir, "operators") if o["park_id"]]
    assert len(zoned) > 20
    for operator in zoned:
        zone = zones[operator["park_id"]]
        label = f'{ZONE_KINDS[zone["kind"]].zh} <span lang="en">{ZONE_KINDS[zone["kind"]].en}</span>'
        assert (f'<dt>{label}</dt><dd><a href="{urls.zone(zone["id"])}">{html.escape(zone["name"])}</a></dd>'
                in page(site, urls.operator(operator["id"]))), operator["id"]
        assert f'href="{urls.operator(operator["id"])}"' in page(site, urls.zone(zone["id"]))
        kinds.add(zone["kind"])
    assert kinds == set(ZONE_KINDS), "the demo has businesses in every kind of zone"
    for zone in zones.values():
        text = page(site, urls.zone(zone["id"]))
        members = [o for o in zoned if o["park_id"] == zone["id"]]
        assert f"<strong>{len(members)}</strong> 家主体" in text
        assert ZONE_KINDS[zone["kind"]].zh in text
        assert f'href="{urls.zone(zone["id"])}"' in page(site, urls.zones())


def test_an_upgraded_workshops_page_says_so_and_links_its_sc_licence(demo_dir, site):
    upgrades = rows(demo_dir, "upgrades")
    operators = {o["id"]: o for o in rows(demo_dir, "operators")}
    release = json.loads((demo_dir / "datapackage.json").read_text(encoding="utf-8"))["created"][:10]
    lapsed = 0
    assert upgrades
    for upgrade in upgrades:
        text = page(site, urls.operator(upgrade["operator_id"]))
        if operators[upgrade["operator_id"]]["valid_until"] < release:
            # Its workshop licence lapsed because the SC licence replaced it: the verdict says so, not "may not operate".
            verdict = plain(text[text.index('class="verdict'):text.index("</section>")])
            assert f"{VERDICTS['upgraded'].zh} {upgrade['sc_licence_no']}" in verdict
            assert VERDICTS["may-not-operate"].zh not in verdict and 'verdict-ok' in text
            lapsed += 1
        found = section(text, "upgrade")
        assert found is not None, upgrade["operator_id"]
        assert "已提档升级为食品生产企业" in found
        assert f'<a href="{upgrade["licence_url"]}">{upgrade["sc_licence_no"]}</a>' in found
        assert upgrade["enterprise_name"] in plain(found)
    assert lapsed, "the demo has an upgraded workshop whose workshop licence lapsed"
    others = {o["id"] for o in rows(demo_dir, "operators")} - {u["operator_id"] for u in upgrades}
    assert all("已提档升级" not in page(site, urls.operator(i)) for i in sorted(others)[:50])


def test_closures_are_published_as_enforcement_notices_without_a_licence(demo_dir, site):
    closures = rows(demo_dir, "closures")
    licences = {o["licence_no"] for o in rows(demo_dir, "operators")}
    listed = page(site, urls.closures())
    assert closures
    for closure in closures:
        text = page(site, urls.closure(closure["id"]))
        main = plain(text[text.index("<main"):text.index("</main>")])
        assert f"取缔公告：{closure['name']}" in main and "无登记证" in main
        assert closure["notice_no"] in main and closure["address"] in main
        assert "登记证号" not in main and not any(licence in main for licence in licences)
        assert not (site / "w" / closure["id"]).exists(), "a closed unlicensed workshop is no registered business"
        assert f'href="{urls.closure(closure["id"])}"' in listed
        assert f'href="{urls.closure(closure["id"])}"' in page(site, urls.region(closure["region_code"]))


def test_a_workshops_poster_prints_its_board(demo_dir, demo_build):
    workshops = {o["id"] for o in rows(demo_dir, "operators") if o["kind"] == "workshop"}
    boards = [b for b in rows(demo_dir, "boards") if b["operator_id"] in workshops][:3]
    assert boards
    for board in boards:
        poster = (demo_build / "site" / urls.output_path(urls.poster_page(board["operator_id"]))).read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", "", poster).replace(" ", "")
        assert "信息公开栏" in text
        assert f"从业人员{board['staff']}人，持有效健康证明{board['health_certs_valid']}人" in text
        assert f"远程视频监管：{board['remote_video']}" in text


def test_region_and_zone_pages_give_the_share_of_businesses_meeting_each_item(demo_dir, site):
    """Per region (with the regions under it) and per zone: of the businesses in operation whose
    latest checklist assessed an item (不适用 left out), how many meet it and the share."""
    from decimal import ROUND_HALF_UP, Decimal

    latest = latest_checklists(demo_dir)
    operators = {o["id"]: o for o in rows(demo_dir, "operators")}
    parent = {r["code"]: r["parent_code"] for r in rows(demo_dir, "regions")}

    def places(operator):
        code = operator["region_code"]
        while code:
            yield f"regions/{code}"
            code = parent.get(code)
        if operator["park_id"]:
            yield f"zones/{operator['park_id']}"

    expected: dict[str, dict[str, list[int]]] = {}
    for operator_id, (_inspection, results) in latest.items():
        if operators[operator_id]["status"] != "active":
            continue
        for place in places(operators[operator_id]):
            for r in results:
                if r["result"] != "不适用":
                    counts = expected.setdefault(place, {}).setdefault(r["name"] + "|" + r["item_id"], [0, 0])
                    counts[0] += 1
                    counts[1] += r["result"] == "符合"
    assert any(p.startswith("zones/") for p in expected) and len(expected) > 10
    for place, items in expected.items():
        found = section((site / place / "index.html").read_text(encoding="utf-8"), "checklist-shares")
        assert found is not None, place
        shown = [(plain(name), int(assessed), int(meeting), share) for name, assessed, meeting, share in re.findall(
            r'<th scope="row"[^>]*>(.*?)</th><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td><td[^>]*>([\d.]+)%</td>', found)]
        want = []
        for key, (assessed, meeting) in items.items():
            share = (Decimal(100 * meeting) / Decimal(assessed)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            want.append((key.split("|")[0], assessed, meeting, f"{share.normalize():f}"))
        assert sorted(shown) == sorted(want), place


def test_datasette_facets_the_checklist_results(demo_dir, demo_build):
    import asyncio
    from collections import Counter

    from site_builder.serve.live import datasette_app

    ds = datasette_app(demo_build)
    response = asyncio.run(ds.client.get("/registry/inspection_items.json?_facet=result&_facet=item_id&_size=0"))
    assert response.status_code == 200
    facets = response.json()["facet_results"]
    counted = Counter(r["result"] for r in rows(demo_dir, "inspection_items"))
    assert {f["value"]: f["count"] for f in facets["result"]["results"]} == dict(counted)
    assert {f["value"] for f in facets["item_id"]["results"]} <= {i["id"] for i in rows(demo_dir, "checklist_items")}
