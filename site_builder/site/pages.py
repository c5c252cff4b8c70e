"""The registry's one-per-record pages: /p/<code>/, /w/<id>/, /brands/<id>/, /recalls/<id>/.

Each function yields (address, template, context); the generator renders and writes them.
Contexts are built from the Registry's dicts only, never from per-page queries. Given `only`
(a set of keys), a function yields just those records' pages (a rebuild's scope, site/scope.py).
"""
from __future__ import annotations

from typing import Iterable, Iterator

from .. import urls
from ..images.markup import picture
from ..vocabulary import food_category
from . import charts, jsonld, verdict
from .business_extras import business_context
from .registry import Registry, Row

Page = tuple[str, str, dict]

#: How many of a product's samplings its provenance page shows (newest first): the page
#: must stay small on a phone; the business page and Datasette have all of them.
PRODUCT_SAMPLINGS = 3


def _chosen(records: dict, only: set | None) -> Iterable[tuple[str, dict]]:
    """The records (key, row) a run renders: all of them, or those keyed in `only`."""
    if only is None:
        return records.items()
    return ((k, records[k]) for k in sorted(only) if k in records)


def _expired(reg: Registry, op: dict) -> bool:
    return bool(op.get("valid_until")) and op["valid_until"] < reg.release_date.isoformat()


def photo_of(reg: Registry, row: dict, lazy: bool, **options):
    """The row's photo as the page shows it (empty markup when it has none)."""
    return picture(reg.photos.get(row.get("photo") or ""), row.get("photo_alt"), lazy=lazy,
                   credit=row.get("photo_credit"), **options)


def brand_of(reg: Registry, p: dict) -> dict | None:
    """The awarded brand a product is sold under: its maker's, of the product's food category."""
    return next((b for b in reg.brands_by_operator.get(p["operator_id"], ())
                 if b["status"] == "awarded" and b.get("category") == p.get("category")), None)


def products_of(reg: Registry, b: dict) -> list[dict]:
    """A brand's products: its maker's products of the brand's food category (the registry
    designates a maker's category of food; it does not list the products one by one)."""
    return [p for p in reg.products_by_operator.get(b.get("operator_id"), ()) if p.get("category") == b.get("category")]


def product_pages(reg: Registry, site_url: str, only: set | None = None) -> Iterator[Page]:
    for code, p in _chosen(reg.products, only):
        op = reg.operators.get(p["operator_id"])
        recall = reg.ongoing_recall(code)
        address = urls.product(code)
        standing = reg.standing(op)
        samplings = reg.samplings_by_product.get(code, [])
        yield address, "product.html", {
            "address": address, "p": p, "op": op, "recall": recall,
            "category": food_category(p.get("category")), "brand": brand_of(reg, p),
            # Below the maker and its grade: on a phone the verdict comes first, the picture after.
            "photo": photo_of(reg, p, lazy=True),
            "expired": bool(op) and _expired(reg, op), "standing": standing,
            "verdict": verdict.for_product(p, recall, standing, samplings, reg.upgrades.get(p["operator_id"])),
            "grade": reg.current_grade.get(p["operator_id"]),
            "materials": reg.materials_by_product.get(code, []),
            "samplings": samplings[:PRODUCT_SAMPLINGS],
            "past_recalls": [r for r in reg.recalls_by_product.get(code, []) if r is not recall],
            "datasette": urls.datasette_row("products", code),
            "jsonld": jsonld.product(p, op, site_url),
        }


def operator_pages(reg: Registry, site_url: str, only: set | None = None) -> Iterator[Page]:
    for op_id, op in _chosen(reg.operators, only):
        grades = [Row(g, inspection=reg.inspections.get(g.get("inspection_id"))) for g in reg.grades_by_operator.get(op_id, [])]
        path = reg.region_path(op.get("region_code"))
        address = urls.operator(op_id)
        standing, recalls = reg.standing(op), reg.ongoing_recalls_of(op_id)
        yield address, "operator.html", {
            "address": address, "op": op, "region_path": path, "expired": _expired(reg, op),
            "standing": standing, "ongoing": recalls,
            "verdict": verdict.for_business(recalls, standing, reg.samplings_by_operator.get(op_id, []),
                                            reg.upgrades.get(op_id)),
            "station": reg.stations.get(op.get("station_id")),
            "grade": reg.current_grade.get(op_id), "grades": grades,
            "timeline": charts.grade_timeline(grades, reg.release_date, void_since=standing.since,
                                              void_reason="" if standing.operating else standing.term.zh),
            "inspections": reg.inspections_by_operator.get(op_id, []),
            "samplings": reg.samplings_by_operator.get(op_id, []),
            "penalties": reg.penalties_by_operator.get(op_id, []),
            "products": reg.products_by_operator.get(op_id, []),
            "brands": reg.brands_by_operator.get(op_id, []),
            "recalls": reg.recalls_by_operator.get(op_id, []),
            "datasette": urls.datasette_row("operators", op_id),
            "jsonld": jsonld.business(op, site_url, path[-1]["name"] if path else ""),
            **business_context(reg, op_id, op),
        }


def publicity_open(reg: Registry, b: dict) -> bool:
    """A brand's 公示 is open while its period includes the release date."""
    today = reg.release_date.isoformat()
    return (b.get("status") == "publicized" and bool(b.get("publicity_start"))
            and b["publicity_start"] <= today <= (b.get("publicity_end") or today))


def brand_pages(reg: Registry, site_url: str, only: set | None = None) -> Iterator[Page]:
    for brand_id, b in _chosen(reg.brands, only):
        op = reg.operators.get(b.get("operator_id"))
        address = urls.brand(brand_id)
        yield address, "brand.html", {
            "address": address, "b": b, "op": op,
            "region": reg.regions.get(op.get("region_code")) if op else None,
            "category": food_category(b.get("category")), "products": products_of(reg, b),
            "recalled": {r.get("product_code") for r in reg.ongoing_recalls_of(b.get("operator_id"))},
            "photo": photo_of(reg, b, lazy=False),
            "grade": reg.current_grade.get(b.get("operator_id")), "standing": reg.standing(op),
            "publicity_open": publicity_open(reg, b),
            "datasette": urls.datasette_row("brands", brand_id),
            "jsonld": jsonld.brand(b, site_url),
        }


def recall_pages(reg: Registry, site_url: str, only: set | None = None) -> Iterator[Page]:
    for r in reg.recalls:
        if only is not None and r["id"] not in only:
            continue
        address = urls.recall(r["id"])
        yield address, "recall.html", {
            "address": address, "r": r,
            "product": reg.products.get(r.get("product_code")),
            "op": reg.operators.get(r.get("operator_id")),
            "sampling": reg.samplings_by_id.get(r.get("sampling_id")),
            "datasette": urls.datasette_row("recalls", r["id"]),
        }


def record_addresses(reg: Registry) -> list[str]:
    """The address of every record page (products, businesses, brands, recalls), scope or not."""
    return ([urls.product(c) for c in reg.product_codes] + [urls.operator(i) for i in reg.operator_ids]
            + [urls.brand(i) for i in reg.brands] + [urls.recall(r["id"]) for r in reg.recalls])


def record_keys(reg: Registry, scope) -> dict[str, list[str]]:
    """kind -> the keys of the record pages to render: every record, or those in `scope`."""
    every = {"products": reg.products, "operators": reg.operators, "brands": reg.brands,
             "recalls": {r["id"]: r for r in reg.recalls}}
    return {kind: sorted(k for k in (every[kind] if scope is None else getattr(scope, kind)) if k in every[kind])
            for kind, _make in RECORD_RENDERERS}


#: Each kind of record page: its scope attribute (site/scope.py) and the function making it.
RECORD_RENDERERS = (("products", product_pages), ("operators", operator_pages), ("brands", brand_pages),
                ("recalls", recall_pages))
