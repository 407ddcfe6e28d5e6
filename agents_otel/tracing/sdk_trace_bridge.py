"""The OpenAI Agents SDK's trace processors, fed from our OpenTelemetry spans: ``add_trace_processor`` and
``set_trace_processors``.

Why a bridge and not a second tracing system: the OTel span is the one record of a run. Integrations written for the
SDK (Langfuse, Braintrust, AgentOps, exporters of their own) register a ``TracingProcessor``; this module is the one
place that turns our spans into the SDK's ``Trace`` / ``Span`` / span-data objects for them, so what they receive and
what an OTLP backend shows cannot disagree.

How: :data:`BRIDGE` is an OTel ``SpanProcessor``. It is not on any provider until the first processor is
registered; then :func:`.provider.add_processor_everywhere` adds it to every provider a run has used and will use
(beside the stream processor), so ``RunConfig(tracer_provider=...)`` and the zero-config provider both feed it.
A run without SDK processors therefore pays nothing per span. After ``set_trace_processors([])`` it stays on the
providers (OTel cannot remove a processor) and costs one empty-tuple check per span start and end.

The mapping, from each span's ``gen_ai.operation.name`` and our own attributes (see docs/trace-model.md):

* the first span the bridge sees of an OTel trace starts a ``Trace`` (``trace_`` + its hex id) and its end ends it.
  An ``invoke_workflow`` span (``trace()``, ``RunConfig.workflow_name``) is the trace only, named by its workflow;
  any other first span (a run's root ``invoke_agent``) is also a span of that trace, named ``Agent workflow`` as in
  the SDK;
* ``invoke_agent`` -> ``AgentSpanData``, ``execute_tool`` -> ``FunctionSpanData``, ``chat`` -> ``GenerationSpanData``,
  ``handoff`` -> ``HandoffSpanData``, ``guardrail`` -> ``GuardrailSpanData``, MCP ``tools/list`` (``mcp_tools_span()``)
  -> ``MCPListToolsSpanData``, ``transcription`` / ``speech`` / ``speech_group`` -> the SDK's voice span data
  (:mod:`.sdk_voice_shapes`), anything else (``custom_span()``,
  other instrumentations' spans inside a run) -> ``CustomSpanData``;
* ``parent_id`` is the parent span's, when the bridge reported that parent and it is still open, else ``None``.

A processor that raises is logged and the others, and the run, go on.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from opentelemetry import context as context_api
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace import Span as OtelSpan
from opentelemetry.trace import StatusCode
from opentelemetry.util.types import Attributes

from ..exceptions import UserError
from . import attributes as A
from .config import TRACING_KEY_CONTEXT_KEY
from .exit_flush import register_exit_flush
from .ids import span_id_hex, trace_id_hex
from .provider import add_processor_everywhere
from .sdk_span_data import (
    AgentSpanData,
    CustomSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailSpanData,
    HandoffSpanData,
    MCPListToolsSpanData,
    SpanData,
    TaskSpanData,
    TurnSpanData,
)
from .sdk_tracing import Span, SpanError, Trace, TracingProcessor
from .sdk_voice_shapes import voice_span_data_of
from .workflow import CUSTOM_DATA_PREFIX, WORKFLOW_METADATA_PREFIX

logger = logging.getLogger(__name__)

DEFAULT_TRACE_NAME = "Agent workflow"
"""The SDK's name for the trace of a run that has no workflow name."""

_PROCESSOR_METHODS = ("on_trace_start", "on_trace_end", "on_span_start", "on_span_end", "shutdown", "force_flush")


class _OpenTrace:
    __slots__ = ("root_span_id", "trace")

    def __init__(self, trace: Trace, root_span_id: int) -> None:
        self.trace = trace
        self.root_span_id = root_span_id


class SdkTraceBridge(SpanProcessor):
    """Turns span starts and ends into the registered SDK processors' calls (see the module's docstring)."""

    def __init__(self) -> None:
        self._processors: tuple[TracingProcessor, ...] = ()
        self._traces: dict[int, _OpenTrace] = {}
        self._spans: dict[int, Span[Any]] = {}
        self._lock = threading.Lock()

    @property
    def processors(self) -> tuple[TracingProcessor, ...]:
        return self._processors

    def add(self, processor: TracingProcessor) -> None:
        with self._lock:
            self._processors += (processor,)

    def replace(self, processors: list[TracingProcessor]) -> None:
        with self._lock:
            self._processors = tuple(processors)
            if not processors:  # nothing will report these any more
                self._traces.clear()
                self._spans.clear()

    def on_start(self, span: OtelSpan, parent_context: Context | None = None) -> None:
        processors = self._processors
        if not processors:
            return
        context = span.get_span_context()
        attributes = span.attributes or {}
        with self._lock:
            open_trace = self._traces.get(context.trace_id)
            started = open_trace is None
            if open_trace is None:
                key = context_api.get_value(TRACING_KEY_CONTEXT_KEY, parent_context)
                trace = _trace_of(span, attributes, key if isinstance(key, str) else None)
                open_trace = self._traces[context.trace_id] = _OpenTrace(trace, context.span_id)
        if started:
            _deliver(processors, "on_trace_start", open_trace.trace)
            if attributes.get(A.GEN_AI_OPERATION_NAME) == A.OP_INVOKE_WORKFLOW:
                return  # the workflow is the trace; its runs are the trace's top spans
        parent = span.parent
        parent_span = self._spans.get(parent.span_id) if parent is not None and not started else None
        sdk_span: Span[Any] = Span(
            open_trace.trace.trace_id,
            "span_" + span_id_hex(context.span_id),
            parent_span.span_id if parent_span is not None else None,
            span_data_of(span.name, attributes),
            _iso(span.start_time),
            open_trace.trace.metadata,
            open_trace.trace.tracing_api_key,
        )
        self._spans[context.span_id] = sdk_span
        _deliver(processors, "on_span_start", sdk_span)

    def on_end(self, span: ReadableSpan) -> None:
        processors = self._processors
        context = span.context
        if not processors or context is None:
            return
        sdk_span = self._spans.pop(context.span_id, None)
        if sdk_span is not None:
            attributes = span.attributes or {}
            sdk_span.span_data = span_data_of(span.name, attributes)
            sdk_span.ended(_iso(span.end_time) or "", _error_of(span, attributes))
            _deliver(processors, "on_span_end", sdk_span)
        open_trace = self._traces.get(context.trace_id)
        if open_trace is not None and open_trace.root_span_id == context.span_id:
            self._traces.pop(context.trace_id, None)
            _deliver(processors, "on_trace_end", open_trace.trace)

    def shutdown(self) -> None:
        """Nothing: the SDK processors belong to the process, not to the one provider shutting down; they are shut
        down at exit (:func:`shutdown_trace_processors`)."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        for processor in self._processors:
            _call(processor, "force_flush", None)
        return True


BRIDGE = SdkTraceBridge()
"""The process-wide bridge, as the SDK's processors are process-wide."""

_installed = False
_install_lock = threading.Lock()


def add_trace_processor(span_processor: TracingProcessor) -> None:
    """As in the OpenAI Agents SDK: ``span_processor`` receives every run's trace and spans from now on, derived from
    the runs' OpenTelemetry spans (on every provider a run uses)."""
    _check(span_processor)
    BRIDGE.add(span_processor)
    _install()


def set_trace_processors(processors: list[TracingProcessor]) -> None:
    """As in the OpenAI Agents SDK: these processors replace the registered ones; ``[]`` stops all delivery. (There
    is no default OpenAI exporter here to replace: OTLP export is the providers' and is left alone.)"""
    listed = list(processors)
    for processor in listed:
        _check(processor)
    BRIDGE.replace(listed)
    if listed:
        _install()


def shutdown_trace_processors(deadline: float | None = None) -> None:
    """Each registered processor's ``shutdown``, once, at interpreter exit; a processor that raises is logged. A
    ``BatchTraceProcessor`` is told the time left of the exit budget, so a dead endpoint cannot hold the exit."""
    from .batch_processor import BatchTraceProcessor

    for processor in BRIDGE.processors:
        if deadline is not None and isinstance(processor, BatchTraceProcessor):
            try:
                processor.shutdown(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:
                logger.exception("agents_otel: trace processor BatchTraceProcessor failed in shutdown")
            continue
        _call(processor, "shutdown", None)


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
    add_processor_everywhere(BRIDGE)
    register_exit_flush("trace_processors", shutdown_trace_processors)


def _check(processor: object) -> None:
    missing = [name for name in _PROCESSOR_METHODS if not callable(getattr(processor, name, None))]
    if missing:
        raise UserError(
            f"a trace processor must implement TracingProcessor; {type(processor).__name__} lacks {', '.join(missing)}"
        )


def _deliver(processors: tuple[TracingProcessor, ...], method: str, item: Trace | Span[Any]) -> None:
    for processor in processors:
        _call(processor, method, item)


def _call(processor: TracingProcessor, method: str, item: Trace | Span[Any] | None) -> None:
    try:
        if item is None:
            getattr(processor, method)()
        else:
            getattr(processor, method)(item)
    except Exception:  # a processor must never break the run
        logger.exception("agents_otel: trace processor %s failed in %s", type(processor).__name__, method)


def _trace_of(span: OtelSpan, attributes: Attributes, tracing_api_key: str | None) -> Trace:
    assert attributes is not None
    trace_id = "trace_" + trace_id_hex(span.get_span_context().trace_id)
    group_id = _str(attributes.get(A.GEN_AI_CONVERSATION_ID))
    operation = attributes.get(A.GEN_AI_OPERATION_NAME)
    if operation == A.OP_INVOKE_WORKFLOW:
        name = _str(attributes.get(A.GEN_AI_WORKFLOW_NAME)) or DEFAULT_TRACE_NAME
        metadata = _prefixed(attributes, WORKFLOW_METADATA_PREFIX)
        return Trace(name, trace_id, group_id, metadata or None, tracing_api_key)
    name = DEFAULT_TRACE_NAME if operation == A.OP_INVOKE_AGENT else span.name
    return Trace(name, trace_id, group_id, None, tracing_api_key)


def span_data_of(name: str, attributes: Attributes) -> SpanData:
    """The SDK's span data for one of our spans, from its attributes (at its start, then again at its end)."""
    assert attributes is not None
    operation = attributes.get(A.GEN_AI_OPERATION_NAME)
    if operation == A.OP_INVOKE_AGENT:
        tools = _tool_names(attributes.get(A.GEN_AI_TOOL_DEFINITIONS))
        return AgentSpanData(_str(attributes.get(A.GEN_AI_AGENT_NAME)) or name, tools=tools)
    if operation == A.OP_EXECUTE_TOOL:
        return FunctionSpanData(
            _str(attributes.get(A.GEN_AI_TOOL_NAME)) or name,
            _str(attributes.get(A.GEN_AI_TOOL_CALL_ARGUMENTS)),
            attributes.get(A.GEN_AI_TOOL_CALL_RESULT),
        )
    if operation == A.OP_CHAT:
        return _generation(attributes)
    voice = voice_span_data_of(attributes)  # transcription_span(), speech_span(), speech_group_span()
    if voice is not None:
        return voice
    if A.TASK_NAME in attributes:  # task_span()
        metadata = _prefixed(attributes, CUSTOM_DATA_PREFIX) or None
        return TaskSpanData(_str(attributes.get(A.TASK_NAME)) or name, _usage_of(attributes), metadata)
    if A.TURN_NUMBER in attributes:  # turn_span()
        turn = attributes.get(A.TURN_NUMBER)
        metadata = _prefixed(attributes, CUSTOM_DATA_PREFIX) or None
        agent = _str(attributes.get(A.GEN_AI_AGENT_NAME)) or ""
        return TurnSpanData(turn if isinstance(turn, int) else 0, agent, _usage_of(attributes), metadata)
    if A.HANDOFF_FROM_AGENT in attributes or A.HANDOFF_TO_AGENT in attributes:
        return HandoffSpanData(_str(attributes.get(A.HANDOFF_FROM_AGENT)), _str(attributes.get(A.HANDOFF_TO_AGENT)))
    if attributes.get(A.MCP_METHOD_NAME) == A.MCP_TOOLS_LIST:  # mcp_tools_span()
        listed = attributes.get(A.MCP_TOOLS_LISTED)
        result = [str(name) for name in listed] if isinstance(listed, tuple | list) else None
        return MCPListToolsSpanData(_str(attributes.get(A.MCP_SERVER_NAME)), result)
    if A.GUARDRAIL_NAME in attributes:
        triggered = attributes.get(A.GUARDRAIL_TRIPWIRE_TRIGGERED)
        return GuardrailSpanData(_str(attributes.get(A.GUARDRAIL_NAME)) or name, triggered is True)
    if operation == A.OP_INVOKE_WORKFLOW:  # a workflow nested in another span of the trace
        return CustomSpanData(_str(attributes.get(A.GEN_AI_WORKFLOW_NAME)) or name,
                              _prefixed(attributes, WORKFLOW_METADATA_PREFIX))
    data = {key.removeprefix(CUSTOM_DATA_PREFIX): _plain(value) for key, value in attributes.items()}
    return CustomSpanData(name, data)


def _generation(attributes: Any) -> GenerationSpanData:
    config = {
        key: attributes[attribute]
        for key, attribute in (
            ("temperature", A.GEN_AI_REQUEST_TEMPERATURE), ("top_p", A.GEN_AI_REQUEST_TOP_P),
            ("max_tokens", A.GEN_AI_REQUEST_MAX_TOKENS),
        )
        if attribute in attributes
    }
    return GenerationSpanData(
        input=_json_list(attributes.get(A.GEN_AI_INPUT_MESSAGES)),
        output=_json_list(attributes.get(A.GEN_AI_OUTPUT_MESSAGES)),
        model=_str(attributes.get(A.GEN_AI_RESPONSE_MODEL)) or _str(attributes.get(A.GEN_AI_REQUEST_MODEL)),
        model_config=config,
        usage=_usage_of(attributes),
        tools=_offered_tools(attributes.get(A.GEN_AI_TOOL_DEFINITIONS)),
    )


def _offered_tools(value: object) -> list[dict[str, Any]] | None:
    """SDK 0.25's ``GenerationSpanData.tools`` from a ``chat`` span's captured ``gen_ai.tool.definitions`` (``None``
    without content capture, as the SDK leaves it unset then). The SDK fills it with the Chat Completions tool list,
    handoffs included: a function definition our run recorded in the flat semconv form (``{"type": "function",
    "name": ...}``) is given in that nested form (``{"type": "function", "function": {"name": ...}}``), so an SDK
    processor reads it as it would the SDK's; any other entry (what ``generation_span(tools=...)`` was given) as is."""
    definitions = _json_list(value)
    if definitions is None:
        return None
    return [_chat_completions_tool(d) if isinstance(d, dict) else d for d in definitions]


def _chat_completions_tool(definition: dict[str, Any]) -> dict[str, Any]:
    if definition.get("type") != "function" or "function" in definition or "name" not in definition:
        return definition
    function = {key: value for key, value in definition.items() if key != "type" and value is not None}
    return {"type": "function", "function": function}


def _usage_of(attributes: Any) -> dict[str, Any] | None:
    """The SDK's usage dict from a span's ``gen_ai.usage.*`` attributes (``None`` when it has none)."""
    if A.GEN_AI_USAGE_INPUT_TOKENS not in attributes and A.GEN_AI_USAGE_OUTPUT_TOKENS not in attributes:
        return None
    input_tokens = int(attributes.get(A.GEN_AI_USAGE_INPUT_TOKENS, 0))
    output_tokens = int(attributes.get(A.GEN_AI_USAGE_OUTPUT_TOKENS, 0))
    return {
        "requests": 1, "input_tokens": input_tokens, "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        "input_tokens_details": {"cached_tokens": int(attributes.get(A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, 0))},
        "output_tokens_details": {"reasoning_tokens": int(attributes.get(A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, 0))},
    }


def _error_of(span: ReadableSpan, attributes: Attributes) -> SpanError | None:
    assert attributes is not None
    if span.status.status_code is not StatusCode.ERROR:
        return None
    error_type = _str(attributes.get(A.ERROR_TYPE))
    message = span.status.description or error_type or "error"
    return SpanError(message=message, data={"error.type": error_type} if error_type else None)


def _iso(nanoseconds: int | None) -> str | None:
    if nanoseconds is None:
        return None
    return datetime.fromtimestamp(nanoseconds / 1e9, tz=UTC).isoformat()


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _plain(value: object) -> Any:
    """An attribute value as JSON-able data (OTel keeps sequences as tuples)."""
    return list(value) if isinstance(value, tuple) else value


def _prefixed(attributes: Any, prefix: str) -> dict[str, Any]:
    return {key[len(prefix):]: _plain(value) for key, value in attributes.items() if key.startswith(prefix)}


def _json_list(value: object) -> list[dict[str, Any]] | None:
    """Captured messages (``gen_ai.*.messages``, JSON text) as the list they encode; ``None`` when not captured."""
    if not isinstance(value, str):
        return None
    try:
        decoded = json.loads(value)
    except ValueError:
        return None
    return decoded if isinstance(decoded, list) else None


def _tool_names(value: object) -> list[str] | None:
    definitions = _json_list(value)
    if definitions is None:
        return None
    return [str(d["name"]) for d in definitions if isinstance(d, dict) and "name" in d]


__all__ = [
    "BRIDGE",
    "SdkTraceBridge",
    "add_trace_processor",
    "set_trace_processors",
    "shutdown_trace_processors",
    "span_data_of",
]
