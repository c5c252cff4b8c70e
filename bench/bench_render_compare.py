"""The same product pages (/p/<code>/) made three ways, each on one core, printed as ratios:
Zuofang's renderer (registry.db -> Registry -> product.html, as the site stage renders them),
Hugo (Debian's `hugo`, from one content file per product holding the same facts, with a layout
of the same parts: head, inline CSS, navigation, demonstration notice, verdict, facts, samplings,
footer) and a bare Jinja loop over the same facts with a template of those parts.

So a claim such as "faster than Hugo" is checked on every run rather than repeated. Zuofang's
time includes reading registry.db and building each page's context; Hugo's includes reading its
content files (writing them is not timed); the loop's includes nothing but rendering and writing.
Needs `hugo` (scripts/ensure-debian-packages hugo).
Usage: python bench/bench_render_compare.py [OPERATORS]   (default 10000)
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jinja2 import Environment

from site_builder import urls, vocabulary
from site_builder.database.build import build_database
from site_builder.registry.package import Package
from site_builder.site.pages import product_pages
from site_builder.site.registry import load_registry
from site_builder.site.render import CSS_FILE, NAV, Renderer

#: One page's parts, the same in Hugo's layout and the Jinja loop's template.
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{name} · 产品溯源</title><style>{css}</style></head>
<body><header><nav>{nav}</nav></header><p class="demo">{demo}</p>
<main><p class="verdict">{verdict}</p><h1>{name}</h1>
<dl><dt>类别 Category</dt><dd>{category}</dd><dt>规格</dt><dd>{spec}</dd><dt>生产者 Maker</dt><dd><a href="{maker_url}">{maker}</a></dd>
<dt>地址</dt><dd>{maker_address}</dd><dt>状态 Status</dt><dd>{status}</dd><dt>量化分级</dt><dd>{grade}</dd></dl>
<h2>抽检 Sampling</h2><ul>{samplings}</ul></main><footer>{footer}</footer></body></html>
"""
HUGO_LOOP = "{{ range .Params.samplings }}<li>{{ .date }} {{ .result }}</li>{{ end }}"
JINJA_LOOP = "{% for s in samplings %}<li>{{ s.date }} {{ s.result }}</li>{% endfor %}"
FIELDS = ("name", "category", "spec", "maker", "maker_url", "maker_address", "status", "grade", "verdict")


def facts(reg, site_url: str) -> list[dict]:
    """What each product page shows, as plain values (the content Hugo and the loop are given)."""
    out = []
    for address, _, c in product_pages(reg, site_url):
        p, op, grade = c["p"], c["op"] or {}, c["grade"] or {}
        out.append({"address": address, "name": p["name"], "category": p.get("category") or "",
                    "spec": p.get("spec") or "", "maker": op.get("name", ""), "maker_url": urls.operator(op.get("id", "")),
                    "maker_address": op.get("address") or "", "status": vocabulary.PRODUCT_STATUS[p["status"]].zh,
                    "grade": grade.get("grade") or "未评级", "verdict": c["verdict"].zh,
                    "samplings": [{"date": s.get("sampled_on", ""), "result": s.get("result", "")} for s in c["samplings"]]})
    return out


def chrome() -> dict:
    nav = "".join(f'<a href="{href}">{zh} <span lang="en">{en}</span></a>' for href, zh, en in NAV)
    return {"css": CSS_FILE.read_text(encoding="utf-8"), "nav": nav, "demo": vocabulary.DEMO_NOTICE.zh,
            "footer": "数据来源：市场监督管理局 · 开放数据"}


def zuofang_round(db: Path, package: Package, out: Path) -> tuple[float, int]:
    started = time.perf_counter()
    reg = load_registry(db, package.release_date)
    renderer = Renderer(package)
    print(f"  (zuofang: reading registry.db and the theme {time.perf_counter() - started:.2f} s)")
    written = 0
    for address, template, context in product_pages(reg, package.site_url):
        path = out / urls.output_path(address)
        path.parent.mkdir(parents=True, exist_ok=True)
        written += path.write_text(renderer.render(template, **context), encoding="utf-8")
    return time.perf_counter() - started, written


def hugo_round(pages: list[dict], parts: dict, work: Path) -> tuple[float, int]:
    site = work / "hugo"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "content" / "p").mkdir(parents=True)
    (site / "hugo.json").write_text(json.dumps({
        "baseURL": "https://zuofang.example/", "disableKinds": ["taxonomy", "term", "RSS", "sitemap", "robotsTXT",
                                                                "404", "home", "section"],
        "uglyURLs": False, "params": parts}), encoding="utf-8")
    layout = PAGE
    for field in FIELDS:
        layout = layout.replace("{" + field + "}", "{{ .Params.%s }}" % field)
    layout = layout.replace("{samplings}", HUGO_LOOP)
    for part in parts:  # the shared parts as they are (Hugo escapes by context: CSS needs safeCSS)
        layout = layout.replace("{" + part + "}", "{{ site.Params.%s | %s }}" % (part, "safeCSS" if part == "css" else "safeHTML"))
    (site / "layouts" / "_default" / "single.html").write_text(layout, encoding="utf-8")
    for page in pages:
        code = page["address"].strip("/").split("/")[-1]
        front = {k: v for k, v in page.items() if k != "address"} | {"url": page["address"]}
        (site / "content" / "p" / f"{code}.md").write_text(json.dumps(front, ensure_ascii=False) + "\n", encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(["hugo", "--quiet", "--source", str(site), "--destination", str(work / "hugo-out")],
                   check=True, env={**os.environ, "GOMAXPROCS": "1"})
    seconds = time.perf_counter() - started
    return seconds, sum(p.stat().st_size for p in (work / "hugo-out").rglob("*.html"))


def jinja_round(pages: list[dict], parts: dict, out: Path) -> tuple[float, int]:
    source = PAGE.replace("{samplings}", JINJA_LOOP)
    for field in (*FIELDS, *parts):
        source = source.replace("{" + field + "}", "{{ %s }}" % field)
    env = Environment(autoescape=True)
    template = env.from_string(source)
    from markupsafe import Markup

    safe = {k: Markup(v) for k, v in parts.items()}
    started = time.perf_counter()
    written = 0
    for page in pages:
        path = out / urls.output_path(page["address"])
        path.parent.mkdir(parents=True, exist_ok=True)
        written += path.write_text(template.render(**page, **safe), encoding="utf-8")
    return time.perf_counter() - started, written


def main(n: int) -> int:
    if not shutil.which("hugo"):
        print("hugo is not installed: scripts/ensure-debian-packages hugo")
        return 1
    from generated import registry

    load = open("/proc/loadavg").read().split()[0]
    data = registry(n)
    with tempfile.TemporaryDirectory(prefix=f"zf-render-compare-{n}-") as tmp:
        work = Path(tmp)
        package = Package.load(data)
        build_database(package, work / "db" / "registry.db")
        db = work / "db" / "registry.db"
        pages = facts(load_registry(db, package.release_date), package.site_url)
        parts = chrome()
        hugo_version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
        rounds = {"zuofang": zuofang_round(db, package, work / "zuofang"),
                  f"hugo {hugo_version}": hugo_round(pages, parts, work),
                  "bare jinja loop": jinja_round(pages, parts, work / "jinja")}
    base = rounds["zuofang"][0]
    print(f"{len(pages):,} product pages of {n:,} operators, one core each; load average at start {load}")
    for name, (seconds, size) in rounds.items():
        print(f"  {name:<22} {seconds:7.2f} s  {len(pages) / seconds:8,.0f} pages/s  "
              f"{size / len(pages) / 1024:5.1f} KB a page  {seconds / base:5.2f}x Zuofang's time")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000))
