"""The handbook stage: build time of the real handbook, and pages/s of this configuration at scale.

1. `build_handbook` for the bundled demo package: first build into an empty folder, an
   unchanged rebuild (inputs digest equal: mkdocs skipped), and a forced rebuild (mkdocs runs,
   writes nothing): median of 3 runs each.
2. mkdocs-material throughput with this handbook's configuration (zh-CN, jieba search, strict
   off, automatic nav) when the docs hold N pages: the 13 generated dictionary pages copied
   N/13 times (an earlier measurement on this machine kind: 26 pages/s at 1,000 pages).
Usage: python bench/bench_handbook.py [N ...]   (default: 200 1000)
"""
from __future__ import annotations

import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from site_builder.handbook import build as handbook
from site_builder.registry.package import Package


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def real_handbook(package: Package) -> None:
    firsts, rebuilds, forced = [], [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            dest = Path(tmp) / "handbook"
            firsts.append(timed(lambda: handbook.build_handbook(package, dest)))
            written = []
            rebuilds.append(timed(lambda: written.append(handbook.build_handbook(package, dest))))
            forced.append(timed(lambda: written.append(handbook.build_handbook(package, dest, force=True))))
            pages = len(list(dest.rglob("*.html")))
            size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    print(f"demo handbook: {pages} HTML pages, {size / 1e6:.1f} MB; first build {statistics.median(firsts):.2f} s "
          f"(median of 3); unchanged rebuild {statistics.median(rebuilds) * 1000:.0f} ms (skipped); "
          f"forced rebuild {statistics.median(forced):.2f} s writing {written[-1]} files")


def scaled(package: Package, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config_path = handbook.prepare_sources(package, Path(tmp) / "src")
        docs = config_path.parent / "docs"
        tables = sorted((docs / "dictionary").glob("*.md"))
        copies = 0
        while copies < n:
            for page in tables:
                if copies >= n:
                    break
                target = docs / "scale" / f"c{copies // len(tables)}" / page.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(page.read_text(encoding="utf-8").replace("](", "](../../dictionary/"), encoding="utf-8")
                copies += 1
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        config.pop("nav")  # automatic nav, as in that earlier measurement
        config["validation"] = {"nav": {"omitted_files": "ignore"}, "links": {"not_found": "ignore"}}
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        total = sum(1 for _ in docs.rglob("*.md"))
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        logging.getLogger("mkdocs").setLevel(logging.ERROR)
        started, cpu = time.perf_counter(), time.process_time()
        cfg = load_config(str(config_path), site_dir=str(Path(tmp) / "site"))
        cfg.plugins.on_startup(command="build", dirty=False)
        build(cfg)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        index = Path(tmp) / "site" / "search" / "search_index.json"
        # CPU time too: on a shared 2-core machine the wall clock also counts other processes.
        print(f"{total} pages: {elapsed:.1f} s wall ({total / elapsed:.0f} pages/s), {cpu:.1f} s CPU "
              f"({total / cpu:.0f} pages/s), "
              f"search_index.json {index.stat().st_size / 1e6:.1f} MB")


def main(sizes: list[int]) -> None:
    package = Package.load(REPO / "data")
    real_handbook(package)
    for n in sizes:
        scaled(package, n)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [200, 1000])
