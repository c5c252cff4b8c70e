"""The Jinja2 environment over the theme, and `render()` with the context every page shares.

Registry pages, Pelican's editorial pages and other stages' pages (the changes page)
all extend theme/templates/base.html and get the same `site` global (demo flag, release
date, navigation), so every page carries the demonstration notice and the same chrome.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .. import urls, vocabulary
from ..registry.package import Package
from .maps import MapLinks

THEME = Path(__file__).parent / "theme"
TEMPLATES = THEME / "templates"
CSS_FILE = THEME / "static" / "site.css"
STATIC_FILES = ("site.css", "icon.svg")  # served from /static/ (urls.static)

# Labels for the schema's coded values come from the one vocabulary (Chinese first).
KINDS, OPERATOR_STATUS, PRODUCT_STATUS = vocabulary.KINDS, vocabulary.OPERATOR_STATUS, vocabulary.PRODUCT_STATUS
BRAND_STATUS, RECALL_STATUS = vocabulary.BRAND_STATUS, vocabulary.RECALL_STATUS
GRADES, METRICS = vocabulary.GRADES, vocabulary.METRICS

#: Editorial pages (Markdown in content/pages, rendered by Pelican), by slug.
EDITORIAL = {
    "about": "关于本站 About",
    "grading": "量化分级说明 How grades work",
    "brand-criteria": "名特优认定 Specialty brands",
    "report": "投诉举报 Report a problem",
    "privacy": "隐私与数据说明 Privacy & data",
}

NAV = [
    (urls.home(), "首页", "Home"),
    (urls.brands(), "名特优", "Specialties"),
    (urls.recalls(), "召回", "Recalls"),
    (urls.notices(), "公示", "Notices"),
    (urls.grades(), "分级", "Grades"),
    (urls.data(), "数据", "Data"),
    (urls.search(), "搜索", "Search"),
]


_MOUTHS = {"A": '<path class="mouth" d="M6 13.5q6 7 12 0z"/>', "B": '<path class="mouth line" d="M7 14.5q5 4 10 0"/>',
           "C": '<path class="mouth line" d="M7.5 15.5h9"/>'}


def _face(grade: str) -> Markup:
    g, face = GRADES[grade], vocabulary.FACES[grade]
    svg = ('<svg class="face" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">'
           '<circle cx="12" cy="12" r="11"/><circle class="eye" cx="8" cy="9" r="1.6"/>'
           f'<circle class="eye" cx="16" cy="9" r="1.6"/>{_MOUTHS[grade]}</svg>')
    return Markup(f'<span class="grade grade-{grade}">{svg}<span>{grade} 级 {g.zh}（{face}）'
                  f'<span lang="en">{g.en}</span></span></span>')


#: The smiley grades as shown everywhere: an inline SVG face (decorative) with the words beside it.
#: Built once: they are on nearly every page, and a Jinja macro call per page costs more.
SMILEYS = {grade: _face(grade) for grade in GRADES}
NOT_GRADED = Markup(f'<span class="grade grade-none">{vocabulary.NOT_GRADED.zh} '
                    f'<span lang="en">{vocabulary.NOT_GRADED.en}</span></span>')


def smiley(grade: str | None) -> Markup:
    return SMILEYS.get(grade or "", NOT_GRADED)


def grade_words(grade: str | None) -> Markup:
    """A grade in words only (A 级 优秀), for the history of a business whose grades are void."""
    g = GRADES.get(grade or "")
    return Markup('<span class="grade">{} 级 {}</span>').format(grade, g.zh) if g else NOT_GRADED


def current_grade(grade: dict | None, standing) -> Markup:
    """The grade a business holds today: its smiley and the date it took effect, or, when the
    business may not operate (standing.py), that the grade is void and why, with no smiley."""
    if not grade:
        return NOT_GRADED
    if standing is not None and not standing.operating:
        void = vocabulary.GRADE_VOID
        return Markup('<span class="grade-void"><strong>{}</strong> <span lang="en">{}</span>：{}</span>').format(
            void.zh, void.en, standing.zh)
    day = cn_date(grade.get("effective_on"))
    return SMILEYS.get(grade.get("grade") or "", NOT_GRADED) + (
        Markup(' <span class="meta">{}起</span>').format(day) if day else "")


#: The verdict's icons (decorative: the words say it), by the verdict's kind (site/verdict.py).
_ICON_PATHS = {
    "recall": "M12 1.5 .8 22h22.4zM10.8 9h2.4v6.5h-2.4zm0 8.3h2.4v2.4h-2.4z",
    "withdrawn": "M12 1.5 .8 22h22.4zM10.8 9h2.4v6.5h-2.4zm0 8.3h2.4v2.4h-2.4z",
    "licence": "M12 1a11 11 0 1 0 0 22 11 11 0 1 0 0-22zM5 10.6h14v2.8H5z",
    "upgraded": "M12 1a11 11 0 1 0 0 22 11 11 0 1 0 0-22zm-1.6 15.8-5.1-5.1 1.7-1.7 3.4 3.4 7.3-7.3 1.7 1.7z",
    "failed": "M12 1a11 11 0 1 0 0 22 11 11 0 1 0 0-22zm-1.2 4.5h2.4v8.5h-2.4zm0 10.3h2.4v2.4h-2.4z",
    "ok": "M12 1a11 11 0 1 0 0 22 11 11 0 1 0 0-22zm-1.6 15.8-5.1-5.1 1.7-1.7 3.4 3.4 7.3-7.3 1.7 1.7z",
}
_ICONS = {kind: Markup(f'<svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" '
                       f'focusable="false"><path fill-rule="evenodd" d="{path}"/></svg>')
          for kind, path in _ICON_PATHS.items()}


def verdict_block(v) -> Markup:
    """The verdict line (site/verdict.py) that opens a /p/ or /w/ page, before the navigation."""
    detail = Markup('<p class="verdict-do">{}</p>').format(v.detail) if v.detail else ""
    return Markup('<section class="verdict verdict-{}" aria-label="今日结论 Verdict"><p>{}<span><strong>{}</strong> '
                  '<span lang="en">{}</span></span></p>{}</section>').format(v.tone, _ICONS[v.kind], v.zh, v.en, detail)


def _badge(labels: dict[str, vocabulary.Term]):
    badges = {k: Markup('<span class="status status-{}">{}</span>').format(k, v.zh) for k, v in labels.items()}
    return lambda row: badges.get(row["status"]) or Markup('<span class="status">{}</span>').format(row["status"])


operator_status = _badge(OPERATOR_STATUS)
product_status = _badge(PRODUCT_STATUS)


cn_date = vocabulary.zh_date  # 2026-11-01 -> 2026年11月1日 (empty for no date)


def json_ld(data: dict) -> Markup:
    """JSON for a <script type="application/ld+json">: `<`, `>` and `&` escaped so a name
    containing "</script>" cannot end the script element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def number(value) -> str:
    """Figures as people read them: no trailing .0, shares as percentages elsewhere."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


@lru_cache(maxsize=1)
def site_css() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


def common_context(package: Package) -> dict:
    """What every page's base.html needs: the `site` global."""
    return {
        "site": {
            "name": "作坊 · 食品“三小”信息公开",
            "name_en": "Zuofang — small food business registry",
            "title": package.descriptor.get("title", ""),
            "demo": package.is_demo,
            "release_date": package.release_date,
            "url": package.site_url,
            "nav": NAV,
            "licenses": package.links("licenses"),
            "sources": package.links("sources"),
            "editorial": [(urls.page(slug), title) for slug, title in EDITORIAL.items()],
        },
    }


def filters() -> dict:
    return {"cn_date": cn_date, "json_ld": json_ld, "number": number}


def helpers() -> dict:
    """Globals besides `site`: the address builders and the label tables."""
    return {
        "urls": urls, "DEMO_NOTICE": vocabulary.DEMO_NOTICE, "KINDS": KINDS, "OPERATOR_STATUS": OPERATOR_STATUS, "PRODUCT_STATUS": PRODUCT_STATUS,
        "BRAND_STATUS": BRAND_STATUS, "RECALL_STATUS": RECALL_STATUS, "GRADES": GRADES, "METRICS": METRICS,
        "site_css": site_css, "smiley": smiley, "operator_status": operator_status,
        "product_status": product_status, "current_grade": current_grade, "grade_words": grade_words,
        "verdict_block": verdict_block, "RECALLED": vocabulary.RECALLED, "NOT_OPERATING": vocabulary.NOT_OPERATING,
        "NOT_GRADED": vocabulary.NOT_GRADED, "GRADE_VOID": vocabulary.GRADE_VOID, "GRADE_MEANINGS": vocabulary.GRADE_MEANINGS,
        "FACES": vocabulary.FACES, "HERITAGE": vocabulary.HERITAGE, "INSPECTION_KINDS": vocabulary.INSPECTION_KINDS,
        # English beside the Chinese for tourists (brand, product and business pages).
        "PROGRAMS": vocabulary.PROGRAMS, "food_category": vocabulary.food_category, "ZONE_KINDS": vocabulary.ZONE_KINDS,
    }


class Renderer:
    """A Jinja2 environment over the theme with the common context as globals."""

    def __init__(self, package: Package):
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(["html", "xml", "atom"], default_for_string=True),
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters.update(filters())
        self.env.globals.update(helpers())
        self.env.globals.update(common_context(package))
        self.env.globals["og_tags"] = self.og_tags
        self.env.globals["map_links"] = MapLinks(package.map_links)
        # Header and footer are the same on every page: rendered once, not 200,000 times.
        self.chrome = {part: Markup(self.env.get_template(f"_{part}.html").render()) for part in ("header", "footer")}
        self.env.globals["chrome"] = self.chrome
        # The macros, made once: `{% from "macros.html" import … %}` in a page template made
        # Jinja compare the globals on every page (70 µs a page).
        self.macros = {name: getattr(self.env.get_template("macros.html").module, name) for name in MACROS}
        self.env.globals.update(self.macros)
        self._site = common_context(package)["site"]

    def og_tags(self, title: str, kind: str, address: str, description: str = "") -> Markup:
        """OpenGraph tags, the description and the canonical link of a page.

        Escaped and joined by hand: Markup.format cost 170 µs a page, 40 s at 50,000 businesses."""
        d, t, k = escape(description), escape(title), escape(kind)
        u, n = escape(urls.absolute(self._site["url"], address)), escape(self._site["name"])
        tags = (f'<meta name="description" content="{d}">\n<meta property="og:title" content="{t}">\n'
                f'<meta property="og:type" content="{k}">\n<meta property="og:url" content="{u}">\n'
                f'<meta property="og:site_name" content="{n}">\n<meta property="og:locale" content="zh_CN">\n')
        if description:
            tags += f'<meta property="og:description" content="{d}">\n'
        return Markup(f'{tags}<link rel="canonical" href="{u}">')

    def render(self, template_name: str, **context) -> str:
        return self.env.get_template(template_name).render(**context)


#: The macros of theme/templates/macros.html every template may call.
MACROS = ("failed_items", "sampling_list", "recall_notice", "og")

