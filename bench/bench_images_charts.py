"""What photos and charts cost: the images stage and the charts at N businesses, and the heaviest
page's weight with and without its images.

Photos: the demo registry names only its six drawings (on a few brands and their products, at any
size), so `--photos K` also gives the first K active products a phone photo each (4032 × 3024
JPEG with EXIF and GPS, as a phone writes it; distinct pixels, so none is a copy of another),
the load a bureau that photographs its workshops' goods would bring. Three builds of the stages
that show photos (database, images, site): into an empty OUT_DIR; again unchanged (every photo
kept: a stat per photo); and after one photo is replaced (one decoded and encoded again, its
pages rendered again).

Charts: each chart function timed over the whole registry as the site stage calls it (the grade
timeline on every business page, the three charts of every region page, the counties on
/grades/), and the bytes they add to the pages; then the first build's site stage again with
the charts left out (same process, the same registry), for the stage's own difference.

Weight: every page's HTML (the CSS is inlined), raw and gzipped, and the images a 360-px phone
at twice the density loads for it (the WebP each <picture>'s srcset and sizes pick: the smallest
at least as wide as the slot's device pixels, which is what Chromium chose in
tests/test_browser_tourist.py), for the heaviest page with and without images.
Usage: python bench/bench_images_charts.py [N] [--photos K]   (default: 10000, 0)
"""
from __future__ import annotations

import csv
import gzip
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated import registry as generated  # noqa: E402 (bench/ is not a package)


def registry(n: int) -> Path:
    """The generated registry of `n` businesses, in a cache of this benchmark's own (the shared
    /tmp/zf-bench-<N> is made again by whichever branch's generator runs last)."""
    return generated(n, Path(f"/tmp/zf-bench-images-{n}"))

PHOTO_STAGES = ("database", "images", "site")
PHONE_CSS_PX, DENSITY, REM = 360, 2, 16


def phone_photo(path: Path, seed: int) -> None:
    """A 12-megapixel JPEG as a phone writes it (EXIF, GPS), of its own pixels."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(seed)
    small = Image.effect_noise((504, 378), 60).convert("RGB")
    draw = ImageDraw.Draw(small)
    for _ in range(40):
        x, y = rnd.randrange(504), rnd.randrange(378)
        draw.ellipse((x, y, x + rnd.randrange(20, 120), y + rnd.randrange(20, 90)),
                     fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    image = small.filter(ImageFilter.GaussianBlur(2)).resize((4032, 3024), Image.Resampling.BICUBIC)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "PhoneMaker", "Phone 15 Pro", 1
    exif.get_ifd(0x8825).update({1: "N", 2: (35.0, 36.0, 1.2), 3: "E", 4: (110.0, 58.0, 3.4)})
    image.save(path, "JPEG", exif=exif.tobytes(), quality=88)


def give_photos(data: Path, count: int) -> list[str]:
    """The first `count` active products without a photo get one; returns the file names."""
    path = data / "products.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    names = []
    for row in rows:
        if len(names) == count:
            break
        if row["status"] == "active" and not row.get("photo"):
            name = f"bench-{len(names):05d}.jpg"
            row.update(photo=name, photo_alt=f"{row['name']}（基准测试照片）", photo_credit="基准测试 benchmark")
            names.append(name)
    (data / "photos").mkdir(exist_ok=True)
    cache = Path("/tmp/zf-bench-photos")
    cache.mkdir(exist_ok=True)
    for n, name in enumerate(names):
        cached = cache / name
        if not cached.is_file():
            phone_photo(cached, n)
        shutil.copyfile(cached, data / "photos" / name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return names


def timed_build(data: Path, out: Path):
    from site_builder.build import pipeline

    stages = [s for s in pipeline.STAGES if s[0] in PHOTO_STAGES]
    saved, pipeline.STAGES = pipeline.STAGES, stages
    try:
        started, cpu = time.perf_counter(), time.process_time()
        ctx = pipeline.build(data, out)
        return time.perf_counter() - started, time.process_time() - cpu, ctx
    finally:
        pipeline.STAGES = saved


def describe(label: str, run) -> str:
    seconds, cpu, ctx = run
    stages = ", ".join(f"{name} {s:.1f}" for name, s in ctx.timings.items())
    photos = ctx.photos
    return (f"{label}: {seconds:.1f} s wall ({cpu:.1f} s CPU in this process) = stages [{stages}] s; "
            f"photos made {photos.made}, kept {photos.kept}; record pages rendered {ctx.pages['records']:,}")


def time_charts(db: Path) -> str:
    """Each chart over the whole registry, as the pages call it."""
    import sqlite3
    from datetime import date

    from site_builder.site import charts, lists
    from site_builder.site.registry import load_registry

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    release = date.fromisoformat(conn.execute("SELECT release_date FROM _build").fetchone()[0])
    conn.close()
    loaded, without_trends = [], []
    for _ in range(2):  # the first read also warms the page cache: the better of two
        started = time.perf_counter()
        load_registry(db, release, with_trends=False)
        without_trends.append(time.perf_counter() - started)
        started = time.perf_counter()
        reg = load_registry(db, release)
        loaded.append(time.perf_counter() - started)
    loaded, without_trends = min(loaded), min(without_trends)
    started = time.perf_counter()
    timeline_bytes = 0
    for op_id in reg.operators:
        timeline_bytes += len(charts.grade_timeline(reg.grades_by_operator.get(op_id, []), reg.release_date))
    timelines = time.perf_counter() - started
    started = time.perf_counter()
    region_bytes = 0
    for code in reg.regions:
        year, figures, _counts = lists._figure_rows(reg, code)
        trend = lists._trend(reg, code)
        region_bytes += sum(len(c) for c in (charts.metrics(figures, year), charts.grade_trend(trend),
                                             charts.pass_rate_trend(trend)))
    regions = time.perf_counter() - started
    started = time.perf_counter()
    _address, _template, context = lists.grades_page(reg)
    county = time.perf_counter() - started
    return (f"charts over {len(reg.operators):,} businesses and {len(reg.regions)} regions: grade timelines "
            f"{timelines:.2f} s ({timeline_bytes / max(len(reg.operators), 1):,.0f} bytes a business page, "
            f"{timeline_bytes / 1e6:.1f} MB in all); region charts {regions:.2f} s ({region_bytes / 1024:,.0f} KB in all); "
            f"/grades/ (page context with its chart) {county * 1000:.0f} ms ({len(context['chart']):,} bytes); "
            f"reading registry.db with the regions' years {loaded:.1f} s, without {without_trends:.1f} s")


def site_without_charts(data: Path, out: Path) -> str:
    """The site stage from scratch, once with the charts and once without (empty markup)."""
    from markupsafe import Markup

    from site_builder.site import charts

    with_charts = timed_build(data, out)[2].timings["site"]
    shutil.rmtree(out)
    saved = {name: getattr(charts, name) for name in ("grade_timeline", "metrics", "grade_trend",
                                                      "pass_rate_trend", "county_grades")}
    for name in saved:
        setattr(charts, name, lambda *a, **k: Markup(""))
    try:
        without = timed_build(data, out)[2].timings["site"]
    finally:
        for name, fn in saved.items():
            setattr(charts, name, fn)
    return f"site stage from scratch: {with_charts:.1f} s with the charts, {without:.1f} s without"


def _slot_px(sizes: str) -> float:
    """The CSS width a `sizes` attribute gives on a 360-px screen."""
    for part in sizes.split(","):
        part = part.strip()
        match = re.match(r"\(min-width:\s*([\d.]+)rem\)\s+(.*)", part)
        if match:
            if PHONE_CSS_PX >= float(match.group(1)) * REM:
                return _length(match.group(2))
            continue
        return _length(part)
    return PHONE_CSS_PX


def _length(value: str) -> float:
    value = value.strip()
    if value.endswith("vw"):
        return PHONE_CSS_PX * float(value[:-2]) / 100
    return float(value[:-3]) * REM  # rem


def page_weights(site: Path) -> str:
    """The heaviest pages by HTML, and by HTML plus the images a 360-px phone at 2x loads."""
    rows = []
    for html_path in site.rglob("*.html"):
        html = html_path.read_bytes()
        images = 0
        for srcset, sizes in re.findall(rb'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)"', html):
            want = _slot_px(sizes.decode()) * DENSITY
            candidates = sorted((int(w), url) for url, w in re.findall(r"(\S+) (\d+)w", srcset.decode()))
            width, url = next(((w, u) for w, u in candidates if w >= want), candidates[-1])
            images += (site / url.split("?")[0].lstrip("/")).stat().st_size
        rows.append((len(html), len(gzip.compress(html, 9)), images, str(html_path.relative_to(site))))
    by_html = max(rows, key=lambda r: r[1])
    by_all = max(rows, key=lambda r: r[1] + r[2])

    def said(r):
        return (f"{r[3]}: without images {r[0]:,} bytes, {r[1]:,} gzipped; its images {r[2]:,} bytes (WebP, which "
                f"gzip does not shrink); with images {r[0] + r[2]:,} bytes, {r[1] + r[2]:,} with the HTML gzipped")
    return (f"{len(rows):,} pages; heaviest without images: {said(by_html)}\n"
            f"                  heaviest with its images: {said(by_all)}")


def main(args: list[str]) -> None:
    sizes = [int(a) for a in args if a.isdigit()]
    n = sizes[0] if sizes else 10000
    count = int(args[args.index("--photos") + 1]) if "--photos" in args else 0
    with tempfile.TemporaryDirectory(prefix=f"zf-bench-images-{n}-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(registry(n), data)
        started = time.perf_counter()
        names = give_photos(data, count) if count else []
        if names:
            print(f"{n:>6} businesses: {len(names)} phone photos placed ({time.perf_counter() - started:.0f} s, "
                  f"{sum((data / 'photos' / x).stat().st_size for x in names) / 1e6:.0f} MB)", flush=True)
        out = Path(tmp) / "out"
        named = len(list((data / "photos").iterdir())) if (data / "photos").is_dir() else 0
        print(f"{n:>6} businesses: {named} photo files named by the registry", flush=True)
        print(f"{n:>6} businesses: {describe('first build', timed_build(data, out))}", flush=True)
        print(f"{n:>6} businesses: {describe('unchanged rebuild', timed_build(data, out))}", flush=True)
        replaced = names[0] if names else None
        if replaced:
            phone_photo(data / "photos" / replaced, 99999)
            print(f"{n:>6} businesses: {describe(f'rebuild after replacing {replaced}', timed_build(data, out))}",
                  flush=True)
        print(f"{n:>6} businesses: {page_weights(out / 'site')}", flush=True)
        print(f"{n:>6} businesses: {time_charts(out / 'registry.db')}", flush=True)
        print(f"{n:>6} businesses: {site_without_charts(data, Path(tmp) / 'fresh')}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
