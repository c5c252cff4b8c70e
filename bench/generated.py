"""Generated registries the benchmarks share, cached under /tmp between runs, and made again when
the demo generator's code changed: a registry cached by older code may no longer validate (a
10,000-business registry from before the grade-licence rule had 445 refused grades) or may lack
new tables, and a benchmark would then measure a failure or yesterday's data."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from site_builder.build import fingerprint

ROOT = Path("/tmp")
SEED = 2026
STAMP = "bench-generator-code"


def registry(operators: int, path: Path | None = None, quiet: bool = False) -> Path:
    """The demo generator's registry of `operators` businesses (seed 2026) at `path`
    (default /tmp/zf-bench-<N>), generated unless the same generator code made it."""
    from site_builder.demo.data import write_demo_registry

    path = Path(path or ROOT / f"zf-bench-{operators}")
    code = fingerprint.of("site_builder.demo.data")
    stamp = path / STAMP
    if (path / "datapackage.json").is_file() and stamp.is_file() and stamp.read_text() == code:
        return path
    if path.exists():
        if not _is_demo(path):
            raise SystemExit(f"{path} exists and is not a generated demo registry; move it away")
        shutil.rmtree(path)
    started = time.perf_counter()
    write_demo_registry(path, operators=operators, seed=SEED)
    stamp.write_text(code)
    if not quiet:
        print(f"demo-data {operators} operators: {time.perf_counter() - started:.1f} s")
    return path


def _is_demo(path: Path) -> bool:
    """Whether `path` holds a registry the demo generator wrote (its descriptor says so)."""
    try:
        return json.loads((path / "datapackage.json").read_text(encoding="utf-8")).get("zuofang:demo") is True
    except (OSError, ValueError):
        return False
