"""`zuofang serve`: the built site and Datasette on one local address.

The static site is served by Python's ThreadingHTTPServer on `port`; Datasette runs as a
child process on `port + 1` with base_url /datasette/, and the site server forwards every
/datasette/… request to it, so site links made by urls.datasette_row work unchanged here
and behind a real web server. Ctrl-C (or SIGTERM) stops both.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import urls
from .errors import ZuofangError

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "datasette" / "templates"
PLUGINS = HERE / "datasette" / "plugins"
REPO_METADATA = HERE.parent / "datasette_metadata.json"
from .database import METADATA_NAME  # written beside registry.db by the database stage

#: Datasette settings: each one here for a reason.
SETTINGS = {
    "suggest_facets": False,    # suggestions cost ~10x on table pages (DESIGN.md: 14 -> 144 req/s)
    "sql_time_limit_ms": 3000,  # a journalist's heavy join may take a while; not forever
    "max_returned_rows": 2000,
    "default_page_size": 50,
    "facet_time_limit_ms": 500,
    "default_cache_ttl": 300,   # the database is immutable between builds
    "base_url": urls.DATASETTE_BASE,
}

#: Headers that describe one hop, not the response: never copied through the proxy.
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authenticate", "proxy-authorization"}

START_TIMEOUT = 30.0

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


def datasette_command(out_dir: Path, host: str, port: int) -> list[str]:
    """The command line that serves OUT_DIR/registry.db with our metadata, templates and plugins."""
    metadata = metadata_path(out_dir)
    command = [sys.executable, "-m", "datasette", "serve", "-i", str(out_dir / "registry.db"),
               "--host", host, "--port", str(port), "--cors",
               "--metadata", str(metadata), "--template-dir", str(TEMPLATES), "--plugins-dir", str(PLUGINS)]
    for name, value in SETTINGS.items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        command += ["--setting", name, text]
    return command


def metadata_path(out_dir: Path) -> Path:
    """The metadata written beside registry.db by the build; the repository's copy otherwise."""
    path = Path(out_dir) / METADATA_NAME
    return path if path.is_file() else REPO_METADATA


def datasette_app(out_dir, db_path=None, metadata=None):
    """The same Datasette `serve` runs, in this process (tests and benchmarks use its .client);
    the build's soundness check passes the database and metadata it has not yet published."""
    from datasette.app import Datasette

    db_path = db_path or Path(out_dir) / "registry.db"
    metadata = Path(metadata) if metadata and Path(metadata).is_file() else metadata_path(out_dir)
    return Datasette(immutables=[str(db_path)], cors=True,
                     metadata=json.loads(metadata.read_text(encoding="utf-8")),
                     template_dir=str(TEMPLATES), plugins_dir=str(PLUGINS), settings=dict(SETTINGS))


def serve(out_dir, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve OUT_DIR/site on `port` and Datasette on `port + 1` until Ctrl-C or SIGTERM."""
    out_dir = Path(out_dir)
    if not (out_dir / "registry.db").is_file():
        raise ServeError(f"找不到 {out_dir / 'registry.db'}：请先运行 zuofang build DATA --out {out_dir}。")
    try:
        httpd = ThreadingHTTPServer((host, port), partial(SiteHandler, out_dir / "site", host, port + 1))
    except OSError as exc:
        raise ServeError(f"无法在 {host}:{port} 上启动网站（{exc.strerror}）：端口可能已被占用，请用 --port 指定其他端口。") from exc
    httpd.daemon_threads = True
    # Datasette's request log goes to stderr: stdout carries only the two addresses.
    # UTF-8 mode: Datasette reads the metadata and plugin files with the locale's encoding.
    datasette = subprocess.Popen(datasette_command(out_dir, host, port + 1), stdin=subprocess.DEVNULL,
                                 stdout=_stderr_fd(), env={**os.environ, "PYTHONUTF8": "1"})
    previous = _stop_on_sigterm()
    try:
        _wait_until_up(datasette, host, port + 1)
        threading.Thread(target=_watch, args=(datasette, httpd), daemon=True).start()
        print(f"网站 Site: http://{host}:{port}/", flush=True)
        print(f"Datasette: http://{host}:{port}{urls.datasette_home()}", flush=True)
        print("按 Ctrl-C 停止。Press Ctrl-C to stop.", flush=True)
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        _stop(datasette)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if datasette.returncode not in (0, -signal.SIGTERM, -signal.SIGINT, -signal.SIGKILL):
        raise ServeError(f"Datasette 意外退出（退出码 {datasette.returncode}），请查看上面的错误信息。")


def _stderr_fd():
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # a replaced sys.stderr (e.g. under a test runner)
        return subprocess.DEVNULL


def _stop_on_sigterm():
    """SIGTERM stops the servers the way Ctrl-C does, so Datasette never outlives us."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _wait_until_up(process: subprocess.Popen, host: str, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(f"Datasette 启动失败（退出码 {process.returncode}）：端口 {port} 可能已被占用，请用 --port 指定其他端口。")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/-/versions.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise ServeError(f"Datasette 在 {START_TIMEOUT:.0f} 秒内没有响应。")


def _watch(process: subprocess.Popen, httpd: ThreadingHTTPServer) -> None:
    """If Datasette dies, stop the site server too: half a service would only confuse."""
    process.wait()
    httpd.shutdown()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files from the site folder; /datasette/… forwarded to Datasette."""

    def __init__(self, site_dir: Path, upstream_host: str, upstream_port: int, *args, **kwargs):
        self.site_dir = site_dir
        self.upstream = (upstream_host, upstream_port)
        super().__init__(*args, directory=str(site_dir), **kwargs)

    def do_GET(self):
        if self._is_datasette():
            return self._forward()
        if not self.site_dir.is_dir():
            return self._no_site()
        return super().do_GET()

    def do_HEAD(self):
        if self._is_datasette():
            return self._forward()
        if not self.site_dir.is_dir():
            return self._no_site()
        return super().do_HEAD()

    def do_POST(self):
        if self._is_datasette():
            return self._forward()
        self.send_error(405)

    def _is_datasette(self) -> bool:
        base = urls.datasette_home()
        return self.path == base.rstrip("/") or self.path.startswith(base)

    def _upstream_path(self) -> str:
        # The prefix is removed as a reverse proxy would (nginx `proxy_pass …/;`): Datasette
        # 0.65 adds base_url to the links it makes, and doubles it in some of them
        # (/datasette/datasette/…) when the request path still carries it.
        rest = self.path[len(urls.datasette_home().rstrip("/")):]
        return rest if rest.startswith("/") else "/" + rest

    def _no_site(self):
        if self.path.split("?")[0] not in ("/", "/index.html"):
            return self.send_error(404, "网站尚未生成 Site not built")
        body = NO_SITE_PAGE.format(datasette=urls.datasette_home()).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            conn.request(self.command, self._upstream_path(), body=body, headers=headers)
            response = conn.getresponse()
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in HOP_HEADERS:
                    self.send_header(key, value)
            self.end_headers()
            # Copied in chunks: a streamed CSV export can be large. Without a length the
            # response ends when this (HTTP/1.0) connection closes.
            while chunk := response.read(64 * 1024):
                if self.command != "HEAD":
                    self.wfile.write(chunk)
        except OSError as exc:
            self.send_error(502, f"Datasette unavailable: {exc}")
        finally:
            conn.close()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if os.environ.get("ZUOFANG_SERVE_LOG"):
            super().log_message(format, *args)

