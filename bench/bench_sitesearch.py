"""Benchmark of the static site search: index build time, index and shard sizes, what a query
fetches on a cold cache, and exactness against a brute-force scan, on a generated registry.

    .venv/bin/python bench/bench_sitesearch.py --operators 10000 [--search-only]

Takes the generated registry (bench/generated.py: /tmp/zf-bench-<N>, made when missing) and
builds registry.db under --work (kept between runs), then times search.write_search_index into a
fresh folder and prints, per query, the files and bytes (raw and gzipped) search.js fetches for
the first page of results on a cold cache (meta.json, gram files, record files) and for each
further page (显示更多: the files not fetched yet), as index.query() reads them; then times
publish_package, build_changes and check_and_record (the other steps of the site stage).
"""
from __future__ import annotations

import argparse
import gzip
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from site_builder.database.build import build_database
from site_builder.registry.package import Package
from site_builder import search  # noqa: E402
from site_builder.search import index as sitesearch

QUERIES = ["麻花", "芝麻糖", "稷山", "mahua", "稷山麻花", "永济牛肉饼", "锅巴", "闻喜煮饼", "县", "作坊", "（演示）",
           "jishan", "sesame candy"]
PAGES = 3  # the first page and two 显示更多


def prepare(work: Path, operators: int) -> Path:
    from generated import registry as generated

    data, db = generated(operators), work / f"registry-{operators}.db"
    t = time.perf_counter()
    how = build_database(Package.load(data), db)  # kept when the same code made it from the same rows
    print(f"registry.db {how}: {time.perf_counter() - t:.1f} s")
    return db


def brute_force(fields: list[list[str]], q: str) -> int:
    """Records where every term of `q` is inside one searchable field (read_docs' text)."""
    terms = sitesearch.terms(q)
    return sum(all(any(t in v for v in values) for t in terms) for values in fields)


def fetched(site: Path, q: str, page: int, pages: int = PAGES) -> list[tuple[int, int, int]]:
    """(files, raw bytes, gzipped bytes) search.js fetches for each page of `page` results of
    `q`: the first on a cold cache, each further one only what it had not fetched yet."""
    index = sitesearch._Index(site)
    root, seen, out = site / sitesearch.INDEX_DIR, 0, []
    for n in range(pages):
        if not sitesearch.query(site, q, n * page, (n + 1) * page, index=index) and n:
            break
        blobs = [(root / name).read_bytes() for name in index.fetched[seen:]]
        seen = len(index.fetched)
        out.append((len(blobs), sum(map(len, blobs)), sum(len(gzip.compress(b)) for b in blobs)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=50000)
    parser.add_argument("--search-only", action="store_true",
                        help="skip timing the other /data/ steps (downloads, changes page, address record)")
    parser.add_argument("--page", type=int, default=sitesearch.PAGE, help="results a page shows")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "zuofang-bench-sitesearch")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db = prepare(args.work, args.operators)

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        t = time.perf_counter()
        search.write_search_index(db, site)
        took = time.perf_counter() - t
        root = site / sitesearch.INDEX_DIR
        grams = sorted(p.stat().st_size for p in (root / "g").rglob("*.json"))
        docs = sorted(p.stat().st_size for p in (root / "d").iterdir())
        index = sitesearch._Index(site)
        meta = index.meta
        print(f"operators {args.operators}: {meta['docs']} records indexed in {took:.1f} s, "
              f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        print(f"index total {(sum(grams) + sum(docs)) / 1e6:.1f} MB: {len(grams)} gram files "
              f"({meta['buckets']} buckets, {len(grams) - meta['buckets']} grams alone) "
              f"(median {statistics.median(grams) / 1e3:.1f} KB, max {grams[-1] / 1e3:.1f} KB, "
              f"total {sum(grams) / 1e6:.1f} MB), {len(docs)} record files "
              f"(median {statistics.median(docs) / 1e3:.1f} KB, max {docs[-1] / 1e3:.1f} KB)")
        fields = [d.text.split("\n") for d in sitesearch.read_docs(db)]
        print(f"pages of {args.page} results: files, KB fetched (raw / gzipped); the first page on a cold cache "
              f"(meta + gram files + record files), each further one what it adds")
        print(f"{'query':<13} {'hits':>6} {'brute':>6} {'ms':>6}  {'first page':<22} further pages")
        for q in QUERIES:
            t = time.perf_counter()
            ids = sitesearch.match_ids(sitesearch._Index(site), q)
            ms = (time.perf_counter() - t) * 1000
            pages = [f"{n} files {raw / 1e3:.1f} / {gz / 1e3:.1f}" for n, raw, gz in fetched(site, q, args.page)]
            print(f"{q:<13} {len(ids):>6} {brute_force(fields, q):>6} {ms:>6.1f}  {pages[0]:<22} {'; '.join(pages[1:])}")
    if not args.search_only:
        bench_publish(args.work / f"registry-{args.operators}", db)


def bench_publish(data: Path, db: Path) -> None:
    """publish_package, build_changes and check_and_record on the same registry."""
    import os
    from types import SimpleNamespace

    from site_builder.publish import build as publish
    from site_builder.build import permanence
    from site_builder.build.files import Files
    from site_builder.site import changes, render

    package = Package.load(data)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        os.link(db, out / "registry.db")
        ctx = SimpleNamespace(package=package, stage_dir=out, site_dir=out / "site", db_path=out / "registry.db",
                              previous_dir=None, files=Files())
        steps = [
            ("publish_package", lambda: publish.publish_package(package, ctx.db_path, ctx.site_dir, ctx.files)),
            ("build_changes", lambda: changes.build_changes(ctx, render.Renderer(package).render)),
            ("check_and_record", lambda: permanence.check_and_record(permanence.registry_addresses(db), ctx)),
        ]
        for name, run in steps:
            t = time.perf_counter()
            run()
            print(f"{name}: {time.perf_counter() - t:.1f} s")
        data_dir = ctx.site_dir / publish.DATA_DIR
        sizes = {p.name: p.stat().st_size for p in data_dir.iterdir()}
        csv_total = sum(v for k, v in sizes.items() if k.endswith(".csv"))
        print(f"/data/: CSV {csv_total / 1e6:.1f} MB, {publish.ZIP_NAME} {sizes[publish.ZIP_NAME] / 1e6:.1f} MB, "
              f"changes.json {sizes['changes.json'] / 1e3:.1f} KB, "
              f"addresses.txt {sizes['addresses.txt'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
