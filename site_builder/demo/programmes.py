"""The demo's five programmes with their task tables, and the closures and activities they count.

The programmes are modelled on the city and county programmes behind this project (运城 2024,
四平 2021, 吉安 2019, a county's 2025 plans for 小餐饮, 摊点 and 小作坊, 章丘 2022's 附件1),
placed on the demo's 运城 regions and stations with periods inside the demo's two years of data,
so that their progress can be shown. Every name says it is a demonstration; targets and
deadlines are fictional where the originals leave them blank (xx). Drawn from a Random of their
own: the operator tables are the same whatever this module does.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import NamedTuple

from . import vocab

COUNTY_CODES = tuple(c.code for c in vocab.COUNTIES)


class Programme(NamedTuple):
    id: str
    name: str
    issuer: str
    document: str
    region_code: str
    period_start: str
    period_end: str
    description: str


BUREAU = "运城市市场监督管理局（演示）"
PROGRAMMES = (
    Programme("yc-2024", "运城市食品小作坊提质升级行动（演示）", BUREAU,
              "演示：仿照运城市 2024 年食品小作坊提质升级工作方案编写，文号从略", "140800", "2024-11-01", "2026-12-31",
              "以小作坊提档升级、集中加工区建设、量化分级全覆盖和取缔黑作坊为重点，任务分解到各县（市、区）。"
              "演示数据：目标值和期限为虚构。"),
    Programme("sp-2021", "食品“三小”规范提升行动（仿四平市 2021 年方案，演示）", "运城市食品安全委员会办公室（演示）",
              "演示：仿照四平市 2021 年食品“三小”整治提升方案编写，文号从略", "140800", "2025-01-01", "2025-12-31",
              "应登尽登、检查全覆盖、抽检和名特优品牌培育。演示数据：指标的目标值为虚构。"),
    Programme("ja-2019", "食品小作坊规范提升行动（仿吉安市 2019 年方案，演示）", BUREAU,
              "演示：仿照吉安市 2019 年食品小作坊规范提升方案编写，文号从略", "140800", "2025-01-01", "2026-12-31",
              "登记率 100%、建档率 95%、检查覆盖率 90%、抽检覆盖率 80%、不合格食品后处理率 100%，"
              "每个县每年创建示范单位。演示数据：比例取自原方案，示范单位数为虚构。"),
    Programme("yj-2025", "永济市 2025 年小餐饮、食品摊点、食品小作坊规范提升工作方案（演示）", "永济市市场监督管理局（演示）",
              "演示：仿照县级 2025 年小餐饮、食品摊点、小作坊三项工作方案编写，合为一个方案", "140881",
              "2025-01-01", "2025-12-31",
              "三类主体分别设持证经营率和抽检覆盖率目标，建成一条小餐饮示范街区，各监管所检查全覆盖。演示数据：目标值为虚构。"),
    Programme("zq-2022", "稷山县食品小作坊规范提升任务分解（仿章丘区 2022 年方案附件1，演示）", "稷山县市场监督管理局（演示）",
              "演示：仿照章丘区 2022 年食品小作坊方案附件1《任务分解表》编写", "140824", "2025-06-01", "2026-12-31",
              "按监管所分解示范创建、新升级为食品生产企业、视频监管试点和产业协会活动任务。演示数据：各所目标为虚构。"),
)

FOODS = ("豆腐", "凉皮", "油条", "熟肉", "酱菜", "粉条", "饸饹面", "醋")


def programme_rows():
    for p in PROGRAMMES:
        yield p._asdict()


def _station(county: str, n: int) -> str:
    return f"st-{county}-{n}"


def target_rows(seed: int):
    """Each programme's task table, numbered as the programme lists it."""
    rng = random.Random(f"{seed}:targets")
    parks = {c: sum(1 for code, name in vocab.PARKS if code == c) for c in COUNTY_CODES}
    rows: list[tuple] = []

    def add(programme, region, metric, target, deadline, station="", kind="", start="", note=""):
        rows.append((programme, region, station, kind, metric, target, start, deadline, note))

    for c in COUNTY_CODES:
        add("yc-2024", c, "upgrades", rng.randint(1, 2), "2026-12-31")
        add("yc-2024", c, "processing_areas", max(1, parks[c]), "2026-12-31")
        add("yc-2024", c, "graded_share", 90, "2026-06-30")
        add("yc-2024", c, "closures", rng.randint(1, 2), "2025-12-31")
    for c in COUNTY_CODES:
        for metric, target in (("registration_rate", 100), ("inspection_coverage", 100),
                               ("sampling_coverage", 30), ("brands_awarded", 1)):
            add("sp-2021", c, metric, target, "2025-12-31")
    for c in COUNTY_CODES:
        for metric, target in (("registration_rate", 100), ("file_rate", 95), ("inspection_coverage", 90),
                               ("sampling_coverage", 80), ("disposal_rate", 100)):
            add("ja-2019", c, metric, target, "2026-12-31")
        for year in (2025, 2026):
            add("ja-2019", c, "model_units", 1, f"{year}-12-31", start=f"{year}-01-01", note=f"{year} 年度示范单位")
    for kind, licensed, sampled in (("eatery", 95, 30), ("stall", 90, 15), ("workshop", 98, 60)):
        add("yj-2025", "140881", "licensed_rate", licensed, "2025-12-31", kind=kind)
        add("yj-2025", "140881", "sampling_coverage", sampled, "2025-12-31", kind=kind)
    add("yj-2025", "140881", "model_streets", 1, "2025-12-31", note="建成小餐饮示范街区一条")
    for n in (1, 2, 3):
        add("yj-2025", "140881", "inspection_coverage", 100, "2025-12-31", station=_station("140881", n))
    for n in (1, 2, 3):
        station = _station("140824", n)
        add("zq-2022", "140824", "model_units", 1, "2026-12-31", station=station, note="示范创建")
        add("zq-2022", "140824", "upgrades", 1, "2026-12-31", station=station, note="新升级为食品生产企业")
        add("zq-2022", "140824", "video_pilots", rng.randint(3, 6), "2026-06-30", station=station, note="视频监管试点")
        add("zq-2022", "140824", "association_events", rng.randint(2, 4), "2026-12-31", station=station)
    numbers: dict[str, int] = {}
    for programme, region, station, kind, metric, target, start, deadline, note in rows:
        numbers[programme] = numbers.get(programme, 0) + 1
        yield {"programme_id": programme, "number": numbers[programme], "region_code": region,
               "station_id": station, "kind": kind, "metric": metric, "target": target, "start": start,
               "deadline": deadline, "note": note}


def closure_rows(seed: int):
    """Unlicensed workshops found and closed down, a few per county, numbered per year."""
    rng = random.Random(f"{seed}:closures")
    found = []
    for county in vocab.COUNTIES:
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            town = rng.randrange(len(county.towns))
            food = rng.choice(FOODS)
            seen = date(2025, 1, 5) + timedelta(days=rng.randint(0, 620))
            banned = min(seen + timedelta(days=rng.randint(1, 20)), date(2026, 10, 31))
            found.append((banned, county, town, food, seen, rng.choice(vocab.VILLAGES)))
    found.sort(key=lambda f: (f[0], f[1].code))
    per_year: dict[int, int] = {}
    for number, (banned, county, town, food, seen, village) in enumerate(found, 1):
        per_year[banned.year] = per_year.get(banned.year, 0) + 1
        place = county.towns[town]
        yield {
            "id": f"qd-{number:04d}", "name": f"{place}{village}无证{food}加工点（演示）", "kind": "workshop",
            "region_code": county.code, "station_id": _station(county.code, town + 1),
            "address": f"运城市{county.name}{place}{village}", "found_on": seen.isoformat(),
            "banned_on": banned.isoformat(), "notice_no": f"运市监取〔{banned.year}〕{per_year[banned.year]}号",
            "facts": f"经群众举报，执法人员现场检查发现，当事人未取得食品小作坊登记证，在自建房内从事{food}加工。（演示）",
            "action": "依法予以取缔，没收原料、半成品和加工工具，对当事人立案调查。",
            "authority": f"{county.name}市场监督管理局（演示）",
        }


def activity_rows(seed: int):
    """Industry association activities in 稷山's stations (the 章丘-style task table counts
    them) and a training in each county."""
    rng = random.Random(f"{seed}:activities")
    planned = []
    jishan = next(c for c in vocab.COUNTIES if c.code == "140824")
    for n, town in enumerate(jishan.towns, 1):
        for _ in range(rng.randint(1, 4)):
            held = date(2025, 6, 10) + timedelta(days=rng.randint(0, 500))
            planned.append((held, "association", jishan, n, f"稷山县麻花产业协会{town}分会交流活动（演示）"))
    for county in vocab.COUNTIES:
        held = date(2025, 3, 1) + timedelta(days=rng.randint(0, 560))
        planned.append((held, "training", county, 1, f"{county.name}食品“三小”从业人员食品安全培训（演示）"))
    planned.sort(key=lambda a: (a[0], a[2].code, a[1]))
    for number, (held, kind, county, n, title) in enumerate(planned, 1):
        yield {"id": f"hd-{number:04d}", "kind": kind, "held_on": held.isoformat(), "region_code": county.code,
               "station_id": _station(county.code, n), "title": title, "participants": rng.randint(6, 40)}
