"""The README's import walk-through, run exactly as written: the three commands import the
example files into a copy of the demo registry, which then validates and builds, and every
failed item shows with its value and standard on the business and product pages."""
from __future__ import annotations

import csv
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from import_fixtures import folder_bytes

from site_builder.handbook import build as handbook

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = "/tmp/zuofang-import-demo"


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Try them on a copy of the demo registry:\n\n```sh\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_and_handbook_give_the_same_walk_through():
    guide = (handbook.SOURCE_DIR / "docs" / "import.md").read_text(encoding="utf-8")
    assert "\n".join(readme_commands()) in guide
    assert [c.split()[:3] for c in readme_commands()[1:4]] == [["zuofang", "import", k] for k in ("sampling", "penalties", "licences")]


def run(commands: list[str], tmp_path: Path) -> list[subprocess.CompletedProcess]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = []
    for command in commands:
        command = command.replace(DEMO_DIR, str(tmp_path / "zuofang-import-demo"))
        done.append(subprocess.run(["bash", "-c", command], cwd=REPO, env=env, capture_output=True, text=True))
        assert done[-1].returncode == 0, (command, done[-1].stdout, done[-1].stderr)
    return done


def text_of(page: Path) -> str:
    body = page.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_examples_import_validate_build_and_show_every_failed_item(tmp_path):
    commands = readme_commands()
    results = run(commands, tmp_path)
    data, site = tmp_path / "zuofang-import-demo", tmp_path / "zuofang-import-demo-site" / "site"
    assert "有效 valid" in results[4].stdout
    with open(data / "samplings.csv", encoding="utf-8", newline="") as f:
        imported = [r for r in csv.DictReader(f) if r["source_file"]]
    assert len(imported) == 11
    failed = [r for r in imported if r["result"] == "不合格"]
    assert len(failed) == 7
    for s in failed:
        for page in [site / "w" / s["operator_id"] / "index.html"] + (
                [site / "p" / s["product_code"] / "index.html"] if s["product_code"] else []):
            shown = text_of(page)
            for item in json.loads(s["failed_items"]):
                # item (and its note), then value, standard and unit in their own cells
                values = " ".join(v for v in (item["measured"], item["standard"], item["unit"]) if v)
                assert f"{item['item']} " in shown and f" {values} " in shown, (page, item)
            assert s["notice_no"] in shown and (s["issuer"] in shown if s["issuer"] else True)
    # the warning-only and the lapsed penalty are imported but shown nowhere
    with open(data / "penalties.csv", encoding="utf-8", newline="") as f:
        penalties = {r["decision_no"]: r for r in csv.DictReader(f) if r["source_file"]}
    assert sorted(penalties) == ["垣市监罚〔2026〕17号", "河市监罚〔2025〕3号", "稷市监罚〔2026〕41号"]
    assert "稷市监罚〔2026〕41号" in text_of(site / "w" / "w00004" / "index.html")
    assert "垣市监罚〔2026〕17号" not in text_of(site / "w" / "w00011" / "index.html")
    assert (site / "w" / "w00321" / "index.html").is_file()  # the business the licence file added
    before = folder_bytes(data)
    again = run(commands[1:4], tmp_path)
    assert folder_bytes(data) == before
    assert all("登记数据没有变化" in r.stdout for r in again)


def test_share_of_example_rows_placed_automatically(tmp_path):
    """The figure the issue asks for: how many example rows import placed without help."""
    from import_fixtures import demo_copy

    from site_builder.importers.run import run_import

    data = demo_copy(tmp_path)
    examples = REPO / "examples" / "import"
    reports = [run_import("sampling", sorted(examples.glob("sampling-*")), data),
               run_import("penalties", [examples / "penalties.xlsx"], data),
               run_import("licences", [examples / "licences.csv"], data)]
    placed = sum(r.rows_placed for r in reports)
    read = sum(r.rows_read for r in reports)
    assert (placed, read) == (21, 24)
    assert all(r.rows_placed + r.rows_unplaced == r.rows_read for r in reports)
