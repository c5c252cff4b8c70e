"""`zuofang serve`: the built site and Datasette on one local address, in one process.

One ASGI app on uvicorn: Starlette's StaticFiles serves OUT_DIR/site (with the site's own
404 page), and Datasette is mounted under /datasette/ (live.LiveDatasette, which
switches to each new build's database), so site links made by urls.datasette_row work here
as behind a real web server. Being one process, Ctrl-C, SIGTERM or even SIGKILL leaves
nothing behind that holds a port.
"""
from __future__ import annotations

import asyncio
import contextlib
import copy
import errno
import mimetypes
import os
import signal
import socket
import threading
from pathlib import Path

from .. import urls
from ..errors import ZuofangError
from .live import LiveDatasette

#: How often the served folder is checked for a new build (a stat of two files).
POLL_SECONDS = 1.0

#: A request still running when Ctrl-C comes (a big CSV export) gets this long to finish.
GRACEFUL_SECONDS = 5

#: Served as UTF-8 text: what the site writes besides text/* (feeds, scripts, data, icons).
TEXT_TYPES = {"application/javascript", "application/json", "application/xml", "application/atom+xml",
              "application/manifest+json", "image/svg+xml"}

#: What a compressed file is, by its compression (as Python's http.server says).
COMPRESSED = {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz"}

NO_SITE_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>网站尚未生成 Site not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>网站尚未生成</h1>
<p>输出目录中还没有 site/ 文件夹。请运行 <code>zuofang build DATA --out OUT</code> 生成网站。</p>
<p>The site has not been built yet. The data is available in <a href="{datasette}">Datasette</a>.</p>
</body></html>
"""


class ServeError(ZuofangError):
    """The site or Datasette could not be started."""


class PortTaken(ServeError):
    """Another program listens on the port asked for."""


def content_type(path: str) -> str:
    """The Content-Type of a site file; every text type says it is UTF-8 (the build writes
    nothing else), so that no browser guesses GBK for a Chinese page or feed."""
    kind, encoding = mimetypes.guess_type(path)
    if encoding is not None:  # sitemap.xml.gz is a gzip file, not XML
        return COMPRESSED.get(encoding, "application/octet-stream")
    kind = kind or "application/octet-stream"
    if kind.startswith("text/") or kind in TEXT_TYPES:
        return f"{kind}; charset=utf-8"
    return kind


def site_files(site_dir: Path):
    """OUT_DIR/site as a static host serves it: index.html for folders, 404.html for unknown
    addresses; a page that says how to build while there is no site yet."""
    from starlette.responses import HTMLResponse, PlainTextResponse
    from starlette.staticfiles import StaticFiles

    class SiteFiles(StaticFiles):
        def file_response(self, full_path, stat_result, scope, status_code=200):
            response = super().file_response(full_path, stat_result, scope, status_code)
            if "content-type" in response.headers:
                response.headers["content-type"] = content_type(os.fspath(full_path))
            return response

    files = SiteFiles(directory=site_dir, html=True, check_dir=False)

    async def app(scope, receive, send):
        if scope["type"] != "http" or site_dir.is_dir():
            return await files(scope, receive, send)
        if scope["path"] in ("/", "/index.html"):
            response = HTMLResponse(NO_SITE_PAGE.format(datasette=urls.datasette_home()))
        else:
            response = PlainTextResponse("网站尚未生成 Site not built", status_code=404)
        await response(scope, receive, send)

    return app


def build_app(out_dir: Path, live: LiveDatasette):
    """The site at /, Datasette under /datasette/, and a watcher that serves each new build."""
    from starlette.applications import Starlette
    from starlette.responses import RedirectResponse
    from starlette.routing import Mount, Route

    async def datasette_home(request):
        return RedirectResponse(urls.datasette_home(), status_code=301)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        watcher = asyncio.create_task(_watch(live))
        try:
            yield
        finally:
            watcher.cancel()
            await live.close()

    base = urls.DATASETTE_BASE.rstrip("/")
    return Starlette(lifespan=lifespan, routes=[
        Route(base, datasette_home),
        Mount(base, app=live),
        Mount("/", app=site_files(Path(out_dir) / "site")),
    ])


async def _watch(live: LiveDatasette) -> None:
    while True:
        await asyncio.sleep(POLL_SECONDS)
        await live.refresh()


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is a clear message, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio turns Nagle off only on sockets that say they are TCP, and
    # without that every answer on a kept-alive connection waits 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    # Connections of a previous run waiting in TIME_WAIT must not keep the port.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortTaken(
                f"端口 {port} 已被其他程序占用：请用 --port 换一个端口，例如 zuofang serve --port {port + 1}。\n"
                f"Port {port} is already in use by another program: choose another one with --port, "
                f"e.g. zuofang serve --port {port + 1}.") from exc
        raise ServeError(f"无法在 {host}:{port} 上启动服务（{exc.strerror}）：请检查 --host 和 --port。\n"
                         f"Cannot listen on {host}:{port} ({exc.strerror}): check --host and --port.") from exc
    return sock


def serve(out_dir, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve OUT_DIR/site and its Datasette on `port` until Ctrl-C or SIGTERM."""
    out_dir = Path(out_dir)
    if not (out_dir / "registry.db").is_file():
        raise ServeError(f"找不到 {out_dir / 'registry.db'}：请先运行 zuofang build DATA --out {out_dir}。")
    sock = listen(host, port)
    previous = _stop_on_sigterm()
    try:
        asyncio.run(_run(out_dir, sock, host, port))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


async def _run(out_dir: Path, sock: socket.socket, host: str, port: int) -> None:
    import uvicorn

    live = LiveDatasette(out_dir)
    await live.start()
    verbose = bool(os.environ.get("ZUOFANG_SERVE_LOG"))
    config = uvicorn.Config(build_app(out_dir, live), lifespan="on", log_config=_log_config(),
                            log_level="info" if verbose else "warning", access_log=verbose,
                            timeout_graceful_shutdown=GRACEFUL_SECONDS)
    shown = f"[{host}]" if ":" in host else host
    lines = [f"网站 Site: http://{shown}:{port}/", f"Datasette: http://{shown}:{port}{urls.datasette_home()}",
             "按 Ctrl-C 停止。Press Ctrl-C to stop."]

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started:  # stdout carries only these lines; the logs go to stderr
                print("\n".join(lines), flush=True)

    await Server(config).serve(sockets=[sock])


def _log_config() -> dict:
    """uvicorn's own logging, all on stderr."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return config


def _stop_on_sigterm():
    """SIGTERM stops the server the way Ctrl-C does (uvicorn sends it on after its graceful
    shutdown), so `serve` ends with exit code 0 either way."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)
