"""The threaded HTTP server both fake providers run on: scripted answers popped in order, requests recorded.

Standard library only (``ThreadingHTTPServer``): a provider's answer here is one JSON body or a list of SSE
events written at once, which needs nothing more. A request with no answer left is a 500 naming the path, so a test
that scripted too few answers fails on what it sent rather than hanging.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # the JSON body, parsed


@dataclass(frozen=True)
class Answer:
    """One scripted answer: ``events`` (``(event name or None, JSON data)``) for a streamed request, else ``body``."""

    body: dict[str, Any]
    events: list[tuple[str | None, dict[str, Any]]]


class FakeProviderServer:
    """Start with ``with Server() as server`` (or ``start()`` / ``stop()``). Subclasses say which requests stream
    (:meth:`streams`) and render their answers into an :class:`Answer`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: deque[Answer] = deque()
        self._requests: list[RecordedRequest] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def root_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def queue(self, answer: Answer) -> None:
        with self._lock:
            self._answers.append(answer)

    def streams(self, path: str, body: Any) -> bool:
        raise NotImplementedError

    def start(self) -> FakeProviderServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # the http.server hook's name
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with server._lock:
                    server._requests.append(RecordedRequest("POST", self.path, dict(self.headers.items()), body))
                    answer = server._answers.popleft() if server._answers else None
                if answer is None:
                    self._send(500, "application/json", json.dumps({"error": f"no answer scripted for {self.path}"}))
                elif server.streams(self.path, body):
                    lines = []
                    for name, data in answer.events:
                        if name is not None:
                            lines.append(f"event: {name}\n")
                        lines.append(f"data: {json.dumps(data)}\n\n")
                    self._send(200, "text/event-stream", "".join(lines))
                else:
                    self._send(200, "application/json", json.dumps(answer.body))

            def _send(self, status: int, kind: str, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeProviderServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
