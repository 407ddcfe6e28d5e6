"""What the model-adapter compatibility tests share (LiteLLM, any-llm): a run in either mode that keeps the text
deltas a stream consumer saw, and the ``chat`` spans' attributes."""

from __future__ import annotations

from typing import Any

from openai.types.responses import ResponseTextDeltaEvent
from support import Tracing

from agents_otel import Agent, RunConfig, Runner


async def run(agent: Agent[Any], mode: str, tracing: Tracing, **kwargs: Any) -> Any:
    """``Runner.run`` (``mode="plain"``) or a consumed ``Runner.run_streamed`` whose result carries ``deltas``,
    the text deltas as ``RawResponsesStreamEvent`` data."""
    config = RunConfig(tracer_provider=tracing.provider, **kwargs)
    if mode == "plain":
        return await Runner.run(agent, "hi", run_config=config)
    result = Runner.run_streamed(agent, "hi", run_config=config)
    result.deltas = [  # type: ignore[attr-defined]
        e.data.delta
        async for e in result.stream_events()
        if e.type == "raw_response_event" and isinstance(e.data, ResponseTextDeltaEvent)
    ]
    return result


def chat_attributes(tracing: Tracing) -> list[dict[str, Any]]:
    return [dict(span.attributes or {}) for span in tracing.named("chat")]
