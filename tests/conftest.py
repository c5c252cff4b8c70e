"""Shared fixtures. Expensive things (a generated registry, a whole demo build) are made once per session."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Build records are signed with a key kept in the user's state folder (site_builder/key.py); the
# suite keeps its own, so that it never touches the user's (subprocesses inherit it).
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="zuofang-test-state-")
# The same for the cache of cut fonts (qr/fonts.py).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="zuofang-test-cache-")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The bundled demonstration registry (data/)."""
    return REPO / "data"


@pytest.fixture(scope="session")
def small_registry(tmp_path_factory) -> Path:
    """A small generated registry (40 operators), valid by construction."""
    from site_builder.demo.data import write_demo_registry

    out = tmp_path_factory.mktemp("small-registry")
    write_demo_registry(out, operators=40, seed=7)
    return out


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory, demo_dir) -> Path:
    """OUT_DIR of one full `zuofang build` of the bundled demo, shared by the whole session."""
    from site_builder.build.pipeline import build

    out = tmp_path_factory.mktemp("demo-build") / "out"
    build(demo_dir, out)
    return out


@pytest.fixture(scope="session")
def small_qr_build(tmp_path_factory, small_registry):
    """OUT_DIR with registry.db of `small_registry` and the QR stage's output (codes, sheets, posters).

    Returns (out_dir, package, summary of the first run).
    """
    from qr.build import build_codes
    from site_builder.database.build import build_database
    from site_builder.registry.package import Package

    out = tmp_path_factory.mktemp("small-qr")
    package = Package.load(small_registry)
    build_database(package, out / "registry.db")
    summary = build_codes(out / "registry.db", out / "site", package.site_url, workers=1)
    return out, package, summary


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (tests/sitecheck.py: its flags keep it off the network)."""
    from playwright.sync_api import sync_playwright

    from sitecheck import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
