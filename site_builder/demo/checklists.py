"""The demo's checklists and what each business's inspections found item by item, its
信息公开栏 facts, its zone if it trades in a model street or stall area, and its upgrade.

Drawn from a Random of their own, operator by operator after the rows data.py draws, so the
tables that existed before keep every byte, and a larger registry still begins with the rows of
a smaller one. The item results follow the inspection's verdict and its written findings: each
finding fails the item of the list that covers it.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from types import SimpleNamespace

from ..validate.facts import applicable_checklist
from . import vocab

#: id, name, name_en, basis, description, items: (id, name, name_en, theme, requirement)
CHECKLISTS = (
    ("liuxiang", "六项标准", "Six standards",
     "演示：小餐饮、食品摊点规范经营六项标准（仿照各地整治方案编写）",
     "小餐饮和食品摊点每次检查逐项核对。", (
         ("lx-licence", "亮证经营", "Licence displayed", "licence", "登记证在经营场所醒目位置公示。"),
         ("lx-commitment", "安全承诺", "Safety commitment", "commitment", "公示经营者签字的食品安全承诺书。"),
         ("lx-records", "单据留存", "Receipts kept", "records", "原料采购票据、记录留存备查。"),
         ("lx-materials", "原料公示", "Raw materials posted", "materials", "主要原料及其来源在公开栏公示。"),
         ("lx-practice", "操作规范", "Safe practice", "practice", "从业人员持有效健康证明，穿戴整洁，生熟分开。"),
         ("lx-clean", "场所/厨房清洁", "Clean premises and kitchen", "clean", "场所、厨房和餐用具清洁，设施正常使用。"),
     )),
    ("baxiang", "八项要求", "Eight requirements",
     "演示：食品小作坊规范生产八项要求（仿照各地小作坊管理办法编写）",
     "食品小作坊每次检查逐项核对。", (
         ("bx-licence", "亮证经营", "Licence displayed", "licence", "小作坊登记证在生产场所醒目位置公示。"),
         ("bx-commitment", "安全承诺", "Safety commitment", "commitment", "公示食品安全承诺书。"),
         ("bx-clean", "场所清洁", "Clean premises", "clean", "生产场所清洁，防蝇防鼠设施完好。"),
         ("bx-intake", "原料查验", "Raw materials checked", "materials", "查验原料合格证明，原料与成品分开存放。"),
         ("bx-records", "单据留存", "Records kept", "records", "进货查验、生产和销售记录完整留存。"),
         ("bx-practice", "操作规范", "Safe practice", "practice", "从业人员持有效健康证明，按工艺规范生产。"),
         ("bx-testing", "检验验证", "Testing", "testing", "按批次留样，定期送检或自检。"),
         ("bx-labels", "标签合规", "Labels comply", "labels", "预包装食品标签标明名称、生产日期、保质期等。"),
     )),
    ("zq-guifan", "十个管理规范", "Ten management norms",
     "演示：后五项取自章丘区 2022 年食品小作坊管理方案的十个管理规范，前五项为演示补充",
     "演示县稷山县自 2025 年 6 月 1 日起对食品小作坊按这份清单检查（地方自定清单的示例）。", (
         ("zq-licence", "证照公示", "Licences posted", "licence", "登记证和承诺书在醒目位置公示。"),
         ("zq-site", "场所环境整洁", "Tidy premises", "clean", "生产场所及周围环境整洁。"),
         ("zq-equipment", "设施设备完好", "Equipment in order", "equipment", "防蝇防鼠、消毒、冷藏设施完好并正常使用。"),
         ("zq-storage", "原料贮存规范", "Raw materials stored properly", "materials", "原料分类存放，与成品分开。"),
         ("zq-process", "生产过程控制", "Production controlled", "practice", "按工艺规程生产，穿戴工作衣帽。"),
         ("zq-selfcheck", "自查制度落实", "Self-inspection", "selfcheck", "建立并落实每日自查制度，自查有记录。"),
         ("zq-health", "健康查体", "Health checks", "health", "从业人员每年健康查体，持有效健康证明。"),
         ("zq-intake", "进货查验记录", "Intake records", "records", "进货查验记录完整。"),
         ("zq-additives", "食品添加剂公示", "Additives posted", "additives", "使用的食品添加剂名称和用量公示。"),
         ("zq-labels", "包装标示规范", "Packaging labels", "labels", "预包装产品标签标示规范。"),
     )),
)
#: (kind, region, since, checklist): which list applies where (the nearest region wins).
CHECKLIST_USE = (
    ("eatery", "140800", "2019-01-01", "liuxiang"),
    ("stall", "140800", "2019-01-01", "liuxiang"),
    ("workshop", "140800", "2019-01-01", "baxiang"),
    ("workshop", "140824", "2025-06-01", "zq-guifan"),
)
#: Inspections from this day on record each item (before it only a verdict and findings).
ITEMS_FROM = date(2025, 1, 1)
#: Which theme of a list each written finding (vocab.FINDINGS) fails.
FINDING_THEMES = {
    "从业人员健康证明过期": "health", "原料进货查验记录不全": "records", "生产场所防蝇防鼠设施不完善": "clean",
    "食品添加剂未专柜存放、未专人管理": "additives", "预包装食品标签未标注生产日期": "labels",
    "生产记录填写不规范": "records", "原料与成品混放": "materials", "工作人员未穿戴工作衣帽": "practice",
    "冷藏设施温度记录缺失": "equipment", "信息公示栏内容未及时更新": "licence",
    "废弃物存放容器未加盖": "clean", "消毒设施未正常使用": "equipment",
}
#: A theme a list has no item for is judged under another one.
THEME_FALLBACK = {"health": "practice", "additives": "practice", "labels": "practice", "equipment": "clean",
                  "selfcheck": "records", "testing": "records"}

#: The zones added for eateries and stalls (ids continue each county's numbering of data.PARKS).
STREET_ZONES = (
    ("140802", "盐湖区河东东街小餐饮示范街区（演示）", "model_street", "运城市盐湖区河东东街"),
    ("140802", "盐湖区南风广场食品摊点规范经营区（演示）", "stall_area", "运城市盐湖区南风广场东侧"),
    ("140881", "永济市蒲州古城美食示范街（演示）", "model_street", "运城市永济市蒲州镇古城东街"),
    ("140824", "稷山县稷峰镇夜市摊点规范经营区（演示）", "stall_area", "运城市稷山县稷峰镇夜市广场"),
)
#: The kind of each zone of data.PARKS, by its name's ending.
PARK_KINDS = (("产业园", "park"), ("集聚区", "park"), ("加工园", "park"))
ZONE_SHARE = {"model_street": ("eatery", 0.35), "stall_area": ("stall", 0.45)}
MARKETS = ("农贸市场", "蔬菜批发市场", "粮油市场", "副食品市场")


def zone_kind(name: str) -> str:
    return next((kind for ending, kind in PARK_KINDS if ending in name), "processing_area")


def checklist_rows():
    for cid, name, name_en, basis, description, _items in CHECKLISTS:
        yield {"id": cid, "name": name, "name_en": name_en, "basis": basis, "description": description}


def checklist_item_rows():
    for cid, *_rest, items in CHECKLISTS:
        for number, (iid, name, name_en, _theme, requirement) in enumerate(items, 1):
            yield {"id": iid, "checklist_id": cid, "number": number, "name": name, "name_en": name_en,
                   "requirement": requirement}


def checklist_use_rows():
    for kind, region, since, checklist in CHECKLIST_USE:
        yield {"kind": kind, "region_code": region, "since": since, "checklist_id": checklist}


class Extras:
    """Per operator: its board, zone (eateries and stalls), upgrade and item results."""

    def __init__(self, seed: int, street_zones: dict[str, list[tuple[str, str]]]):
        self.rng = random.Random(f"{seed}:checklists")
        self.street_zones = street_zones  # county -> [(zone id, kind)]
        regions = {vocab.CITY[0]: SimpleNamespace(parent_code=vocab.PROVINCE[0])}
        regions.update({c.code: SimpleNamespace(parent_code=vocab.CITY[0]) for c in vocab.COUNTIES})
        self.regions = regions
        self.uses = {"checklist_use": {(k, r, s): (c,) for k, r, s, c in CHECKLIST_USE}}
        self.items = {cid: items for cid, *_rest, items in CHECKLISTS}
        self.upgraded = 0

    def bundle(self, op: dict, products: list[dict], materials: list[dict], inspections: list[dict]):
        """(table, rows) for the operator; sets its zone (op is written after this runs)."""
        self.place(op)
        board = self.board(op, products, materials)
        upgrade = self.upgrade(op)
        items = [row for inspection in inspections for row in self.results(op, products, board, inspection)]
        return [("inspection_items", items), ("boards", [board] if board else []), ("upgrades", [upgrade] if upgrade else [])]

    def place(self, op: dict) -> None:
        for zone, kind in self.street_zones.get(op["region_code"], ()):
            who, share = ZONE_SHARE[kind]
            if op["kind"] == who and not op["park_id"] and self.rng.random() < share:
                op["park_id"] = zone

    def board(self, op: dict, products: list[dict], materials: list[dict]) -> dict | None:
        rng = self.rng
        if op["status"] != "active" or rng.random() > 0.85:
            return None
        staff = rng.randint(*{"workshop": (2, 9), "eatery": (1, 6), "stall": (1, 2)}[op["kind"]])
        valid = staff if rng.random() < 0.8 else staff - 1
        if op["kind"] == "workshop":
            suppliers = list(dict.fromkeys(m["supplier"] for m in materials if m["supplier"]))[:3]
            additives = sorted({a for p in products for a in p["additives"].split("、") if a})
        else:
            county = next(c for c in vocab.COUNTIES if c.code == op["region_code"])
            suppliers = [f"{county.name}{rng.choice(county.towns)}{rng.choice(MARKETS)}（演示）"]
            additives = ["食用碱"] if rng.random() < 0.3 else []
        in_zone = bool(op["park_id"])
        return {
            "operator_id": op["id"],
            "updated_on": (date(2026, 1, 5) + timedelta(days=rng.randint(0, 290))).isoformat(),
            "licence_posted": "是" if rng.random() < 0.95 else "否",
            "commitment_posted": "是" if rng.random() < 0.85 else "否",
            "staff": staff, "health_certs_valid": valid,
            "suppliers": "、".join(suppliers), "additives": "、".join(additives) or "无",
            "remote_video": "是" if rng.random() < (0.6 if in_zone else 0.15) else "否",
            "open_kitchen": "是" if op["kind"] == "eatery" and rng.random() < 0.4 else "否",
        }

    def upgrade(self, op: dict) -> dict | None:
        """An expired workshop that took out an SC licence and let its workshop licence lapse."""
        if op["kind"] != "workshop" or op["status"] != "expired" or self.rng.random() > 0.5:
            return None
        lapsed, registered = date.fromisoformat(op["valid_until"]), date.fromisoformat(op["registered_on"])
        upgraded = lapsed - timedelta(days=self.rng.randint(15, 120))
        if upgraded < max(registered + timedelta(days=30), date(2024, 11, 1)):
            return None
        self.upgraded += 1
        body = f"124{op['region_code']}{self.upgraded:04d}"  # food, 糕点 (24), region, sequence
        licence = f"SC{body}{sum(map(int, body)) % 10}"
        return {"operator_id": op["id"], "upgraded_on": upgraded.isoformat(), "sc_licence_no": licence,
                "enterprise_name": op["name"].removesuffix("（演示）") + "食品有限公司（演示）",
                "licence_url": f"https://example.org/zuofang-demo/sc/{licence}",
                "note": "已取得食品生产许可证，原食品小作坊登记证到期不再延续。"}

    def results(self, op: dict, products: list[dict], board: dict | None, inspection: dict):
        day = inspection["date"]
        if date.fromisoformat(day) < ITEMS_FROM:
            return
        checklist = applicable_checklist(self.uses, self.regions, op["kind"], op["region_code"], day)
        items = self.items[checklist]
        themes = {theme: iid for iid, _n, _e, theme, _r in items}
        failed: dict[str, str] = {}
        for finding in (f for f in inspection["findings"].rstrip("。").split("；") if f):
            theme = FINDING_THEMES[finding]
            iid = themes.get(theme) or themes[THEME_FALLBACK.get(theme, "practice")]
            failed.setdefault(iid, finding)
        for iid, _name, _en, theme, _req in items:
            result, note = "符合", ""
            if iid in failed:
                result, note = "不符合", failed[iid]
            elif theme == "labels" and not products:
                result, note = "不适用", "无预包装产品"
            elif theme == "additives" and board and board["additives"] == "无":
                result, note = "不适用", "不使用食品添加剂"
            yield {"inspection_id": inspection["id"], "item_id": iid, "result": result, "note": note}
