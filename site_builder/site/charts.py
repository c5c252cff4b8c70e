"""Charts drawn at build time as inline SVG: no script, no chart library, nothing to load.

A page is read on a phone over a slow network, and a chart library (or a plotting library run
at build time) would send tens of kilobytes per chart: each chart here is a few hundred bytes
of rectangles and text per row, written as a string (the grade timeline is drawn on every
business page, 10,000s of them). What a chart says is said in words too: every <svg> is an
image named by its <title> and <desc> (what a screen reader reads), and the page holds the
same figures in a table or list beside it.

Colours are a ladder of lightness (dark, mid, light, white), so grades stay apart in a
greyscale print, and each bar segment wide enough carries its letter or number; a target is a
black line, and whether it was met is written out (达标 / 未达标), never only coloured.
"""
from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from ..vocabulary import GRADE_VOID, GRADES, NOT_GRADED, zh_date

#: Grade -> (fill, text colour): lightness falls A, B, C, none (0.09, 0.37, 0.59, 0.91).
GRADE_FILLS = {"A": ("#1f5f2e", "#fff"), "B": ("#7fae84", "#1a1a1a"), "C": ("#f0c36a", "#1a1a1a"),
               "none": ("#f4f4f4", "#1a1a1a")}
GRADE_KEYS = ("A", "B", "C", "none")
BAR = "#3d5a80"      # a measured value
INK = "#1a1a1a"
MUTED = "#4d4d4d"
LINE = "#767676"
WIDTH = 360          # every chart's viewBox width; it scales to the column


def grade_label(key: str) -> str:
    return f"{key} 级 {GRADES[key].zh}" if key in GRADES else NOT_GRADED.zh


def _svg(chart_id: str, height: float, title: str, desc: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg viewBox="0 0 {WIDTH} {height:g}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-size="12" font-family="system-ui,sans-serif">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def _figure(svg: Markup, caption: str) -> Markup:
    return Markup(f'<figure class="chart">{svg}<figcaption>{escape(caption)}</figcaption></figure>')


def _text(x: float, y: float, text: str, fill: str = INK, anchor: str = "start", weight: str = "") -> str:
    bold = ' font-weight="700"' if weight else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" fill="{fill}" text-anchor="{anchor}"{bold}>{escape(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, stroke: str | None = None) -> str:
    edge = f' stroke="{stroke}"' if stroke else ""
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(h)}" fill="{fill}"{edge}/>'


def _n(value: float) -> str:
    """A coordinate to a tenth of a unit, as short as it can be written."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _pct(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


def _width(text: str, size: float = 12) -> float:
    """About how wide `text` is drawn: a Chinese character is square, a Latin one half as wide."""
    return sum(size if ord(c) > 0x2E7F else size * 0.55 for c in text)


def _legend(y: float) -> list[str]:
    out, x = [], 0.0
    for key in GRADE_KEYS:
        fill, _ = GRADE_FILLS[key]
        label = grade_label(key)
        out += [_rect(x, y - 9, 10, 10, fill, LINE), _text(x + 14, y, label)]
        x += 14 + _width(label) + 12
    return out


def _bar(counts: dict[str, int], x: float, y: float, width: float, height: float, percent: bool = False) -> list[str]:
    """One 100% bar of grade counts; a segment wide enough carries its count (or share)."""
    total = sum(counts.get(k, 0) for k in GRADE_KEYS)
    out = [_rect(x, y, width, height, "#fff", LINE)]
    if not total:
        return out + [_text(x + 4, y + height - 5, "无主体", MUTED)]
    at = x
    for key in GRADE_KEYS:
        n = counts.get(key, 0)
        if not n:
            continue
        w = width * n / total
        fill, ink = GRADE_FILLS[key]
        out.append(_rect(at, y, w, height, fill, LINE if key == "none" else None))
        label = f"{round(100 * n / total)}%" if percent else str(n)
        if w >= _width(label) + 4:
            out.append(_text(at + w / 2, y + height - 5, label, ink, "middle"))
        at += w
    return out


def _counted(counts: dict[str, int]) -> str:
    return "，".join(f"{grade_label(k)} {counts.get(k, 0)} 家" for k in GRADE_KEYS)


def county_grades(rows: list[dict], chart_id: str = "grades-chart") -> Markup:
    """/grades/: each county's businesses in operation by grade, one 100% bar per county."""
    top, row_h = 22, 22
    body = _legend(12)
    for i, r in enumerate(rows):
        y = top + i * row_h
        counts = {k: r.get(k, 0) for k in GRADE_KEYS}
        body.append(_text(0, y + 14, r["name"]))
        body += _bar(counts, 62, y + 2, WIDTH - 62 - 34, row_h - 6)
        body.append(_text(WIDTH, y + 14, str(sum(counts.values())), MUTED, "end"))
    height = top + len(rows) * row_h + 4
    parts = [f"{r['name']}共 {sum(r.get(k, 0) for k in GRADE_KEYS)} 家：{_counted(r)}" for r in rows]
    desc = "；".join(parts) + "。"
    svg = _svg(chart_id, height, "各县（市、区）可以生产经营的主体的量化分级 Grades by county", desc, body)
    return _figure(svg, "各地可以生产经营的主体的等级分布（条内数字为家数，右侧为合计），数字见下表。")


def metrics(rows: list[dict], year: int, chart_id: str = "metrics-chart") -> Markup:
    """/regions/<code>/: each programme metric as a bar, its target as a black line, and
    whether it was met in words. `rows`: label, value, goal (numbers or None), unit ("%" or a
    count word), met (True, False or None)."""
    shown = [r for r in rows if r.get("value") is not None]
    if not shown:
        return Markup("")
    row_h = 34
    body = []
    for i, r in enumerate(shown):
        y = i * row_h
        share = r["unit"] == "%"
        scale = 100.0 if share else max(r["value"], r.get("goal") or 0, 1) * 1.25
        width = WIDTH - 70
        value = _pct(r["value"]) if share else f"{r['value']:g}"
        goal = None if r.get("goal") is None else (_pct(r["goal"]) if share else f"{r['goal']:g}")
        verdict = {True: "✓ 达标", False: "✗ 未达标", None: "无目标"}[r.get("met")]
        body.append(_text(0, y + 10, f"{r['label']}：{value}" + (f"（目标 {goal}）" if goal else "")))
        body.append(_rect(0, y + 14, width, 12, "#fff", LINE))
        body.append(_rect(0, y + 14, width * min(r["value"], scale) / scale, 12, BAR))
        if r.get("goal") is not None:
            gx = width * min(r["goal"], scale) / scale
            body.append(f'<line x1="{gx:.1f}" y1="{y + 11}" x2="{gx:.1f}" y2="{y + 29}" stroke="{INK}" stroke-width="2.5"/>')
        body.append(_text(WIDTH, y + 24, verdict, INK, "end", "bold"))
    said = "；".join(f"{r['label']} {_pct(r['value']) if r['unit'] == '%' else format(r['value'], 'g')}"
                    + (f"，目标 {_pct(r['goal']) if r['unit'] == '%' else format(r['goal'], 'g')}，"
                       f"{'已达标' if r.get('met') else '未达标'}" if r.get("goal") is not None else "，没有目标")
                    for r in shown)
    svg = _svg(chart_id, len(shown) * row_h, f"{year}年工作指标与目标 Figures against targets", said + "。", body)
    return _figure(svg, "深色条为实际完成，黑色竖线为目标；是否达标写在右侧，数字见下表。")


def grade_trend(years: list[dict], chart_id: str = "trend-grades") -> Markup:
    """/regions/<code>/: the grade shares of each year (100% bars, A/B/C/未评级)."""
    years = [y for y in years if any(y["grades"].values())]
    if not years:
        return Markup("")
    top, row_h = 22, 22
    body = _legend(12)
    parts = []
    for i, y in enumerate(years):
        top_y = top + i * row_h
        body.append(_text(0, top_y + 14, str(y["year"])))
        body += _bar(y["grades"], 40, top_y + 2, WIDTH - 40, row_h - 6, percent=True)
        total = sum(y["grades"].values())
        parts.append(f"{y['year']}年 " + "，".join(f"{grade_label(k)} {_pct(100 * y['grades'].get(k, 0) / total)}"
                                                  for k in GRADE_KEYS))
    svg = _svg(chart_id, top + len(years) * row_h + 4, "各年量化分级占比 Grade shares by year", "；".join(parts) + "。", body)
    return _figure(svg, "每年年底（今年为数据更新日）各等级主体的占比，数字见下表。")


def pass_rate_trend(years: list[dict], chart_id: str = "trend-pass") -> Markup:
    """/regions/<code>/: the sampling pass rate of each year as points joined by a line, each
    labelled, with the year's target as a short dashed line."""
    years = [y for y in years if y.get("samplings")]
    if not years:
        return Markup("")
    rates = [100 - 100 * y["failed"] / y["samplings"] for y in years]
    goals = [y.get("goal") for y in years]
    low = min([r for r in rates] + [g for g in goals if g is not None] + [95.0])
    low = max(0.0, (int(low) // 5) * 5 - 5)
    # left: room for "100%" beside the axis; below the years, each year's target in words
    height, top, bottom, left = 120 + (14 if any(g is not None for g in goals) else 0), 18, 96, 40
    first, last = left + 30, WIDTH - 34  # room for a point's label on either side

    def at_y(v: float) -> float:
        return bottom - (bottom - top) * (v - low) / (100 - low)

    body = [f'<line x1="{left}" y1="{at_y(100):.1f}" x2="{WIDTH}" y2="{at_y(100):.1f}" stroke="{LINE}" stroke-dasharray="2 3"/>',
            _text(left - 4, at_y(100) + 4, "100%", MUTED, "end"), _text(left - 4, at_y(low) + 4, f"{low:g}%", MUTED, "end"),
            f'<line x1="{left}" y1="{bottom}" x2="{WIDTH}" y2="{bottom}" stroke="{LINE}"/>']
    xs = [first + (last - first) * i / (len(years) - 1) if len(years) > 1 else (first + last) / 2
          for i in range(len(years))]
    if len(years) > 1:
        points = " ".join(f"{x:.1f},{at_y(r):.1f}" for x, r in zip(xs, rates))
        body.append(f'<polyline points="{points}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    parts = []
    for x, y, rate, goal in zip(xs, years, rates, goals):
        if goal is not None:
            body.append(f'<line x1="{x - 12:.1f}" y1="{at_y(goal):.1f}" x2="{x + 12:.1f}" y2="{at_y(goal):.1f}" '
                        f'stroke="{INK}" stroke-width="2" stroke-dasharray="3 2"/>')
        body.append(f'<circle cx="{x:.1f}" cy="{at_y(rate):.1f}" r="3.5" fill="{BAR}"/>')
        body.append(_text(x, at_y(rate) - 7, _pct(rate), INK, "middle", "bold"))
        body.append(_text(x, bottom + 14, str(y["year"]), INK, "middle"))
        if goal is not None:
            body.append(_text(x, bottom + 28, f"目标 {_pct(goal)}", MUTED, "middle"))
        said = f"{y['year']}年 {_pct(rate)}（抽检 {y['samplings']} 批次，不合格 {y['failed']} 批次"
        if goal is not None:
            said += f"，目标 {_pct(goal)}，{'已达标' if rate >= goal else '未达标'}"
        parts.append(said + "）")
    svg = _svg(chart_id, height, "各年抽检合格率 Sampling pass rate by year", "；".join(parts) + "。", body)
    return _figure(svg, "圆点为当年抽检合格率，虚线短横为当年目标（写在年份下方），数字见下表。")


def grade_timeline(grades: list[dict], release_date: date, chart_id: str = "grade-timeline",
                   void_since: date | None = None, void_reason: str = "") -> Markup:
    """/w/<id>/: the grades a business has held, as spans of a line from its first grade to
    the release date (`grades` newest first, as the page lists them). A business that may not
    operate (registry/standing.py: `void_reason`, since `void_since`) holds no grade from that
    day: the line ends in a dashed, empty span there, as the page says the grade is void."""
    spans = sorted((g for g in grades if g.get("effective_on") and g["effective_on"] <= release_date.isoformat()),
                   key=lambda g: g["effective_on"])
    if not spans:
        return Markup("")
    start, end = date.fromisoformat(spans[0]["effective_on"][:10]), release_date
    void_at = max(void_since, start) if void_reason and void_since and void_since < end else None
    graded_until = void_at or end
    days = max((end - start).days, 1)
    left, width, y, h = 4, WIDTH - 8, 18, 20

    def at_x(d: date) -> float:
        return left + width * (d - start).days / days

    body, parts = [], []
    for i, g in enumerate(spans):
        since = date.fromisoformat(g["effective_on"][:10])
        if since >= graded_until and i:
            break
        until = date.fromisoformat(spans[i + 1]["effective_on"][:10]) if i + 1 < len(spans) else end
        until = min(until, graded_until)
        x0, x1 = at_x(since), max(at_x(until), at_x(since) + 2)
        fill, ink = GRADE_FILLS.get(g["grade"], GRADE_FILLS["none"])
        body.append(_rect(x0, y, x1 - x0, h, fill, LINE))
        if x1 - x0 >= 14:
            body.append(_text((x0 + x1) / 2, y + 14, g["grade"], ink, "middle", "bold"))
        parts.append(f"{zh_date(since)}起 {grade_label(g['grade'])}")
    caption = "横条从第一次评级到数据更新日，颜色和字母是当时的等级"
    if void_at:
        x0, x1 = at_x(void_at), at_x(end)
        body.append(f'<rect x="{_n(x0)}" y="{y}" width="{_n(max(x1 - x0, 2))}" height="{h}" fill="#fff" '
                    f'stroke="{INK}" stroke-dasharray="3 2"/>')
        if x1 - x0 >= _width(GRADE_VOID.zh) + 6:
            body.append(_text((x0 + x1) / 2, y + 14, GRADE_VOID.zh, INK, "middle"))
        parts.append(f"{zh_date(void_at)}起 {GRADE_VOID.zh}（{void_reason}）")
        caption += "，虚线空框为等级失效之后"
    elif void_reason:
        parts.append(f"目前{GRADE_VOID.zh}（{void_reason}）")
    for year in range(start.year + 1, end.year + 1):
        x = at_x(date(year, 1, 1))
        body += [f'<line x1="{x:.1f}" y1="{y + h}" x2="{x:.1f}" y2="{y + h + 5}" stroke="{INK}"/>',
                 _text(x, y + h + 16, str(year), MUTED, "middle")]
    body += [_text(left, 11, zh_date(start), MUTED), _text(WIDTH - 4, 11, zh_date(end), MUTED, "end")]
    desc = "；".join(parts) + f"；至 {zh_date(end)}（数据更新日期）。"
    svg = _svg(chart_id, y + h + 20, "量化分级的变化 Grade timeline", desc, body)
    return _figure(svg, caption + "，详见下方记录。")
