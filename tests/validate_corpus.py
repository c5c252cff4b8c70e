"""The bad-input corpus: tests/corpus/<case>/ = one defect applied to the valid registry in _base/.

_base is `zuofang demo-data --operators 12 --seed 6` (12 rather than 5 operators so that it
holds a closed and an ongoing recall, failed samplings and GTINs for the rules to break).

A case folder holds files that replace _base's, and/or `case.json` with steps applied in
order to a copy of _base (binary defects — other encodings, XLSX, broken zips, cut-off
files — are easier to make than to commit), and `expected.json`: the exact problems
[{file, row, field, rule}] the validator must report (rows as a spreadsheet numbers them).

Steps (each a one-key object):
  {"set": {"file", "row", "field", "value"}}       one cell, row 2 = first data row
                                                    (with "repeat": N, the value N times)
  {"delete": "file"}                                remove a file
  {"drop_column": {"file", "field"}}                remove a column
  {"add_column": {"file", "field", "value"}}        append a column (header + every row)
  {"rename_column": {"file", "from", "to"}}
  {"keep_rows": {"file", "rows"}}                   keep the header and the first N rows
  {"append_row": {"file", "values": {field: value}}}
  {"duplicate_row": {"file", "row"}}                copy a row to the end
  {"insert_blank_row": {"file", "row"}}             an empty line before spreadsheet row N
  {"encode": {"file", "encoding"}}                  re-encode (gb18030, utf-8-sig)
  {"delimit": {"file", "delimiter"}}                rewrite with another delimiter
  {"to_xlsx": "file.csv"}                           replace by file.xlsx (typed cells, first sheet)
  {"copy_to_xlsx": "file.csv"}                      write file.xlsx beside file.csv (both stay)
  {"cut_after": {"file", "text"}}                   end the file right after the last `text`
  {"replace": {"file", "old", "new"}}               text surgery (first occurrence)
  {"replace_bytes": {"file", "old", "new_hex"}}     byte surgery: `old` (text) -> raw bytes
  {"truncate_bytes": {"file", "keep"}}              keep only the first `keep` bytes
  {"set_descriptor": {"at": [key or index …], "value"}}   one value in datapackage.json
  {"symlink_outside": "file"}                       move the file out of the folder, link to it
  {"declare_unzipped_size": {"file", "member", "size"}}   make a zip's directory state that
                                                    `member` unzips to `size` bytes (a zip bomb
                                                    without its gigabytes)
  {"write_file": {"file", "text"}}                  a file (in a subfolder too: photos/x.jpg)
  {"make_image": {"file", "width", "height", "format"}}   a plain image (PNG, JPEG …) of that size
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = CORPUS / "_base"


def cases() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))


def expected(case: str) -> list[tuple]:
    items = json.loads((CORPUS / case / "expected.json").read_text(encoding="utf-8"))
    return sorted((i["file"], i["row"], i["field"], i["rule"]) for i in items)


def build_case(case: str, target: Path) -> Path:
    """A copy of _base with the case's defect applied, in `target`."""
    shutil.copytree(BASE, target)
    folder = CORPUS / case
    for path in folder.iterdir():
        if path.name not in ("case.json", "expected.json"):
            shutil.copy(path, target / path.name)
    spec = folder / "case.json"
    if spec.exists():
        for step in json.loads(spec.read_text(encoding="utf-8"))["steps"]:
            (name, args), = step.items()
            STEPS[name](target, args)
    return target


def _read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _edit(func):
    def step(root: Path, args: dict) -> None:
        path = root / args["file"]
        rows = _read(path)
        func(rows, args)
        _write(path, rows)
    return step


@_edit
def _set(rows, a):
    rows[a["row"] - 1][rows[0].index(a["field"])] = a["value"] * a.get("repeat", 1)


@_edit
def _drop_column(rows, a):
    i = rows[0].index(a["field"])
    for row in rows:
        del row[i]


@_edit
def _add_column(rows, a):
    rows[0].append(a["field"])
    for row in rows[1:]:
        row.append(a["value"])


@_edit
def _rename_column(rows, a):
    rows[0][rows[0].index(a["from"])] = a["to"]


@_edit
def _keep_rows(rows, a):
    del rows[1 + a["rows"]:]


@_edit
def _append_row(rows, a):
    rows.append([a["values"].get(name, "") for name in rows[0]])


@_edit
def _duplicate_row(rows, a):
    rows.append(list(rows[a["row"] - 1]))


@_edit
def _insert_blank_row(rows, a):
    rows.insert(a["row"] - 1, [])


def _encode(root: Path, a: dict) -> None:
    path = root / a["file"]
    path.write_bytes(path.read_text(encoding="utf-8").encode(a["encoding"]))


def _delimit(root: Path, a: dict) -> None:
    path = root / a["file"]
    out = io.StringIO()
    csv.writer(out, delimiter=a["delimiter"], lineterminator="\n").writerows(_read(path))
    path.write_text(out.getvalue(), encoding="utf-8")


def _to_xlsx(root: Path, name: str, keep: bool = False) -> None:
    from openpyxl import Workbook

    path = root / name
    book = Workbook()
    sheet = book.active
    for row in _read(path):
        sheet.append([_typed(cell) for cell in row])
    book.save(path.with_suffix(".xlsx"))
    if not keep:
        path.unlink()


def _typed(cell: str):
    """Cells as a spreadsheet would hold them: dates as dates, short numbers as numbers."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
        try:
            return date.fromisoformat(cell)
        except ValueError:
            return cell  # an impossible date stays text, as a spreadsheet keeps it
    if re.fullmatch(r"[1-9]\d{0,14}", cell):
        return int(cell)
    if re.fullmatch(r"-?\d+\.\d+", cell):
        return float(cell)
    return cell


def _cut_after(root: Path, a: dict) -> None:
    path = root / a["file"]
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.rindex(a["text"]) + len(a["text"])], encoding="utf-8")


def _replace_bytes(root: Path, a: dict) -> None:
    path = root / a["file"]
    raw = path.read_bytes()
    assert a["old"].encode("utf-8") in raw, a
    path.write_bytes(raw.replace(a["old"].encode("utf-8"), bytes.fromhex(a["new_hex"]), 1))


def _replace(root: Path, a: dict) -> None:
    path = root / a["file"]
    text = path.read_text(encoding="utf-8")
    assert a["old"] in text, a
    path.write_text(text.replace(a["old"], a["new"], 1), encoding="utf-8")


def _truncate_bytes(root: Path, a: dict) -> None:
    path = root / a["file"]
    path.write_bytes(path.read_bytes()[:a["keep"]])


def _set_descriptor(root: Path, a: dict) -> None:
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    *parents, last = a["at"]
    node = descriptor
    for key in parents:
        node = node[key]
    node[last] = a["value"]
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")


def _symlink_outside(root: Path, name: str) -> None:
    """The file becomes a symbolic link to a copy beside the data folder."""
    outside = root.parent / f"outside-{root.name}-{name.replace('/', '-')}"
    shutil.move(root / name, outside)
    (root / name).symlink_to(outside)


def _declare_unzipped_size(root: Path, a: dict) -> None:
    """Rewrite the uncompressed size of `member` in its local header and in the central directory."""
    path = root / a["file"]
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(a["member"])
    size = a["size"].to_bytes(4, "little")
    assert raw[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    raw[info.header_offset + 22:info.header_offset + 26] = size
    name = a["member"].encode()
    end = raw.rindex(b"PK\x05\x06")  # end of central directory: where the directory starts
    at = int.from_bytes(raw[end + 16:end + 20], "little")
    while raw[at:at + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = (int.from_bytes(raw[at + n:at + n + 2], "little") for n in (28, 30, 32))
        if raw[at + 46:at + 46 + name_length] == name:
            raw[at + 24:at + 28] = size
        at += 46 + name_length + extra_length + comment_length
    path.write_bytes(bytes(raw))


def _write_file(root: Path, a: dict) -> None:
    path = root / a["file"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(a["text"], encoding="utf-8")


def _make_image(root: Path, a: dict) -> None:
    from PIL import Image

    path = root / a["file"]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (a["width"], a["height"]), (200, 150, 60)).save(path, a.get("format", "PNG"))


STEPS = {
    "set": _set, "delete": lambda root, name: (root / name).unlink(), "drop_column": _drop_column,
    "add_column": _add_column, "rename_column": _rename_column, "keep_rows": _keep_rows,
    "append_row": _append_row, "duplicate_row": _duplicate_row, "insert_blank_row": _insert_blank_row,
    "encode": _encode, "delimit": _delimit, "to_xlsx": _to_xlsx,
    "copy_to_xlsx": lambda root, name: _to_xlsx(root, name, keep=True), "cut_after": _cut_after, "replace": _replace, "replace_bytes": _replace_bytes,
    "truncate_bytes": _truncate_bytes, "set_descriptor": _set_descriptor, "symlink_outside": _symlink_outside,
    "declare_unzipped_size": _declare_unzipped_size, "write_file": _write_file, "make_image": _make_image,
}


def sync_base(shipped: Path = CORPUS.parent.parent / "site_builder" / "schema" / "datapackage.json") -> list[str]:
    """After a schema change: give _base the shipped schemas, an empty column for every field its
    tables lack (the rows stay as they are, so every case's row numbers hold) and, for a table it
    lacks, the generator's rows. Returns the tables and columns added, as table or table.field."""
    descriptor = json.loads((BASE / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = json.loads(shipped.read_text(encoding="utf-8"))["resources"]
    (BASE / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    added = []
    for resource in descriptor["resources"]:
        path = BASE / f"{resource['name']}.csv"
        if not path.exists():  # a new table: the rows the generator gives _base's registry
            fields = [f["name"] for f in resource["schema"]["fields"]]
            generated = _generated_tables().get(resource["name"], [])
            _write(path, [fields] + [[str(row.get(f, "")) for f in fields] for row in generated])
            added.append(resource["name"])
        rows = _read(path)
        fields = [f["name"] for f in resource["schema"]["fields"]]
        missing = [f for f in fields if f not in rows[0]]
        if missing:
            rows = [rows[0] + missing] + [row + [""] * len(missing) for row in rows[1:]]
            _write(path, rows)
            added += [f"{resource['name']}.{f}" for f in missing]
    return added


def _generated_tables(seed: int = 6) -> dict[str, list[dict]]:
    """What the demo generator (seed 6, as _base was made) draws for the tables _base lacks,
    from _base's own businesses, products and inspections."""
    from site_builder.demo import checklists, programmes

    def rows(table):
        with open(BASE / f"{table}.csv", encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    products, materials, inspections = rows("products"), rows("material_sources"), rows("inspections")
    out = {"checklists": list(checklists.checklist_rows()), "checklist_items": list(checklists.checklist_item_rows()),
           "checklist_use": list(checklists.checklist_use_rows()), "closures": list(programmes.closure_rows(seed)),
           "activities": list(programmes.activity_rows(seed)), "programmes": list(programmes.programme_rows()),
           "programme_targets": list(programmes.target_rows(seed))}
    extras = checklists.Extras(seed, {})  # _base's parks are the workshops' only
    for op in rows("operators"):
        made = [p for p in products if p["operator_id"] == op["id"]]
        codes = {p["code"] for p in made}
        for table, found in extras.bundle(op, made, [m for m in materials if m["product_code"] in codes],
                                          [i for i in inspections if i["operator_id"] == op["id"]]):
            out.setdefault(table, []).extend(found)
    return out


if __name__ == "__main__":
    # python tests/validate_corpus.py --sync-base   (after adding a column to the schema)
    import sys

    if sys.argv[1:] == ["--sync-base"]:
        print("\n".join(sync_base()) or "nothing to add")
    else:
        sys.exit("usage: python tests/validate_corpus.py --sync-base")
