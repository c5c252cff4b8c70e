"""Reads data/datapackage.json: tables, fields, private fields, release date, demo flag.

Every stage asks this module about the package instead of parsing the JSON itself,
so the schema stays the single description of the registry.
"""
from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .. import urls
from ..build.paths import sha256_of_file
from ..errors import DataPackageError
from . import readers

PRIVATE_KEY = "zuofang:private"  # "drop" or "mask", set on a field in the schema
#: Set on a resource or a field of the bundled schema: a registry may lack the table's file (it
#: then has no rows) or the column (its cells are empty), and its descriptor may lack either.
OPTIONAL_KEY = "zuofang:optional"
BUNDLED_SCHEMA = Path(__file__).resolve().parents[1] / "schema" / "datapackage.json"
DEMO_KEY = "zuofang:demo"
SITE_URL_KEY = "zuofang:site_url"
#: The map apps a business's "在地图中打开 Open in maps" links go to, besides its geo: URI: a list
#: of {"name", "url"} where the url is a template naming {lat} {lon} {name} {address}.
MAP_LINKS_KEY = "zuofang:map_links"
DEFAULT_SITE_URL = "https://zf.example.cn"
#: The bundled descriptor has 40 KB; a larger one than this is not a registry's.
MAX_DESCRIPTOR_BYTES = 16 * 2**20

#: Load order: a table only references tables before it.
TABLE_ORDER = (
    "regions", "stations", "parks", "operators", "products", "material_sources",
    "inspections", "grades", "samplings", "recalls", "brands", "penalties", "targets",
    # checklists, 信息公开栏, upgrades, closures and programmes (all optional: see OPTIONAL_KEY)
    "checklists", "checklist_items", "checklist_use", "inspection_items", "boards", "upgrades",
    "closures", "activities", "programmes", "programme_targets",
)


@lru_cache(maxsize=1)
def bundled_resources() -> dict[str, dict]:
    """The bundled schema's resources by name: the definitions an older registry's descriptor
    lacks for the optional tables and columns added since it was written."""
    descriptor = json.loads(BUNDLED_SCHEMA.read_text(encoding="utf-8"))
    return {r["name"]: r for r in descriptor["resources"]}


def optional_tables() -> frozenset[str]:
    """Tables a registry may leave out (no file, no definition in its descriptor)."""
    return frozenset(name for name, r in bundled_resources().items() if r.get(OPTIONAL_KEY))


@dataclass(frozen=True)
class Package:
    """The registry's data package descriptor and the folder it lives in."""

    directory: Path
    descriptor: dict
    #: File identity -> sha256: validation, the database and the downloads each ask for the
    #: registry files' digests (150 MB at 50,000 businesses); a build hashes each once.
    _digests: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    @classmethod
    def load(cls, directory: str | Path) -> "Package":
        directory = Path(directory)
        path = directory / "datapackage.json"
        if not path.is_file():
            raise DataPackageError(f"{path}：找不到 datapackage.json。请指向含有 datapackage.json 的数据目录。")
        if path.stat().st_size > MAX_DESCRIPTOR_BYTES:
            raise DataPackageError(f"{path}：文件超过 {MAX_DESCRIPTOR_BYTES // 2**20} MB，不是数据包描述。")
        try:
            descriptor = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataPackageError(f"{path}：不是有效的 JSON（{exc}）。") from exc
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
            raise DataPackageError(f"{path}：不是数据包描述（应为含 resources 列表的 JSON 对象）。")
        names = [r.get("name") for r in descriptor["resources"] if isinstance(r, dict)]
        missing = [t for t in TABLE_ORDER if t not in names and t not in optional_tables()]
        if missing:
            raise DataPackageError(f"{path}：缺少数据表定义：{'、'.join(missing)}。")
        return cls(directory, descriptor)

    def sha256(self, path: str | Path) -> str:
        """Hex sha256 of a registry file, computed once per file version while this package is read."""
        stat = os.stat(path)
        key = (os.path.realpath(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key not in self._digests:
            self._digests[key] = sha256_of_file(path)
        return self._digests[key]

    @cached_property
    def resources(self) -> dict[str, dict]:
        """The descriptor's resources, completed with the bundled definitions of the optional
        tables and columns it lacks (a registry written before they existed stays valid)."""
        resources = {r["name"]: r for r in self.descriptor["resources"] if isinstance(r, dict)}
        for name, bundled in bundled_resources().items():
            if name not in resources:
                if bundled.get(OPTIONAL_KEY):
                    resources[name] = copy.deepcopy(bundled)
                continue
            schema = resources[name].get("schema")
            if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
                continue  # check_schemas reports it
            have = {f.get("name") for f in schema["fields"] if isinstance(f, dict)}
            extra = [copy.deepcopy(f) for f in bundled["schema"]["fields"] if f.get(OPTIONAL_KEY) and f["name"] not in have]
            if extra:
                resources[name] = {**resources[name], "schema": {**schema, "fields": schema["fields"] + extra}}
        return resources

    def is_optional(self, table: str) -> bool:
        """The table may be absent: its file missing means no rows."""
        return bool(self.resources[table].get(OPTIONAL_KEY)) or table in optional_tables()

    def table_file(self, table: str) -> Path | None:
        """The file holding `table` inside the data folder, or None. Every reader of a table
        file asks here: readers.locate refuses a path or symbolic link that leads out of it."""
        return readers.locate(self.directory, table, self.resources[table].get("path"))

    def absent(self, table: str) -> bool:
        """An optional table without a file: it has no rows (validated, loaded and published as empty)."""
        return self.is_optional(table) and self.table_file(table) is None

    def fields(self, table: str) -> list[dict]:
        return self.resources[table]["schema"]["fields"]

    def field(self, table: str, name: str) -> dict:
        return next(f for f in self.fields(table) if f["name"] == name)

    def primary_key(self, table: str) -> list[str]:
        pk = self.resources[table]["schema"].get("primaryKey", [])
        return [pk] if isinstance(pk, str) else list(pk)

    def foreign_keys(self, table: str) -> list[dict]:
        return self.resources[table]["schema"].get("foreignKeys", [])

    def optional_fields(self, table: str) -> set[str]:
        """Columns a table's file may lack (their cells are then empty)."""
        return {f["name"] for f in self.fields(table) if f.get(OPTIONAL_KEY)}

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

    def links(self, key: str) -> list[dict]:
        """The descriptor's `licenses` or `sources` as pages print them: each a `title` (its
        title, else its name) and a `url` that is None unless it is an http(s) address
        (urls.external): the validator refuses any other, and no page may link to one."""
        entries = self.descriptor.get(key)
        if not isinstance(entries, list):
            return []
        return [{"title": str(e.get("title") or e.get("name") or ""), "url": urls.external(e.get("path"))}
                for e in entries if isinstance(e, dict)]

    @property
    def map_links(self) -> list[dict]:
        """The map apps the deployer chose (`zuofang:map_links`), each {"name", "url" template}:
        only entries `map_link_problem` accepts (the validator reports the others)."""
        entries = self.descriptor.get(MAP_LINKS_KEY)
        if not isinstance(entries, list):
            return []
        return [{"name": e["name"].strip(), "url": e["url"]} for e in entries if map_link_problem(e) is None]

    @property
    def site_url(self) -> str:
        """The public site's address, the base of every absolute link (feeds, sitemaps, canonical
        links, the handbook). Only an http(s) address is ever given out: the validator reports
        any other (rule descriptor-link) before a stage asks for it."""
        value = self.descriptor.get(SITE_URL_KEY, DEFAULT_SITE_URL)
        if site_url_problem(value):
            raise DataPackageError(f"{self.directory / 'datapackage.json'}：{SITE_URL_KEY}“{value}”"
                                   f"{site_url_problem(value)}")
        return value.rstrip("/")


def map_link_problem(entry: object) -> str | None:
    """What is wrong with one entry of `zuofang:map_links`, or None: an object with a `name` to
    show and a `url` template that, filled in, is an http(s) address (urls.map_link)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip() \
            or not isinstance(entry.get("url"), str):
        return '应为含 name 和 url 的对象，如 {"name": "高德地图 AMap", "url": "https://uri.amap.com/marker?position={lon},{lat}&name={name}&coordinate=wgs84"}。'
    template = entry["url"]
    unknown = sorted(set(urls.MAP_FIELD_PATTERN.findall(template)) - set(urls.MAP_FIELDS))
    if unknown:
        return f"的网址模板中有不认识的占位符 {{{unknown[0]}}}：只能用 {{lat}}、{{lon}}、{{name}}、{{address}}。"
    if "{lat}" not in template or "{lon}" not in template:
        return "的网址模板须含 {lat} 和 {lon}（WGS-84 纬度和经度），地图应用才能定位。"
    if urls.map_link(template, 35.6, 110.98, "示例", "示例地址") is None:
        return f"的网址模板“{template[:60]}”填入坐标后不是 http:// 或 https:// 开头的网址。"
    return None


def site_url_problem(value: object) -> str | None:
    """What is wrong with a `zuofang:site_url` value, or None: it must be an http(s) address of
    a site, without a query or fragment (page addresses are appended to it)."""
    if urls.external(value) is None:
        return "不是 http:// 或 https:// 开头的网址。请写成网站的完整地址，如“https://zf.example.cn”。"
    parts = urlsplit(value)
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return "带有“?”或“#”。网站地址之后要接上各页面的路径，请只写到域名或目录为止，如“https://zf.example.cn”。"
    return None


def mask_name(value: str | None) -> str | None:
    """张三 -> 张*, 欧阳娜娜 -> 欧*: keep the family name's first character only."""
    if not value:
        return value
    return value[0] + "*"
