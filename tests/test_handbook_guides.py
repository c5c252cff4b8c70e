"""The guides say true things: every example request in the open-data guide answers with rows
from the demo's Datasette, and every rule the validator reports is explained in the publishing guide."""
from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from site_builder import urls
from site_builder.handbook import build as handbook

DOCS = handbook.SOURCE_DIR / "docs"
REPO = Path(__file__).resolve().parent.parent
LOCAL = "http://127.0.0.1:8000"


def fenced_blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", markdown, re.S | re.M)


def curl_request(command: str) -> str:
    """The path and query a curl command line asks for (-G turns -d/--data-urlencode into the query)."""
    args = shlex.split(command)
    assert args[0] == "curl", command
    url, data, get = None, [], False
    i = 1
    while i < len(args):
        arg = args[i]
        if arg in ("-G", "--get"):
            get = True
        elif arg in ("-d", "--data", "--data-urlencode"):
            i += 1
            name, _, value = args[i].partition("=")
            data.append((name, value))
        elif arg in ("-o", "--output"):
            i += 1
        elif not arg.startswith("-"):
            url = arg
        i += 1
    assert url and url.startswith(LOCAL + urls.DATASETTE_BASE), command
    assert get or not data, f"{command}: data without -G would be a POST"
    request = url[len(LOCAL):]
    if data:
        request += ("&" if "?" in request else "?") + urlencode(data)
    return request


def open_data_requests() -> list[str]:
    text = (DOCS / "open-data.md").read_text(encoding="utf-8")
    requests = [curl_request(line) for block in fenced_blocks(text, "bash")
                for line in block.splitlines() if line.startswith("curl ")]
    # URLs handed to pandas in the Python examples are requests too.
    for block in fenced_blocks(text, "python"):
        requests += [u[len(LOCAL):] for u in re.findall(r'"(http://127\.0\.0\.1:8000/datasette/[^"]+)"', block)]
    return requests


def test_guide_has_examples_of_each_kind():
    requests = open_data_requests()
    assert len(requests) >= 12
    joined = "\n".join(requests)
    for needle in ["_shape=array", "_search=", ".csv", "registry.json?", "/regions/140824.json",
                   "business_record.json", "recalls_by_level.json"]:
        assert needle in joined, needle


@pytest.fixture(scope="module")
def datasette(demo_build):
    import locale

    from site_builder.serve.live import datasette_app

    # The demo build ran Pelican in this process, and Pelican's LOCALE ("C",) switched the
    # process to ASCII; Datasette reads plugin files with the locale's encoding. `zuofang serve`
    # runs Datasette in a fresh process, so restore the environment's locale as it would have.
    locale.setlocale(locale.LC_ALL, "")
    return datasette_app(demo_build)


@pytest.mark.parametrize("request_path", open_data_requests())
def test_open_data_example_returns_rows(datasette, request_path):
    # Datasette's test client adds base_url (/datasette/) itself.
    path = "/" + request_path.removeprefix(urls.DATASETTE_BASE)
    response = asyncio.run(datasette.client.get(path))
    assert response.status_code == 200, (request_path, response.text[:300])
    if urlsplit(path).path.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(response.text)))
        assert len(rows) >= 2, request_path
        return
    data = response.json()
    rows = data if isinstance(data, list) else data["rows"]
    assert rows, request_path
    if "_search=" in path:
        term = re.search(r"_search=([^&]+)", request_path).group(1)
        from urllib.parse import unquote_plus

        term = unquote_plus(term)
        assert any(term in json.dumps(r, ensure_ascii=False) for r in rows), (request_path, rows[:2])


def validator_rules() -> set[str]:
    """Every rule name the validator can report: its declared list, and what the corpus expects."""
    from site_builder.validate.rules import RULE_DESCRIPTIONS

    names = set(RULE_DESCRIPTIONS)
    for expected in (REPO / "tests" / "corpus").glob("*/expected.json"):
        names |= {p["rule"] for p in json.loads(expected.read_text(encoding="utf-8"))}
    return names


def test_publishing_guide_explains_every_validation_rule():
    rules = validator_rules()
    assert len(rules) >= 25, rules
    guide = (DOCS / "publishing.md").read_text(encoding="utf-8")
    explained = set(re.findall(r"^\| `([^`]+)` \|", guide, re.M))
    assert rules - explained == set()


def test_labels_guide_gives_the_addresses_the_build_writes():
    """The addresses the printing guide names are the ones urls.py builds (placeholders filled in)."""
    guide = (DOCS / "labels.md").read_text(encoding="utf-8")
    documented = {
        "/qr/<产品编码>.svg": urls.qr_file("CODE", "svg"),
        "/qr/<产品编码>.png": urls.qr_file("CODE", "png"),
        "/w/<主体编号>/labels/": urls.label_page("ID"),
        "/w/<主体编号>/poster/": urls.poster_page("ID"),
        "/labels/<主体编号>.pdf": urls.label_sheet("ID"),
        "/posters/<主体编号>.pdf": urls.poster("ID"),
        "/01/<GTIN-14>/": urls.gs1_digital_link("GTIN"),
        "/p/<产品编码>/": urls.product("CODE"),
    }
    for text, built in documented.items():
        assert f"`{text}`" in guide, text
        assert text.replace("<产品编码>", "CODE").replace("<主体编号>", "ID").replace("<GTIN-14>", "GTIN") == built


def test_labels_guide_commands_exist():
    from site_builder.cli import cli

    guide = (DOCS / "labels.md").read_text(encoding="utf-8")
    for line in fenced_blocks(guide, "sh")[0].splitlines():
        args = shlex.split(line.split("#")[0])
        assert args[0] == "zuofang"
        command = cli.commands[args[1]]
        known = {o for p in command.params for o in getattr(p, "opts", [])}
        assert {a for a in args[2:] if a.startswith("-")} <= known, line


def test_open_data_guide_lists_every_canned_query_and_view():
    """The guide's tables of canned queries and views are the ones Datasette serves, no more, no fewer."""
    from site_builder.database.derived import DERIVED
    from site_builder.database.views import VIEWS

    guide = (DOCS / "open-data.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", guide, re.M))
    metadata = json.loads((REPO / "datasette_metadata.json").read_text(encoding="utf-8"))
    queries = set(metadata["databases"][urls.DATASETTE_DB]["queries"])
    assert listed == queries | set(VIEWS) | set(DERIVED)
