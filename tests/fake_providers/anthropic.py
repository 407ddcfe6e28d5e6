"""A fake Anthropic Messages API: ``POST /v1/messages``, a JSON message or its SSE stream.

``enqueue(blocks)`` scripts one answer from content blocks as Anthropic writes them: ``thinking`` (with its
``signature``), ``redacted_thinking`` (``data``), ``text``, ``tool_use`` (``id``, ``name``, ``input``). Streamed, each
block is a ``content_block_start`` (empty), its deltas (``thinking_delta`` in two pieces then ``signature_delta``;
``text_delta``; ``input_json_delta`` in two pieces) and ``content_block_stop``, between ``message_start`` and
``message_delta`` / ``message_stop``, as the API streams them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .base import Answer, FakeProviderServer


class FakeAnthropicServer(FakeProviderServer):
    @property
    def base_url(self) -> str:
        """For ``LitellmModel(base_url=...)``: LiteLLM adds ``/v1/messages``."""
        return self.root_url

    def streams(self, path: str, body: Any) -> bool:
        return isinstance(body, dict) and body.get("stream") is True

    def enqueue(self, blocks: Sequence[Mapping[str, Any]], *, model: str = "claude-sonnet-4-5") -> None:
        content = [dict(b) for b in blocks]
        stop = "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn"
        usage = {"input_tokens": 20, "output_tokens": 10}
        message = {"id": "msg_fake", "type": "message", "role": "assistant", "model": model}
        body = {**message, "content": content, "stop_reason": stop, "stop_sequence": None, "usage": usage}
        events: list[tuple[str | None, dict[str, Any]]] = [
            ("message_start", {"type": "message_start", "message": {**message, "content": [], "usage": usage}})
        ]
        for index, block in enumerate(content):
            events.append(("content_block_start", {"type": "content_block_start", "index": index, **_start(block)}))
            for delta in _deltas(block):
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        delta = {"stop_reason": stop, "stop_sequence": None}
        events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": {"output_tokens": 10}}))
        events.append(("message_stop", {"type": "message_stop"}))
        self.queue(Answer(body, events))


def _start(block: dict[str, Any]) -> dict[str, Any]:
    kind = block["type"]
    if kind == "thinking":
        return {"content_block": {"type": "thinking", "thinking": "", "signature": ""}}
    if kind == "text":
        return {"content_block": {"type": "text", "text": ""}}
    if kind == "tool_use":
        return {"content_block": {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}
    return {"content_block": block}  # redacted_thinking: whole at its start


def _halves(text: str) -> list[str]:
    middle = len(text) // 2
    return [part for part in (text[:middle], text[middle:]) if part]


def _deltas(block: dict[str, Any]) -> list[dict[str, Any]]:
    kind = block["type"]
    if kind == "thinking":
        pieces = [{"type": "thinking_delta", "thinking": p} for p in _halves(block["thinking"])]
        return [*pieces, {"type": "signature_delta", "signature": block["signature"]}]
    if kind == "text":
        return [{"type": "text_delta", "text": p} for p in _halves(block["text"])]
    if kind == "tool_use":
        return [{"type": "input_json_delta", "partial_json": p} for p in _halves(json.dumps(block["input"]))]
    return []
