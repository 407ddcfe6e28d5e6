"""OpenTelemetry plumbing: span names and attributes, the stream processor, provider resolution.

Also the OpenAI Agents SDK's ``agents.tracing`` names, for integrations that import them from there: the trace
processor interface and the objects it receives (:mod:`.sdk_tracing`, :mod:`.sdk_span_data`), and, loaded on first
use so that importing this package never loads the telemetry layer, ``add_trace_processor``,
``set_trace_processors``, ``trace``, the span functions (``custom_span``, ``agent_span``, ...,
``get_current_span``, ``get_current_trace``; the voice ones, ``transcription_span``, ...), ``gen_trace_id``,
``gen_span_id``, ``set_trace_provider``, ``set_tracing_export_api_key``, ``flush_traces``,
``set_tracing_disabled`` and ``default_exporter`` (the opt-in OpenAI trace exporter, :mod:`.processors`).
"""

from __future__ import annotations

from typing import Any

from .._sdk_paths import not_supported
from ..run_config_tracing import TracingConfig
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
    SpeechGroupSpanData,
    SpeechSpanData,
    TaskSpanData,
    TranscriptionSpanData,
    TurnSpanData,
)
from .sdk_tracing import Span, SpanError, Trace, TracingProcessor

_SPAN_FUNCTIONS = frozenset({
    "agent_span", "custom_span", "function_span", "generation_span", "get_current_span", "get_current_trace",
    "guardrail_span", "handoff_span", "mcp_tools_span", "response_span", "task_span", "turn_span",
})


def __getattr__(name: str) -> Any:
    if name in ("add_trace_processor", "set_trace_processors"):
        from . import sdk_trace_bridge

        return getattr(sdk_trace_bridge, name)
    if name in ("flush_traces", "set_tracing_disabled"):
        from . import provider

        return getattr(provider, name)
    if name == "trace":
        from . import workflow

        return workflow.trace
    if name in _SPAN_FUNCTIONS:
        from . import sdk_spans

        return getattr(sdk_spans, name)
    if name in ("speech_group_span", "speech_span", "transcription_span"):
        from . import sdk_voice_spans

        return getattr(sdk_voice_spans, name)
    if name == "default_exporter":
        from . import processors

        return processors.default_exporter
    if name == "gen_trace_id":
        from . import ids

        return ids.gen_trace_id
    if name in ("gen_span_id", "set_trace_provider", "set_tracing_export_api_key"):
        from . import sdk_provider

        return getattr(sdk_provider, name)
    return _not_supported(name)


_OTEL = (
    "traces and spans are OpenTelemetry's here, made by the TracerProvider a run uses (configure_tracing() or "
    "RunConfig(tracer_provider=...)); SDK trace processors are added with add_trace_processor()"
)
_not_supported = not_supported(
    __name__,
    {
        "TraceProvider": f"no SDK TraceProvider makes spans: {_OTEL}",
        "get_trace_provider": f"there is no SDK TraceProvider to return: {_OTEL}",
        "TraceCtxManager": f"the SDK's internal context manager of trace(); use trace(...) itself: {_OTEL}",
    },
)


__all__ = [
    "AgentSpanData",
    "CustomSpanData",
    "FunctionSpanData",
    "GenerationSpanData",
    "GuardrailSpanData",
    "HandoffSpanData",
    "MCPListToolsSpanData",
    "ResponseSpanData",
    "Span",
    "SpanData",
    "SpanError",
    "SpeechGroupSpanData",
    "SpeechSpanData",
    "TaskSpanData",
    "Trace",
    "TracingConfig",
    "TracingProcessor",
    "TranscriptionSpanData",
    "TurnSpanData",
    "add_trace_processor",
    "agent_span",
    "custom_span",
    "default_exporter",
    "flush_traces",
    "function_span",
    "gen_span_id",
    "gen_trace_id",
    "generation_span",
    "get_current_span",
    "get_current_trace",
    "guardrail_span",
    "handoff_span",
    "mcp_tools_span",
    "response_span",
    "set_trace_processors",
    "set_trace_provider",
    "set_tracing_disabled",
    "set_tracing_export_api_key",
    "speech_group_span",
    "speech_span",
    "task_span",
    "trace",
    "transcription_span",
    "turn_span",
]
