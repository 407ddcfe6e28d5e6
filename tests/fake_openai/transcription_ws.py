"""A fake of OpenAI's realtime transcription websocket (``/v1/realtime?intent=transcription``): a real
``websockets`` server on 127.0.0.1, in a thread of its own (so it serves an ``asyncio.run`` in a subprocess or in
the test's loop alike), answering each connection from a script.

A script is a list of steps, run in order: :class:`Send` events, :class:`Expect` client messages of a type (every
message read is recorded), :class:`Drop` the TCP connection without a close frame, or :class:`Close` it cleanly.
After the last step the server reads (and records) until the client closes. A connection with no script queued
runs :func:`handshake` alone. What each connection sent is in ``server.connections``.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


@dataclass
class Send:
    events: list[dict[str, Any]]


@dataclass
class Expect:
    type: str
    count: int = 1


@dataclass
class Drop:
    pass


@dataclass
class Close:
    pass


Step = Send | Expect | Drop | Close


def handshake(created: str = "session.created", updated: str = "session.updated") -> list[Step]:
    """The session's set-up: ``created`` on connect, ``updated`` once the client's ``session.update`` arrives."""
    return [Send([{"type": created}]), Expect("session.update"), Send([{"type": updated}])]


def transcript(item_id: str, text: str, completed: str = "conversation.item.input_audio_transcription.completed"
               ) -> Send:
    """A turn committed by the server and transcribed."""
    return Send([{"type": "input_audio_buffer.committed", "item_id": item_id},
                 {"type": completed, "item_id": item_id, "transcript": text}])


def error(code: str, message: str = "fake error") -> Send:
    return Send([{"type": "error", "error": {"type": "invalid_request_error", "code": code, "message": message}}])


@dataclass
class Connection:
    """One client connection: the request and every message it sent."""

    path: str
    headers: dict[str, str]
    received: list[dict[str, Any]] = field(default_factory=list)
    closed_by_client: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.received if message.get("type") == kind]

    def finished(self) -> Connection:
        """Wait until the server is done with this connection (the client closed it, or the script ended it)."""
        assert self.done.wait(10), "the fake transcription server never finished the connection"
        return self


class TranscriptionServer:
    def __init__(self) -> None:
        self.scripts: deque[list[Step]] = deque()
        self.connections: list[Connection] = []
        self._open: list[ServerConnection] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.socket.getsockname()[1])

    @property
    def http_base_url(self) -> str:
        """A client ``base_url`` whose websocket base is this server (``ws://127.0.0.1:PORT/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        self._server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        for connection in list(self._open):
            connection.close()
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(10)

    def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        record = Connection(ws.request.path, {k: v for k, v in ws.request.headers.raw_items()})
        self.connections.append(record)
        self._open.append(ws)
        script = self.scripts.popleft() if self.scripts else handshake()
        try:
            for step in script:
                if isinstance(step, Send):
                    for event in step.events:
                        ws.send(json.dumps(event))
                elif isinstance(step, Expect):
                    seen = 0
                    while seen < step.count:
                        message = self._read(ws, record)
                        seen += message.get("type") == step.type
                elif isinstance(step, Drop):
                    ws.socket.shutdown(socket.SHUT_RDWR)
                    ws.socket.close()
                    return
                else:
                    ws.close()
                    return
            while True:
                self._read(ws, record)
        except ConnectionClosed:
            record.closed_by_client = True
        finally:
            self._open.remove(ws)
            record.done.set()

    @staticmethod
    def _read(ws: ServerConnection, record: Connection) -> dict[str, Any]:
        message = json.loads(ws.recv())
        record.received.append(message)
        return dict(message)


def running() -> Iterator[TranscriptionServer]:
    """A started server, stopped after (for a fixture)."""
    server = TranscriptionServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
