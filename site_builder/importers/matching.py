"""Placing a row on a registered business: by credit code, by licence number, else by name
(exact, then normalised) checked against the address, within the registry's region.

A name alone is weak evidence (two 张记凉皮 may trade in two towns), so a name is trusted
only when one business bears it and the file's address, if it gives one, agrees; anything
else goes to the review file with the candidates, for a person to decide.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

#: What a match rests on, as the report says it.
METHODS = {
    "credit_code": "统一社会信用代码 credit code",
    "licence_no": "许可证号 licence number",
    "name+address": "名称与地址 name and address",
    "normalised_name+address": "规范化名称与地址 normalised name and address",
    "name": "名称（文件无地址）name (no address in the file)",
    "normalised_name": "规范化名称（文件无地址）normalised name (no address in the file)",
    "new": "新增主体 new business",
}
#: Endings that one export writes and another leaves off. Longest first.
SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "个体工商户", "分公司", "公司", "经营部", "商行", "作坊",
            "食品厂", "加工厂", "加工坊", "加工部", "摊点", "小吃店", "饭店", "餐馆", "厂", "店", "坊", "部", "摊", "馆")
_DROP = re.compile(r"[\s()（）\[\]【】〔〕<>《》“”\"'‘’·.,，、:：;；\-—_/]+")
_PREFIXES = ("省", "市", "县", "区")


def normalise_name(name: str, places: tuple[str, ...] = ()) -> str:
    """Full-width and half-width alike, no spaces or brackets, no leading place name of the
    registry (山西省运城市稷山县), no legal-form or shop-word ending (有限公司, 店, 坊 …)."""
    text = _DROP.sub("", unicodedata.normalize("NFKC", name or "")).lower()
    for place in places:
        if text.startswith(place) and len(text) > len(place) + 1:
            text = text[len(place):]
    for _ in range(2):  # a legal form, then a shop word: 李家面馆有限公司 -> 李家面馆 -> 李家面
        for suffix in SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)]
                break
    return text


def normalise_address(address: str, places: tuple[str, ...] = ()) -> str:
    text = _DROP.sub("", unicodedata.normalize("NFKC", address or "")).lower()
    for place in places:
        text = text.removeprefix(place)
    return text


@dataclass
class Match:
    """Where a row was placed (operator_id and how), or why not (reason) and who it might be."""

    operator_id: str | None = None
    method: str | None = None
    reason: str | None = None
    reason_code: str | None = None
    candidates: list[str] = field(default_factory=list)


class Directory:
    """The registered businesses, indexed the ways a file may name them."""

    def __init__(self, operators: list[dict], regions: list[dict]):
        self.operators = {op["id"]: op for op in operators}
        provinces = [r["name"] for r in regions if r.get("level") == "province"]
        cities = [r["name"] for r in regions if r.get("level") == "city"]
        counties = [r["name"] for r in regions if r.get("level") == "county"]
        # Leading place names stripped before comparing: province, then city, then county.
        self.places = tuple(provinces + cities + counties)
        #: Names an address inside the registry's region mentions (稷山县, and 稷山 alone).
        self.region_words = tuple(cities + counties + [c[:-1] for c in counties if len(c) > 2]
                                  + [c.removesuffix("市") for c in cities])
        self.counties = {r["name"]: r["code"] for r in regions if r.get("level") == "county"}
        self.by_credit, self.by_licence, self.by_name, self.by_norm = {}, {}, {}, {}
        for op in operators:
            self.add(op)

    def add(self, op: dict) -> None:
        """Index a business (also one the import itself just added)."""
        self.operators[op["id"]] = op
        for index, key in ((self.by_credit, (op.get("credit_code") or "").upper()),
                           (self.by_licence, _code(op.get("licence_no", ""))),
                           (self.by_name, _exact(op.get("name", ""))),
                           (self.by_norm, normalise_name(op.get("name", ""), self.places))):
            if key and op["id"] not in index.setdefault(key, []):
                index[key].append(op["id"])

    def in_region(self, address: str) -> bool:
        """An address that names no place of the registry's region is outside it (a producer in
        another province). No address: unknown, not outside."""
        text = unicodedata.normalize("NFKC", address or "")
        return not text.strip() or any(word in text for word in self.region_words)

    def address_agrees(self, op: dict, address: str) -> bool:
        mine = normalise_address(op.get("address", ""), self.places)
        theirs = normalise_address(address, self.places)
        if not mine or not theirs:
            return True
        if mine in theirs or theirs in mine:
            return True
        return difflib.SequenceMatcher(None, mine, theirs).ratio() >= 0.8

    def place(self, name: str, address: str = "", credit_code: str = "", licence_no: str = "") -> Match:
        """The one business this name, address and codes point to, or why there is none."""
        for code, index, method in ((credit_code.upper(), self.by_credit, "credit_code"),
                                    (_code(licence_no), self.by_licence, "licence_no")):
            hits = index.get(code, []) if code else []
            if len(hits) == 1:
                return Match(hits[0], method)
        if not name:
            return Match(reason="文件没有写名称，统一社会信用代码或许可证号也没有对上登记的主体",
                         reason_code="no-match")
        if address and not self.in_region(address):
            return Match(reason=f"地址“{address}”不在本登记数据的辖区内", reason_code="out-of-region")
        for index, key, method in ((self.by_name, _exact(name), "name"),
                                   (self.by_norm, normalise_name(name, self.places), "normalised_name")):
            hits = index.get(key, [])
            if not hits:
                continue
            if not address:
                if len(hits) == 1:
                    return Match(hits[0], method)
                return Match(reason=f"有 {len(hits)} 家登记主体叫这个名称，文件没有地址可以区分",
                             reason_code="ambiguous", candidates=hits)
            agreeing = [h for h in hits if self.address_agrees(self.operators[h], address)]
            if len(agreeing) == 1:
                return Match(agreeing[0], method + "+address")
            if len(agreeing) > 1:
                return Match(reason=f"有 {len(agreeing)} 家同名主体的地址都与“{address}”相符",
                             reason_code="ambiguous", candidates=agreeing)
            return Match(reason=f"名称相符的登记主体地址与文件中的“{address}”不同", reason_code="address-differs",
                         candidates=hits)
        return Match(reason="没有名称相符的登记主体", reason_code="no-match", candidates=self.similar(name))

    def similar(self, name: str, limit: int = 3) -> list[str]:
        """Businesses whose normalised name is close: suggestions for the review file."""
        key = normalise_name(name, self.places)
        close = difflib.get_close_matches(key, list(self.by_norm), n=limit, cutoff=0.6)
        return [op for k in close for op in self.by_norm[k]][:limit]

    def county_of(self, *texts: str) -> str | None:
        """The county code a text (an address, an authority's name) names, when it names one."""
        for text in texts:
            for county, code in self.counties.items():
                if text and county in text:
                    return code
        return None


def _exact(name: str) -> str:
    """Exactly as registered (only surrounding spaces ignored): anything looser is "normalised"."""
    return (name or "").strip()


def _code(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


def product_for(products: list[dict], sample_name: str, places: tuple[str, ...] = ()) -> str | None:
    """The business's registered product the sample names (exactly, or normalised, or one name
    holding the other); None when none or several fit."""
    key = _product_key(sample_name, places)
    if not key:
        return None
    for test in (lambda k: k == key, lambda k: key in k or k in key):
        hits = [p["code"] for p in products if test(_product_key(p.get("name", ""), places))]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return None
    return None


def _product_key(name: str, places: tuple[str, ...]) -> str:
    text = _DROP.sub("", unicodedata.normalize("NFKC", name or "")).lower()
    for place in places + tuple(p[:-1] for p in places if len(p) > 2):
        if text.startswith(place) and len(text) > len(place) + 1:
            text = text[len(place):]
            break
    return text
