"""What happened to one demo operator over two years: inspections, grades, samplings,
recalls, penalties and its brand. Companion of demo_data.py (which owns the Random).

Everything is dated inside 2024-11-01 … 2026-10-31 and after the operator registered,
so no record is dated after the release date or before the business existed.
"""
from __future__ import annotations

import json
from datetime import date, timedelta

from ..validate.across import CLEAN_RECORD_PROGRAMMES, CLEAN_RECORD_YEARS
from ..vocabulary import food_category
from . import illustrations, vocab

WINDOW_START, WINDOW_END = date(2024, 11, 1), date(2026, 10, 31)
RELEASE = WINDOW_END + timedelta(days=1)
INSPECTION_KINDS = (("日常", 0.60), ("双随机", 0.20), ("飞行", 0.08), ("专项", 0.12))
RESULTS = (("符合", 0.65), ("基本符合", 0.27), ("不符合", 0.08))
FAIL_RATE = 0.045
FINES = (2000, 3000, 5000, 8000, 10000, 20000, 50000)
#: Who publishes the demo's notices and decisions (fictional, like everything in the demo).
BUREAU = "运城市市场监督管理局（演示）"
#: Fines from this amount (yuan) stay public for 3 years after the decision, smaller ones for 1
#: (the longer and shorter terms bureaus use); derived, not drawn, so no other row changes.
LONG_PUBLICITY_FINE = 10000


class History:
    """Builds every dated record of one operator at construction; tables() hands them out.

    A recall may mark the operator's product withdrawn, so build this before the product
    rows are written (demo_data.Generator.operator_bundle does).
    """

    def __init__(self, gen, op: dict, products: list[dict], plan: dict):
        self.gen, self.rng, self.op, self.products, self.plan = gen, gen.rng, op, products, plan
        registered = date.fromisoformat(op["registered_on"])
        self.start = max(WINDOW_START, registered)
        self.end = WINDOW_END
        if op["status"] == "expired":
            self.end = min(self.end, date.fromisoformat(op["valid_until"]))
        self.inspections = self.make_inspections()
        self.grades = self.make_grades()
        self.samplings = self.make_samplings()
        self.recalls = self.make_recalls()
        self.penalties = self.make_penalties()
        self.brands = self.make_brands(registered)

    def tables(self):
        yield "inspections", self.inspections
        yield "grades", self.grades
        yield "samplings", self.samplings
        yield "recalls", self.recalls
        yield "brands", self.brands
        yield "penalties", self.penalties

    # -- inspections and grades ----------------------------------------------------------------
    def make_inspections(self) -> list[dict]:
        rng, gen = self.rng, self.gen
        count = rng.randint(1, 5) if self.op["status"] == "active" else rng.randint(0, 3)
        span = (self.end - self.start).days
        if span < 0:
            return []
        days = sorted(rng.sample(range(span + 1), min(count, span + 1)))  # distinct dates
        rows = []
        for d in days:
            result = gen.pick(RESULTS)
            findings = reply = ""
            if result != "符合":
                n = 1 if result == "基本符合" else rng.randint(2, 3)
                findings = "；".join(rng.sample(vocab.FINDINGS, n)) + "。"
                if rng.random() < 0.4:
                    reply = rng.choice(vocab.REPLIES)
            rows.append({"id": f"jc{gen.next_id('inspection'):06d}", "operator_id": self.op["id"],
                         "date": (self.start + timedelta(days=d)).isoformat(),
                         "kind": gen.pick(INSPECTION_KINDS), "result": result,
                         "findings": findings, "reply": reply})
        return rows

    def make_grades(self) -> list[dict]:
        """量化分级 follows inspections: a grade takes effect a week after the inspection it
        rests on. Distinct inspection dates give distinct (operator, effective_on) keys."""
        rng = self.rng
        if not self.inspections or rng.random() > (0.7 if self.op["kind"] == "stall" else 0.9):
            return []
        rows = []
        last = len(self.inspections) - 1
        for j, insp in enumerate(self.inspections):
            effective = date.fromisoformat(insp["date"]) + timedelta(days=7)
            if effective > RELEASE or (j != last and rng.random() < 0.5):
                continue
            result = insp["result"]
            if result == "符合":
                grade = "A" if rng.random() < 0.6 else "B"
            elif result == "基本符合":
                grade = "B" if rng.random() < 0.7 else "C"
            else:
                grade = "C"
            # No grade once the licence has run out or been revoked (rule grade-licence); dropped
            # after the draws, so that no other row changes.
            if effective > self.licence_end():
                continue
            rows.append({"operator_id": self.op["id"], "grade": grade,
                         "effective_on": effective.isoformat(), "inspection_id": insp["id"]})
        return rows

    def licence_end(self) -> date:
        """The last day a grade may take effect: the licence's last day, or the day before it was revoked."""
        end = date.fromisoformat(self.op["valid_until"])
        if self.op["status"] == "revoked" and self.op.get("status_since"):
            end = min(end, date.fromisoformat(self.op["status_since"]) - timedelta(days=1))
        return end

    # -- samplings -----------------------------------------------------------------------------
    def make_samplings(self) -> list[dict]:
        rng, kind = self.rng, self.op["kind"]
        rows = []
        self.planted = self.planted_failure() if self.plan["recall"] else None
        if self.planted:
            rows.append(self.planted)
        if kind == "workshop":
            count = rng.randint(0, 4) if self.products else 0
        else:
            count = rng.randint(0, 1) if kind == "eatery" or rng.random() < 0.3 else 0
        if self.end < self.start:
            count = 0
        for _ in range(count):
            bulk = not self.products or (kind != "workshop" and rng.random() < 0.5)
            product = None if bulk else rng.choice(self.products)
            sampled = self.gen.day_between(self.start, self.end)
            rows.append(self.sampling(product, sampled, rng.random() < FAIL_RATE))
        rows.sort(key=lambda r: r["sampled_on"])
        for row in rows:  # ids follow the dates within an operator
            row["id"] = f"cj{self.gen.next_id('sampling'):06d}"
        return rows

    def planted_failure(self) -> dict:
        """The failed sampling behind a planted recall: recent for an ongoing recall (the product
        stays on sale, so its page must lead with the recall), older for a closed one."""
        gen, product = self.gen, self.products[0]
        if self.plan["recall"] == "ongoing":
            sampled = RELEASE - timedelta(days=self.rng.randint(40, 80))
        else:
            sampled = gen.day_between(max(self.start, date(2025, 1, 10)), date(2026, 4, 30))
        return self.sampling(product, sampled, True)

    def sampling(self, product: dict | None, sampled: date, failed: bool) -> dict:
        rng, gen = self.rng, self.gen
        produced = sampled - timedelta(days=rng.randint(1, 40))
        category = product["category"] if product else "散装"
        items = ""
        if failed:
            picks = rng.sample(vocab.FAILED_ITEMS[category], min(rng.choice((1, 1, 1, 2)),
                                                                 len(vocab.FAILED_ITEMS[category])))
            items = json.dumps([self.failed_item(*p) for p in picks], ensure_ascii=False)
        return {
            "id": "", "operator_id": self.op["id"],
            "product_code": product["code"] if product else "",
            "sample_name": product["name"] if product else rng.choice(vocab.BULK_SAMPLES),
            "batch": f"{produced:%Y%m%d}", "sampled_on": sampled.isoformat(),
            "result": "不合格" if failed else "合格", "failed_items": items,
            "lab": rng.choice(vocab.LABS),
            "notice_no": f"运市监抽〔{sampled.year}〕{sampled.month}号",
            "disposal": rng.choice(vocab.DISPOSALS) if failed else "",
            # Derived from what was drawn: a notice three weeks after sampling, never after the release.
            "notice_date": min(sampled + timedelta(days=21), RELEASE).isoformat(), "issuer": BUREAU,
        }

    def failed_item(self, item: str, limit, op: str, unit: str) -> dict:
        rng = self.rng
        if limit is None:  # a banned additive was found at all
            return {"item": item, "measured": f"{rng.uniform(0.05, 0.6):.2f}", "standard": op, "unit": unit}
        factor = rng.uniform(1.3, 3.0) if op == "≤" else rng.uniform(0.5, 0.85)
        if isinstance(limit, int):
            measured = str(round(limit * factor))
        else:
            places = len(repr(limit).split(".")[1]) + 1
            measured = f"{limit * factor:.{places}f}"
        return {"item": item, "measured": measured, "standard": f"{op}{limit}", "unit": unit}

    # -- recalls and penalties -----------------------------------------------------------------
    def make_recalls(self) -> list[dict]:
        rng, rows = self.rng, []
        by_code = {p["code"]: p for p in self.products}
        for s in self.samplings:
            if s["result"] != "不合格" or not s["product_code"]:
                continue
            planted = s is self.planted
            if not planted and rng.random() > 0.3:
                continue
            rows.append(self.recall(s, by_code[s["product_code"]], planted))
        if self.plan["recall"] == "ongoing":
            self.products[0]["status"] = "active"  # still on sale: its page must lead with the recall
        return rows

    def recall(self, s: dict, product: dict, planted: bool) -> dict:
        rng, gen = self.rng, self.gen
        issued = min(date.fromisoformat(s["sampled_on"]) + timedelta(days=rng.randint(12, 25)), RELEASE)
        closed_on = issued + timedelta(days=rng.randint(20, 60))
        if planted:
            ongoing = self.plan["recall"] == "ongoing"
        else:
            ongoing = closed_on > RELEASE
        if not ongoing and rng.random() < 0.5:
            product["status"] = "withdrawn"
        first = json.loads(s["failed_items"])[0]
        batch_dates = [s["batch"]]
        later = date.fromisoformat(s["batch"][:4] + "-" + s["batch"][4:6] + "-" + s["batch"][6:]) + timedelta(days=3)
        if later < date.fromisoformat(s["sampled_on"]):
            batch_dates.append(f"{later:%Y%m%d}")
        # Fixed-line numbers never start with 0 after the area code, so this cannot ring anyone.
        phone = "0359-0" + str(rng.randint(2000000, 8999999))[1:]
        return {
            "id": f"r{gen.next_id('recall'):04d}", "issued_on": issued.isoformat(),
            "title": f"关于{self.op['name']}召回{product['name']}的公告",
            "operator_id": self.op["id"], "product_code": product["code"],
            "batches": "、".join(batch_dates),
            "reason": (f"经{s['lab']}检验，{first['item']}项目不符合食品安全标准"
                       f"（检验结果 {first['measured']}{first['unit']}，标准值 {first['standard']}{first['unit']}）。"),
            "level": recall_level(first["item"]), "advice": rng.choice(vocab.RECALL_ADVICE),
            "contact": f"生产者电话 {phone}（虚构号码）；投诉举报 12315",
            "status": "ongoing" if ongoing else "closed",
            "closed_on": "" if ongoing else closed_on.isoformat(), "sampling_id": s["id"],
        }

    def make_penalties(self) -> list[dict]:
        rng, rows = self.rng, []
        failed = [s for s in self.samplings if s["result"] == "不合格"]
        if failed and (self.plan["recall"] or rng.random() < 0.6):
            rows.append(self.penalty(date.fromisoformat(failed[0]["sampled_on"]), vocab.VIOLATIONS[2]))
        bad = [i for i in self.inspections if i["result"] == "不符合"]
        if bad and rng.random() < 0.3:
            rows.append(self.penalty(date.fromisoformat(bad[0]["date"]), rng.choice(vocab.VIOLATIONS)))
        if self.plan["stale"] and rng.random() < 0.3:
            lapsed = date.fromisoformat(self.op["valid_until"])
            rows.append(self.penalty(lapsed, vocab.VIOLATIONS[4]))
        return [r for r in rows if r]

    def penalty(self, event: date, violation) -> dict | None:
        rng, gen = self.rng, self.gen
        decided = event + timedelta(days=rng.randint(20, 60))
        if decided > RELEASE:
            return None
        fine = rng.choice(FINES)
        years = 3 if fine >= LONG_PUBLICITY_FINE else 1
        return {"id": f"cf{gen.next_id('penalty'):05d}", "operator_id": self.op["id"],
                "decided_on": decided.isoformat(),
                "decision_no": "",  # numbered in date order once all are known (number_decisions)
                "violation": violation[0], "penalty": violation[1].format(fine=fine), "fine_yuan": fine,
                "fine_amount_yuan": fine, "penalty_kinds": violation[2], "authority": BUREAU,
                "publicity_end": (_years_later(decided, years) - timedelta(days=1)).isoformat()}

    # -- brands ----------------------------------------------------------------------------------
    def make_brands(self, registered: date) -> list[dict]:
        seed = self.plan["brand"]
        if not seed:
            return []
        rng, gen, op = self.rng, self.gen, self.op
        county = gen.counties[op["region_code"]]
        food = vocab.FOODS[vocab.WORKSHOP_TRADES[self.plan["trade"]][1][0]]
        generated = seed == "generated"  # past the named seeds: no drawing of its food
        if generated:
            status = gen.pick((("awarded", 0.5), ("publicized", 0.15), ("applied", 0.2), ("revoked", 0.15)))
            name = op["name"].removesuffix("（演示）")
            seed = vocab.BrandSeed(county.code, self.plan["trade"], name, f"Showcase workshop, {county.name_en}",
                                   "出彩小作坊", status, "县级" if rng.random() < 0.1 else "",
                                   f"主营{food.name}，坚持手工制作，原料来自本地。",
                                   f"It makes {food_category(food.category).en.lower() or 'local food'} by hand "
                                   "from local ingredients.")
        row = {"id": f"b{gen.next_id('brand'):03d}", "name": seed.name, "name_en": seed.name_en,
               "operator_id": op["id"], "category": food.category, "program": seed.program,
               "status": seed.status, "heritage": seed.heritage}
        row.update(self.brand_dates(seed.status, registered))
        if row["status"] == "awarded" and row["program"] in CLEAN_RECORD_PROGRAMMES and self.blots(row["awarded_on"]):
            row["status"] = "revoked"  # its record does not allow the award (rules_across.py): withdrawn
        row["story"] = (f"{op['name']}位于{county.name}，是一家家庭经营的小作坊。{seed.craft}"
                        f"{STATUS_SENTENCE[row['status']]}本品牌故事为演示虚构，不对应任何真实企业。")
        row["story_en"] = (f"A family-run workshop in {county.name_en}. {seed.craft_en} {STATUS_SENTENCE_EN[row['status']]} "
                           "This story is fictional demonstration data and describes no real business.")
        picture = None if generated else illustrations.ILLUSTRATIONS.get(seed.trade)
        if picture:
            row.update(photo=picture.file, photo_alt=picture.alt, photo_credit=illustrations.CREDIT)
        return [row]

    def blots(self, awarded_on: str) -> bool:
        """A failed sampling or a penalty in the years before an award (the 名特优 condition)."""
        awarded = date.fromisoformat(awarded_on)
        since = _years_later(awarded, -CLEAN_RECORD_YEARS).isoformat()
        days = [s["sampled_on"] for s in self.samplings if s["result"] == "不合格"] + [p["decided_on"] for p in self.penalties]
        return any(since <= d <= awarded_on for d in days)

    def brand_dates(self, status: str, registered: date) -> dict:
        """Awarded (and later revoked) brands passed a closed publicity period with a score of
        at least 90; publicized ones are in an open period on the release date."""
        rng, gen = self.rng, self.gen
        if status == "applied":
            return {"score": "", "publicity_start": "", "publicity_end": "", "awarded_on": ""}
        if status == "publicized":
            start = RELEASE - timedelta(days=rng.randint(0, 9))
            return {"score": self.score(90), "publicity_start": start.isoformat(),
                    "publicity_end": (start + timedelta(days=14)).isoformat(), "awarded_on": ""}
        latest = date(2026, 9, 30) if status == "awarded" else date(2025, 12, 31)
        awarded = gen.day_between(max(registered + timedelta(days=60), date(2024, 3, 1)), latest)
        end = awarded - timedelta(days=rng.randint(3, 20))
        return {"score": self.score(90), "publicity_start": (end - timedelta(days=14)).isoformat(),
                "publicity_end": end.isoformat(), "awarded_on": awarded.isoformat()}

    def score(self, lowest: int) -> str:
        """A review score from `lowest` to 98.5 in steps of 0.5, as a reviewer would write it."""
        return f"{self.rng.randint(lowest * 2, 197) / 2:g}"


STATUS_SENTENCE = {
    "awarded": "经评审和公示，已获认定。",
    "publicized": "评审已通过，目前正在公示，欢迎社会监督。",
    "applied": "已提交申报材料，等待评审。",
    "revoked": "认定后复查不达标，认定已被撤销。",
}


STATUS_SENTENCE_EN = {
    "awarded": "It was reviewed, put on public notice and awarded.",
    "publicized": "It passed review and is now on public notice.",
    "applied": "Its application awaits review.",
    "revoked": "A later check found it short of the criteria, and the award was revoked.",
}


def recall_level(item: str) -> str:
    """一级 for hazards to health, 二级 for additives and contaminants, 三级 for quality."""
    if item.startswith(("铅", "大肠菌群")):
        return "一级"
    if item.startswith(("过氧化值", "酸价", "总酸")):
        return "三级"
    return "二级"


def _years_later(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def number_decisions(penalties: list[dict]) -> None:
    """Decision numbers run 1, 2, 3 … through each year in date order, as a bureau's do.
    Penalties are few (about one per ten operators), so they are held until the end."""
    seq: dict[str, int] = {}
    for p in sorted(penalties, key=lambda p: (p["decided_on"], p["id"])):
        year = p["decided_on"][:4]
        seq[year] = seq.get(year, 0) + 1
        p["decision_no"] = f"运市监罚〔{year}〕{seq[year]}号"
