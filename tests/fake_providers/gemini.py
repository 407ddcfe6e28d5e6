"""A fake Gemini API (Google AI Studio): ``POST /models/{model}:generateContent`` and ``:streamGenerateContent``.

``enqueue(parts)`` scripts one answer from a candidate's parts as Gemini writes them: ``{"text": ..., "thought":
True}`` (a thought summary), ``{"text": ...}``, ``{"functionCall": {"name", "args"}, "thoughtSignature": ...}``.
Streamed (``alt=sse``), each part is one SSE ``data:`` chunk, the last with the finish reason and usage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .base import Answer, FakeProviderServer


class FakeGeminiServer(FakeProviderServer):
    @property
    def base_url(self) -> str:
        """For ``LitellmModel(base_url=...)``: LiteLLM adds ``/models/{model}:generateContent``."""
        return self.root_url

    def streams(self, path: str, body: Any) -> bool:
        return ":streamGenerateContent" in path

    def enqueue(self, parts: Sequence[Mapping[str, Any]], *, model: str = "gemini-2.5-flash") -> None:
        parts = [dict(p) for p in parts]
        usage = {"promptTokenCount": 20, "candidatesTokenCount": 10, "totalTokenCount": 30}

        def chunk(some: list[dict[str, Any]], last: bool) -> dict[str, Any]:
            candidate: dict[str, Any] = {"content": {"role": "model", "parts": some}, "index": 0}
            out: dict[str, Any] = {"candidates": [candidate], "modelVersion": model}
            if last:
                candidate["finishReason"] = "STOP"
                out["usageMetadata"] = usage
            return out

        events: list[tuple[str | None, dict[str, Any]]] = [
            (None, chunk([part], i == len(parts) - 1)) for i, part in enumerate(parts)
        ]
        self.queue(Answer(chunk(parts, True), events))
