"""Test helpers that look at a built site the way a visitor's browser would."""
from __future__ import annotations

import functools
import socket
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class StaticServer:
    """The built site on 127.0.0.1, in a thread: what a static host would serve."""

    def __init__(self, root: Path):
        handler = functools.partial(QuietHandler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class LinkCollector(HTMLParser):
    """Every URL a page links to or loads (href, src, srcset, action)."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.loads: list[str] = []  # URLs the browser fetches when showing the page

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        rel = set((attributes.get("rel") or "").split())
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and attributes.get("src"):
            self.loads.append(attributes["src"])
        if tag == "link" and rel & {"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch"}:
            self.loads.append(attributes.get("href") or "")
        for name, value in attrs:
            if value and name in ("href", "src", "action"):
                self.urls.append((tag, name, value))
            elif value and name == "srcset":
                for part in value.split(","):
                    self.urls.append((tag, name, part.strip().split(" ")[0]))


def page_links(html_file: Path) -> list[tuple[str, str, str]]:
    parser = LinkCollector()
    parser.feed(html_file.read_text(encoding="utf-8"))
    return parser.urls


def page_loads(html_file: Path) -> list[str]:
    parser = LinkCollector()
    parser.feed(html_file.read_text(encoding="utf-8"))
    return parser.loads


def resolve_internal(site_root: Path, page: Path, url: str) -> Path | None:
    """The file an internal URL on `page` points at, or None for other hosts and special schemes."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("#", "mailto:", "tel:", "data:", "javascript:")):
        return None
    page_address = "/" + page.relative_to(site_root).as_posix()
    path = unquote(urlsplit(urljoin(page_address, url)).path)
    target = site_root / path.lstrip("/")
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target
