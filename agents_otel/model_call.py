"""One model call inside its ``chat {model}`` span (kind CLIENT).

The span is made here, not in the Model, so every provider is traced identically from what it returns.
Time to first chunk is taken at the first event a streaming model yields; a model whose first chunk carries no text
(a tool-call-only answer) yields an empty ``TextDelta`` for it, which marks the time and is not forwarded.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind

from .exceptions import ModelBehaviorError
from .models.interface import Model, ModelRequest, ModelResponse, TextDelta
from .stream_events import RawResponsesStreamEvent
from .tracing import attributes as A
from .tracing.messages import messages_json, system_instructions_json, tool_definitions_json
from .tracing.spans import SpanScope

if TYPE_CHECKING:
    from .run_state import RunState

TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk"
"""Seconds from request to the first streamed chunk (streaming calls only)."""
REQUEST_STREAM = "gen_ai.request.stream"
"""``True`` on streaming calls; the conventions have it set if and only if the request streams."""


def request_attributes(model: Model, request: ModelRequest, capture_content: bool) -> dict[str, Any]:
    attributes = A.model_attributes(model)
    attributes[A.GEN_AI_OUTPUT_TYPE] = "text" if request.output_schema is None else "json"
    settings = request.settings
    if settings.temperature is not None:
        attributes[A.GEN_AI_REQUEST_TEMPERATURE] = settings.temperature
    if settings.top_p is not None:
        attributes[A.GEN_AI_REQUEST_TOP_P] = settings.top_p
    if settings.max_tokens is not None:
        attributes[A.GEN_AI_REQUEST_MAX_TOKENS] = settings.max_tokens
    if capture_content:
        attributes[A.GEN_AI_INPUT_MESSAGES] = messages_json(request.input)
        if request.system_instructions:
            attributes[A.GEN_AI_SYSTEM_INSTRUCTIONS] = system_instructions_json(request.system_instructions)
        if request.tools:
            attributes[A.GEN_AI_TOOL_DEFINITIONS] = tool_definitions_json(request.tools)
    return attributes


def response_attributes(response: ModelResponse, capture_content: bool) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        A.GEN_AI_USAGE_INPUT_TOKENS: response.usage.input_tokens,
        A.GEN_AI_USAGE_OUTPUT_TOKENS: response.usage.output_tokens,
    }
    if response.model:
        attributes[A.GEN_AI_RESPONSE_MODEL] = response.model
    if response.response_id:
        attributes[A.GEN_AI_RESPONSE_ID] = response.response_id
    if response.finish_reasons:
        attributes[A.GEN_AI_RESPONSE_FINISH_REASONS] = list(response.finish_reasons)
    if capture_content:
        finish = response.finish_reasons[0] if response.finish_reasons else None
        attributes[A.GEN_AI_OUTPUT_MESSAGES] = messages_json(response.output, finish)
    return attributes


async def call_model(model: Model, request: ModelRequest, run: RunState, agent_name: str) -> ModelResponse:
    attributes = request_attributes(model, request, run.capture_content)
    if run.stream is not None:
        attributes[REQUEST_STREAM] = True
    started = time.perf_counter()
    span = run.tracer.start_span(f"{A.OP_CHAT} {model.model_name}", kind=SpanKind.CLIENT, attributes=attributes)
    scope = SpanScope(span)  # current while the model works, so instrumented HTTP calls nest under it
    response: ModelResponse | None = None
    try:
        with scope:
            if run.stream is None:
                response = await model.get_response(request)
            else:
                response = await _stream(model, request, run, agent_name, span)
            span.set_attributes(response_attributes(response, run.capture_content))
        return response
    finally:
        run.metrics.model_call(model, response, scope.error_type, time.perf_counter() - started, agent_name)


async def _stream(model: Model, request: ModelRequest, run: RunState, agent_name: str, span: Any) -> ModelResponse:
    started = time.perf_counter()
    first = True
    events = model.stream_response(request)
    try:
        async for event in events:
            if first:
                span.set_attribute(TIME_TO_FIRST_CHUNK, time.perf_counter() - started)
                first = False
            if isinstance(event, TextDelta):
                if event.delta:
                    run.emit(RawResponsesStreamEvent(event, agent_name))
            else:
                return event
    finally:
        # Close the generator now, not whenever it is collected: on an error or a cancelled run this releases the
        # model's HTTP stream at once.
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
    raise ModelBehaviorError(f"{type(model).__name__}.stream_response ended without a final ModelResponse")
