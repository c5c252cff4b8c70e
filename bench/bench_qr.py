"""Benchmark of the QR stage: codes per second (matrix, PNG, SVG), the demo's whole stage,
and a large generated registry (codes for every product, PDFs for a sample of workshops).

    .venv/bin/python bench/bench_qr.py                      # demo + 50,000 operators
    .venv/bin/python bench/bench_qr.py --operators 5000 --pdf-sample 100
    .venv/bin/python bench/bench_qr.py --operators 0 --registry /tmp/zf-bench-10000   # the whole stage on a registry

--registry times build_codes on that registry (its registry.db made once under --work): the first
run into an empty folder (codes, print pages, GS1 pages, guide; no PDFs), with its peak memory and
the machine's load.

The large registry and its registry.db are kept under --work between runs. Drawing every
workshop's two PDFs at 50,000 operators takes about an hour on 2 cores, so PDFs are timed on
--pdf-sample workshops and the full figure is extrapolated (printed as such).
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qrcode  # noqa: E402
import qrcode.image.svg  # noqa: E402

from qr import codes, drawing, fonts, labels, posters, print_pages, records  # noqa: E402
from qr.build import _printed_chars, build_codes  # noqa: E402
from site_builder import urls  # noqa: E402
from site_builder.build.files import Files  # noqa: E402
from site_builder.database.build import build_database  # noqa: E402
from site_builder.registry.package import Package  # noqa: E402


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s ({seconds:.2f} s for {n:,})"


def codes_per_second(addresses: list[str]) -> None:
    t = time.perf_counter()
    matrices = [codes.make_matrix(a) for a in addresses]
    t_matrix = time.perf_counter() - t
    t = time.perf_counter()
    for m in matrices:
        codes.png_bytes(m)
    t_png = time.perf_counter() - t
    t = time.perf_counter()
    for m in matrices:
        codes.svg_text(m)
    t_svg = time.perf_counter() - t
    n = len(addresses)
    print(f"  matrix (qr/masks.py)        {rate(n, t_matrix)}")
    print(f"  PNG from matrix (pypng)      {rate(n, t_png)}")
    print(f"  SVG from matrix (own path)   {rate(n, t_svg)}")
    print(f"  code = matrix + PNG + SVG    {rate(n, t_matrix + t_png + t_svg)}")
    workers = drawing.default_workers()
    if workers > 1:
        t = time.perf_counter()
        facts = print_pages.Facts(False, "", "", False)
        for _ in drawing.run(_address_code, addresses, workers, records.Registry(
                release_date=None, demo=False, site_url="", products=[], workshops=[]), None, facts):
            pass
        print(f"  code, {workers} worker processes  {rate(n, time.perf_counter() - t)}")
    versions = sorted({(m.version, m.symbol_size) for m in matrices})
    print(f"  versions (version, modules): {versions}")
    sample = addresses[:200]
    for label, factory in (("PNG", None), ("SVG path", qrcode.image.svg.SvgPathImage)):
        t = time.perf_counter()
        for a in sample:
            qr = qrcode.QRCode(error_correction=codes.ERROR_CORRECTION, border=4, image_factory=factory)
            qr.add_data(a)
            qr.make(fit=True)
            qr.make_image().save(io.BytesIO())
        print(f"  for comparison, qrcode's own {label} image factory (matrix again per image): "
              f"{rate(len(sample), time.perf_counter() - t)}")


def _address_code(_drawing, address: str) -> tuple[bytes, str]:
    """One code's matrix, PNG and SVG, as a worker makes them (drawing.draw does per product)."""
    matrix = codes.make_matrix(address)
    return codes.png_bytes(matrix), codes.svg_text(matrix)


def stage(db: Path, site_url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        runs = [("first run, 1 process", 1, site), ("rerun (nothing changed)", 1, site)]
        if drawing.default_workers() > 1:
            runs.append((f"first run, {drawing.default_workers()} worker processes", None, Path(tmp) / "site2"))
        for run, workers, folder in runs:
            t = time.perf_counter()
            s = build_codes(db, folder, site_url, workers=workers, files=Files())
            total = time.perf_counter() - t
            parts = ", ".join(f"{k} {v:.2f} s" for k, v in s.seconds.items())
            print(f"  {run}: {total:.2f} s ({parts}); {s.codes} codes, {s.workshops} workshops "
                  f"({2 * s.workshops} print pages), {s.gs1_pages} GS1 pages; written {s.written}, reused {s.reused}")
            if s.versions:
                print(f"    versions (version, modules): {dict(s.versions)}")


def large(work: Path, operators: int, pdf_sample: int, codes_too: bool = True) -> None:
    from generated import registry as generated

    data, db = generated(operators, work / f"registry-{operators}"), work / f"registry-{operators}.db"
    t = time.perf_counter()
    how = build_database(Package.load(data), db)  # kept when the same code made it from the same rows
    print(f"  registry.db {how}: {time.perf_counter() - t:.1f} s")
    registry = records.load(db)
    print(f"  {len(registry.products):,} products, {len(registry.workshops):,} workshops")
    if codes_too:
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(tmp)
            t = time.perf_counter()
            workers = drawing.default_workers()
            jobs = [drawing.Job((p.code,)) for p in registry.products]
            facts = print_pages.Facts(registry.demo, registry.release_date.isoformat(), registry.site_url, False)
            results = drawing.run(drawing.draw, jobs, workers, registry, None, facts)
            files = Files()
            for p, drawn in zip(registry.products, results, strict=True):
                png, svg = drawn.content[f"png:{p.code}"], drawn.content[f"svg:{p.code}"]
                files.write_if_changed(site / urls.output_path(urls.qr_file(p.code, "png")), png)
                files.write_if_changed(site / urls.output_path(urls.qr_file(p.code, "svg")), svg)
            print(f"  codes (matrix + PNG + SVG, written; {workers} workers): "
                  f"{rate(len(registry.products), time.perf_counter() - t)}")
    t = time.perf_counter()
    font = fonts.SubsetFont(_printed_chars(registry)).__enter__()
    print(f"  CJK font cut to {len(font.chars):,} characters: {time.perf_counter() - t:.1f} s")
    sample = random.Random(1).sample(registry.workshops, min(pdf_sample, len(registry.workshops)))
    t = time.perf_counter()
    for w in sample:
        products = registry.products_of(w.id)
        matrices = {p.code: codes.make_matrix(urls.absolute(registry.site_url, urls.product(p.code))) for p in products}
        labels.label_sheet(w, products, matrices, registry, font.add_to)
        posters.poster(w, codes.make_matrix(urls.absolute(registry.site_url, urls.operator(w.id))), registry,
                       font.add_to)
    per = (time.perf_counter() - t) / len(sample)
    font.__exit__(None, None, None)
    full = per * len(registry.workshops) / 60
    print(f"  sheet + poster per workshop (incl. its codes), 1 process: {per * 1000:.0f} ms on {len(sample)} "
          f"workshops; extrapolated for all {len(registry.workshops):,}: {full:.0f} min in 1 process, "
          f"~{full / drawing.default_workers():.0f} min with {drawing.default_workers()} workers")


def whole_stage(registry_dir: Path, work: Path) -> None:
    """build_codes on `registry_dir` into an empty folder: seconds, peak memory, load."""
    import resource

    db = work / f"{registry_dir.name}.db"
    t = time.perf_counter()
    how = build_database(Package.load(registry_dir), db)
    print(f"  registry.db {how}: {time.perf_counter() - t:.1f} s")
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        t = time.perf_counter()
        s = build_codes(db, Path(tmp) / "site", files=Files())
        total = time.perf_counter() - t
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in s.seconds.items())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  build_codes: {total:.1f} s ({parts}); {s.codes:,} codes, {s.workshops:,} workshops, "
          f"{s.gs1_pages:,} GS1 pages, {s.written:,} files written")
    print(f"  peak RSS: this process {own:,.0f} MB, largest worker {workers:,.0f} MB; "
          f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=50000)
    parser.add_argument("--pdf-sample", type=int, default=200)
    parser.add_argument("--pdf-only", action="store_true", help="skip the large registry's codes")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "zuofang-bench-qr")
    parser.add_argument("--registry", type=Path, help="time the whole QR stage on this registry folder")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (figures scale with it)")
    if args.registry:
        print(f"Whole QR stage on {args.registry}:")
        whole_stage(args.registry, args.work)
        return
    demo = Package.load(ROOT / "data")
    db = args.work / "demo.db"
    build_database(demo, db)
    registry = records.load(db)
    print(f"QR codes per second, {len(registry.products):,} demo addresses ({demo.site_url}/p/<code>/):")
    codes_per_second([urls.absolute(demo.site_url, urls.product(p.code)) for p in registry.products])
    print("Demo QR stage (build_codes):")
    stage(db, demo.site_url)
    if args.operators:
        print(f"Generated registry, {args.operators:,} operators:")
        large(args.work, args.operators, args.pdf_sample, codes_too=not args.pdf_only)


if __name__ == "__main__":
    main()
