"""Reads what codes, sheets, posters and GS1 pages need from registry.db (read-only).

Pure reads into small records, kept apart from drawing so the drawing functions test
without a database. The database holds public fields only (owner phone and ID number
are not there), so nothing private can reach a label or a poster.
"""
from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from site_builder import urls
from site_builder.build.delta import select_in
from site_builder.registry.standing import Standing, standing

from . import board
from .errors import NothingSelected, RegistryDatabaseError, UnknownOperator, UnknownRegion, UnknownStation

if TYPE_CHECKING:
    from .scope import Scope

#: GS1 AI 10 (batch/lot) allows up to 20 characters; only these stay the same in a URL
#: path and a file name, so batches with other characters get no Digital Link page (nor do
#: "." and "..", which the validator refuses: urls.unsafe_segment).
BATCH_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,20}$")


@dataclass(frozen=True)
class Product:
    code: str
    operator_id: str
    name: str
    spec: str | None
    gtin: str | None
    status: str


@dataclass(frozen=True)
class Workshop:
    id: str
    name: str
    licence_no: str
    credit_code: str | None
    address: str
    categories: str | None
    status: str
    valid_until: str
    station: str | None
    grade: str | None            # A / B / C from current_grades, None when never graded
    grade_effective_on: str | None
    status_since: str | None = None  # when it was revoked or suspended (operators.status_since)

    def standing(self, release_date: date) -> Standing:
        """Whether it may operate on the release date; otherwise its grade is void (no smiley)."""
        return standing({"status": self.status, "valid_until": self.valid_until,
                         "status_since": self.status_since}, release_date)


@dataclass
class Registry:
    """Everything the QR stage draws, read once."""

    release_date: date
    demo: bool
    site_url: str
    products: list[Product]
    workshops: list[Workshop]
    batches: dict[str, list[str]] = field(default_factory=dict)  # product code -> batches
    boards: dict = field(default_factory=dict)  # operator id -> its 信息公开栏 facts (qr/board.py)
    _by_operator: dict[str, list[Product]] | None = field(default=None, repr=False)

    def products_of(self, operator_id: str) -> list[Product]:
        if self._by_operator is None:
            self._by_operator = defaultdict(list)
            for product in self.products:
                self._by_operator[product.operator_id].append(product)
        return self._by_operator.get(operator_id, [])


def load(db_path: str | Path, operator_id: str | None = None, scope: Scope | None = None) -> Registry:
    """Read the registry; with `operator_id`, only that workshop and its products; with `scope`
    (a rebuild's, qr/scope.py), only its workshops, all their products and its other products."""
    with _reading(db_path) as conn:
        registry = _facts(conn, db_path)
        registry.workshops = _workshops(conn, operator_id, scope)
        if operator_id is not None and not registry.workshops:
            raise _unknown_operator(db_path, operator_id)
        registry.products = _products(conn, operator_id, scope)
        registry.boards = board.load(conn, [w.id for w in registry.workshops])
        with_gtin = {p.code for p in registry.products if p.gtin and (scope is None or p.code in scope.gs1)}
        registry.batches = _batches(conn, with_gtin, whole=scope is None)
        return registry


@dataclass(frozen=True)
class Selection:
    """The workshops a printed batch holds (exactly one of the three is given): one workshop, every
    workshop a station supervises, or every workshop in a region or a region below it (a city's
    counties: regions name their parent, `regions.parent_code`)."""

    operator: str | None = None
    station: str | None = None
    region: str | None = None

    def __post_init__(self):
        if sum(v is not None for v in (self.operator, self.station, self.region)) != 1:
            raise ValueError("a Selection names exactly one operator, station or region")

    @property
    def where(self) -> tuple[str, tuple[str]]:
        """The condition on `operators o` and its argument."""
        if self.operator is not None:
            return "o.id = ?", (self.operator,)
        if self.station is not None:
            return "o.station_id = ?", (self.station,)
        return _IN_REGION, (self.region,)


_IN_REGION = """o.region_code IN (WITH RECURSIVE within(code) AS (
        SELECT code FROM regions WHERE code = ?
        UNION SELECT r.code FROM regions r JOIN within w ON r.parent_code = w.code)
    SELECT code FROM within)"""


def select(db_path: str | Path, selection: Selection) -> Registry:
    """The workshops of `selection`, by station, then id (the order a station's batch is printed
    and sorted in), with all their products and 信息公示栏 facts; no GS1 batches."""
    with _reading(db_path) as conn:
        registry = _facts(conn, db_path)
        where, args = selection.where
        sql = _workshops_sql(conn) + f" AND {where} ORDER BY o.station_id IS NULL, o.station_id, o.id"
        registry.workshops = [Workshop(**dict(r)) for r in conn.execute(sql, args)]
        if not registry.workshops:
            _nothing_selected(conn, db_path, selection)
        ids = [w.id for w in registry.workshops]
        registry.products = [Product(**dict(r)) for r in select_in(
            conn, _PRODUCTS + " WHERE operator_id IN {keys} ORDER BY code", ids)]
        registry.boards = board.load(conn, ids)
        return registry


def _unknown_operator(db_path: str | Path, operator_id: str) -> UnknownOperator:
    return UnknownOperator(f"{db_path}：没有编号为 {operator_id} 的食品小作坊（kind = workshop）。"
                           "请检查主体编号；标签和公示牌只为食品小作坊生成。")


def _nothing_selected(conn: sqlite3.Connection, db_path: str | Path, selection: Selection) -> None:
    """Raise the error saying why `selection` holds no workshop: an unknown key, or none there."""
    if selection.operator is not None:
        raise _unknown_operator(db_path, selection.operator)
    table, key = ("stations", selection.station) if selection.station is not None else ("regions", selection.region)
    column = "id" if table == "stations" else "code"
    if not conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (key,)).fetchone():
        example = conn.execute(f"SELECT {column} FROM {table} ORDER BY {column} LIMIT 1").fetchone()
        hint = f"（如 {example[0]}）" if example else ""
        if table == "stations":
            raise UnknownStation(f"{db_path}：没有编号为 {key} 的监管所。请用 stations 表中的编号{hint}。"
                                 "No station with this id.")
        raise UnknownRegion(f"{db_path}：没有代码为 {key} 的行政区划。请用 regions 表中的区划代码{hint}，"
                            "市级代码包含其下各县区。No region with this code.")
    where = "监管所" if table == "stations" else "行政区划（含下级区划）"
    raise NothingSelected(f"{db_path}：{where} {key} 没有食品小作坊，没有要打印的标签或公示牌。"
                          "No workshop there: nothing to print.")


def facts(db_path: str | Path) -> Registry:
    """The package-wide facts only (release date, demo flag, site URL): no records."""
    with _reading(db_path) as conn:
        return _facts(conn, db_path)


def totals(db_path: str | Path) -> tuple[int, int]:
    """How many products and workshops the registry has (a rebuild reads only some of them)."""
    with _reading(db_path) as conn:
        (products,), (workshops,) = (conn.execute(sql).fetchone() for sql in (
            "SELECT count(*) FROM products", "SELECT count(*) FROM operators WHERE kind = 'workshop'"))
        return products, workshops


@contextmanager
def _reading(db_path: str | Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection; a missing database or table is reported as RegistryDatabaseError."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise RegistryDatabaseError(f"{db_path}：找不到数据库。请先运行 zuofang build 生成 registry.db。")
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    except sqlite3.OperationalError as exc:
        raise RegistryDatabaseError(f"{db_path}：读取失败（{exc}）。数据库可能不是 zuofang build 生成的，请重新构建。") from exc
    finally:
        conn.close()


def _facts(conn: sqlite3.Connection, db_path: str | Path) -> Registry:
    build = conn.execute("SELECT release_date, demo, site_url FROM _build").fetchone()
    if build is None:
        raise RegistryDatabaseError(f"{db_path}：_build 表为空。请重新运行 zuofang build。")
    return Registry(release_date=date.fromisoformat(build["release_date"][:10]), demo=bool(build["demo"]),
                    site_url=build["site_url"], products=[], workshops=[])


_PRODUCTS = "SELECT code, operator_id, name, spec, gtin, status FROM products"


def _products(conn: sqlite3.Connection, operator_id: str | None, scope: Scope | None) -> list[Product]:
    if scope is not None:
        rows = (select_in(conn, _PRODUCTS + " WHERE operator_id IN {keys}", scope.workshops)
                + select_in(conn, _PRODUCTS + " WHERE code IN {keys}", scope.codes | scope.gs1))
        # Sorted as SQLite sorts codes (BINARY: UTF-8 bytes, the same order as code points).
        return sorted({r["code"]: Product(**dict(r)) for r in rows}.values(), key=lambda p: p.code)
    sql, args = _PRODUCTS, ()
    if operator_id is not None:
        sql, args = sql + " WHERE operator_id = ?", (operator_id,)
    return [Product(**dict(r)) for r in conn.execute(sql + " ORDER BY code", args)]


_WORKSHOPS = """
    SELECT o.id, o.name, o.licence_no, o.credit_code, o.address, o.categories, o.status,
           o.valid_until, s.name AS station, g.grade, g.effective_on AS grade_effective_on, {since}
    FROM operators o
    LEFT JOIN stations s ON s.id = o.station_id
    LEFT JOIN current_grades g ON g.operator_id = o.id
    WHERE o.kind = 'workshop'"""


def _workshops_sql(conn: sqlite3.Connection) -> str:
    # A registry whose schema predates operators.status_since has no such column.
    columns = {row[1] for row in conn.execute("PRAGMA table_info(operators)")}
    return _WORKSHOPS.format(since="o.status_since" if "status_since" in columns else "NULL AS status_since")


def _workshops(conn: sqlite3.Connection, operator_id: str | None, scope: Scope | None) -> list[Workshop]:
    if scope is not None:
        rows = select_in(conn, _workshops_sql(conn) + " AND o.id IN {keys} ORDER BY o.id", scope.workshops)
        return [Workshop(**dict(r)) for r in rows]
    sql, args = _workshops_sql(conn), ()
    if operator_id is not None:
        sql, args = sql + " AND o.id = ?", (operator_id,)
    return [Workshop(**dict(r)) for r in conn.execute(sql + " ORDER BY o.id", args)]


def _batches(conn: sqlite3.Connection, codes: set[str], whole: bool) -> dict[str, list[str]]:
    """Batches named by samplings and recalls (recalls list several, separated by 、); unless
    `whole`, only the rows of `codes` are read."""
    samplings = "SELECT product_code, batch FROM samplings WHERE product_code IS NOT NULL AND batch IS NOT NULL"
    recalls = "SELECT product_code, batches FROM recalls WHERE product_code IS NOT NULL AND batches IS NOT NULL"
    if whole:
        sampled, recalled = conn.execute(samplings), conn.execute(recalls)
    else:
        where = " AND product_code IN {keys}"
        sampled, recalled = select_in(conn, samplings + where, codes), select_in(conn, recalls + where, codes)
    found: dict[str, set[str]] = defaultdict(set)
    for code, batch in sampled:
        found[code].add(batch.strip())
    for code, batches in recalled:
        found[code].update(urls.batch_list(batches))
    return {code: sorted(b for b in found[code] if _has_page(b)) for code in sorted(codes) if found.get(code)}


def _has_page(batch: str) -> bool:
    return bool(BATCH_PATTERN.match(batch)) and urls.unsafe_segment(batch) is None


@dataclass(frozen=True)
class GuideBrand:
    """An awarded brand as the specialty guide prints it, with its maker and county."""

    id: str
    name: str
    name_en: str | None
    category: str
    program: str
    heritage: str | None
    story: str | None
    story_en: str | None
    photo: str | None            # the brand's photo, else one of its products' (same maker and category)
    photo_credit: str | None
    maker: str
    maker_status: str
    address: str
    county_code: str | None
    county: str | None
    county_en: str | None


_GUIDE = """
    SELECT b.id, b.name, b.name_en, b.category, b.program, b.heritage, b.story, b.story_en,
           coalesce(nullif(b.photo, ''), (SELECT p.photo FROM products p WHERE p.operator_id = b.operator_id
               AND p.category = b.category AND coalesce(p.photo, '') != '' ORDER BY p.code LIMIT 1)) AS photo,
           CASE WHEN coalesce(b.photo, '') != '' THEN b.photo_credit ELSE (SELECT p.photo_credit FROM products p
               WHERE p.operator_id = b.operator_id AND p.category = b.category AND coalesce(p.photo, '') != ''
               ORDER BY p.code LIMIT 1) END AS photo_credit,
           o.name AS maker, o.status AS maker_status, o.address, r.code AS county_code, r.name AS county,
           r.name_en AS county_en
    FROM brands b JOIN operators o ON o.id = b.operator_id LEFT JOIN regions r ON r.code = o.region_code
    WHERE b.status = 'awarded'
    ORDER BY r.code, b.name, b.id"""


def guide_brands(db_path: str | Path) -> tuple[str, list[GuideBrand]]:
    """The area's name (its city, else its one county) and the awarded brands, by county."""
    with _reading(db_path) as conn:
        brands = [GuideBrand(**dict(r)) for r in conn.execute(_GUIDE)]
        area = conn.execute("SELECT name FROM regions WHERE level = 'city' ORDER BY code LIMIT 1").fetchone()
        return (area[0] if area else ""), brands
