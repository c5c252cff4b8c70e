"""Generates Datasette's metadata (datasette_metadata.json) from the package's schemas.

Titles and column descriptions come from the schemas so they cannot drift from the data;
a test fails when the committed file is stale. Regenerate with:

    python -m site_builder.datasette.metadata > datasette_metadata.json

Canned queries take "this year" and "today" from the `_build` table (the release date),
never from date('now'), so they give the same answers on any day.
"""
from __future__ import annotations

import copy
import json
import re
import sqlite3
import sys
from pathlib import Path

from .. import urls
from ..database.fts import SEARCHABLE, fts_table
from ..database.derived import DERIVED
from ..database.views import VIEWS
from ..registry.package import PRIVATE_KEY, TABLE_ORDER, Package
from ..vocabulary import DATABASE_TITLE, GRADE_VOID, GRADES
from . import programme_metadata

DB = urls.DATASETTE_DB
REPO_DATA = Path(__file__).resolve().parents[2] / "data"

TABLE_SETTINGS: dict[str, dict] = {
    "regions": {"label_column": "name", "facets": ["level"]},
    "stations": {"label_column": "name", "facets": ["region_code"]},
    "parks": {"label_column": "name", "facets": ["region_code"]},
    "operators": {"label_column": "name", "facets": ["region_code", "kind", "status"], "sort": "id"},
    "products": {"label_column": "name", "facets": ["category", "status"], "sort": "code"},
    "material_sources": {"facets": ["origin"]},
    "inspections": {"facets": ["kind", "result"], "sort_desc": "date"},
    "grades": {"facets": ["grade"], "sort_desc": "effective_on"},
    "samplings": {"facets": ["result", "lab"], "sort_desc": "sampled_on"},
    "recalls": {"label_column": "title", "facets": ["level", "status"], "sort_desc": "issued_on"},
    "brands": {"label_column": "name", "facets": ["program", "status", "category", "heritage"]},
    "penalties": {"facets": ["violation"], "sort_desc": "decided_on"},
    "targets": {"facets": ["region_code", "year", "metric"]},
    **programme_metadata.TABLE_SETTINGS,
}

VIEW_METADATA = {
    "current_grades": ("当前量化等级 Current grades",
                       f"每个主体在数据发布日已生效的最新一次量化分级（{'、'.join(f'{g} {t.zh}' for g, t in GRADES.items())}）。"
                       f"主体不在有效经营状态（登记证吊销、过期或暂停生产经营）时 in_force 为 0，{GRADE_VOID.zh}，"
                       "void_reason 写明原因。", ["grade", "in_force"]),
    "ongoing_recalls": ("进行中的召回 Ongoing recalls", "状态为进行中的召回和消费预警，附主体和产品名称。", ["level"]),
    "region_figures": ("各县（市、区）指标 Figures by county",
                       "每个县（市、区）每年一行：发布年度的主体数量、分级覆盖率和等级分布（发布日快照），"
                       "当年的抽检覆盖率和不合格率、召回和认定品牌数量，并列出当年工作目标。比例均为百分数（0–100），与目标值可直接比较。",
                       ["year", "is_release_year"]),
    **programme_metadata.VIEW_METADATA,
}

BUILD_METADATA = {
    "_build": ("构建信息 Build information", "数据发布日期、数据包名称、是否演示数据、每个源文件的 SHA-256 和行数、Zuofang 版本。"),
    "_build_files": ("源文件 Source files", "构建所用的每个源文件：文件名、SHA-256 和行数。"),
    "_about": ("关于本数据库 About this database", "数据名称、说明、许可、来源、发布日期，以及只用 SQLite 时如何检索。"),
    "_columns": ("字段说明 Columns", "每张表和视图每个字段的中文名称、类型、含义和取值。"),
    "_labels": ("代码含义 Code labels", "每个代码字段（类型、状态、等级等）每个取值的中文和英文名称：与数据表联接即得中文。"),
    "_queries": ("预设查询的 SQL Canned queries", "Datasette 中每个预设查询的标题、说明和 SQL，可复制到 sqlite3 中运行。"),
    "_facet_counts": ("分面计数 Facet counts", "Datasette 分面的各取值行数，构建时算好（数据库发布后不再变化）。"),
}
#: Tables only Datasette itself reads.
HIDDEN = {"_facet_counts"}

THIS_YEAR = "(SELECT CAST(release_year AS TEXT) FROM _build)"
TODAY = "(SELECT release_date FROM _build)"

QUERIES: dict[str, dict] = {
    "failed_samplings_by_category": {
        "title": "本年度不合格抽检（按食品类别）Failed samplings this year by category",
        "description": "数据发布年度内检验结论为不合格的抽检批次，按产品的食品类别汇总。",
        "sql": f"""SELECT coalesce(p.category, '（未关联产品）') AS category, count(*) AS failed_samplings,
  count(DISTINCT s.operator_id) AS operators, group_concat(DISTINCT s.sample_name) AS samples
FROM samplings s LEFT JOIN products p ON p.code = s.product_code
WHERE s.result = '不合格' AND substr(s.sampled_on, 1, 4) = {THIS_YEAR}
GROUP BY 1 ORDER BY failed_samplings DESC, category""",
    },
    "expired_but_active": {
        "title": "证照已过期但仍显示在营 Expired licences still shown as active",
        "description": "有效期早于数据发布日、状态却仍为 active 的主体：需要核实。",
        "sql": f"""SELECT id, name, kind, region_code, licence_no, valid_until, status
FROM operators
WHERE status = 'active' AND valid_until < {TODAY}
ORDER BY valid_until, id""",
    },
    "recalls_by_level": {
        "title": "召回按级别统计 Recalls by level",
        "description": "各召回级别的公告数量及其中仍在进行的数量。",
        "sql": """SELECT level, count(*) AS recalls, sum(status = 'ongoing') AS ongoing,
  min(issued_on) AS first_issued, max(issued_on) AS last_issued
FROM recalls GROUP BY level ORDER BY level""",
    },
    "a_share_by_county": {
        "title": "各县 A 级占比 A-grade share by county",
        "description": "数据发布日在营主体中已分级的数量、A 级数量和占比，与当年目标对照。",
        "sql": """SELECT region_code, region_name, year, active, graded, grade_a, a_share, target_a_share,
  graded_share, target_graded_share
FROM region_figures WHERE is_release_year ORDER BY a_share DESC, region_code""",
    },
    "brands_in_publicity": {
        "title": "正在公示的品牌 Brands in public announcement now",
        "description": "数据发布日处于公示期内的名特优、老字号、出彩小作坊候选品牌。",
        "sql": f"""SELECT b.id, b.name, b.program, b.category, b.score, b.publicity_start, b.publicity_end,
  o.name AS operator_name, o.region_code
FROM brands b JOIN operators o ON o.id = b.operator_id
WHERE b.status = 'publicized' AND b.publicity_start <= {TODAY} AND b.publicity_end >= {TODAY}
ORDER BY b.publicity_end, b.id""",
    },
    "repeat_sampling_failures": {
        "title": "抽检不合格主体（多次不合格者在前）Repeat sampling failures first",
        "description": "每个有抽检不合格记录的主体：不合格次数、抽检总次数和各次不合格的日期与样品。"
                       "不合格两次及以上的主体排在最前。",
        "sql": """SELECT o.id, o.name, o.region_code, o.status,
  sum(s.result = '不合格') AS failed_samplings, count(*) AS samplings,
  group_concat(CASE WHEN s.result = '不合格' THEN s.sampled_on || ' ' || s.sample_name END, '；') AS failures
FROM samplings s JOIN operators o ON o.id = s.operator_id
GROUP BY o.id HAVING sum(s.result = '不合格') >= 1
ORDER BY failed_samplings DESC, o.id""",
    },
    "penalties_by_violation": {
        "title": "行政处罚按违法行为统计 Penalties by violation",
        "description": "各类违法行为的处罚决定数量和罚没金额合计（元）。",
        "sql": """SELECT violation, count(*) AS penalties, sum(fine_yuan) AS fines_yuan,
  min(decided_on) AS first_decided, max(decided_on) AS last_decided
FROM penalties GROUP BY violation ORDER BY penalties DESC, violation""",
    },
    "business_record": {
        "title": "主体完整记录 A business's full record",
        "description": "输入主体编号（如 w00001），查看其登记信息、当前等级和全部检查、抽检、处罚、产品、召回、品牌记录（JSON）。",
        "sql": """SELECT o.id, o.name, o.kind, o.status, o.region_code, o.address, o.licence_no, o.credit_code,
  o.registered_on, o.valid_until, o.categories,
  (SELECT grade FROM current_grades WHERE operator_id = o.id) AS current_grade,
  (SELECT json_group_array(json_object('id', id, 'date', date, 'kind', kind, 'result', result, 'findings', findings))
     FROM inspections WHERE operator_id = o.id) AS inspections,
  (SELECT json_group_array(json_object('id', id, 'sampled_on', sampled_on, 'sample', sample_name, 'result', result,
     'failed_items', json(coalesce(failed_items, '[]')))) FROM samplings WHERE operator_id = o.id) AS samplings,
  (SELECT json_group_array(json_object('id', id, 'decided_on', decided_on, 'violation', violation, 'penalty', penalty))
     FROM penalties WHERE operator_id = o.id) AS penalties,
  (SELECT json_group_array(json_object('code', code, 'name', name, 'status', status))
     FROM products WHERE operator_id = o.id) AS products,
  (SELECT json_group_array(json_object('id', id, 'issued_on', issued_on, 'title', title, 'status', status))
     FROM recalls WHERE operator_id = o.id) AS recalls,
  (SELECT json_group_array(json_object('id', id, 'name', name, 'program', program, 'status', status))
     FROM brands WHERE operator_id = o.id) AS brands
FROM operators o WHERE o.id = :id""",
    },
    **programme_metadata.QUERIES,
    "grades_by_kind": {
        "title": "各类主体的当前等级分布 Current grades by kind",
        "description": "小作坊、小餐饮、食品摊点在数据发布日的 A、B、C 级数量（只计等级有效、可以生产经营的主体）。",
        "sql": """SELECT o.kind, cg.grade, count(*) AS operators
FROM current_grades cg JOIN operators o ON o.id = cg.operator_id
WHERE cg.in_force = 1
GROUP BY o.kind, cg.grade ORDER BY o.kind, cg.grade""",
    },
}


def generate(package: Package) -> dict:
    """The whole metadata document for `package`."""
    description = package.descriptor.get("description", "")
    if package.is_demo and "演示" not in description:
        description = "【演示数据 Demonstration data】本数据为虚构，仅用于演示。" + description
    # Datasette prints these as links on every page: only http(s) ones (Package.links).
    licence = (package.links("licenses") or [{"title": "", "url": None}])[0]
    source = (package.links("sources") or [{"title": "", "url": None}])[0]
    tables = {name: table_metadata(package, name) for name in TABLE_ORDER}
    for name, (title, text, facets) in VIEW_METADATA.items():
        tables[name] = {"title": title, "description": text, "facets": list(facets)}
    for name, (title, text) in BUILD_METADATA.items():
        tables[name] = {"title": title, "description": text, **({"hidden": True} if name in HIDDEN else {})}
    assert set(VIEW_METADATA) == set(VIEWS) | set(DERIVED)  # the derived tables are described as the views are
    return {
        "title": package.descriptor.get("title", "Zuofang"),
        "description": description,
        "license": licence["title"],
        "license_url": licence["url"] or "",
        "source": source["title"],
        "source_url": source["url"] or "",
        "about": "Zuofang 作坊 · 公众网站与开放数据说明",
        "about_url": urls.absolute(package.site_url, urls.data()),
        "databases": {
            DB: {
                "title": DATABASE_TITLE.zh,
                "description": description,
                "tables": tables,
                "queries": {name: {**q, "sql": q["sql"].strip()} for name, q in QUERIES.items()},
            }
        },
    }


def table_metadata(package: Package, table: str) -> dict:
    resource = package.resources[table]
    meta = {"title": resource.get("title", table), "description": resource.get("description", "")}
    meta.update(copy.deepcopy(TABLE_SETTINGS.get(table, {})))  # callers may change what they get
    meta["columns"] = {f["name"]: column_description(f) for f in package.public_fields(table)}
    if table in SEARCHABLE:
        # Datasette finds a search index only by content="table"; ours holds the text as
        # one token per character (search.py), so it is named here.
        meta["fts_table"] = fts_table(table)
        meta["fts_pk"] = "rowid"
    return meta


def column_description(field: dict) -> str:
    text = field.get("title", field["name"])
    if field.get("description"):
        text += "：" + field["description"]
    enum = field.get("constraints", {}).get("enum")
    if enum:
        text += "（取值：" + " / ".join(map(str, enum)) + "）"
    if field.get(PRIVATE_KEY) == "mask":
        text += "（隐私字段：只公开姓氏，如 张*）"
    return text


def problems(conn: sqlite3.Connection, metadata: dict) -> list[str]:
    """What in `metadata` the database cannot satisfy: a missing table or column (facet, sort,
    label, description, search index) or a canned query that does not compile. Run on every
    build, so a schema change cannot silently break Datasette's pages."""
    found = []
    objects = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    database = metadata["databases"][DB]
    for table, meta in database["tables"].items():
        if table not in objects:
            found.append(f"数据表 {table} 不存在")
            continue
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}
        named = list(meta.get("facets", [])) + list(meta.get("columns", {}))
        named += [meta[k] for k in ("sort", "sort_desc", "label_column") if k in meta]
        found += [f"{table}.{c} 不存在" for c in dict.fromkeys(named) if c not in columns]
        if meta.get("fts_table") and meta["fts_table"] not in objects:
            found.append(f"{table} 的检索索引 {meta['fts_table']} 不存在")
    for name, query in database.get("queries", {}).items():
        params = {p: None for p in re.findall(r"(?<!:):([A-Za-z_]\w*)", query["sql"])}
        try:
            conn.execute("EXPLAIN " + query["sql"], params)
        except sqlite3.Error as exc:
            found.append(f"预设查询 {name} 无法执行（{exc}）")
    return found


def render(package: Package) -> str:
    return json.dumps(generate(package), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.buffer.write(render(Package.load(sys.argv[1] if len(sys.argv) > 1 else REPO_DATA)).encode("utf-8"))
