"""The registry's overview pages: home, catalogues, recalls, notices, regions, grades, search, 404
(/data/ is rendered after the downloads: data_page.py)."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterator

from .. import urls, vocabulary
from ..build import outputs
from ..images.markup import CARD_SIZES
from ..vocabulary import NOT_GRADED, NOT_OPERATING_GROUP
from . import charts, pages, programme_pages, zone_pages
from .business_extras import region_context
from .pages import Page, publicity_open
from .registry import Registry
from .render import GRADES, METRICS

#: Tables listed on /data/ with their Chinese names (schema titles are longer).
DATA_TABLES = [
    ("operators", "经营主体"), ("products", "预包装产品"), ("material_sources", "原料来源"),
    ("inspections", "监督检查"), ("grades", "量化分级"), ("samplings", "监督抽检"),
    ("recalls", "召回与消费预警"), ("brands", "名特优品牌"), ("penalties", "行政处罚"),
    ("regions", "行政区划"), ("stations", "监管所"), ("targets", "工作目标"),
    ("current_grades", "当前等级（视图）"), ("region_figures", "地区指标（视图）"),
    ("parks", "园区与街区"), ("checklists", "检查清单"), ("checklist_items", "检查项"),
    ("checklist_use", "清单适用范围"), ("inspection_items", "检查项结果"), ("boards", "信息公开栏"),
    ("upgrades", "提档升级"), ("closures", "取缔黑作坊"), ("activities", "监管与行业活动"),
    ("programmes", "工作方案"), ("programme_targets", "任务目标"), ("programme_progress", "方案完成情况（视图）"),
]

#: Metrics given as percentages (0–100) in region_figures and targets.
SHARES = ("graded_share", "a_share", "sampling_coverage", "sampling_pass_rate")


def _top_regions(reg: Registry) -> list[dict]:
    """Regions a visitor browses: the counties (and any region holding businesses)."""
    return [r for r in reg.regions.values() if r.get("level") == "county" or r["code"] in reg.regions_with_operators]


def _grade_key(reg: Registry, op: dict) -> str:
    g = reg.current_grade.get(op["id"])
    return g["grade"] if g else "none"


def _operating(reg: Registry, op: dict) -> bool:
    """Only a business that may operate holds its grade (standing.py): a lapsed licence whose
    status still says active counts among those that do not."""
    return reg.standing(op).operating


def open_notices(reg: Registry) -> list[dict]:
    return sorted((b for b in reg.brands.values() if publicity_open(reg, b)),
                  key=lambda b: (b["publicity_end"] or "", b["id"]))


def ended_notices(reg: Registry) -> list[dict]:
    shown = {b["id"] for b in open_notices(reg)}
    ended = [b for b in reg.brands.values() if b.get("publicity_start") and b["id"] not in shown]
    return sorted(ended, key=lambda b: (b.get("publicity_end") or "", b["id"]), reverse=True)


def home_page(reg: Registry, news: list[dict] = ()) -> Page:
    # The area the registry covers: its city (a county registry has no city row).
    cities = [r for r in reg.regions.values() if r.get("level") == "city"]
    area = cities or [r for r in reg.regions.values() if r.get("level") == "county"]
    counts = {
        "operators": reg.counts["operators"], "products": reg.counts["products"],
        "awarded": sum(b["status"] == "awarded" for b in reg.brands.values()),
        "samplings": reg.counts["samplings"],
    }
    return urls.home(), "home.html", {
        "address": urls.home(), "counts": counts, "regions": cities + _top_regions(reg),
        "region_name": area[0]["name"] if len(area) == 1 else "",
        "ongoing": [r for r in reg.recalls if r["status"] == "ongoing"],
        "open_notices": open_notices(reg), "news": list(news)[:5],
    }


def brands_page(reg: Registry) -> Page:
    """Awarded brands, grouped by the maker's county, then by food category; and the same brands
    by category, so that the page's two lists of links filter it either way without a script."""
    grouped: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    by_category: dict[str, list] = defaultdict(list)
    for b in reg.brands.values():
        if b["status"] != "awarded":
            continue
        op = reg.operators.get(b.get("operator_id")) or {}
        category = b.get("category") or "其他"
        grouped[op.get("region_code") or ""][category].append(b)
        by_category[category].append(b)
    groups, county_of = [], {}
    for code in sorted(grouped):
        region = reg.regions.get(code) or {"code": code or "none", "name": "其他地区"}
        groups.append((region, [(category, vocabulary.food_category(category), items, _anchor(region["code"], category))
                                for category, items in sorted(grouped[code].items())],
                       sum(map(len, grouped[code].values()))))
        county_of.update({b["id"]: region for items in grouped[code].values() for b in items})
    categories = [(category, vocabulary.food_category(category), f"c-{n}", items)
                  for n, (category, items) in enumerate(sorted(by_category.items()), 1)]
    photos = {b["id"]: pages.photo_of(reg, b, lazy=True, sizes=CARD_SIZES, css="thumb")
              for items in by_category.values() for b in items}
    return urls.brands(), "brands.html", {"address": urls.brands(), "groups": groups, "categories": categories,
                                          "county_of": county_of, "photos": photos, "guide": urls.brand_guide()}


def _anchor(region_code: str, category: str) -> str:
    """The id of one county's section of one category (the category's place in the vocabulary,
    else its code points: ids stay ASCII)."""
    known = list(vocabulary.FOOD_CATEGORIES)
    tail = str(known.index(category)) if category in known else "-".join(f"{ord(c):x}" for c in category)
    return f"r-{region_code}-{tail}"


def recalls_page(reg: Registry) -> Page:
    return urls.recalls(), "recalls.html", {"address": urls.recalls(), "recalls": reg.recalls}


def notices_page(reg: Registry) -> Page:
    return urls.notices(), "notices.html", {
        "address": urls.notices(), "open": open_notices(reg), "ended": ended_notices(reg),
    }


def _figure_rows(reg: Registry, code: str) -> tuple[int, list[dict], dict | None]:
    """The region's figures for the release year beside its targets for that year (as text for
    the table, as numbers for the chart)."""
    year = reg.release_date.year
    row = next((f for f in reg.figures_by_region.get(code, []) if f.get("year") == year), None)
    if row is None:
        return year, [], None
    rows = []
    for metric, label in METRICS.items():
        actual, target = row.get(metric), row.get(f"target_{metric}")
        if actual is None and target is None:
            continue
        if metric in SHARES:  # region_figures and targets both give shares as percentages (0–100)
            shown = (lambda v: "—" if v is None else f"{v:g}%")
        else:
            shown = (lambda v: "—" if v is None else f"{v:g}")
        met = None if actual is None or target is None else actual >= target
        verdict = {None: "—", True: "已达标", False: "未达标"}[met]
        rows.append({"label": label.zh, "label_en": label.en, "actual": shown(actual), "target": shown(target),
                     "verdict": verdict, "value": actual, "goal": target, "met": met,
                     "unit": "%" if metric in SHARES else label.note})
    return year, rows, row


def _trend(reg: Registry, code: str) -> list[dict]:
    """The region's years (trends.py) with each year's pass-rate target, when the region has one."""
    goals = {t["year"]: t["target"] for t in reg.targets_by_region.get(code, ()) if t["metric"] == "sampling_pass_rate"}
    out = []
    for y in reg.trends.get(code, ()):
        total = sum(y["grades"].values())
        out.append({**y, "goal": goals.get(y["year"]), "counted": total,
                    "rate": None if not y["samplings"] else round(100 - 100 * y["failed"] / y["samplings"], 1),
                    "shares": {k: round(100 * n / total, 1) if total else None for k, n in y["grades"].items()}})
    return out


def region_pages(reg: Registry) -> Iterator[Page]:
    for code, region in reg.regions.items():
        children = []
        for child in reg.children.get(code, []):
            ops = [o for c in reg.descendants(child["code"]) for o in reg.operators_by_region.get(c, [])]
            by = Counter(_grade_key(reg, o) for o in ops if _operating(reg, o))
            children.append({"code": child["code"], "name": child["name"], "count": len(ops),
                             "A": by["A"], "B": by["B"], "C": by["C"]})
        own = reg.operators_by_region.get(code, [])  # a city lists its counties, a county its businesses
        # Graded groups count businesses in operation only, as /grades/ does; the others follow.
        active = [o for o in own if _operating(reg, o)]
        by_grade = []
        for key in ("A", "B", "C", "none"):
            ops = [o for o in active if _grade_key(reg, o) == key]
            if ops:
                label = f"{key} 级 {GRADES[key].zh}" if key in GRADES else NOT_GRADED.both
                by_grade.append((key, label, ops))
        closed = [o for o in own if not _operating(reg, o)]
        if closed:
            by_grade.append(("closed", NOT_OPERATING_GROUP.both, closed))
        year, figures, counts = _figure_rows(reg, code)
        trend = _trend(reg, code)
        address = urls.region(code)
        yield address, "region.html", {
            "address": address, "region": region, "path": reg.region_path(code), "children": children,
            "by_grade": by_grade, "total": len(own), "figures": figures, "counts": counts, "year": year,
            "trend": trend, "charts": {"metrics": charts.metrics(figures, year), "grades": charts.grade_trend(trend),
                                       "pass": charts.pass_rate_trend(trend)},
            **region_context(reg, code),
        }


def grades_page(reg: Registry) -> Page:
    rows, totals = [], Counter()
    for region in _top_regions(reg):
        ops = [o for c in reg.descendants(region["code"]) for o in reg.operators_by_region.get(c, [])]
        by = Counter(_grade_key(reg, o) for o in ops if _operating(reg, o))
        if region.get("level") == "county" or not reg.children.get(region["code"]):
            totals.update(by)
            rows.append({"code": region["code"], "name": region["name"], **{k: by[k] for k in ("A", "B", "C", "none")}})
    return urls.grades(), "grades.html", {
        "address": urls.grades(), "rows": rows, "totals": {k: totals[k] for k in ("A", "B", "C", "none")},
        "chart": charts.county_grades(rows),
    }


def search_page(reg: Registry) -> Page:
    return urls.search(), "search.html", {"address": urls.search()}


def not_found_page(reg: Registry) -> Page:
    return urls.not_found(), "404.html", {"address": urls.not_found()}


#: Each overview page, the tables it reads, and whether it lists every business. A rebuild renders
#: a page when one of its tables changed (the home page, cheap and showing the announcements,
#: every time); the others stay as the previous build wrote them.
def overview_to_render(changed: set[str] | None) -> set[str]:
    """The overview pages (build/outputs.py OVERVIEW_PAGES) whose tables are among `changed`
    (None: every page)."""
    return {name for name, family in outputs.OVERVIEW_PAGES.items()
            if changed is None or family.reads is None or family.reads & changed}


#: The views (registry.VIEWS) each overview page reads; the others read none.
VIEWS_READ = {"regions": {"checklist_shares", "region_figures"}, "zones": {"zone_checklist_shares"},
              "programme list": {"programme_progress"}, "programmes": {"programme_progress"}}


def views_read(names: set[str]) -> set[str]:
    """The views the overview pages `names` read."""
    return set().union(*(VIEWS_READ.get(name, ()) for name in names))


def needs_all_operators(names: set[str]) -> bool:
    return any(outputs.OVERVIEW_PAGES[name].all_operators for name in names)


def overview_pages(reg: Registry, news: list[dict] = (), only: set[str] | None = None) -> Iterator[Page]:
    """The overview pages named in `only` (default: all)."""
    makers = {"home": lambda: [home_page(reg, news)], "brands": lambda: [brands_page(reg)],
              "recalls": lambda: [recalls_page(reg)], "notices": lambda: [notices_page(reg)],
              "regions": lambda: region_pages(reg), "grades": lambda: [grades_page(reg)],
              "zone list": lambda: [zone_pages.zone_list_page(reg)], "zones": lambda: zone_pages.zone_pages(reg),
              "programme list": lambda: [programme_pages.programme_list_page(reg)],
              "programmes": lambda: programme_pages.programme_pages(reg),
              "closure list": lambda: [zone_pages.closure_list_page(reg)], "closures": lambda: zone_pages.closure_pages(reg),
              "search": lambda: [search_page(reg)],
              "404": lambda: [not_found_page(reg)]}
    for name, make in makers.items():
        if only is None or name in only:
            yield from make()


def overview_addresses(reg: Registry) -> dict[str, list[str]]:
    """page name -> its addresses (region, zone, programme and closure pages: one per record)."""
    keys = {"regions": reg.regions, "zones": reg.parks, "programmes": reg.programmes, "closures": reg.closures}
    return {name: [family.address(k) for k in keys[name]] if family.key else list(family.addresses)
            for name, family in outputs.OVERVIEW_PAGES.items()}
