"""The fake server's Responses API websocket mode: ``ws://.../v1/responses``, answering from the same scripts.

Each ``response.create`` message is recorded as a request (method ``"WS"``, the handshake's headers, the message as
its body, so ``server.requests_to("/responses")`` sees it as it sees HTTP calls) and answered with the next script:
the stream events ``wire.render_response_stream`` makes for the HTTP stream, one message each (its gate honoured),
or, for a scripted error (``enqueue_error``), the websocket ``error`` event with the status, code and message. With
no script left the answer is an ``error`` event too. ``server.ws_drops`` cuts the next answer short: after that
many events the server closes the socket (code 1011), as a dropped connection. ``server.ws_handshakes`` holds each
connection's path and query, and headers: one entry per socket opened.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from . import wire

if TYPE_CHECKING:
    from .server import FakeOpenAIServer


def responses_websocket(server: FakeOpenAIServer) -> Any:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        headers = dict(websocket.headers)
        server.ws_handshakes.append({"path": websocket.url.path, "query": dict(websocket.query_params), **headers})
        try:
            while True:
                message = await websocket.receive_text()
                if not await _answer(server, websocket, headers, message):
                    return
        except WebSocketDisconnect:
            return

    return endpoint


async def _answer(server: FakeOpenAIServer, websocket: WebSocket, headers: dict[str, str], message: str) -> bool:
    """Answer one client message; ``False`` once the socket was closed (a scripted drop)."""
    from .server import RecordedRequest

    body = json.loads(message)
    with server._lock:
        server._requests.append(RecordedRequest("WS", "/v1/responses", headers, body, message.encode()))
    script = server._pop(body)
    if script is None:
        await websocket.send_text(json.dumps(_error(400, "fake_openai: no scripted response left; enqueue() first")))
        return True
    if script.error is not None:
        await websocket.send_text(json.dumps(_error(script.error, script.error_message, script.error_code)))
        return True
    drop = server.ws_drops.pop(0) if server.ws_drops else None
    with server._lock:
        items = wire.render_response_stream(script, body, server._ids, int(time.time()))
    for sent, item in enumerate(items):
        if drop is not None and sent == drop:
            await websocket.close(code=1011, reason="fake_openai: scripted drop")
            return False
        if item.gated and script.gate is not None:
            await script.gate._pass()
        await websocket.send_text(json.dumps(item.data))
    return True


def _error(status: int, message: str | None, code: str | None = None) -> dict[str, Any]:
    envelope = wire.render_error(status, message, code)["error"]
    return {"type": "error", "status": status, "error": envelope}
