"""Chinese search finds exactly the records whose text contains the query."""
from __future__ import annotations

import random
import sqlite3

import pytest
import sqlite_utils
from tiny_registry import write_tiny_registry

from site_builder.database.build import build_database
from site_builder.database.fts import (
    SEARCHABLE,
    build_search_index,
    escape_query,
    search,
    substring_scan,
)
from site_builder.registry.package import Package

#: Few distinct characters, so that texts share many substrings (and near misses).
ALPHABET = "稷山麻花芝糖永济牛肉饼盐湖锅巴芮城片河津糕点、，· Ab1"


@pytest.fixture(scope="module")
def random_db():
    """Three searchable tables filled with seeded random text."""
    rng = random.Random(11)
    db = sqlite_utils.Database(memory=True)

    def text():
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 14))) or None

    for table, (pk, columns) in SEARCHABLE.items():
        db[table].insert_all(({pk: f"{table[0]}{i}", **{c: text() for c in columns}} for i in range(400)), pk=pk)
    build_search_index(db)
    return db.conn


def test_search_equals_substring_scan_for_1_to_6_characters(random_db):
    rng = random.Random(5)
    for table, (pk, columns) in SEARCHABLE.items():
        texts = [t for r in random_db.execute(f"select {', '.join(columns)} from {table}") for t in r if t]
        queries = set()
        for _ in range(150):
            t = rng.choice(texts)
            n = rng.randint(1, 6)
            start = rng.randint(0, max(0, len(t) - n))
            queries.add(t[start:start + n])  # occurs at least once
            queries.add("".join(rng.choice(ALPHABET) for _ in range(n)))  # usually not
        for q in sorted(queries):
            if not q.strip():
                continue
            assert search(random_db, table, q) == substring_scan(random_db, table, q.strip()), (table, q)


def test_known_names(tmp_path):
    path = tmp_path / "registry.db"
    build_database(Package.load(write_tiny_registry(tmp_path / "data")), path)
    conn = sqlite3.connect(path)
    assert search(conn, "operators", "麻花") == ["w1"]  # in 老王麻花坊 and 麻花街; not 花糕
    assert search(conn, "operators", "花糕") == ["e1"]  # 糕点、油炸 must not join across 、
    assert search(conn, "operators", "点油") == []
    assert search(conn, "products", "芝麻糖") == ["p2"]
    assert search(conn, "products", "芝麻") == ["p1", "p2"]  # p1 by its ingredients
    assert search(conn, "products", "稷山麻花") == ["p1"]
    assert search(conn, "products", "永济牛肉饼") == ["p3"]
    assert search(conn, "brands", "清代") == ["b1"]  # in the story
    assert search(conn, "brands", "麻花", limit=0) == []
    assert search(conn, "brands", "  ") == []


def test_unsearchable_table_is_refused(random_db):
    with pytest.raises(ValueError, match="只能检索"):
        search(random_db, "penalties", "罚")


def test_datasette_words_become_phrases():
    assert escape_query("稷山麻花") == '"稷 山 麻 花"'
    assert escape_query('稷山 "麻花') == '"稷 山" "麻 花"'
    assert escape_query("麻花、") == '"麻 花 u3001"'
    assert escape_query('  "" ') == '""'


def test_search_on_the_demo_equals_substring_scan(tmp_path, demo_dir):
    path = tmp_path / "registry.db"
    build_database(Package.load(demo_dir), path)
    conn = sqlite3.connect(path)
    rng = random.Random(3)
    for table, (_pk, columns) in SEARCHABLE.items():
        texts = [t for r in conn.execute(f"select {', '.join(columns)} from {table}") for t in r if t]
        for _ in range(60):
            text = rng.choice(texts)
            n = rng.randint(1, 6)
            start = rng.randint(0, max(0, len(text) - n))
            q = text[start:start + n].strip()
            if q:
                expected = substring_scan(conn, table, q)
                assert expected and search(conn, table, q) == expected, (table, q)
