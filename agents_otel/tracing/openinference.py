"""Opt-in OpenInference attributes for Arize Phoenix (and other OpenInference backends), added at export time.

Phoenix types spans by ``openinference.span.kind`` and shows ``input.value`` / ``output.value`` and
``llm.input_messages`` / ``llm.output_messages``. Recent versions derive these from ``gen_ai.*`` at ingest, but with
gaps that matter for agent traces (found against Phoenix 20.26.1, see docs/tracing-backends.md): an ``invoke_agent``
span gets no input or output, so neither the trace list nor the session view shows the question and the answer;
output messages without the per-message ``finish_reason`` (deprecated by the newest GenAI schema, so we do not
write it) are dropped whole; a ``chat`` span's output becomes ``{"id", "model"}``; a tool span gets no input.

:class:`OpenInferenceSpanExporter` wraps any span exporter and adds the OpenInference attributes derived from our
``gen_ai.*`` ones to each exported copy, never replacing an attribute a span already has. Why an exporter and not
a processor: the SDK makes a span's attributes immutable before any processor hook sees its end, and the output
side (answer, usage) is only known then. Export time is also off the run's path (the batch worker thread), and
spans not exported cost nothing. Content attributes come only from content the span already carries, so content
capture rules still hold.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Final

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from . import attributes as A

logger = logging.getLogger(__name__)

OPENINFERENCE_ENV: Final = "AGENTS_OTEL_OPENINFERENCE"
"""``true`` makes ``configure_tracing`` (and the zero-config default) wrap its OTLP exporters."""

SPAN_KIND: Final = "openinference.span.kind"
SESSION_ID: Final = "session.id"
INPUT_VALUE: Final = "input.value"
INPUT_MIME_TYPE: Final = "input.mime_type"
OUTPUT_VALUE: Final = "output.value"
OUTPUT_MIME_TYPE: Final = "output.mime_type"
LLM_MODEL_NAME: Final = "llm.model_name"
LLM_PROVIDER: Final = "llm.provider"
LLM_SYSTEM: Final = "llm.system"
LLM_INVOCATION_PARAMETERS: Final = "llm.invocation_parameters"
LLM_INPUT_MESSAGES: Final = "llm.input_messages"
LLM_OUTPUT_MESSAGES: Final = "llm.output_messages"
LLM_TOOLS: Final = "llm.tools"
LLM_TOKEN_COUNT_PROMPT: Final = "llm.token_count.prompt"
LLM_TOKEN_COUNT_COMPLETION: Final = "llm.token_count.completion"
LLM_TOKEN_COUNT_TOTAL: Final = "llm.token_count.total"
LLM_TOKEN_COUNT_CACHE_READ: Final = "llm.token_count.prompt_details.cache_read"
LLM_TOKEN_COUNT_REASONING: Final = "llm.token_count.completion_details.reasoning"
TOOL_NAME: Final = "tool.name"
TOOL_DESCRIPTION: Final = "tool.description"
TOOL_PARAMETERS: Final = "tool.parameters"
TOOL_ID: Final = "tool.id"
AGENT_NAME: Final = "agent.name"
TEXT: Final = "text/plain"
JSON: Final = "application/json"

KINDS: Final = {A.OP_INVOKE_AGENT: "AGENT", A.OP_CHAT: "LLM", A.OP_EXECUTE_TOOL: "TOOL"}
_PARAMETERS: Final = {
    A.GEN_AI_REQUEST_TEMPERATURE: "temperature",
    A.GEN_AI_REQUEST_TOP_P: "top_p",
    A.GEN_AI_REQUEST_MAX_TOKENS: "max_tokens",
}


def openinference_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenInference attributes a span with these ``gen_ai.*`` attributes should carry (possibly none)."""
    operation = attributes.get(A.GEN_AI_OPERATION_NAME)
    kind = KINDS.get(operation) if isinstance(operation, str) else None
    if kind is None:
        return {}
    out: dict[str, Any] = {SPAN_KIND: kind}
    conversation = attributes.get(A.GEN_AI_CONVERSATION_ID)
    if conversation:
        out[SESSION_ID] = conversation
    if kind == "TOOL":
        _tool(attributes, out)
        return out
    if attributes.get(A.GEN_AI_AGENT_NAME) and kind == "AGENT":
        out[AGENT_NAME] = attributes[A.GEN_AI_AGENT_NAME]
    _model(attributes, out)
    inputs = _messages(attributes.get(A.GEN_AI_INPUT_MESSAGES))
    outputs = _messages(attributes.get(A.GEN_AI_OUTPUT_MESSAGES))
    question = _last_text(inputs, "user")
    if question is not None:
        out[INPUT_VALUE], out[INPUT_MIME_TYPE] = question, TEXT
    answer = _last_text(outputs, "assistant")
    if answer is not None:
        out[OUTPUT_VALUE], out[OUTPUT_MIME_TYPE] = answer, TEXT
    elif outputs:  # an answer that is only tool calls: show them
        out[OUTPUT_VALUE], out[OUTPUT_MIME_TYPE] = json.dumps(outputs, ensure_ascii=False), JSON
    if kind == "LLM":
        system = _messages(attributes.get(A.GEN_AI_SYSTEM_INSTRUCTIONS))
        offset = 0
        if system:
            out[f"{LLM_INPUT_MESSAGES}.0.message.role"] = "system"
            out[f"{LLM_INPUT_MESSAGES}.0.message.content"] = "".join(_texts(system))
            offset = 1
        for index, message in enumerate(inputs):
            _flatten(message, f"{LLM_INPUT_MESSAGES}.{index + offset}.message", out)
        for index, message in enumerate(outputs):
            _flatten(message, f"{LLM_OUTPUT_MESSAGES}.{index}.message", out)
    return out


def _model(attributes: Mapping[str, Any], out: dict[str, Any]) -> None:
    if attributes.get(A.GEN_AI_REQUEST_MODEL):
        out[LLM_MODEL_NAME] = attributes.get(A.GEN_AI_RESPONSE_MODEL) or attributes[A.GEN_AI_REQUEST_MODEL]
    provider = attributes.get(A.GEN_AI_PROVIDER_NAME)
    if provider:
        out[LLM_PROVIDER] = provider
        out[LLM_SYSTEM] = provider
    parameters = {name: attributes[key] for key, name in _PARAMETERS.items() if key in attributes}
    if parameters:
        out[LLM_INVOCATION_PARAMETERS] = json.dumps(parameters)
    prompt = attributes.get(A.GEN_AI_USAGE_INPUT_TOKENS)
    completion = attributes.get(A.GEN_AI_USAGE_OUTPUT_TOKENS)
    if isinstance(prompt, int) and isinstance(completion, int):
        out[LLM_TOKEN_COUNT_PROMPT] = prompt
        out[LLM_TOKEN_COUNT_COMPLETION] = completion
        out[LLM_TOKEN_COUNT_TOTAL] = prompt + completion
    if A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS in attributes:
        out[LLM_TOKEN_COUNT_CACHE_READ] = attributes[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]
    if A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS in attributes:
        out[LLM_TOKEN_COUNT_REASONING] = attributes[A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]
    for index, tool in enumerate(_messages(attributes.get(A.GEN_AI_TOOL_DEFINITIONS))):
        if isinstance(tool, dict):
            function = {k: tool[k] for k in ("name", "description", "parameters") if k in tool}
            schema = {"type": "function", "function": function}
            out[f"{LLM_TOOLS}.{index}.tool.json_schema"] = json.dumps(schema, ensure_ascii=False)


def _tool(attributes: Mapping[str, Any], out: dict[str, Any]) -> None:
    for source, target in (
        (A.GEN_AI_TOOL_NAME, TOOL_NAME),
        (A.GEN_AI_TOOL_DESCRIPTION, TOOL_DESCRIPTION),
        (A.GEN_AI_TOOL_CALL_ID, TOOL_ID),
    ):
        if attributes.get(source):
            out[target] = attributes[source]
    arguments = attributes.get(A.GEN_AI_TOOL_CALL_ARGUMENTS)
    if isinstance(arguments, str):
        out[TOOL_PARAMETERS] = arguments
        out[INPUT_VALUE], out[INPUT_MIME_TYPE] = arguments, JSON if _is_json(arguments) else TEXT
    result = attributes.get(A.GEN_AI_TOOL_CALL_RESULT)
    if isinstance(result, str):
        out[OUTPUT_VALUE], out[OUTPUT_MIME_TYPE] = result, JSON if _is_json(result) else TEXT


def _messages(raw: Any) -> list[Any]:
    if not isinstance(raw, str):
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _texts(parts: Sequence[Any]) -> list[str]:
    return [p["content"] for p in parts if isinstance(p, dict) and p.get("type") == "text" and "content" in p]


def _last_text(messages: Sequence[Any], role: str) -> str | None:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == role:
            texts = _texts(message.get("parts") or ())
            if texts:
                return "".join(texts)
    return None


def _flatten(message: Any, prefix: str, out: dict[str, Any]) -> None:
    if not isinstance(message, dict):
        return
    out[f"{prefix}.role"] = message.get("role", "")
    parts = message.get("parts") or ()
    texts = _texts(parts)
    if texts:
        out[f"{prefix}.content"] = "".join(texts)
    calls = [p for p in parts if isinstance(p, dict) and p.get("type") == "tool_call"]
    for index, call in enumerate(calls):
        base = f"{prefix}.tool_calls.{index}.tool_call"
        if call.get("id"):
            out[f"{base}.id"] = call["id"]
        out[f"{base}.function.name"] = call.get("name", "")
        arguments = call.get("arguments")
        out[f"{base}.function.arguments"] = arguments if isinstance(arguments, str) else json.dumps(arguments)
    responses = [p for p in parts if isinstance(p, dict) and p.get("type") == "tool_call_response"]
    if responses:
        response = responses[0]
        if response.get("id"):
            out[f"{prefix}.tool_call_id"] = response["id"]
        value = response.get("response")
        out[f"{prefix}.content"] = value if isinstance(value, str) else json.dumps(value)


def _is_json(text: str) -> bool:
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return False
    try:
        json.loads(stripped)
    except ValueError:
        return False
    return True


def with_openinference(span: ReadableSpan) -> ReadableSpan:
    """``span`` with the OpenInference attributes it lacks (the same object when it needs none)."""
    attributes = dict(span.attributes or {})
    extra = {k: v for k, v in openinference_attributes(attributes).items() if k not in attributes}
    if not extra:
        return span
    attributes.update(extra)
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=span.events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class OpenInferenceSpanExporter(SpanExporter):
    """Exports through ``inner`` with OpenInference attributes added (see the module docstring).

    For an application's own provider (e.g. Phoenix's ``register()``)::

        provider.add_span_processor(BatchSpanProcessor(OpenInferenceSpanExporter(OTLPSpanExporter(endpoint))))
    """

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            enriched = [with_openinference(span) for span in spans]
        except Exception:  # enrichment must never cost the spans themselves
            logger.exception("agents_otel: adding OpenInference attributes failed; exporting the spans as they are")
            enriched = list(spans)
        return self.inner.export(enriched)

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self.inner.force_flush(timeout_millis)


__all__ = ["OPENINFERENCE_ENV", "OpenInferenceSpanExporter", "openinference_attributes", "with_openinference"]
