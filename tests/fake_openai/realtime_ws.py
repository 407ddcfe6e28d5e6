"""A scripted OpenAI Realtime API (GA protocol) websocket server for tests, on 127.0.0.1.

The client connects by URL (``model_config={"url": server.url}``). Each connection records every client event in
``received`` and answers:

* ``session.update`` with ``session.updated`` (the whole session, the update merged in, as the API does);
* ``response.create`` with the next scripted response (``server.responses``: each a list of server events, sent
  in order); with none left, nothing.

A test drives the rest itself: ``conn = await server.connection()``, ``await conn.expect("conversation.item.create")``
(the next client event of that type; fails after a few seconds instead of hanging), ``await conn.send(event)``,
``await conn.close(code)``. The event builders below make the server events tests need.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

WAIT = 10.0
"""Seconds ``expect`` waits for a client event: a guard against a hang, never a synchronisation."""


class RealtimeConnection:
    def __init__(self, ws: ServerConnection, server: FakeRealtimeServer) -> None:
        self.ws = ws
        self.server = server
        self.received: list[dict[str, Any]] = []
        self.headers = dict(ws.request.headers) if ws.request is not None else {}
        self.path = ws.request.path if ws.request is not None else ""
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.session: dict[str, Any] = {"type": "realtime", "model": "gpt-realtime", **copy.deepcopy(server.session)}
        """The session as the server holds it: each ``session.update`` merged in (nested objects key by key, as
        the API merges them), echoed whole."""

    async def send(self, event: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(event))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)

    async def expect(self, kind: str) -> dict[str, Any]:
        """The next client event of type ``kind`` (others before it are skipped; all are in ``received``)."""
        async with asyncio.timeout(WAIT):
            while True:
                event = await self._inbox.get()
                if event.get("type") == kind:
                    return event

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.received if e.get("type") == kind]

    async def _serve(self) -> None:
        await self.send({"type": "session.created", "session": dict(self.session)})
        async for message in self.ws:
            event = json.loads(message)
            self.received.append(event)
            self._inbox.put_nowait(event)
            if event.get("type") == "session.update":
                _merge(self.session, event.get("session", {}))
                await self.send({"type": "session.updated", "session": dict(self.session)})
            elif event.get("type") == "response.create" and self.server.responses:
                for server_event in self.server.responses.pop(0):
                    await self.send(server_event)


class FakeRealtimeServer:
    def __init__(self) -> None:
        self.responses: list[list[dict[str, Any]]] = []
        self.session: dict[str, Any] = {}
        """What every connection's session starts with besides its type and model: e.g. the G.711 audio of a call
        that came in over SIP, which a session attached to it keeps."""
        self._connections: asyncio.Queue[RealtimeConnection] = asyncio.Queue()
        self._server: Server | None = None
        self.url = ""

    async def start(self) -> FakeRealtimeServer:
        self._server = await serve(self._handle, "127.0.0.1", 0)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime"
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def connection(self) -> RealtimeConnection:
        async with asyncio.timeout(WAIT):
            return await self._connections.get()

    async def _handle(self, ws: ServerConnection) -> None:
        conn = RealtimeConnection(ws, self)
        self._connections.put_nowait(conn)
        await conn._serve()


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


# -- server events -------------------------------------------------------------------------------------------------


def response_created(response_id: str) -> dict[str, Any]:
    return {"type": "response.created", "response": {"id": response_id, "status": "in_progress", "output": []}}


def response_done(response_id: str, input_tokens: int = 0, output_tokens: int = 0) -> dict[str, Any]:
    usage = {"total_tokens": input_tokens + output_tokens, "input_tokens": input_tokens,
             "output_tokens": output_tokens, "input_token_details": {"cached_tokens": 0, "text_tokens": input_tokens}}
    return {"type": "response.done", "response": {"id": response_id, "status": "completed", "usage": usage}}


def function_call(item_id: str, call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    item = {"id": item_id, "type": "function_call", "status": "completed", "call_id": call_id, "name": name,
            "arguments": json.dumps(arguments)}
    return {"type": "response.output_item.done", "response_id": "r", "output_index": 0, "item": item}


def assistant_message(item_id: str, transcript: str) -> dict[str, Any]:
    item = {"id": item_id, "type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_audio", "transcript": transcript}]}
    return {"type": "response.output_item.done", "response_id": "r", "output_index": 0, "item": item}


def audio_delta(response_id: str, item_id: str, audio: bytes) -> dict[str, Any]:
    return {"type": "response.output_audio.delta", "response_id": response_id, "item_id": item_id,
            "output_index": 0, "content_index": 0, "delta": base64.b64encode(audio).decode()}


def audio_done(response_id: str, item_id: str) -> dict[str, Any]:
    return {"type": "response.output_audio.done", "response_id": response_id, "item_id": item_id,
            "output_index": 0, "content_index": 0}


def transcript_delta(response_id: str, item_id: str, delta: str) -> dict[str, Any]:
    return {"type": "response.output_audio_transcript.delta", "response_id": response_id, "item_id": item_id,
            "output_index": 0, "content_index": 0, "delta": delta}


def error(message: str, code: str = "invalid_value") -> dict[str, Any]:
    return {"type": "error", "error": {"type": "invalid_request_error", "code": code, "message": message}}


def speech_started(item_id: str = "user_1") -> dict[str, Any]:
    return {"type": "input_audio_buffer.speech_started", "audio_start_ms": 0, "item_id": item_id}


def user_transcript(item_id: str, transcript: str) -> dict[str, Any]:
    return {"type": "conversation.item.input_audio_transcription.completed", "item_id": item_id,
            "content_index": 0, "transcript": transcript}


def spoken_answer(response_id: str, item_id: str, transcript: str, audio: bytes) -> list[dict[str, Any]]:
    """A whole spoken response: created, its audio and transcript, the message item, done."""
    return [
        response_created(response_id),
        audio_delta(response_id, item_id, audio),
        transcript_delta(response_id, item_id, transcript),
        audio_done(response_id, item_id),
        assistant_message(item_id, transcript),
        response_done(response_id, input_tokens=10, output_tokens=5),
    ]


def tool_turn(response_id: str, call_id: str, name: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """A response that only calls a function."""
    return [
        response_created(response_id),
        function_call(f"item_{call_id}", call_id, name, arguments),
        response_done(response_id, input_tokens=8, output_tokens=2),
    ]
