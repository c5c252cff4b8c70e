"""The /data/ downloads are made beside the later stages, and never outlive a failed build.

The build starts them right after the database stage and waits for them after the handbook
stage (site/data_page.py, build/pipeline.py), so their slow workbooks overlap the site, QR and
handbook stages of a rebuild instead of adding to them.
"""
from __future__ import annotations

import csv
import hashlib
import re
import time
from pathlib import Path

import pytest

from site_builder.build import pipeline
from site_builder.errors import BuildError
from site_builder.publish import build as publish
from site_builder.build import background
from site_builder.site import parallel


def _stages(*names: str, extra: dict | None = None) -> list:
    """The pipeline's stages of `names` in their order, with `extra` (name -> function) put in
    before the stage that waits for the downloads."""
    chosen = []
    for name, run in pipeline.STAGES:
        if name == "downloads" and run is pipeline._finish_downloads:
            chosen.extend((extra or {}).items())
        if name in names:
            chosen.append((name, run))
    return chosen


def _wait_for(path: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path.name} never appeared: the downloads were not made beside the later stages")
        time.sleep(0.05)


def test_the_downloads_are_made_while_a_later_stage_runs(small_registry, tmp_path, monkeypatch):
    """The publish step waits for a file a stage after the site stage writes: a build that made
    the downloads before that stage started would never finish them."""
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(background, "workers", lambda: 2)
    started = tmp_path / "later-stage-started"
    publish_package = publish.publish_package

    def waiting(*args, **kwargs):
        _wait_for(started)
        return publish_package(*args, **kwargs)

    def later_stage(ctx):
        started.write_text("yes")

    monkeypatch.setattr(publish, "publish_package", waiting)
    monkeypatch.setattr(pipeline, "STAGES", _stages("database", "downloads", "site", extra={"later": later_stage}))
    out = tmp_path / "out"
    ctx = pipeline.build(small_registry, out)

    data = out / "site" / "data"
    page = (data / "index.html").read_text(encoding="utf-8")
    products = (data / "products.csv").read_bytes()
    assert hashlib.sha256(products).hexdigest() in page, "/data/ shows the sha256 of the file published"
    rows = list(csv.DictReader((data / "products.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert re.search(rf"\b{len(rows):,}\b|\b{len(rows)}\b", page), "and its row count"
    assert "/data/" in ctx.addresses
    assert ctx.timings["downloads"] >= 0 and "later" in ctx.timings


def test_a_failed_stage_waits_for_the_downloads_before_discarding_the_build(small_registry, tmp_path, monkeypatch):
    """The downloads are still being written when the site stage fails: the build waits for
    them, so nothing writes into the stage folder once it is gone and nothing is published."""
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(background, "workers", lambda: 2)
    finished = tmp_path / "downloads-finished"
    publish_package = publish.publish_package

    def slow(*args, **kwargs):
        time.sleep(1.5)
        try:
            return publish_package(*args, **kwargs)
        finally:
            finished.write_text("yes")

    def broken_site(ctx):
        raise RuntimeError("disk full")

    monkeypatch.setattr(publish, "publish_package", slow)
    monkeypatch.setattr(pipeline, "STAGES", _stages("database", "downloads") + [("site", broken_site)])
    with pytest.raises(BuildError, match="disk full"):
        pipeline.build(small_registry, tmp_path / "out")
    assert finished.exists(), "the build returned while its downloads were still being made"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["downloads-finished"], "nothing published, no stage left"


def test_a_failure_in_the_downloads_fails_the_build(small_registry, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(background, "workers", lambda: 2)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "publish_package", disk_full)
    monkeypatch.setattr(pipeline, "STAGES", _stages("database", "downloads", "site"))
    with pytest.raises(BuildError, match="No space left on device"):
        pipeline.build(small_registry, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
