"""Static Chinese site search: an n-gram index in small JSON files that /static/search.js reads.

Why not Pagefind: on Chinese it treats a multi-character query as an AND of segments
(稷山麻花 gave 513 hits, 310 right; 永济牛肉饼 found nothing). This index finds EXACTLY the
records whose searchable fields contain the typed string, from static files alone:

- every character and every pair of adjacent characters ("gram") of each searchable field is
  indexed with its position, as the integer ``doc * stride + position`` (fields of a record are
  joined with a newline, which occupies a position, so no match can span two fields);
- a query term is covered by grams at offsets 0, 2, 4 … (plus the last pair when its length is
  odd); it occurs at position p exactly when every covering gram occurs at p + offset, so the
  answer is exact without reading the records' text;
- grams are spread over ``buckets`` files by an FNV-1a hash (balanced sizes, a six-character
  query reads at most three, and the files of its grams stored alone); a gram whose positions
  pass SOLO_BYTES (a digit, a Latin letter, the （演示） of every demo name) has a file of its
  own, named by its code points, and its bucket holds 0 in its place: a query then reads no
  other gram's positions beside a common one (mahua read 32 KB gzipped of gram files when
  'ma' shared a file with the digits);
- records (kind, address, name, detail) are numbered in the order results are shown
  (Doc.order: brands, products, businesses; within each what is in force first, then by
  name) and stored DOC_SHARD to a file, so the first PAGE results of a query, which are its
  lowest numbers, lie in few files; search.js shows PAGE results and 显示更多 Show more
  fetches the next PAGE.

Searchable fields (SEARCH_FIELDS): brands name, English name, category and its English label;
products name, category and its English label, the English name of the brand they are sold
under, product code and barcode; businesses name, address, licence number and credit code:
what is printed on a package, a label or a 信息公示牌 finds its page, and a tourist's English
(mahua, sesame candy) finds the brand and its products. A barcode is indexed as its GTIN-14
(zero-padded, as GS1 Digital Link writes it), so the 13 digits under a retail barcode and the
14 of a case or a /01/ address both find it. Letters match case-insensitively (NFKC + lower case);
whitespace separates terms, and every term must match. Each result carries a detail line that
says first what a shopper must know: 召回中 (an ongoing recall), 已撤市, 已吊销 ….
``query()`` is the same algorithm as search.js, over the same files, so tests can hold both
against a brute-force scan.
"""
from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import unicodedata
from array import array
from dataclasses import dataclass
from pathlib import Path

from .. import vocabulary
from ..build import fingerprint, outputs
from ..build.files import Files
from ..build.state import StateRecord

INDEX_DIR = "search/index"          # under the site root: /search/index/…
SCRIPT_SOURCE = Path(__file__).with_name("static") / "search.js"
SCRIPT_TARGET = "static/search.js"  # /static/search.js, loaded by the /search/ page
DOC_SHARD = 64                      # records per docs file: a result page reads few small files
PAGE = 20                           # results search.js shows at first and per 显示更多 Show more
BUCKET_BYTES = 4_000                # aim for gram files about this size
SOLO_BYTES = BUCKET_BYTES // 2      # a gram with more positions than this has a file of its own
FORMAT_VERSION = 2
SECTION = "search"            # of the state record (state.py): what the index was made from
DOCS_SECTION = "search-docs"  # beside it: each record's kind, key, name and searchable text

#: The English name of the awarded brand a product is sold under (its maker's, of its category:
#: site/pages.py brand_of), so that a tourist's "mahua" finds the brand's products too.
BRAND_EN = ("(SELECT b.name_en FROM brands b WHERE b.operator_id = t.operator_id AND b.category = t.category "
            "AND b.status = 'awarded' ORDER BY b.id LIMIT 1)")
#: kind -> the fields (SQL, the record as `t`) a visitor's query is matched against (b brands,
#: p products, w businesses); food_en() is a food category's English label (vocabulary.py).
SEARCH_FIELDS = {"b": ("t.name", "t.name_en", "t.category", "food_en(t.category)"),
                 "p": ("t.name", "t.category", "food_en(t.category)", BRAND_EN, "t.code", "t.gtin"),
                 "w": ("t.name", "t.address", "t.licence_no", "t.credit_code")}
#: How a field is indexed when not as written: a GTIN-8/12/13 as its GTIN-14.
FIELD_FORMS = {"t.gtin": lambda v: v.zfill(14) if v else v}
#: kind -> (key, the detail line's parts, status, FROM clause with the record as `t`): English
#: beside the Chinese, for tourists.
DISPLAY = {
    "b": ("t.id", "t.name_en, food_both(t.category), program_both(t.program)", "t.status", "brands t"),
    "p": ("t.code", f"food_both(t.category), {BRAND_EN}, o.name", "t.status",
          "products t LEFT JOIN operators o ON o.id = t.operator_id"),
    "w": ("t.id", "kind_both(t.kind), t.address", "t.status", "operators t"),
}
#: kind -> status -> what the result says about it (none for the ordinary status).
STATUS_NOTE = {
    "b": {k: t.both for k, t in vocabulary.BRAND_STATUS.items()},
    "p": {k: t.both for k, t in vocabulary.PRODUCT_STATUS.items() if k != "active"},
    "w": {k: t.both for k, t in vocabulary.OPERATOR_STATUS.items() if k != "active"},
}


def _labels(conn: sqlite3.Connection) -> None:
    """The vocabulary's labels as SQL functions (food_en, food_both, program_both, kind_both)."""
    def both(terms):
        return lambda code: (terms[code].both if code in terms else code)

    conn.create_function("food_en", 1, lambda c: vocabulary.food_category(c).en or None, deterministic=True)
    conn.create_function("food_both", 1, lambda c: vocabulary.food_category(c).both.strip() if c else None,
                         deterministic=True)
    conn.create_function("program_both", 1, both(vocabulary.PROGRAMS), deterministic=True)
    conn.create_function("kind_both", 1, both(vocabulary.KINDS), deterministic=True)


#: kind -> the column (SQL, the record as `t`) that, with the status, says a record's standing.
STANDING_OF = {"b": "t.program", "p": "NULL", "w": "NULL"}
#: kind -> statuses in the order their records are listed: what is in force first.
STATUS_ORDER = {"b": ("awarded", "publicized", "applied", "revoked"),
                "p": ("active", "discontinued", "withdrawn"),
                "w": ("active", "suspended", "expired", "revoked")}


def standing(kind: str, status: str | None, programme: str | None) -> int:
    """Where a record comes among its kind's namesakes (0 first): by status (STATUS_ORDER), a
    brand then by programme as the vocabulary lists them (名特优 first); unknown values last."""
    statuses, programmes = STATUS_ORDER[kind], list(vocabulary.PROGRAMS)
    s = statuses.index(status) if status in statuses else len(statuses)
    p = programmes.index(programme) if programme in programmes else len(programmes)
    return s * (len(programmes) + 1) + (p if kind == "b" else 0)


RECALL_NOTE = f"⚠ {vocabulary.RECALLED.both}"
KIND_ORDER = ("b", "p", "w")  # brands first: tourists look for 名特优 names
ADDRESS = {kind: family.address for kind, family in outputs.SEARCH_ENTRIES.items()}  # build/outputs.py


def normalize(text: str | None) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case; search.js does the same."""
    return unicodedata.normalize("NFKC", text or "").lower()


def fnv1a(gram: str) -> int:
    """32-bit FNV-1a over code points (search.js: Math.imul(h ^ cp, 0x01000193) >>> 0)."""
    h = 0x811C9DC5
    for ch in gram:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h


def terms(q: str) -> list[str]:
    return normalize(q).split()


def cover(term: str) -> list[tuple[str, int]]:
    """Grams (with their offsets in `term`) that together cover every character of `term`."""
    if len(term) == 1:
        return [(term, 0)]
    offsets = list(range(0, len(term) - 1, 2))
    if len(term) % 2:
        offsets.append(len(term) - 2)
    return [(term[o:o + 2], o) for o in offsets]


@dataclass(frozen=True)
class IndexFolder:
    """The index's folder (site/search/index) and the build's files it is written through."""

    path: Path
    files: Files

    def __truediv__(self, name: str) -> Path:
        return self.path / name


@dataclass
class Doc:
    kind: str
    url: str
    name: str
    detail: str
    text: str  # normalized searchable fields joined by "\n"
    key: str = ""
    rank: int = 0  # standing(): what is in force first

    def order(self) -> tuple:
        """Where the record goes in the index, which is the order of results: by kind, then by
        standing (an awarded brand before a revoked one), then by name (by code point)."""
        return KIND_ORDER.index(self.kind), self.rank, self.name, self.key


def read_docs(db_path: str | Path, only: dict[str, set[str]] | None = None) -> list[Doc]:
    """Every searchable record (or, given `only`, those keyed there by kind), in Doc.order, so
    that records with like names share files and a query's first results lie in few files."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    _labels(conn)
    try:
        recalled = {code for (code,) in conn.execute("SELECT product_code FROM ongoing_recalls")}
        docs = []
        for kind in KIND_ORDER:
            key_column, detail, status, source = DISPLAY[kind]
            fields = SEARCH_FIELDS[kind]
            where, keys = "", ()
            if only is not None:
                keys = sorted(only.get(kind, ()))
                where = f"WHERE {key_column} IN (SELECT value FROM json_each(?))"
                keys = (json.dumps(keys),)
            sql = (f"SELECT {key_column}, t.name, {status}, {STANDING_OF[kind]}, {', '.join(fields)}, {detail} "
                   f"FROM {source} {where}")
            forms = [FIELD_FORMS.get(f) for f in fields]
            for key, name, state, programme, *values in conn.execute(sql, keys):
                text = "\n".join(normalize(form(v) if form else v) for form, v in zip(forms, values))
                notes = [RECALL_NOTE] if kind == "p" and key in recalled else []
                notes += [STATUS_NOTE[kind][state]] if state in STATUS_NOTE[kind] else []
                line = " · ".join(str(v) for v in [*notes, *values[len(fields):]] if v)
                docs.append(Doc(kind, ADDRESS[kind](str(key)), name or "", line, text, str(key),
                                standing(kind, state, programme)))
        return sorted(docs, key=Doc.order)
    finally:
        conn.close()


def build_postings(docs: list[Doc], stride: int) -> dict[str, array]:
    """gram -> sorted positions (doc * stride + position); grams with whitespace are never queried.

    Typed arrays, not lists: 50k businesses give about ten million positions."""
    postings: dict[str, array] = {}
    for doc_id, doc in enumerate(docs):
        base = doc_id * stride
        for gram, pos in grams_of(doc.text):
            found = postings.get(gram)
            if found is None:
                postings[gram] = found = array("q")
            found.append(base + pos)
    return postings


#: Documents turned into code points at a time by encoded_postings (bounds its memory).
CHUNK_DOCS = 4096


def encoded_postings(docs: list[Doc], stride: int) -> dict[str, str]:
    """gram -> its positions as written in the index (`_dumps(_deltas(...))` of build_postings),
    found with numpy: every document's text, padded with spaces to `stride`, becomes code points,
    each character and each pair of adjacent ones that are not whitespace gets a key, and one
    sort leaves each gram's positions in order. Writing the whole index spent three quarters of
    its 11 s at 10,000 businesses in build_postings' Python loop.

    The characters are numbered densely (a few thousand distinct ones) so that a gram's key and
    its position pack into one int64, sorted in place: sorting keys and positions apart (argsort,
    then both arrays reordered) peaked at 900 MB more at 50,000 businesses (20 million grams)."""
    import numpy as np

    chars = sorted(set().union(*(d.text for d in docs)) - {" "})
    solid_chars = [c for c in chars if not c.isspace()]
    if not solid_chars:
        return {}
    width = len(solid_chars) + 1  # id 0 is whitespace; a pair is (first + 1) * width + second
    table = np.zeros(max(map(ord, [*chars, " "])) + 1, dtype=np.int64)  # " ": the padding
    table[[ord(c) for c in solid_chars]] = np.arange(1, width)
    position_bits = max(1, (len(docs) * stride).bit_length())
    if ((width + 1) * width).bit_length() + position_bits > 63:
        raise ValueError(f"search index: {width - 1} distinct characters and {len(docs) * stride} positions "
                         "do not pack into 64 bits")
    packed = []
    for start in range(0, len(docs), CHUNK_DOCS):
        text = "".join(d.text.ljust(stride) for d in docs[start:start + CHUNK_DOCS])
        ids = table[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
        solid = ids > 0
        single = np.flatnonzero(solid)
        pair = np.flatnonzero(solid[:-1] & solid[1:])
        base = start * stride
        packed += [(ids[single] << position_bits) | (single + base),
                   (((ids[pair] + 1) * width + ids[pair + 1]) << position_bits) | (pair + base)]
    key = np.concatenate(packed)
    del packed
    key.sort()  # by gram, then position: each (gram, position) is there once
    # Positions fit 32 bits up to 20 times this registry's text (4 bytes less a gram each).
    small = np.int32 if position_bits < 32 else np.int64
    position = np.bitwise_and(key, (1 << position_bits) - 1, out=np.empty(len(key), small), casting="unsafe")
    key >>= position_bits
    starts = np.concatenate(([0], np.flatnonzero(key[1:] != key[:-1]) + 1))
    deltas = np.diff(position, prepend=0)
    deltas[starts] = position[starts]
    del position
    bounds = np.append(starts, len(key)).tolist()
    out = {}
    for i, k in enumerate(key[starts].tolist()):
        gram = solid_chars[k - 1] if k < width else solid_chars[k // width - 2] + solid_chars[k % width - 1]
        out[gram] = _dumps(deltas[bounds[i]:bounds[i + 1]].tolist())
    return out


def grams_of(text: str):
    """(gram, position) of every character and pair of adjacent characters without whitespace."""
    for pos, ch in enumerate(text):
        if ch.isspace():
            continue
        yield ch, pos
        nxt = text[pos + 1:pos + 2]
        if nxt and not nxt.isspace():
            yield ch + nxt, pos


def _deltas(values) -> list[int]:
    prev, out = 0, []
    for v in values:
        out.append(v - prev)
        prev = v
    return out


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def code_digest() -> str:
    """The index's bytes depend on this code (format, fields, normalisation: fingerprint.of)."""
    return fingerprint.of_stage("search")


def save_record(records: StateRecord, record: dict, docs: list[list[str]]) -> None:
    """What an update starts from (update.py): the index's files and layout, and, apart because
    only an update that touches records reads it, each record's kind, key, name, text and rank."""
    records.put(SECTION, (_dumps(record) + "\n").encode())
    records.put(DOCS_SECTION, (_dumps(docs) + "\n").encode())


def load_docs(records: StateRecord) -> list[list[str]] | None:
    docs = records.previous_json(DOCS_SECTION)
    return docs if isinstance(docs, list) else None


def bucket_text(grams: list[str], encoded: dict[str, str]) -> str:
    """A gram file: `grams` (sorted) with their encoded postings, or 0 for a gram with a file of
    its own (is_solo); the same bytes as _dumps(dict)."""
    return "{" + ",".join(f"{_dumps(g)}:{'0' if is_solo(g, encoded[g]) else encoded[g]}" for g in grams) + "}"


def is_solo(gram: str, encoded: str) -> bool:
    """Whether a gram's positions are stored in a file of their own (solo_name)."""
    return size_of(gram, encoded) > SOLO_BYTES


def solo_name(gram: str) -> str:
    """The file of a gram stored alone: its code points in hex (search.js soloName)."""
    return "g/s/" + "-".join(f"{ord(ch):x}" for ch in gram) + ".json"


def light_size(gram: str, encoded: str) -> int:
    """A gram's share of the size that sets the number of gram files (none when it is alone)."""
    return 0 if is_solo(gram, encoded) else size_of(gram, encoded)


def doc_rows(docs: list[Doc]) -> list[list[str]]:
    return [[d.kind, d.url, d.name, d.detail] for d in docs]


def size_of(gram: str, encoded: str) -> int:
    """A gram's share of the index size that sets the number of gram files."""
    return len(gram.encode()) + len(encoded) + 6


def finish(root: IndexFolder, record: dict) -> None:
    """Write meta.json: its version changes whenever any index file does, and search.js adds it
    to every URL, so a browser never mixes cached files of two builds."""
    meta = record["meta"]
    version = hashlib.sha256()
    for name in sorted(n for n in record["files"] if n != "meta.json"):
        version.update(f"{name} {record['files'][name][0]}\n".encode())
    meta["version"] = version.hexdigest()[:16]
    _write(root, "meta.json", _dumps(meta), record["files"])


def write_index(docs: list[Doc], root: IndexFolder) -> dict:
    """Write the index files; returns the record an update starts from (sitesearch_update.py)."""
    written: dict[str, list] = {}
    stride = max((len(d.text) for d in docs), default=0) + 1
    encoded = encoded_postings(docs, stride)
    total = sum(light_size(g, v) for g, v in encoded.items())
    buckets = max(1, math.ceil(total / BUCKET_BYTES))
    shards: dict[int, list[str]] = {}
    for gram in sorted(encoded):
        shards.setdefault(fnv1a(gram) % buckets, []).append(gram)
        if is_solo(gram, encoded[gram]):
            _write(root, solo_name(gram), encoded[gram], written)
    for b in range(buckets):
        _write(root, f"g/{b}.json", bucket_text(shards.get(b, []), encoded), written)
    for start in range(0, len(docs), DOC_SHARD):
        _write(root, f"d/{start // DOC_SHARD}.json", _dumps(doc_rows(docs[start:start + DOC_SHARD])), written)
    record = {"format": FORMAT_VERSION, "code": code_digest(), "total": total, "files": written,
              "meta": {"format": FORMAT_VERSION, "buckets": buckets, "stride": stride, "docs": len(docs),
                       "doc_shard": DOC_SHARD, "page": PAGE}}
    finish(root, record)
    return record


def _write(root: IndexFolder, name: str, text: str, written: dict[str, list]) -> None:
    """Write an index file (if its bytes changed) and note its sha256 and size."""
    data = text.encode("utf-8")
    root.files.write_if_changed(root / name, data)
    written[name] = [hashlib.sha256(data).hexdigest(), len(data)]


# --- the query, exactly as search.js runs it ---------------------------------------------

class _Index:
    """The index files a query reads, each read once; `fetched` names them in the order read
    (what a browser with a cold cache downloads, meta.json first)."""

    def __init__(self, site_dir: Path):
        self.root = Path(site_dir) / INDEX_DIR
        self.fetched: list[str] = []
        self.meta = self._load("meta.json")
        self._files: dict[str, object] = {}

    def _load(self, name: str):
        self.fetched.append(name)
        return json.loads((self.root / name).read_text(encoding="utf-8"))

    def file(self, name: str):
        if name not in self._files:
            self._files[name] = self._load(name)
        return self._files[name]

    def positions(self, gram: str) -> set[int]:
        found = self.file(f"g/{fnv1a(gram) % self.meta['buckets']}.json").get(gram, ())
        if found == 0:  # stored alone
            found = self.file(solo_name(gram))
        out, acc = set(), 0
        for d in found:
            acc += d
            out.add(acc)
        return out

    def doc(self, doc_id: int) -> list:
        shard = self.meta["doc_shard"]
        return self.file(f"d/{doc_id // shard}.json")[doc_id % shard]


def match_ids(index: _Index, q: str) -> list[int]:
    """Ids of the records matching every term of `q`, ascending: the order results are shown."""
    stride = index.meta["stride"]
    result: set[int] | None = None
    for term in terms(q):
        grams = cover(term)
        first, *rest = [(index.positions(g), o) for g, o in grams]
        hits = {p // stride for p in first[0] if all(p + o in pos for pos, o in rest)}
        result = hits if result is None else result & hits
        if not result:
            return []
    return sorted(result or ())


def query(site_dir: str | Path, q: str, start: int = 0, stop: int | None = None,
          index: _Index | None = None) -> list[dict]:
    """The records whose searchable fields contain each whitespace-separated term of `q`, in the
    order shown; given `start` and `stop`, only those results (reading only their record files,
    as search.js does for a page of PAGE and each 显示更多). Pass `index` to see what was read."""
    index = index or _Index(Path(site_dir))
    out = []
    for doc_id in match_ids(index, q)[start:stop]:
        kind, url, name, detail = index.doc(doc_id)
        out.append({"kind": kind, "url": url, "name": name, "detail": detail})
    return out
