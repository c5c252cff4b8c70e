"""What the programmes add to a business page and a region page: the latest checklist item by
item, the 信息公开栏 facts, an upgrade to a licensed producer, the zone; per region the share
meeting each checklist item, its zones, closures and programmes.

Built from the Registry's dicts only (registry.py reads the views once), like every context.
"""
from __future__ import annotations

from .. import urls
from ..database.metrics import METRICS
from ..vocabulary import BOARD_FACTS, CHECK_MARKS, CHECK_RESULTS, NO, YES, ZONE_KINDS, ZONE_UNSPECIFIED
from .registry import Registry


def zone_kind(zone: dict | None) -> str:
    """The zone's kind as a page names it."""
    if not zone:
        return ""
    term = ZONE_KINDS.get(zone.get("kind"), ZONE_UNSPECIFIED)
    return term.zh


def latest_checklist(reg: Registry, operator_id: str) -> dict | None:
    """The business's latest inspection with item results: the list, the date, the inspection
    (with the business's reply) and each item marked ✓ 符合, ✗ 不符合 or — 不适用."""
    rows = reg.latest_checklist.get(operator_id)
    if not rows:
        return None
    first = rows[0]
    items = [{"name": r["item_name"], "result": r["result"], "note": r["note"], "mark": CHECK_MARKS[r["result"]],
              "css": {"符合": "ok", "不符合": "fail"}.get(r["result"], "na"), "en": CHECK_RESULTS[r["result"]].en}
             for r in rows]
    return {"name": first["checklist_name"], "checklist": reg.checklists.get(first["checklist_id"]),
            "date": first["date"], "inspection": reg.inspections.get(first["inspection_id"]), "rows": items,
            "failed": sum(r["result"] == "不符合" for r in rows), "met": sum(r["result"] == "符合" for r in rows)}


def board_facts(board: dict | None) -> list[dict]:
    """The 信息公开栏's yes/no facts as (label, 是/否) rows; counts and lists are shown by the template."""
    if not board:
        return []
    return [{"label": term.zh, "en": term.en, "value": (YES if board.get(name) else NO).zh,
             "yes": bool(board.get(name))}
            for name, term in BOARD_FACTS.items() if board.get(name) is not None]


def business_context(reg: Registry, operator_id: str, op: dict) -> dict:
    """The operator page's programme sections (site/pages.py merges them into its context)."""
    zone = reg.parks.get(op.get("park_id"))
    upgrade = reg.upgrades.get(operator_id)
    return {
        "zone": zone, "zone_kind": zone_kind(zone),
        "board": reg.boards.get(operator_id), "board_facts": board_facts(reg.boards.get(operator_id)),
        "upgrade": upgrade, "upgrade_link": urls.external(upgrade.get("licence_url")) if upgrade else None,
        "checklist": latest_checklist(reg, operator_id),
    }


def share_groups(rows: list[dict]) -> list[dict]:
    """Shares meeting each item, one group per checklist (in the view's order), each row with
    its share written as a page shows it."""
    groups: dict[str, dict] = {}
    for r in rows:
        group = groups.setdefault(r["checklist_id"], {"name": r["checklist_name"], "rows": []})
        group["rows"].append(dict(r, share_text=f"{r['share']:g}%"))
    return list(groups.values())


def region_context(reg: Registry, code: str) -> dict:
    """The region page's checklist shares, zones, closures and programmes (lists.py merges them)."""
    places = set(reg.descendants(code))
    programmes = {pid for pid, p in reg.programmes.items() if p.get("region_code") == code}
    programmes |= {r["programme_id"] for r in reg.programmes_by_region.get(code, [])}
    return {
        "checklist_shares": share_groups(reg.shares_by_region.get(code, [])),
        "zones": [dict(z, kind_name=zone_kind(z)) for c in sorted(places) for z in reg.parks_by_region.get(c, [])],
        "closures": [c for c in reg.closures.values() if c.get("region_code") in places],
        "programmes": [reg.programmes[pid] for pid in sorted(programmes) if pid in reg.programmes],
    }


def metric_unit(metric: str) -> str:
    """% for a share; the counted thing's measure word (个, 家, 次) for a count."""
    known = METRICS.get(metric)
    if known is None:
        return ""
    return "%" if known.share else known.term.note
