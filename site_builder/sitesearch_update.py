"""Updates the previous build's search index for the records whose rows changed.

Writing the whole index took 6 s at 50,000 businesses, reading its records from registry.db
another 7 s. A rebuild after one record changes instead reads only the records the changed rows
touch (a product's line names its maker and says 召回中 while a recall is ongoing), takes the rest
from the record the previous build kept beside site/ (OUT_DIR/.search-inputs.json: each record's
kind, key, name and searchable text, and each index file's sha256 and size), and rewrites only
the gram files holding a gram of an old or new text and the record files holding a changed record.

The result is byte for byte what writing the whole index gives (tests/test_incremental.py). That
holds while the records keep their places: when one is added, removed or moves in the name order,
or the stride or number of gram files would change, the caller writes the whole index from the
records assembled here (without reading registry.db again).
"""
from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from pathlib import Path

from . import files
from .delta import TableChange
from .sitesearch import (BUCKET_BYTES, DOC_SHARD, FORMAT_VERSION, Doc, _deltas, _dumps, _write, bucket_text,
                         code_digest, doc_rows, finish, fnv1a, grams_of, read_docs, save_record, size_of, urls)

_ADDRESS = {"b": urls.brand, "p": urls.product, "w": urls.operator}


def update(db_path: Path, root: Path, record_path: Path, changes: dict[str, TableChange]) -> bool | list[Doc] | None:
    """True when the index is up to date (updated, or nothing to do); else the records to write
    whole (a list), or None when there is no usable record of the previous index."""
    record = _read(record_path, root)
    if record is None:
        return None
    touched = _touched(db_path, changes)
    if not any(touched.values()):
        files.record(record_path)
        for name in record["files"]:
            files.record(root / name)
        return True
    old_docs = [Doc(kind, _ADDRESS[kind](key), name, "", text, key) for kind, key, name, text in record["docs"]]
    where = {(d.kind, d.key): i for i, d in enumerate(old_docs)}
    fresh = read_docs(db_path, touched)
    docs = list(old_docs)
    for doc in fresh:
        if (doc.kind, doc.key) in where:
            docs[where[(doc.kind, doc.key)]] = doc
    gone = {(kind, key) for kind, keys in touched.items() for key in keys} - {(d.kind, d.key) for d in fresh}
    added = [d for d in fresh if (d.kind, d.key) not in where]
    if gone or added or any(docs[i].order() < docs[i - 1].order() for i in range(1, len(docs))):
        # The order changed: every position after the change moves. Details of untouched records
        # come from the previous record files.
        return _with_details(sorted([d for d in docs if (d.kind, d.key) not in gone] + added, key=Doc.order), root,
                             record) if not gone else None
    stride = max((len(d.text) for d in docs), default=0) + 1
    if stride != record["meta"]["stride"]:
        return _with_details(docs, root, record)
    changed = [where[(d.kind, d.key)] for d in fresh]
    if not _patch(root, record, old_docs, docs, changed):
        return _with_details(docs, root, record)
    record["docs"] = [[d.kind, d.key, d.name, d.text] for d in docs]
    finish(root, record)
    save_record(record_path, record)
    return True


def _read(record_path: Path, root: Path) -> dict | None:
    """The previous build's record, if this code wrote it and its files are all there, unchanged
    in size (a file damaged since is caught here; one read for an update is checked by sha256)."""
    try:
        record = json.loads(files.current(record_path).read_text(encoding="utf-8"))
        if record.get("format") != FORMAT_VERSION or record.get("code") != code_digest():
            return None
        for name, (_digest, size) in record["files"].items():
            if files.current(root / name).stat().st_size != size:
                return None
    except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return record


def _touched(db_path: Path, changes: dict[str, TableChange]) -> dict[str, set[str]]:
    """kind -> keys of the records whose index entry may have changed (sitesearch.DISPLAY)."""
    def values(table: str, column: str) -> set[str]:
        return {str(v) for v in changes[table].values(column)} if table in changes else set()

    makers = values("operators", "id")
    products = values("products", "code") | values("recalls", "product_code")
    if makers:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            products |= {code for (code,) in conn.execute(
                "SELECT code FROM products WHERE operator_id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(makers)),))}
        finally:
            conn.close()
    return {"b": values("brands", "id"), "p": products, "w": makers}


def _patch(root: Path, record: dict, old_docs: list[Doc], docs: list[Doc], changed: list[int]) -> bool:
    """Rewrite the gram and record files of the `changed` records (same places, same stride);
    False when the number of gram files would change or a file is not what the record says."""
    meta, stride = record["meta"], record["meta"]["stride"]
    before, after = {}, {}
    for i in changed:
        for gram, pos in grams_of(old_docs[i].text):
            before.setdefault(gram, set()).add(i * stride + pos)
        for gram, pos in grams_of(docs[i].text):
            after.setdefault(gram, set()).add(i * stride + pos)
    grams = sorted((set(before) | set(after)) - {g for g in before if before[g] == after.get(g)})
    by_bucket: dict[int, list[str]] = {}
    for gram in grams:
        by_bucket.setdefault(fnv1a(gram) % meta["buckets"], []).append(gram)
    rewritten, total = {}, record["total"]
    for b, bucket_grams in by_bucket.items():
        shard = _load(root, f"g/{b}.json", record)
        if shard is None:
            return False
        encoded = {g: _dumps(d) for g, d in shard.items()}
        for gram in bucket_grams:
            positions = _positions(shard.get(gram, ())) - before.get(gram, set()) | after.get(gram, set())
            total -= size_of(gram, encoded[gram]) if gram in encoded else 0
            encoded.pop(gram, None)
            if positions:
                encoded[gram] = _dumps(_deltas(sorted(positions)))
                total += size_of(gram, encoded[gram])
        rewritten[f"g/{b}.json"] = bucket_text(sorted(encoded), encoded)
    if max(1, math.ceil(total / BUCKET_BYTES)) != meta["buckets"]:
        return False
    for n in sorted({i // DOC_SHARD for i in changed}):
        rows = _load(root, f"d/{n}.json", record)
        if rows is None:
            return False
        for i in changed:
            if i // DOC_SHARD == n:
                rows[i % DOC_SHARD] = doc_rows([docs[i]])[0]
        rewritten[f"d/{n}.json"] = _dumps(rows)
    for name, text in rewritten.items():
        _write(root, name, text, record["files"])
    for name in record["files"]:
        files.record(root / name)
    record["total"] = total
    return True


def _positions(deltas) -> set[int]:
    out, acc = set(), 0
    for d in deltas:
        acc += d
        out.add(acc)
    return out


def _load(root: Path, name: str, record: dict):
    """An index file of the previous build, parsed, if it still holds what the record says."""
    data = files.current(root / name).read_bytes()
    if hashlib.sha256(data).hexdigest() != record["files"][name][0]:
        return None
    return json.loads(data)


def _with_details(docs: list[Doc], root: Path, record: dict) -> list[Doc] | None:
    """Fill in the detail line of records not read from registry.db, from the previous record files."""
    missing = [d for d in docs if not d.detail]
    if not missing:
        return docs
    details = {}
    for n in range(math.ceil(record["meta"]["docs"] / DOC_SHARD)):
        rows = _load(root, f"d/{n}.json", record)
        if rows is None:
            return None
        details.update((url, detail) for _kind, url, _name, detail in rows)
    for d in missing:
        d.detail = details.get(d.url, "")
    return docs
