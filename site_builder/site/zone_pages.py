"""The zones' pages (/zones/, /zones/<id>/) and the enforcement notices of closures
(/closures/, /closures/<id>/): overview pages, rendered together when a table they read changed
(build/outputs.py ZONE_PAGES, CLOSURE_PAGES)."""
from __future__ import annotations

from collections import Counter
from typing import Iterator

from .. import urls
from ..vocabulary import GRADES, KINDS, NOT_GRADED, ZONE_KINDS
from .business_extras import share_groups, zone_kind
from .pages import Page
from .registry import Registry


def _grade_of(reg: Registry, op: dict) -> str:
    grade = reg.current_grade.get(op["id"])
    return grade["grade"] if grade else "none"


def zone_list_page(reg: Registry) -> Page:
    """Every zone, by county, with its kind and how many businesses it holds."""
    groups = []
    for code, zones in sorted(reg.parks_by_region.items()):
        region = reg.regions.get(code) or {"code": code, "name": code}
        groups.append((region, [dict(z, kind_name=zone_kind(z), count=len(reg.operators_by_zone.get(z["id"], [])))
                                for z in zones]))
    return urls.zones(), "zones.html", {"address": urls.zones(), "groups": groups,
                                        "zone_kinds": [term.zh for term in ZONE_KINDS.values()]}


def zone_pages(reg: Registry) -> Iterator[Page]:
    for zone_id, zone in reg.parks.items():
        ops = reg.operators_by_zone.get(zone_id, [])
        active = [o for o in ops if o["status"] == "active"]
        grades = Counter(_grade_of(reg, o) for o in active)
        kinds = Counter(o["kind"] for o in ops)
        video = sum(1 for o in active if (b := reg.boards.get(o["id"])) and (b.get("remote_video") or b.get("open_kitchen")))
        businesses = [(kind, KINDS[kind].both, sorted((o for o in ops if o["kind"] == kind), key=lambda o: o["id"]))
                      for kind in KINDS if kinds[kind]]
        address = urls.zone(zone_id)
        yield address, "zone.html", {
            "address": address, "zone": zone, "kind_name": zone_kind(zone),
            "region": reg.regions.get(zone.get("region_code")), "path": reg.region_path(zone.get("region_code")),
            "total": len(ops), "active": len(active), "kinds": [(KINDS[k].zh, kinds[k]) for k in KINDS if kinds[k]],
            "grades": [(f"{g} 级 {GRADES[g].zh}", grades[g]) for g in GRADES] + [(NOT_GRADED.zh, grades["none"])],
            "video": video, "businesses": businesses,
            "checklist_shares": share_groups(reg.shares_by_zone.get(zone_id, [])),
            "datasette": urls.datasette_row("parks", zone_id),
        }


def closure_list_page(reg: Registry) -> Page:
    return urls.closures(), "closures.html", {"address": urls.closures(), "closures": list(reg.closures.values())}


def closure_pages(reg: Registry) -> Iterator[Page]:
    for closure_id, c in reg.closures.items():
        address = urls.closure(closure_id)
        yield address, "closure.html", {
            "address": address, "c": c, "path": reg.region_path(c.get("region_code")),
            "station": reg.stations.get(c.get("station_id")),
            "kind": KINDS[c["kind"]].zh if c.get("kind") in KINDS else "",
            "datasette": urls.datasette_row("closures", closure_id),
        }
