"""SDK 0.25: ``generation_span(tools=...)`` and ``GenerationSpanData.tools``, the tool definitions a model call was
offered (#5635). As this runtime's span functions honour their other content fields: the definitions are on the
``chat`` span as ``gen_ai.tool.definitions`` under content capture only, and ``span_data.export()`` holds a
``tools`` key only when tools were given, as the SDK's does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sdk_span_support import attrs, in_a_tool, one
from support import Tracing

from agents_otel import GenerationSpanData, generation_span

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
TOOLS: list[dict[str, Any]] = [
    {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}},
    {"type": "function", "function": {"name": "transfer_to_billing", "parameters": {"type": "object"}}},
]


async def test_offered_tools_are_recorded_under_capture(tracing: Tracing, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CAPTURE, "SPAN_ONLY")

    def body() -> dict[str, Any]:
        with generation_span(model="m", tools=TOOLS) as span:
            return span.span_data.export()

    exported = (await in_a_tool(tracing, body))["value"]
    assert json.loads(attrs(one(tracing, "chat m"))["gen_ai.tool.definitions"]) == TOOLS
    assert exported["tools"] == TOOLS


async def test_offered_tools_stay_off_the_span_without_capture(tracing: Tracing) -> None:
    def body() -> None:
        with generation_span(model="m", tools=TOOLS):
            pass

    await in_a_tool(tracing, body)
    assert "gen_ai.tool.definitions" not in attrs(one(tracing, "chat m"))


def test_span_data_takes_tools_and_exports_them_only_when_given() -> None:
    assert GenerationSpanData(model="m", tools=TOOLS).tools == TOOLS
    assert GenerationSpanData(model="m", tools=TOOLS).export()["tools"] == TOOLS
    assert "tools" not in GenerationSpanData(model="m").export()
    assert GenerationSpanData(model="m").tools is None
