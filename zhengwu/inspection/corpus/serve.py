"""Serve corpus sites over HTTP on 127.0.0.1 (one threaded server per site), for tests and the benchmark; and
write them to a folder for nginx (query-string pages as files, see ``write_tree``)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .build import Resource

NOT_FOUND = Resource("<html><body>404 页面不存在</body></html>".encode(), status=404)


def make_handler(resources: dict[str, Resource]):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _route(self, head: bool) -> None:
            parts = urlsplit(self.path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            resource = resources.get(path) or resources.get(parts.path, NOT_FOUND)
            self.send_response(resource.status)
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
            self.end_headers()
            if not head:
                self.wfile.write(resource.body)

        def do_GET(self) -> None:
            self._route(False)

        def do_HEAD(self) -> None:
            self._route(True)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


class Server:
    def __init__(self, resources: dict[str, Resource]) -> None:
        self.httpd = _QuietServer(("127.0.0.1", 0), make_handler(resources))
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def tree_path(path: str) -> str:
    """Where a resource lies in the nginx tree: ``/show.php?id=12`` → ``/_q/show.php/id=12`` (nginx serves it
    with ``try_files /_q$uri/$args``), ``/`` → ``/index.html``."""
    if "?" in path:
        stem, query = path.split("?", 1)
        return f"/_q{stem}/{query}"
    if path.endswith("/"):
        return path + "index.html"
    return path


def write_tree(resources: dict[str, Resource], root: Path) -> None:
    for path, resource in resources.items():
        if resource.status != 200:
            continue
        target = root / tree_path(path).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(resource.body)
