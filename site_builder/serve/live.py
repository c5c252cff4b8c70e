"""Datasette as `zuofang serve` runs it, in-process, and swapped for a new one after each build.

A build renames a new registry.db over the old one (and its metadata beside it), so the
file's identity tells that a new build was published. The database is opened immutable (its
table counts and the response cache rely on that), so a Datasette that opened the old file
can never see the new one: `LiveDatasette` makes a new Datasette for the new file, checks that
it answers, and only then sends requests to it. Requests already running finish on the old
one, which is closed when the last of them is done.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from .. import urls
from ..build.output import JOURNAL
from ..database.build import METADATA_NAME
from ..errors import ZuofangError

HERE = Path(__file__).resolve().parents[1]  # site_builder/
TEMPLATES = HERE / "datasette" / "templates"
PLUGINS = HERE / "datasette" / "plugins"
REPO_METADATA = HERE.parent / "datasette_metadata.json"

#: Datasette settings: each one here for a reason.
SETTINGS = {
    "suggest_facets": False,    # suggestions cost ~10x on table pages (14 -> 144 req/s measured)
    "sql_time_limit_ms": 3000,  # a journalist's heavy join may take a while; not forever
    "max_returned_rows": 2000,
    "default_page_size": 50,
    "facet_time_limit_ms": 500,
    "default_cache_ttl": 300,   # the database is immutable between builds
    "base_url": urls.DATASETTE_BASE,
}


class DatasetteFailed(ZuofangError):
    """Datasette does not answer on a registry.db."""


def metadata_path(out_dir: Path) -> Path:
    """The metadata written beside registry.db by the build; the repository's copy otherwise."""
    path = Path(out_dir) / METADATA_NAME
    return path if path.is_file() else REPO_METADATA


def served_metadata(path: Path) -> dict:
    """The metadata file as `serve` gives it to Datasette: with the public site's pages on the
    same host (datasette/hooks.py)."""
    from ..datasette.hooks import SAME_HOST

    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata.setdefault("plugins", {})["zuofang"] = dict(SAME_HOST)
    return metadata


def datasette_app(out_dir, db_path=None, metadata=None):
    """The Datasette `serve` runs (tests and benchmarks use its .client); the build's
    soundness check passes the database and metadata it has not yet published."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from ..datasette.plugin import register

    register(pm)  # the installed entry point has, unless this runs from a bare checkout
    db_path = db_path or Path(out_dir) / "registry.db"
    metadata = Path(metadata) if metadata and Path(metadata).is_file() else metadata_path(out_dir)
    return Datasette(immutables=[str(db_path)], cors=True, metadata=served_metadata(metadata),
                     template_dir=str(TEMPLATES), plugins_dir=str(PLUGINS), settings=dict(SETTINGS))


def datasette_command(out_dir: Path, host: str, port: int) -> list[str]:
    """The same Datasette as a command line: a standalone replica (the deployment guide) and
    the benchmark's baseline."""
    metadata = metadata_path(out_dir)
    command = [sys.executable, "-m", "datasette", "serve", "-i", str(Path(out_dir) / "registry.db"),
               "--host", host, "--port", str(port), "--cors",
               "--metadata", str(metadata), "--template-dir", str(TEMPLATES), "--plugins-dir", str(PLUGINS)]
    for name, value in SETTINGS.items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        command += ["--setting", name, text]
    return command


def published_identity(out_dir: Path) -> tuple | None:
    """What tells one build's registry.db and metadata from the next; None while a build's
    commit is still moving files in (its journal is there), so that a half-published build
    is never served."""
    if os.path.exists(os.path.join(out_dir, JOURNAL)):
        return None
    identity = []
    for path in (Path(out_dir) / "registry.db", metadata_path(out_dir)):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        identity.append((st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(identity)


def _end_thread(conn):
    # Datasette's write thread for a database catches Exception only: this ends it.
    raise SystemExit


@dataclass(eq=False)
class Generation:
    """One Datasette and the requests it is answering."""

    identity: tuple
    datasette: object
    app: object
    running: int = 0
    retired: bool = False
    closed: bool = False

    async def close(self) -> None:
        """Free what this Datasette holds: its file connections (the replaced registry.db
        stays on disk while one is open), its SQL threads and its internal database's writer."""
        if self.closed:
            return
        self.closed = True
        ds = self.datasette
        internal = ds.databases.get("_internal")
        if internal is not None and internal._write_thread is not None:
            await internal.execute_write_fn(_end_thread, block=False)
        for database in ds.databases.values():
            database.close()
        if ds.executor is not None:
            ds.executor.shutdown(wait=False)


class LiveDatasette:
    """The ASGI app for /datasette/…: the Datasette of the newest published build."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.current: Generation | None = None
        self.refused: tuple | None = None   # a build that did not answer: not tried again

    async def start(self) -> None:
        identity = published_identity(self.out_dir)
        if identity is None:
            raise DatasetteFailed(f"找不到 {self.out_dir / 'registry.db'}，或一次构建正在写入：请先运行 "
                                  f"zuofang build DATA --out {self.out_dir}。")
        self.current = await self._load(identity)

    async def refresh(self) -> bool:
        """Serve the newest build if it differs from the one served; True when it changed."""
        identity = published_identity(self.out_dir)
        if identity is None or identity in (self.current.identity, self.refused):
            return False
        try:
            generation = await self._load(identity)
        except DatasetteFailed as exc:
            self.refused = identity
            print(f"新构建的数据库无法使用，继续提供上一版 The new build's database does not work; "
                  f"still serving the previous one: {exc}", file=sys.stderr, flush=True)
            return False
        previous, self.current = self.current, generation
        previous.retired = True
        if previous.running == 0:
            await previous.close()
        print(f"已换用新构建的数据库 Now serving the new build: {self.out_dir / 'registry.db'}",
              file=sys.stderr, flush=True)
        return True

    async def _load(self, identity: tuple) -> Generation:
        # Whatever breaks here (unreadable metadata, a damaged database), the build being
        # served stays served: the watcher that calls this must outlive any one bad build.
        try:
            ds = datasette_app(self.out_dir)
        except Exception as exc:  # noqa: BLE001
            raise DatasetteFailed(f"无法用 {metadata_path(self.out_dir)} 启动 Datasette：{exc}") from exc
        # The first request also counts every table once (immutable): done here, before any
        # visitor waits for it.
        try:
            status = (await ds.client.get(f"/{urls.DATASETTE_DB}.json")).status_code
        except Exception as exc:  # noqa: BLE001
            status = f"{type(exc).__name__}: {exc}"
        if status == 200:
            status = await _connect_every_thread(ds)
        if status != 200:
            await Generation(identity, ds, None).close()
            raise DatasetteFailed(f"Datasette 打不开 {self.out_dir / 'registry.db'}（{status}）")
        return Generation(identity, ds, ds.app())

    async def close(self) -> None:
        if self.current is not None:
            await self.current.close()

    async def __call__(self, scope, receive, send) -> None:
        generation = self.current
        generation.running += 1
        try:
            await generation.app(without_prefix(scope), receive, send)
        finally:
            generation.running -= 1
            if generation.retired and generation.running == 0:
                await generation.close()


async def _connect_every_thread(ds) -> int | str:
    """Open registry.db in each of Datasette's SQL threads now (200, or what went wrong).

    Datasette opens a database in a thread the first time that thread runs a query on it, by
    its path. A thread first used after the next build renamed a new registry.db over the old
    one (or a damaged file, which this Datasette must not serve) would open that file instead
    of the one this Datasette was started on; so every thread opens it here, each held until
    all have (a thread pool hands a short task to an idle thread rather than start another)."""
    threads = ds.setting("num_sql_threads")
    if not threads:
        return 200  # no threads: one connection, opened by the first query above
    database = ds.get_database(urls.DATASETTE_DB)
    together = threading.Barrier(threads)

    def hold(conn):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        together.wait(timeout=30)

    try:
        await asyncio.gather(*(database.execute_fn(hold) for _ in range(threads)))
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return 200


def without_prefix(scope: dict) -> dict:
    """The request as Datasette should see it: without /datasette, as a reverse proxy passes it
    on (nginx `proxy_pass …/;`). Datasette 0.65 adds base_url to the links it makes, and
    doubles it in some (/datasette/datasette/…) when the request path still carries it."""
    prefix = urls.DATASETTE_BASE.rstrip("/")
    scope = dict(scope, root_path="")
    if scope["path"].startswith(prefix):
        scope["path"] = scope["path"][len(prefix):] or "/"
    raw = scope.get("raw_path")
    if raw is not None and raw.startswith(prefix.encode()):
        scope["raw_path"] = raw[len(prefix):] or b"/"
    return scope
