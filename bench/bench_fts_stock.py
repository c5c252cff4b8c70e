"""Can stock FTS5 (no plugin, no custom tokenizer) search registry.db's Chinese text exactly?

registry.db indexes one token per character (site_builder/search.py): every 1–6 character
substring is found through the index, but only by a MATCH phrase spelled with spaces
('"麻 花"'), which stock Datasette's ?_search= never writes. The one stock alternative is the
trigram tokenizer over the raw text (external content, what Datasette and sqlite3 users could
query as typed). This measures both against a brute-force substring scan, per query length:
how many queries give exactly the scan's rows, and how long they take; and the size of each
index. For trigram, queries of 1–2 characters cannot use MATCH (no trigram); the LIKE
fallback (`col LIKE '%麻花%'` on the trigram table) is measured for them.

Queries: substrings of 1–6 characters cut from the indexed texts at random (seeded), plus the
same number that occur nowhere.
Usage: python bench/bench_fts_stock.py [REGISTRY_DIR ...]   (default: data and a generated 10,000)
"""
from __future__ import annotations

import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from site_builder.database.build import build_database
from site_builder.registry.package import Package
from site_builder.database.fts import SEARCHABLE, fts_table, search, substring_scan

PER_LENGTH = 40  # queries per table and length


def registry_db(data: Path, work: Path) -> Path:
    db = work / f"{data.name}.db"
    build_database(Package.load(data), db)
    return db


def add_trigram(conn: sqlite3.Connection) -> dict[str, int]:
    """A trigram external-content index per searchable table; returns each one's size in bytes."""
    sizes = {}
    for table, (_pk, columns) in SEARCHABLE.items():
        name = f"{table}_tri"
        cols = ", ".join(columns)
        conn.execute(f"CREATE VIRTUAL TABLE {name} USING fts5({cols}, content=\"{table}\", "
                     f"content_rowid=rowid, tokenize='trigram')")
        conn.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")
        conn.execute(f"INSERT INTO {name}({name}) VALUES ('optimize')")
        conn.commit()
        sizes[table] = index_bytes(conn, name)
    return sizes


def index_bytes(conn: sqlite3.Connection, name: str) -> int:
    return conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE ?", [f"{name}_%"]).fetchone()[0] or 0


def queries(conn: sqlite3.Connection, table: str, rng: random.Random) -> dict[int, list[str]]:
    _pk, columns = SEARCHABLE[table]
    texts = [t for (t,) in conn.execute(" UNION ".join(f"SELECT {c} FROM {table}" for c in columns)) if t]
    out = {}
    for length in range(1, 7):
        found = [t for t in texts if len(t) >= length]
        picked = []
        for _ in range(PER_LENGTH):
            text = rng.choice(found)
            start = rng.randrange(len(text) - length + 1)
            picked.append(text[start:start + length].strip() or "麻")
        # Absent ones: characters of the text shuffled (rarely a real substring).
        picked += ["".join(rng.sample(q, len(q))) + "㊣" * (length == 1) for q in picked[:PER_LENGTH // 4]]
        out[length] = picked
    return out


def trigram_match(conn, table, query):
    pk = SEARCHABLE[table][0]
    phrase = '"' + query.replace('"', '""') + '"'
    return [r[0] for r in conn.execute(
        f"SELECT {pk} FROM {table} WHERE rowid IN (SELECT rowid FROM {table}_tri WHERE {table}_tri MATCH ?) "
        "ORDER BY rowid", [phrase])]


def trigram_like(conn, table, query):
    pk, columns = SEARCHABLE[table]
    pattern = "%" + query.replace("%", "").replace("_", "") + "%"
    where = " OR ".join(f"{c} LIKE ?" for c in columns)
    return [r[0] for r in conn.execute(
        f"SELECT {pk} FROM {table} WHERE rowid IN (SELECT rowid FROM {table}_tri WHERE {where}) ORDER BY rowid",
        [pattern] * len(columns))]


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, (time.perf_counter() - started) * 1000


def main(dirs: list[Path]) -> None:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        for data in dirs:
            work = Path(tmp)
            db = registry_db(data, work)
            copy = work / f"{data.name}-tri.db"
            shutil.copy(db, copy)
            conn = sqlite3.connect(copy)
            char_sizes = {t: index_bytes(conn, fts_table(t)) for t in SEARCHABLE}
            tri_sizes = add_trigram(conn)
            rows = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SEARCHABLE}
            print(f"== {data} ({', '.join(f'{t} {n:,}' for t, n in rows.items())})")
            print(f"index size: one token per character {sum(char_sizes.values()) / 1e6:.1f} MB, "
                  f"trigram {sum(tri_sizes.values()) / 1e6:.1f} MB")
            print(f"{'length':>6} {'queries':>7} | {'char phrase':>22} | {'trigram MATCH':>22} | "
                  f"{'trigram LIKE':>22} | {'scan ms':>8}")
            for length in range(1, 7):
                counts = {"char": [0, []], "tri": [0, []], "like": [0, []], "scan": [0, []]}
                total = 0
                for table in SEARCHABLE:
                    for query in queries(conn, table, rng)[length]:
                        total += 1
                        expected, ms = timed(substring_scan, conn, table, query)
                        counts["scan"][1].append(ms)
                        for key, fn in (("char", search), ("tri", trigram_match), ("like", trigram_like)):
                            got, ms = timed(fn, conn, table, query)
                            counts[key][0] += got == expected
                            counts[key][1].append(ms)

                def cell(key):
                    exact, times = counts[key]
                    return f"{exact:>4}/{total} exact {statistics.median(times):5.2f} ms"

                print(f"{length:>6} {total:>7} | {cell('char'):>22} | {cell('tri'):>22} | {cell('like'):>22} | "
                      f"{statistics.median(counts['scan'][1]):8.2f}")
            conn.close()
    print("median time per query; 'exact': same rows as the brute-force substring scan (instr)")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main([Path(a) for a in sys.argv[1:]])
    else:
        from generated import registry

        ten_thousand = registry(10000)
        main([Path(__file__).resolve().parent.parent / "data", ten_thousand])
