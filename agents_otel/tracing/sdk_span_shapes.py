"""Which span our runtime makes for each of the OpenAI Agents SDK's span-data kinds: name, kind, attributes.

Why a module of its own: it is the one mapping from the SDK's span data (``AgentSpanData``, ``GenerationSpanData``,
...) to the GenAI conventions' spans, the inverse of what :mod:`.sdk_trace_bridge` reads back for the trace
processors; keeping the two side by side in small modules keeps them checkable against each other. Used by the span
functions (:mod:`.sdk_spans`) at ``start`` and again at ``finish``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.trace import SpanKind

from ..exceptions import UserError
from ..safe_json import dumps
from . import attributes as A
from .sdk_span_data import (
    AgentSpanData,
    CustomSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailSpanData,
    HandoffSpanData,
    MCPListToolsSpanData,
    ResponseSpanData,
    SpanData,
    TaskSpanData,
    TurnSpanData,
)
from .sdk_voice_shapes import voice_shape
from .workflow import CUSTOM_DATA_PREFIX, attribute_value


def span_shape(data: SpanData, capture: bool) -> tuple[str, SpanKind, dict[str, Any]]:
    """The name, kind and attributes our runtime gives a span of ``data``'s kind (see docs/trace-model.md)."""
    attributes: dict[str, Any]
    if isinstance(data, AgentSpanData):
        attributes = {A.GEN_AI_OPERATION_NAME: A.OP_INVOKE_AGENT, A.GEN_AI_AGENT_NAME: data.name}
        if data.output_type is not None:
            attributes[A.GEN_AI_OUTPUT_TYPE] = "text" if data.output_type == "str" else "json"
        if capture and data.tools is not None:
            attributes[A.GEN_AI_TOOL_DEFINITIONS] = dumps([{"type": "function", "name": t} for t in data.tools])
        return f"{A.OP_INVOKE_AGENT} {data.name}", SpanKind.INTERNAL, attributes
    if isinstance(data, FunctionSpanData):
        attributes = {A.GEN_AI_OPERATION_NAME: A.OP_EXECUTE_TOOL, A.GEN_AI_TOOL_NAME: data.name,
                      A.GEN_AI_TOOL_TYPE: "function"}
        if capture and data.input is not None:
            attributes[A.GEN_AI_TOOL_CALL_ARGUMENTS] = data.input
        if capture and data.output is not None:
            attributes[A.GEN_AI_TOOL_CALL_RESULT] = str(data.output)
        return f"{A.OP_EXECUTE_TOOL} {data.name}", SpanKind.INTERNAL, attributes
    if isinstance(data, GenerationSpanData):
        attributes = {A.GEN_AI_OPERATION_NAME: A.OP_CHAT}
        if data.model:
            attributes[A.GEN_AI_REQUEST_MODEL] = data.model
        attributes.update(_model_config(data.model_config))
        attributes.update(_usage(data.usage))
        if capture and data.input is not None:
            attributes[A.GEN_AI_INPUT_MESSAGES] = dumps(list(data.input))
        if capture and data.output is not None:
            attributes[A.GEN_AI_OUTPUT_MESSAGES] = dumps(list(data.output))
        if capture and data.tools is not None:
            attributes[A.GEN_AI_TOOL_DEFINITIONS] = dumps(list(data.tools))
        return _chat_name(data.model), SpanKind.CLIENT, attributes
    if isinstance(data, ResponseSpanData):
        attributes = {A.GEN_AI_OPERATION_NAME: A.OP_CHAT}
        response = data.response
        model = getattr(response, "model", None) if response is not None else None
        if isinstance(model, str) and model:
            attributes[A.GEN_AI_REQUEST_MODEL] = attributes[A.GEN_AI_RESPONSE_MODEL] = model
        response_id = getattr(response, "id", None) if response is not None else None
        if isinstance(response_id, str) and response_id:
            attributes[A.GEN_AI_RESPONSE_ID] = response_id
        usage = data.usage if data.usage is not None else _plain_usage(getattr(response, "usage", None))
        attributes.update(_usage(usage))
        if capture and data.input is not None:
            attributes[A.GEN_AI_INPUT_MESSAGES] = dumps(data.input if isinstance(data.input, list) else
                                                        [{"role": "user", "content": data.input}])
        return _chat_name(model if isinstance(model, str) else None), SpanKind.CLIENT, attributes
    if isinstance(data, HandoffSpanData):
        attributes = {}
        if data.from_agent is not None:
            attributes[A.HANDOFF_FROM_AGENT] = attributes[A.GEN_AI_AGENT_NAME] = data.from_agent
        if data.to_agent is not None:
            attributes[A.HANDOFF_TO_AGENT] = data.to_agent
        return f"handoff {data.from_agent or '?'} -> {data.to_agent or '?'}", SpanKind.INTERNAL, attributes
    if isinstance(data, GuardrailSpanData):
        attributes = {A.GUARDRAIL_NAME: data.name, A.GUARDRAIL_TRIPWIRE_TRIGGERED: bool(data.triggered)}
        return f"guardrail {data.name}", SpanKind.INTERNAL, attributes
    if isinstance(data, MCPListToolsSpanData):
        attributes = {A.MCP_METHOD_NAME: A.MCP_TOOLS_LIST}
        if data.server is not None:
            attributes[A.MCP_SERVER_NAME] = data.server
        if capture and data.result is not None:
            attributes[A.MCP_TOOLS_LISTED] = [str(name) for name in data.result]
        return A.MCP_TOOLS_LIST, SpanKind.CLIENT, attributes
    if isinstance(data, TaskSpanData):
        attributes = {A.TASK_NAME: data.name, **_usage(data.usage), **_metadata(data.metadata)}
        return f"task {data.name}", SpanKind.INTERNAL, attributes
    if isinstance(data, TurnSpanData):
        attributes = {A.TURN_NUMBER: data.turn, A.GEN_AI_AGENT_NAME: data.agent_name, **_usage(data.usage),
                      **_metadata(data.metadata)}
        return f"turn {data.agent_name}", SpanKind.INTERNAL, attributes
    voice = voice_shape(data, capture)
    if voice is not None:
        return voice
    if isinstance(data, CustomSpanData):
        attributes = {CUSTOM_DATA_PREFIX + str(k): attribute_value(v) for k, v in (data.data or {}).items()}
        return data.name, SpanKind.INTERNAL, attributes
    raise UserError(f"no span function records {type(data).__name__}")


def _metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """A task's or turn's ``metadata`` as ``agents_otel.custom.*`` attributes, as ``custom_span()`` data is."""
    return {CUSTOM_DATA_PREFIX + str(k): attribute_value(v) for k, v in (metadata or {}).items()}


def _chat_name(model: str | None) -> str:
    return f"{A.OP_CHAT} {model}" if model else A.OP_CHAT


def _model_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for key, attribute in (
        ("temperature", A.GEN_AI_REQUEST_TEMPERATURE), ("top_p", A.GEN_AI_REQUEST_TOP_P),
        ("max_tokens", A.GEN_AI_REQUEST_MAX_TOKENS), ("frequency_penalty", A.GEN_AI_REQUEST_FREQUENCY_PENALTY),
        ("presence_penalty", A.GEN_AI_REQUEST_PRESENCE_PENALTY),
    ):
        value = (config or {}).get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            attributes[attribute] = value
    return attributes


def _usage(usage: Mapping[str, Any] | None) -> dict[str, Any]:
    """The SDK's usage dict (``input_tokens``/``output_tokens``, or the Chat Completions names, with details) as
    the ``gen_ai.usage.*`` attributes our ``chat`` spans carry."""
    if not usage:
        return {}
    attributes: dict[str, Any] = {}
    for attribute, keys in (
        (A.GEN_AI_USAGE_INPUT_TOKENS, ("input_tokens", "prompt_tokens")),
        (A.GEN_AI_USAGE_OUTPUT_TOKENS, ("output_tokens", "completion_tokens")),
    ):
        value = next((usage[k] for k in keys if isinstance(usage.get(k), int)), None)
        if value is not None:
            attributes[attribute] = value
    cached = _detail(usage, "input_tokens_details", "cached_tokens")
    if cached:
        attributes[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = cached
    reasoning = _detail(usage, "output_tokens_details", "reasoning_tokens")
    if reasoning:
        attributes[A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = reasoning
    return attributes


def _detail(usage: Mapping[str, Any], group: str, key: str) -> int | None:
    details = usage.get(group)
    value = details.get(key) if isinstance(details, Mapping) else getattr(details, key, None)
    return value if isinstance(value, int) else None


def _plain_usage(usage: object) -> dict[str, Any] | None:
    """A ``Response.usage`` object (pydantic) as the dict :func:`_usage` reads."""
    if usage is None:
        return None
    dump = getattr(usage, "model_dump", None)
    if callable(dump):
        dumped = dump()
        return dumped if isinstance(dumped, dict) else None
    return usage if isinstance(usage, dict) else None
