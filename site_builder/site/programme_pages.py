"""The programmes' pages: /programmes/ lists them, /programmes/<id>/ sets each target of the task
table beside its figure and deadline. The figures are the `programme_progress` view's, whose
metric queries (database/metrics.py) are the one definition of each; nothing is counted here."""
from __future__ import annotations

from collections import Counter
from typing import Iterator

from .. import urls
from ..database.metrics import METRICS
from ..vocabulary import KINDS, PROGRAMME_METRICS, TARGET_STATUS
from .business_extras import metric_unit
from .pages import Page
from .registry import Registry


def _figure(value, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:g}{unit}" if unit == "%" else f"{value:g} {unit}".rstrip()


def target_row(row: dict) -> dict:
    """One target as its table row shows it: where, what, the target, the figure and its count."""
    metric, unit = row["metric"], metric_unit(row["metric"])
    term = PROGRAMME_METRICS.get(metric)
    where = row.get("station_name") or row.get("region_name") or row.get("region_code") or ""
    if row.get("station_name") and row.get("region_name"):
        where = f"{row['region_name']} {row['station_name']}"
    count = ""
    if row.get("denominator") is not None:
        count = f"{row['numerator']:g} / {row['denominator']:g}"
    status = TARGET_STATUS.get(row["status"])
    return {
        "number": row["number"], "where": where, "region_code": row.get("region_code"),
        "kind": KINDS[row["kind"]].zh if row.get("kind") in KINDS else "",
        "metric": term.zh if term else metric, "metric_code": metric,
        "target": _figure(row["target"], unit), "actual": _figure(row["actual"], unit), "count": count,
        "deadline": row["deadline"], "window_start": row["window_start"], "window_end": row["window_end"],
        "status": row["status"], "status_name": status.zh if status else row["status"], "note": row.get("note") or "",
    }


def _summary(rows: list[dict]) -> list[tuple[str, str, int]]:
    counted = Counter(r["status"] for r in rows)
    return [(code, term.zh, counted[code]) for code, term in TARGET_STATUS.items() if counted[code]]


def programme_list_page(reg: Registry) -> Page:
    items = []
    for pid, p in reg.programmes.items():
        rows = reg.progress_by_programme.get(pid, [])
        items.append({"p": p, "region": reg.regions.get(p.get("region_code")), "targets": len(rows),
                      "summary": _summary(rows)})
    return urls.programmes(), "programmes.html", {"address": urls.programmes(), "programmes": items}


def programme_pages(reg: Registry) -> Iterator[Page]:
    for pid, p in reg.programmes.items():
        rows = reg.progress_by_programme.get(pid, [])
        used = list(dict.fromkeys(r["metric"] for r in rows))
        address = urls.programme(pid)
        yield address, "programme.html", {
            "address": address, "p": p, "region": reg.regions.get(p.get("region_code")),
            "targets": [target_row(r) for r in rows], "summary": _summary(rows),
            "metrics": [(code, PROGRAMME_METRICS[code].zh, METRICS[code]) for code in used if code in METRICS],
            "datasette": urls.datasette_rows("programme_progress", "programme_id", pid),
        }
