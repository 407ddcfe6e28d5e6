"""SDK 0.25's ``GenerationSpanData.tools`` reaches an SDK ``TracingProcessor`` fed from our spans (#5635): the
bridge fills it from the ``chat`` span's ``gen_ai.tool.definitions`` (content capture only), a run's function
definitions in the SDK's Chat Completions form (handoffs among them); what ``generation_span(tools=...)`` was given
arrives as given. Without capture it stays ``None`` and ``export()`` has no ``tools`` key, as in the SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sdk_span_support import Recorder, in_a_tool
from support import Tracing

from agents_otel import (
    Agent,
    GenerationSpanData,
    RunConfig,
    Runner,
    function_tool,
    generation_span,
    set_trace_processors,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    set_trace_processors([rec])
    yield rec
    set_trace_processors([])


@function_tool
def lookup(invoice_id: str) -> str:
    """Find an invoice."""
    return f"invoice {invoice_id}"


def _agent() -> Agent[Any]:
    billing = Agent("Billing", model=ScriptedModel([[assistant_message("42 EUR")]]))
    model = ScriptedModel([[function_call("lookup", {"invoice_id": "A1"}, call_id="c1")], [assistant_message("ok")]])
    return Agent("Triage", model=model, tools=[lookup], handoffs=[billing])


def _generations(recorder: Recorder) -> list[GenerationSpanData]:
    return [s.span_data for s in recorder.ended if isinstance(s.span_data, GenerationSpanData)]


async def test_a_processor_sees_the_tools_a_model_call_was_offered(recorder: Recorder, tracing: Tracing) -> None:
    config = RunConfig(tracer_provider=tracing.provider, capture_content=True)
    await Runner.run(_agent(), "invoice A1?", run_config=config)
    first = _generations(recorder)[0]
    assert first.tools is not None
    by_name = {tool["function"]["name"]: tool for tool in first.tools}
    assert set(by_name) == {"lookup", "transfer_to_billing"}
    assert all(tool["type"] == "function" for tool in first.tools)
    lookup_tool = by_name["lookup"]["function"]
    assert lookup_tool["description"] == "Find an invoice."
    assert lookup_tool["parameters"]["properties"]["invoice_id"]["type"] == "string"
    assert first.export()["tools"] == first.tools


async def test_without_capture_the_tools_stay_unset(recorder: Recorder, tracing: Tracing) -> None:
    await Runner.run(_agent(), "invoice A1?", run_config=RunConfig(tracer_provider=tracing.provider))
    generations = _generations(recorder)
    assert generations and all(g.tools is None and "tools" not in g.export() for g in generations)


async def test_generation_span_tools_arrive_as_given(
    recorder: Recorder, tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")
    given = [
        {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}},
        {"type": "web_search"},
    ]

    def body() -> None:
        with generation_span(model="m", tools=given):
            pass

    await in_a_tool(tracing, body)
    (made,) = [g for g in _generations(recorder) if g.model == "m"]
    assert made.tools == given
