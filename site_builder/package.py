"""Reads data/datapackage.json: tables, fields, private fields, release date, demo flag.

Every stage asks this module about the package instead of parsing the JSON itself,
so the schema stays the single description of the registry.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from .errors import DataPackageError

PRIVATE_KEY = "zuofang:private"  # "drop" or "mask", set on a field in the schema
DEMO_KEY = "zuofang:demo"
SITE_URL_KEY = "zuofang:site_url"
DEFAULT_SITE_URL = "https://zf.example.cn"

#: Load order: a table only references tables before it.
TABLE_ORDER = (
    "regions", "stations", "parks", "operators", "products", "material_sources",
    "inspections", "grades", "samplings", "recalls", "brands", "penalties", "targets",
)


@dataclass(frozen=True)
class Package:
    """The registry's data package descriptor and the folder it lives in."""

    directory: Path
    descriptor: dict

    @classmethod
    def load(cls, directory: str | Path) -> "Package":
        directory = Path(directory)
        path = directory / "datapackage.json"
        if not path.is_file():
            raise DataPackageError(f"{path}：找不到 datapackage.json。请指向含有 datapackage.json 的数据目录。")
        try:
            descriptor = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataPackageError(f"{path}：不是有效的 JSON（{exc}）。") from exc
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
            raise DataPackageError(f"{path}：不是数据包描述（应为含 resources 列表的 JSON 对象）。")
        names = [r.get("name") for r in descriptor["resources"] if isinstance(r, dict)]
        missing = [t for t in TABLE_ORDER if t not in names]
        if missing:
            raise DataPackageError(f"{path}：缺少数据表定义：{'、'.join(missing)}。")
        return cls(directory, descriptor)

    @cached_property
    def resources(self) -> dict[str, dict]:
        return {r["name"]: r for r in self.descriptor["resources"]}

    def fields(self, table: str) -> list[dict]:
        return self.resources[table]["schema"]["fields"]

    def field(self, table: str, name: str) -> dict:
        return next(f for f in self.fields(table) if f["name"] == name)

    def primary_key(self, table: str) -> list[str]:
        pk = self.resources[table]["schema"].get("primaryKey", [])
        return [pk] if isinstance(pk, str) else list(pk)

    def foreign_keys(self, table: str) -> list[dict]:
        return self.resources[table]["schema"].get("foreignKeys", [])

    def private_fields(self, table: str) -> dict[str, str]:
        """Field name -> "drop" or "mask" for the fields that must never be published."""
        return {f["name"]: f[PRIVATE_KEY] for f in self.fields(table) if PRIVATE_KEY in f}

    def public_fields(self, table: str) -> list[dict]:
        """Fields as published: dropped fields left out, masked fields kept (their values masked)."""
        private = self.private_fields(table)
        return [f for f in self.fields(table) if private.get(f["name"]) != "drop"]

    @property
    def is_demo(self) -> bool:
        return bool(self.descriptor.get(DEMO_KEY))

    @property
    def release_date(self) -> date:
        """The data's release date (the package's `created`): "today" for every computed figure,
        so that two builds of the same data are byte-identical whatever the wall clock says."""
        created = self.descriptor.get("created")
        if not created:
            raise DataPackageError(f"{self.directory / 'datapackage.json'}：缺少 created（数据发布日期）。")
        return date.fromisoformat(created[:10])

    @property
    def site_url(self) -> str:
        return self.descriptor.get(SITE_URL_KEY, DEFAULT_SITE_URL).rstrip("/")


def mask_name(value: str | None) -> str | None:
    """张三 -> 张*, 欧阳娜娜 -> 欧*: keep the family name's first character only."""
    if not value:
        return value
    return value[0] + "*"
