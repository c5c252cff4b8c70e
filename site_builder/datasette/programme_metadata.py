"""Datasette's settings for the checklist, zone and programme tables and views (metadata.py
merges them): facets for what journalists filter by, titles and descriptions of the views."""
from __future__ import annotations

TABLE_SETTINGS: dict[str, dict] = {
    "parks": {"label_column": "name", "facets": ["region_code", "kind"]},  # zones of every kind
    "checklists": {"label_column": "name"},
    "checklist_items": {"label_column": "name", "facets": ["checklist_id"], "sort": "id"},
    "checklist_use": {"facets": ["kind", "region_code", "checklist_id"]},
    "inspection_items": {"facets": ["result", "item_id"]},
    "boards": {"facets": ["licence_posted", "commitment_posted", "remote_video", "open_kitchen"]},
    "upgrades": {"sort_desc": "upgraded_on"},
    "closures": {"label_column": "name", "facets": ["region_code", "kind"], "sort_desc": "banned_on"},
    "activities": {"label_column": "title", "facets": ["kind", "region_code"], "sort_desc": "held_on"},
    "programmes": {"label_column": "name", "facets": ["region_code"]},
    "programme_targets": {"facets": ["programme_id", "metric", "kind"]},
}

VIEW_METADATA: dict[str, tuple[str, str, list[str]]] = {
    "region_tree": ("区划层级 Region tree", "每个区划与它自身及每个上级区划：(ancestor, code)。", []),
    "latest_checklist_items": ("最近一次逐项检查 Latest checklist results",
                               "每个主体最近一次逐项检查的各项结果（符合、不符合、不适用），附主体的类型、区划和所在园区。"
                               "构建时算好的表。",
                               ["result", "checklist_id", "item_name", "kind"]),
    "checklist_shares": ("各区划检查项达标比例 Checklist items met by region",
                         "每个区划（含下辖地区）、每个检查项：在营主体最近一次逐项检查中核对了这一项的主体数、符合的主体数和比例（%）；"
                         "不适用的不计入。", ["checklist_id"]),
    "zone_checklist_shares": ("各园区检查项达标比例 Checklist items met by zone",
                              "每个园区或街区、每个检查项：在营主体最近一次逐项检查中符合的比例（%）。", ["checklist_id"]),
    "target_scope": ("任务目标的统计期间 Target windows",
                     "每项任务目标的统计期间：从目标的起算日期（或方案开始日期）到完成期限与数据发布日中较早的一天。", ["metric"]),
    "target_members": ("任务目标覆盖的主体 Businesses each target covers",
                       "每项任务目标统计的主体：落实到监管所的为该所负责的主体，否则为区划及其下辖地区的主体；限定类型的只含该类主体。"
                       "构建时由 programme_targets、operators 和 regions 算好的表。",
                       []),
    "programme_progress": ("工作方案完成情况 Programme progress",
                           "每项任务目标与按指标统计口径算出的实际完成情况（分子、分母、实际值），以及在数据发布日的状态："
                           "met 已达标、open 进行中、missed 逾期未达标、no_data 无数据。比例均为百分数（0–100）。",
                           ["programme_id", "metric", "status", "region_name"]),
}

QUERIES: dict[str, dict] = {
    "programme_targets_missed": {
        "title": "逾期未达标的任务目标 Programme targets missed",
        "description": "完成期限已过、实际完成情况仍低于目标值的任务，按方案和差距排列。",
        "sql": """SELECT programme_name, number, region_name, station_name, kind, metric, target, actual, deadline
FROM programme_progress WHERE status = 'missed'
ORDER BY programme_id, target - actual DESC, number""",
    },
}
