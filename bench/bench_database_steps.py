"""registry.db step by step: where a fresh build's time goes (loading the tables, the derived
tables, the facet counts, the search indexes, ANALYZE) and where an update's goes after one
product is renamed (the previous database copied, the changed table reloaded, the rest).

Each step is timed by wrapping the function that does it; the remainder of the total is mostly
VACUUM INTO. The registry is generated once per size (bench/generated.py).
Usage: python bench/bench_database_steps.py [N ...]   (default: 10000)
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from site_builder.database import about, derived, fts, views
from site_builder.database import build as database
from site_builder.registry.package import Package

STEPS = [(database, "load_table"), (database, "_reload"), (views, "create_views"),
         (derived, "fill_derived_tables"), (about, "write_facet_counts"), (fts, "build_search_index"),
         (database, "analyze"), (shutil, "copyfile")]


def timed_steps() -> dict[str, float]:
    """Wrap each step so that its time adds up in the dict returned."""
    spent: dict[str, float] = {}
    for module, name in STEPS:
        real = getattr(module, name)

        def wrapper(*args, _real=real, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _real(*args, **kwargs)
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.perf_counter() - started

        setattr(module, name, wrapper)
    return spent


def show(label: str, n: int, total: float, spent: dict[str, float]) -> None:
    steps = ", ".join(f"{name} {s:.1f}" for name, s in spent.items() if s >= 0.05)
    print(f"{n:>6} operators: {label}: {total:.1f} s = {steps}, the rest {total - sum(spent.values()):.1f} s",
          flush=True)


def main(sizes: list[int]) -> None:
    from bench_site import registry, rename_one_product

    print(f"load average at the start: {open('/proc/loadavg').read().split()[0]}", flush=True)
    spent = timed_steps()
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"zf-bench-db-{n}-") as tmp:
            data = Path(shutil.copytree(registry(n), Path(tmp) / "data"))
            fresh, updated = Path(tmp) / "fresh" / "registry.db", Path(tmp) / "updated" / "registry.db"
            for path in (fresh, updated):
                path.parent.mkdir()
            spent.clear()
            started = time.perf_counter()
            database._build(Package.load(data), fresh, None)
            show("fresh build", n, time.perf_counter() - started, spent)
            rename_one_product(data)
            spent.clear()
            started = time.perf_counter()
            database._build(Package.load(data), updated, fresh)
            show("update after one product renamed", n, time.perf_counter() - started, spent)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main([int(a) for a in sys.argv[1:]] or [10000])
