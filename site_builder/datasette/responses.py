"""What a registry's Datasette answers besides its pages: JSON that keeps Chinese readable, CSV that
Excel on a Chinese system opens, and each facet once.

- JSON: Datasette writes every non-ASCII character as \\u…; for a registry, the same JSON is
  written again with the characters themselves (the bytes are UTF-8, as the header says).
- CSV: a byte order mark first, as the /data/ downloads have, or Excel reads UTF-8 as GBK.
- Facets: Datasette 0.65 computes a facet twice when the metadata names it and the address asks
  for it again (`?_facet=kind`, shown as kind and kind_2); such a request loses the repeat.
Other databases in the same Datasette are left as Datasette makes them (registry_info.py).
"""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.renderer import json_renderer
from datasette.utils import tilde_decode

from site_builder.datasette.registry_info import info

BOM = "\ufeff".encode("utf-8")


def readable_json(body: str, lines: bool) -> str:
    """`body` as JSON without \\u escapes (each line on its own for `_nl`); unchanged if it
    cannot be (not JSON, or text UTF-8 cannot hold, such as a lone surrogate from SQL)."""
    try:
        if lines:
            text = "\n".join(json.dumps(json.loads(line), ensure_ascii=False) for line in body.split("\n") if line)
        else:
            text = json.dumps(json.loads(body), ensure_ascii=False)
        text.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return body
    return text


def render_json(datasette, request, args, data, view_name, database):
    response = json_renderer(args, data, view_name)
    if info(datasette, database) is not None and "\\u" in response.body:
        response.body = readable_json(response.body, bool(args.get("_nl")) and args.get("_shape") == "array")
    return response


@hookimpl
def register_output_renderer(datasette):
    # Registered under Datasette's own "json": this replaces the built-in renderer, which
    # render_json calls for the work itself.
    return {"extension": "json", "render": render_json, "can_render": lambda: True}


def split_path(datasette, path: str) -> tuple[str | None, str | None, str]:
    """/registry/products.csv -> ("registry", "products", "csv"); table None for a database's
    own address, database None for Datasette's (/-/…)."""
    base = datasette.setting("base_url").rstrip("/")
    if base and path.startswith(base + "/"):
        path = path[len(base):]
    parts = path.strip("/").split("/")
    if not parts[0] or parts[0].startswith("-"):
        return None, None, ""
    last, _dot, extension = parts[-1].rpartition(".")
    if last and extension in ("json", "csv"):
        parts[-1] = last
    else:
        extension = ""
    database = tilde_decode(parts[0])
    table = tilde_decode(parts[1]) if len(parts) == 2 else None
    return database, table, extension


def metadata_facets(datasette, database: str, table: str) -> set[str]:
    """Columns the metadata facets `table` by (as plain names or {type: column})."""
    facets = datasette.metadata("facets", database=database, table=table) or []
    names = set()
    for facet in facets:
        if isinstance(facet, str):
            names.add(facet)
        elif isinstance(facet, dict) and len(facet) == 1:
            value = next(iter(facet.values()))
            names.add(value if isinstance(value, str) else value.get("column", ""))
    return names


def without_repeated_facets(query: bytes, already: set[str]) -> bytes:
    """The query string without `_facet=` values already faceted (by the metadata or before)."""
    pairs, seen, dropped = [], set(already), False
    for key, value in parse_qsl(query.decode("ascii", "replace"), keep_blank_values=True):
        if key == "_facet":
            if value in seen:
                dropped = True
                continue
            seen.add(value)
        pairs.append((key, value))
    return urlencode(pairs).encode("ascii") if dropped else query


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def registry_app(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            database, table, extension = split_path(datasette, scope["path"])
            if database is None or info(datasette, database) is None:
                return await app(scope, receive, send)
            query = scope.get("query_string", b"")
            if table is not None and b"_facet=" in query:
                scope = dict(scope, query_string=without_repeated_facets(query, metadata_facets(datasette, database, table)))
            if extension != "csv":
                return await app(scope, receive, send)
            state = {"bom": False}

            async def send_with_bom(message):
                if message["type"] == "http.response.start":
                    headers = dict((k.lower(), v) for k, v in message.get("headers", []))
                    kind = headers.get(b"content-type", b"")
                    state["bom"] = message["status"] == 200 and not kind.startswith(b"text/html")
                    if state["bom"] and b"content-length" in headers:
                        message = dict(message, headers=[
                            (k, str(int(v) + len(BOM)).encode() if k.lower() == b"content-length" else v)
                            for k, v in message["headers"]])
                elif message["type"] == "http.response.body" and state["bom"]:
                    state["bom"] = False
                    message = dict(message, body=BOM + message.get("body", b""))
                await send(message)

            await app(scope, receive, send_with_bom)

        return registry_app

    return wrap
