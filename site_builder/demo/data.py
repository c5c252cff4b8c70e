"""A synthetic, deterministic registry for 运城市: the bundled demo and test data of any size.

`write_demo_registry(out_dir, operators, seed)` writes one CSV per table and a
datapackage.json. The same arguments always give byte-identical files: one
random.Random(seed) is drawn from in a fixed order, nothing iterates a set or uses
hash(), and "today" is the package's release date, never the wall clock.

Rows stream out operator by operator (each operator with its products, inspections,
samplings …), so 50,000 operators need little memory; only penalties (about one per ten
operators) are held, to number their decisions in date order. Stories the demo must tell
(named brands, recalls, licences that expired while still "active") are planted at
fixed operator positions, so they exist at every size that reaches those positions.
Operator i draws only after operators 0 … i-1, so a larger registry with the same seed
starts with exactly the rows of a smaller one: growing it never renames a published id.
"""
from __future__ import annotations

import csv
import json
import os
import random
from datetime import date, timedelta
from pathlib import Path

from ..checksums import CREDIT_ALPHABET, credit_code_check_char, gtin_check_digit
from ..registry.package import TABLE_ORDER
from . import checklists, history, illustrations, programmes, vocab

RELEASE = date(2026, 11, 1)
CREATED = "2026-11-01T00:00:00Z"
TEMPLATE = Path(__file__).parents[1] / "schema" / "datapackage.json"

BRAND_EVERY, BRAND_AT = 20, 3       # operator i with i % 20 == 3 holds a brand
RECALL_EVERY, RECALL_AT = 40, 10    # … with i % 40 == 10 has a failed sampling and a recall
STALE_EVERY, STALE_AT = 50, 25      # … with i % 50 == 25 is "active" with a lapsed licence

KINDS = (("workshop", 0.55), ("eatery", 0.28), ("stall", 0.17))
STATUSES = (("active", 0.78), ("suspended", 0.06), ("revoked", 0.06), ("expired", 0.10))
TERM_YEARS = {"workshop": 3, "eatery": 5, "stall": 2}
LICENCE_PREFIX = {"workshop": "晋小作坊登字", "eatery": "晋小餐饮许字", "stall": "晋食摊备字"}
ID_PREFIX = {"workshop": "w", "eatery": "e", "stall": "s"}
SPECIALTIES = {c.code: tuple(b.trade for b in vocab.BRAND_SEEDS if b.county == c.code) for c in vocab.COUNTIES}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643 citizen ID


def write_demo_registry(out_dir, operators: int = 320, seed: int = 2026) -> dict[str, int]:
    """Write the registry into out_dir; return table -> number of rows written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    template["created"] = CREATED
    fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in template["resources"]}
    gen = Generator(random.Random(seed), checklists.Extras(seed, street_zone_ids()))
    with _Tables(out, fields) as tables:
        tables.write("regions", regions())
        tables.write("stations", stations())
        tables.write("parks", parks())
        tables.write("checklists", checklists.checklist_rows())
        tables.write("checklist_items", checklists.checklist_item_rows())
        tables.write("checklist_use", checklists.checklist_use_rows())
        penalties: list[dict] = []
        photos: set[str] = set()
        for i in range(operators):
            for table, rows in gen.operator_bundle(i):
                if table == "penalties":
                    penalties.extend(rows)
                else:
                    tables.write(table, rows)
                    photos.update(r["photo"] for r in rows if r.get("photo"))
        history.number_decisions(penalties)
        tables.write("penalties", penalties)
        tables.write("targets", gen.targets(operators))
        tables.write("closures", programmes.closure_rows(seed))
        tables.write("activities", programmes.activity_rows(seed))
        tables.write("programmes", programmes.programme_rows())
        tables.write("programme_targets", programmes.target_rows(seed))
    write_illustrations(out, photos)
    _replace(out / "datapackage.json", json.dumps(template, ensure_ascii=False, indent=2) + "\n")
    return {t: tables.counts[t] for t in TABLE_ORDER}


class _Tables:
    """One csv.DictWriter per table, into temporary files renamed into place on success."""

    def __init__(self, out: Path, fields: dict[str, list[str]]):
        self.out, self.fields = out, fields
        self.counts = {t: 0 for t in TABLE_ORDER}

    def __enter__(self):
        self.files, self.writers = {}, {}
        for t in TABLE_ORDER:
            f = open(self._tmp(t), "w", encoding="utf-8", newline="")
            self.files[t] = f
            self.writers[t] = csv.DictWriter(f, self.fields[t], restval="", lineterminator="\n")
            self.writers[t].writeheader()
        return self

    def _tmp(self, table: str) -> Path:
        return self.out / f".{table}.csv.tmp{os.getpid()}"

    def write(self, table: str, rows) -> None:
        rows = list(rows)
        self.writers[table].writerows(rows)
        self.counts[table] += len(rows)

    def __exit__(self, exc_type, exc, tb):
        for f in self.files.values():
            f.close()
        for t in TABLE_ORDER:
            if exc_type is None:
                os.replace(self._tmp(t), self.out / f"{t}.csv")
            else:
                self._tmp(t).unlink(missing_ok=True)
        return False


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def regions():
    yield {"code": vocab.PROVINCE[0], "name": vocab.PROVINCE[1], "name_en": vocab.PROVINCE[2],
           "level": "province", "parent_code": ""}
    yield {"code": vocab.CITY[0], "name": vocab.CITY[1], "name_en": vocab.CITY[2],
           "level": "city", "parent_code": vocab.PROVINCE[0]}
    for c in vocab.COUNTIES:
        yield {"code": c.code, "name": c.name, "name_en": c.name_en, "level": "county",
               "parent_code": vocab.CITY[0]}


def _illustration(plan: dict):
    """The drawing a named brand's maker shows on its first two products of the brand's food."""
    seed = plan["brand"]
    return illustrations.ILLUSTRATIONS.get(seed.trade) if isinstance(seed, vocab.BrandSeed) else None


def picture_word(plan: dict) -> str:
    """The word in a product's name that shows it is the food of the maker's brand (麻花, 花馍 …)."""
    return plan["brand"].trade


def write_illustrations(out: Path, names: set[str]) -> None:
    """The drawings the rows name, into out/photos/ (only those: a smaller registry has fewer)."""
    if not names:
        return
    folder = out / "photos"
    folder.mkdir(exist_ok=True)
    for trade, picture in illustrations.ILLUSTRATIONS.items():
        if picture.file in names:
            tmp = folder / f".{picture.file}.tmp{os.getpid()}"
            tmp.write_bytes(illustrations.png(trade))
            os.replace(tmp, folder / picture.file)


def station_id(county: str, town_index: int) -> str:
    return f"st-{county}-{town_index + 1}"


def stations():
    for c in vocab.COUNTIES:
        for t, town in enumerate(c.towns):
            suffix = "城区所" if t == 0 else f"{town.removesuffix('镇').removesuffix('街道')}所"
            yield {"id": station_id(c.code, t), "name": f"{c.name}市场监督管理局{suffix}",
                   "region_code": c.code}


def park_ids(county: str) -> list[str]:
    ids, n = [], 0
    for code, _name in vocab.PARKS:
        if code == county:
            n += 1
            ids.append(f"pk-{code}-{n}")
    return ids


def _zones():
    """(id, county, name, kind, address) of every zone: the workshops' parks (vocab.PARKS, whose
    ids the operators draw from), then the eateries' and stalls' streets (checklists.STREET_ZONES)."""
    seen: dict[str, int] = {}
    listed = [(code, name, checklists.zone_kind(name), "") for code, name in vocab.PARKS]
    for code, name, kind, address in listed + list(checklists.STREET_ZONES):
        seen[code] = seen.get(code, 0) + 1
        yield f"pk-{code}-{seen[code]}", code, name, kind, address


def parks():
    for zone, code, name, kind, address in _zones():
        yield {"id": zone, "name": name, "region_code": code, "kind": kind, "address": address}


def street_zone_ids() -> dict[str, list[tuple[str, str]]]:
    """county -> [(zone id, kind)] of the model streets and stall areas."""
    out: dict[str, list[tuple[str, str]]] = {}
    for zone, code, _name, kind, _address in _zones():
        if kind in checklists.ZONE_SHARE:
            out.setdefault(code, []).append((zone, kind))
    return out


def short_place(county_name: str) -> str:
    """稷山县 -> 稷山, but 绛县 and 夏县 keep their 县 (one character alone is not a name)."""
    core = county_name[:-1]
    return core if len(core) >= 2 else county_name


def base36(n: int, width: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while n:
        n, r = divmod(n, 36)
        s = digits[r] + s
    return s.rjust(width, "0")


def status_since(i: int, status: str, registered: date, valid_until: date) -> str:
    """When operator i was revoked or suspended: inside the licence's term and the demo's two
    years, derived from i (not drawn, so no other row changes); empty for other statuses."""
    if status not in ("revoked", "suspended"):
        return ""
    first = max(registered + timedelta(days=30), history.WINDOW_START)
    last = min(valid_until, RELEASE - timedelta(days=1))
    if first > last:
        return max(registered, min(first, last)).isoformat()
    return (first + timedelta(days=(i * 37) % ((last - first).days + 1))).isoformat()


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class Generator:
    """Draws every row from one Random in a fixed order; counters give stable ids."""

    def __init__(self, rng: random.Random, extras: checklists.Extras | None = None):
        self.rng = rng
        self.extras = extras  # boards, zones of eateries and stalls, upgrades, checklist results
        self.counters: dict[str, int] = {}
        self.counties = {c.code: c for c in vocab.COUNTIES}

    def next_id(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    def pick(self, weighted):
        values, weights = zip(*weighted)
        return self.rng.choices(values, weights)[0]

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    # -- operators ---------------------------------------------------------------------------
    def operator_bundle(self, i: int):
        """(table, rows) pairs for operator number i and everything that hangs off it."""
        plan = self.plan(i)
        op = self.operator(i, plan)
        products, materials = self.products(op, plan)
        hist = history.History(self, op, products, plan)
        extra = self.extras.bundle(op, products, materials, hist.inspections) if self.extras else []
        yield "operators", [op]
        yield "products", products
        yield "material_sources", materials
        yield from hist.tables()
        yield from extra

    def plan(self, i: int) -> dict:
        """Kind, place, trade and planted stories of operator i."""
        rng = self.rng
        plan = {"brand": None, "recall": None, "stale": False}
        kind = self.pick(KINDS)
        county = rng.choice(vocab.COUNTIES).code
        # a county's specialty is what many of its workshops make (稷山 has many 麻花 makers)
        specialties = SPECIALTIES[county]
        if specialties and rng.random() < 0.45:
            trade = rng.choice(specialties)
        else:
            trade = rng.choice(vocab.WORKSHOP_TRADE_ORDER)
        status = self.pick(STATUSES)
        if i % BRAND_EVERY == BRAND_AT:
            slot = i // BRAND_EVERY
            seed = vocab.BRAND_SEEDS[slot] if slot < len(vocab.BRAND_SEEDS) else None
            if seed:
                county, trade = seed.county, seed.trade
            plan["brand"] = seed or "generated"
            kind = "workshop"
            status = "active" if not seed or seed.status != "revoked" else rng.choice(("active", "suspended"))
        elif i % RECALL_EVERY == RECALL_AT:
            kind, status = "workshop", "active"
            plan["recall"] = "ongoing" if (i // RECALL_EVERY) % 2 == 0 else "closed"
        elif i % STALE_EVERY == STALE_AT:
            status, plan["stale"] = "active", True
        plan.update(kind=kind, county=county, trade=trade, status=status)
        return plan

    def operator(self, i: int, plan: dict) -> dict:
        rng, kind, county = self.rng, plan["kind"], self.counties[plan["county"]]
        town_i = rng.randrange(len(county.towns))
        zihao = rng.choice(vocab.NAME_FIRST) + rng.choice(vocab.NAME_SECOND)
        surname = rng.choice(vocab.SURNAMES)
        if kind == "workshop":
            word, _foods, categories = vocab.WORKSHOP_TRADES[plan["trade"]]
            place = short_place(county.name) if rng.random() < 0.4 else ""
            name = f"{place}{zihao}{word}（演示）"
        elif kind == "eatery":
            word = rng.choice(vocab.EATERY_WORDS)
            name, categories = f"{zihao}{word}（演示）", vocab.EATERIES[word]
        else:
            owner = surname + "记" if rng.random() < 0.5 else zihao
            word = rng.choice(vocab.STALL_WORDS)
            name, categories = f"{owner}{word}（演示）", vocab.STALLS[word]
        seq = self.next_id(f"licence-{kind}-{county.code}")
        registered, valid_until = self.licence_dates(kind, plan)
        credit = "" if kind == "stall" and rng.random() < 0.5 else self.credit_code(county.code)
        parks_here = park_ids(county.code)
        park = rng.choice(parks_here) if kind == "workshop" and parks_here and rng.random() < 0.3 else ""
        if kind == "workshop" and plan["brand"] and parks_here:
            park = parks_here[0]  # brand makers sit in the county's showcase park when it has one
        return {
            "id": f"{ID_PREFIX[kind]}{i + 1:05d}", "kind": kind, "name": name,
            "licence_no": f"{LICENCE_PREFIX[kind]}{county.code}{seq:04d}", "credit_code": credit,
            "region_code": county.code, "station_id": station_id(county.code, town_i),
            "address": self.address(county, town_i),
            "lat": f"{county.lat + rng.uniform(-0.06, 0.06):.5f}",
            "lon": f"{county.lon + rng.uniform(-0.07, 0.07):.5f}",
            "registered_on": registered.isoformat(), "valid_until": valid_until.isoformat(),
            "status": plan["status"], "status_since": status_since(i, plan["status"], registered, valid_until),
            "categories": categories, "park_id": park,
            "owner_name": surname + rng.choice(vocab.GIVEN_NAMES),
            "owner_phone": "139" + "".join(rng.choice("0123456789") for _ in range(8)),
            "owner_id_number": self.id_number(county.code),
            "licence_authority": f"{county.name}市场监督管理局",
        }

    def licence_dates(self, kind: str, plan: dict) -> tuple[date, date]:
        """Registration and expiry consistent with the status: active licences run past the
        release date, expired (and the planted stale "active") ones ended before it."""
        rng, years = self.rng, TERM_YEARS[kind]
        term = (add_years(RELEASE, years) - RELEASE).days
        if plan["stale"] or plan["status"] == "expired":
            lapse = rng.randint(1, 200 if plan["stale"] else 700)
            valid_until = RELEASE - timedelta(days=lapse)
            registered = add_years(valid_until + timedelta(days=1), -years)
        elif plan["status"] == "active":
            # planted makers need two years of history (samplings, a brand's publicity period)
            oldest = 700 if plan["recall"] or plan["brand"] else 10
            registered = RELEASE - timedelta(days=rng.randint(oldest, term - 30))
            valid_until = add_years(registered, years) - timedelta(days=1)
        else:
            registered = RELEASE - timedelta(days=rng.randint(60, 2 * term))
            valid_until = add_years(registered, years) - timedelta(days=1)
        return registered, valid_until

    def address(self, county, town_i: int) -> str:
        rng = self.rng
        town = county.towns[town_i]
        if town_i == 0 or rng.random() < 0.5:
            return f"运城市{county.name}{town}{rng.choice(vocab.STREETS)}{rng.randint(1, 299)}号"
        return f"运城市{county.name}{town}{rng.choice(vocab.VILLAGES)}{rng.randint(1, 120)}号"

    def credit_code(self, county: str) -> str:
        # GB 32100: 9 (市场监管登记) 2 (个体工商户), region, 9-character body, check character.
        body = "MA" + "".join(self.rng.choice(CREDIT_ALPHABET) for _ in range(7))
        first17 = f"92{county}{body}"
        return first17 + credit_code_check_char(first17)

    def id_number(self, county: str) -> str:
        # GB 11643: region, birth date, sequence, check character. The sequence starts with 9
        # and the birth dates are random: numbers that look real but belong to nobody known.
        birth = date(1958, 1, 1) + timedelta(days=self.rng.randint(0, 365 * 40))
        first17 = f"{county}{birth:%Y%m%d}9{self.rng.randint(0, 99):02d}"
        total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS))
        return first17 + "10X98765432"[total % 11]

    # -- products ----------------------------------------------------------------------------
    def products(self, op: dict, plan: dict) -> tuple[list[dict], list[dict]]:
        rng, kind = self.rng, op["kind"]
        if kind == "workshop":
            foods = vocab.WORKSHOP_TRADES[plan["trade"]][1]
            count = rng.randint(4, 10)
        elif kind == "eatery":
            foods = (rng.choice(vocab.EATERY_FOODS),)
            count = rng.choice((0, 0, 0, 1, 1, 2))
        else:
            foods = (rng.choice(vocab.STALL_FOODS),)
            count = rng.choice((0, 0, 0, 0, 0, 1))
        if plan["recall"]:
            count = max(count, 1)
        pool = [(f, v) for f in foods for v in vocab.FOODS[f].variants]
        chosen = pool[:1] + rng.sample(pool[1:], min(count, len(pool)) - 1) if count else []
        with_gtin = rng.random() < 0.5
        place = short_place(self.counties[op["region_code"]].name)
        products, materials = [], []
        picture = _illustration(plan)
        for j, (key, variant) in enumerate(chosen):
            food = vocab.FOODS[key]
            k = self.next_id("product")
            code = "p" + base36(k, 4)  # product k always gets the same code: QR codes stay put
            label = variant if food.name[-1] in variant else f"{food.name}（{variant}）"
            ingredients = vocab.recipe(food, variant)
            gtin = ""
            if with_gtin:
                body = f"692{int(op['id'][1:]) % 1_000_000:06d}{j:03d}"
                gtin = body + gtin_check_digit(body)
            products.append({
                "code": code, "operator_id": op["id"], "name": place + label, "category": food.category,
                "spec": rng.choice(food.specs), "ingredients": ingredients,
                "additives": rng.choice(food.additives), "standard": food.standard,
                "shelf_life": rng.choice(food.shelf_lives), "gtin": gtin,
                "status": self.product_status(op["status"]),
            })
            if picture and picture_word(plan) in label and sum(bool(p.get("photo")) for p in products) < 2:
                products[-1].update(photo=picture.file, photo_alt=picture.alt, photo_credit=illustrations.CREDIT)
            sources = vocab.sourced_materials(food, ingredients)
            for material, origin in sources[:rng.randint(1, min(4, len(sources)))]:
                supplier = (origin[2:] + rng.choice(vocab.NAME_FIRST) + rng.choice(vocab.NAME_SECOND)
                            + rng.choice(vocab.supplier_words(material)) + "（演示）")
                materials.append({"product_code": code, "material": material,
                                  "supplier": supplier, "origin": origin})
        return products, materials

    def product_status(self, operator_status: str) -> str:
        if operator_status == "active":
            return self.pick((("active", 0.85), ("discontinued", 0.10), ("withdrawn", 0.05)))
        return self.pick((("discontinued", 0.7), ("withdrawn", 0.3)))

    # -- targets -----------------------------------------------------------------------------
    def targets(self, operators: int):
        rng = self.rng
        per_county = max(1, round(operators / 320 * 1.2))
        for c in vocab.COUNTIES:
            for year in (2025, 2026):
                step = year - 2025
                yield from (
                    {"region_code": c.code, "year": year, "metric": "graded_share",
                     "target": 85 + 5 * step + rng.randint(0, 5)},
                    {"region_code": c.code, "year": year, "metric": "a_share",
                     "target": 30 + 5 * step + rng.randint(0, 10)},
                    {"region_code": c.code, "year": year, "metric": "sampling_coverage",
                     "target": 60 + 10 * step + rng.randint(0, 10)},
                    {"region_code": c.code, "year": year, "metric": "sampling_pass_rate",
                     "target": 96 + step + rng.randint(0, 1)},
                    {"region_code": c.code, "year": year, "metric": "brands_awarded",
                     "target": per_county + step},
                )
