"""Updates the previous build's search index for the records whose rows changed.

Writing the whole index took 6 s at 50,000 businesses, reading its records from registry.db
another 7 s. A rebuild after one record changes instead reads only the records the changed rows
touch (a product's line names its maker and says 召回中 while a recall is ongoing), takes the rest
from what the previous build kept in its state record (the "search" sections: each record's
kind, key, name, searchable text and rank, and each index file's sha256 and size), and rewrites
only the gram files holding a gram of a moved record (its bucket, or its own file when it is
stored alone; a gram that grows past SOLO_BYTES or shrinks below it changes place) and the
record files holding a moved place.

A record "moves" when it is read afresh or its place changes: renaming a product, or a brand
being revoked, moves it past its namesakes (in the demo hundreds share a name), and the records between shift by one; their
positions leave and re-enter the same few gram files, since namesakes share their grams. The
result is byte for byte what writing the whole index gives (tests/test_incremental.py). When
more than MAX_MOVED records move (a product added early in the order shifts every business),
or the stride or the number of gram files would change, the caller writes the whole index from
the records assembled here (without reading registry.db again).
"""
from __future__ import annotations

import bisect
import hashlib
import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..build import outputs
from ..build.delta import TableChange
from ..build.state import StateRecord
from .index import (
    BUCKET_BYTES,
    DOC_SHARD,
    DOCS_SECTION,
    FORMAT_VERSION,
    KIND_ORDER,
    SECTION,
    Doc,
    is_solo,
    light_size,
    solo_name,
    ADDRESS,
    IndexFolder,
    _deltas,
    _dumps,
    _write,
    bucket_text,
    code_digest,
    doc_rows,
    finish,
    fnv1a,
    grams_of,
    load_docs,
    read_docs,
    save_record,
)

#: Past this many records to move, writing the whole index is quicker than patching it.
MAX_MOVED = 5_000


def update(db_path: Path, root: IndexFolder, records: StateRecord, changes: dict[str, TableChange]) -> bool | list[Doc] | None:
    """True when the index is up to date (updated, or nothing to do); else the records to write
    whole (a list), or None when there is no usable record of the previous index."""
    record = _read(records, root)
    if record is None:
        return None
    touched = _touched(db_path, changes)
    if touched is None:
        return None
    if not any(touched.values()):
        _keep(root, records, record)
        return True
    old = load_docs(records)  # [kind, key, name, text, rank] in index order
    if old is None or len(old) != record["meta"]["docs"]:
        return None
    was = {(e[0], e[1]): i for i, e in enumerate(old)}
    fresh = {(d.kind, d.key): d for d in read_docs(db_path, touched)}
    gone = {(kind, key) for kind, keys in touched.items() for key in keys} - set(fresh)
    new = _reorder(old, fresh, gone)
    # Records re-read or moved in the order (a rename moves a product past its namesakes).
    moved = [i for i, e in enumerate(new) if (e[0], e[1]) in fresh or was.get((e[0], e[1])) != i]
    stride = max((len(e[3]) for e in new), default=0) + 1
    move = Move(old, new, was, moved, [was[k] for k in gone if k in was], fresh)
    if len(moved) > MAX_MOVED or stride != record["meta"]["stride"] or not _patch(root, record, move):
        return _whole(move, root, record)
    record["meta"]["docs"] = len(new)
    finish(root, record)
    save_record(records, record, new)
    return True


def _order(entry: list) -> tuple:
    """Doc.order() of a [kind, key, name, text, rank] entry."""
    return KIND_ORDER.index(entry[0]), entry[4], entry[2], entry[1]


def _reorder(old: list[list], fresh: dict[tuple, Doc], gone: set[tuple]) -> list[list]:
    """The entries in index order after the change: the previous order is kept and only the
    records read afresh are placed again (sorting 235,000 records would cost more)."""
    new = [e for e in old if (e[0], e[1]) not in fresh and (e[0], e[1]) not in gone]
    orders = [_order(e) for e in new]
    for doc in sorted(fresh.values(), key=Doc.order):
        entry = [doc.kind, doc.key, doc.name, doc.text, doc.rank]
        at = bisect.bisect(orders, doc.order())
        new.insert(at, entry)
        orders.insert(at, doc.order())
    return new


@dataclass
class Move:
    """Entries before and after, where each was (by key), the new places to rewrite, the old
    places of records that are gone, and the records read afresh from registry.db."""

    old: list[list]
    new: list[list]
    was: dict[tuple[str, str], int]
    moved: list[int]
    removed: list[int]
    fresh: dict[tuple[str, str], Doc]


def _keep(root: IndexFolder, records: StateRecord, record: dict) -> None:
    records.carry(SECTION, DOCS_SECTION)
    for name in record["files"]:
        root.files.record(root / name)


def _read(records: StateRecord, root: IndexFolder) -> dict | None:
    """The previous build's record, if this code wrote it and its files are all there, unchanged
    in size (a file damaged since is caught here; one read for an update is checked by sha256)."""
    try:
        record = records.previous_json(SECTION)
        if record.get("format") != FORMAT_VERSION or record.get("code") != code_digest():
            return None
        for name, (_digest, size) in record["files"].items():
            if root.files.current(root / name).stat().st_size != size:
                return None
    except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return record


def _touched(db_path: Path, changes: dict[str, TableChange]) -> dict[str, set[str]] | None:
    """kind -> keys of the records whose index entry may have changed (build/outputs.py
    SEARCH_ENTRIES); None when any kind must be read whole."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        touched = {kind: family.affected(changes, conn) for kind, family in outputs.SEARCH_ENTRIES.items()}
    finally:
        conn.close()
    if any(keys is None for keys in touched.values()):
        return None
    return {kind: {str(k) for k in keys} for kind, keys in touched.items()}


def _patch(root: IndexFolder, record: dict, move: Move) -> bool:
    """Rewrite the gram files holding a gram of a moved record (old text at its old place, new
    text at its new one) and the record files of the moved places; False when the number of
    gram files would change or a file is not what the record says."""
    meta, stride = record["meta"], record["meta"]["stride"]
    before: dict[str, set[int]] = {}
    after: dict[str, set[int]] = {}
    old_places = [move.was[(move.new[i][0], move.new[i][1])] for i in move.moved
                  if (move.new[i][0], move.new[i][1]) in move.was] + move.removed
    for i in old_places:
        for gram, pos in grams_of(move.old[i][3]):
            before.setdefault(gram, set()).add(i * stride + pos)
    for i in move.moved:
        for gram, pos in grams_of(move.new[i][3]):
            after.setdefault(gram, set()).add(i * stride + pos)
    grams = sorted(g for g in set(before) | set(after) if before.get(g) != after.get(g))
    by_bucket: dict[int, list[str]] = {}
    for gram in grams:
        by_bucket.setdefault(fnv1a(gram) % meta["buckets"], []).append(gram)
    rewritten, removed, total = {}, set(), record["total"]
    for b, bucket_grams in sorted(by_bucket.items()):
        shard = _load(root, f"g/{b}.json", record)
        if shard is None:
            return False
        encoded = {g: "0" if d == 0 else _dumps(d) for g, d in shard.items()}  # "0": stored alone
        for gram in bucket_grams:
            old = shard.get(gram, ())
            if old == 0:
                old = _load(root, solo_name(gram), record)
                if old is None:
                    return False
                removed.add(solo_name(gram))
                encoded[gram] = _dumps(old)
            was = encoded.pop(gram, None)
            total -= light_size(gram, was) if was else 0
            positions = _positions(old) - before.get(gram, set()) | after.get(gram, set())
            if positions:
                encoded[gram] = _dumps(_deltas(sorted(positions)))
                total += light_size(gram, encoded[gram])
                if is_solo(gram, encoded[gram]):
                    removed.discard(solo_name(gram))
                    rewritten[solo_name(gram)] = encoded[gram]
        rewritten[f"g/{b}.json"] = bucket_text(sorted(encoded), encoded)
    if max(1, math.ceil(total / BUCKET_BYTES)) != meta["buckets"]:
        return False
    shards = _record_files(root, record, move)
    if shards is None:
        return False
    rewritten.update(shards)
    for name, text in rewritten.items():
        _write(root, name, text, record["files"])
    for name in list(record["files"]):
        if name in removed or name.startswith("d/") and int(name[2:-5]) * DOC_SHARD >= len(move.new):
            del record["files"][name]  # a gram no longer alone, or fewer records: the file is no more
        else:
            root.files.record(root / name)
    record["total"] = total
    return True


def _record_files(root: IndexFolder, record: dict, move: Move) -> dict[str, str] | None:
    """The record files (d/<n>.json) holding a moved place, as they are now; rows of records not
    read afresh come from the previous files."""
    old_rows: dict[int, list] = {}
    out = {}
    for n in sorted({i // DOC_SHARD for i in move.moved}):
        rows = []
        for i in range(n * DOC_SHARD, min((n + 1) * DOC_SHARD, len(move.new))):
            key = (move.new[i][0], move.new[i][1])
            if key in move.fresh:
                rows.append(doc_rows([move.fresh[key]])[0])
                continue
            j = move.was[key]
            if j // DOC_SHARD not in old_rows:
                loaded = _load(root, f"d/{j // DOC_SHARD}.json", record)
                if loaded is None:
                    return None
                old_rows[j // DOC_SHARD] = loaded
            rows.append(old_rows[j // DOC_SHARD][j % DOC_SHARD])
        out[f"d/{n}.json"] = _dumps(rows)
    return out


def _positions(deltas) -> set[int]:
    out, acc = set(), 0
    for d in deltas:
        acc += d
        out.add(acc)
    return out


def _load(root: IndexFolder, name: str, record: dict):
    """An index file of the previous build, parsed, if it still holds what the record says."""
    data = root.files.current(root / name).read_bytes()
    if hashlib.sha256(data).hexdigest() != record["files"][name][0]:
        return None
    return json.loads(data)


def _whole(move: Move, root: IndexFolder, record: dict) -> list[Doc] | None:
    """Every record as a Doc, for writing the whole index; the detail lines of records not read
    afresh come from the previous record files."""
    details = {}
    for n in range(math.ceil(record["meta"]["docs"] / DOC_SHARD)):
        rows = _load(root, f"d/{n}.json", record)
        if rows is None:
            return None
        details.update((url, detail) for _kind, url, _name, detail in rows)
    docs = []
    for kind, key, name, text, rank in move.new:
        doc = move.fresh.get((kind, key))
        if doc is None:
            url = ADDRESS[kind](key)
            doc = Doc(kind, url, name, details.get(url, ""), text, key, rank)
        docs.append(doc)
    return docs
