"""Datasette plugin: keep finished GET responses in memory while every database is immutable.

`zuofang serve` opens registry.db with -i: between two builds the data cannot change, so the
same URL always gives the same bytes. Facet counts over 50k operators cost tens of
milliseconds a request; a journalist's shared link or the site's "open in Datasette" links
hit the same URLs over and over. This does what a caching proxy in front of Datasette would
do, bounded in size, and steps aside for anything personal (cookies) or mutable.
Set ZUOFANG_DATASETTE_CACHE=0 to turn it off (the benchmark measures both).
"""
from __future__ import annotations

import os
from collections import OrderedDict

from datasette import hookimpl

MAX_BYTES = 64 * 1024 * 1024      # whole cache
MAX_ENTRY = 2 * 1024 * 1024       # larger responses (big CSV exports) are not kept


class ResponseCache:
    """Least-recently-used responses, bounded by total body size."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple, tuple[dict, bytes]] = OrderedDict()

    def get(self, key):
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key, start: dict, body: bytes) -> None:
        if key in self.entries or len(body) > MAX_ENTRY:
            return
        self.entries[key] = (start, body)
        self.size += len(body)
        while self.size > self.max_bytes:
            _key, (_start, old) = self.entries.popitem(last=False)
            self.size -= len(old)


def _header(scope, name: bytes) -> bytes:
    return next((v for k, v in scope.get("headers", []) if k.lower() == name), b"")


def _all_immutable(datasette) -> bool:
    return all(not db.is_mutable for name, db in datasette.databases.items() if name != "_internal" and name != "_memory")


@hookimpl
def asgi_wrapper(datasette):
    if os.environ.get("ZUOFANG_DATASETTE_CACHE", "1") == "0":
        return None

    def wrap(app):
        cache = ResponseCache()

        async def cached_app(scope, receive, send):
            if (scope["type"] != "http" or scope["method"] != "GET" or _header(scope, b"cookie")
                    or not _all_immutable(datasette)):
                return await app(scope, receive, send)
            # Absolute URLs in responses (next_url, facet toggles) carry the host.
            key = (scope["path"], scope.get("query_string", b""), _header(scope, b"host"))
            hit = cache.get(key)
            if hit is not None:
                start, body = hit
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            captured: dict = {"start": None, "chunks": [], "size": 0, "keep": True}

            async def capture(message):
                if message["type"] == "http.response.start":
                    captured["start"] = message
                    headers = {k.lower() for k, _v in message.get("headers", [])}
                    captured["keep"] = message["status"] == 200 and b"set-cookie" not in headers
                elif message["type"] == "http.response.body" and captured["keep"]:
                    captured["size"] += len(message.get("body", b""))
                    if captured["size"] > MAX_ENTRY:
                        captured["keep"], captured["chunks"] = False, []
                    else:
                        captured["chunks"].append(message.get("body", b""))
                    if not message.get("more_body") and captured["keep"]:
                        cache.put(key, captured["start"], b"".join(captured["chunks"]))
                await send(message)

            await app(scope, receive, capture)

        return cached_app

    return wrap
