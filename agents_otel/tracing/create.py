"""The SDK's ``agents.tracing.create`` path: ``trace()`` and the span functions, each making the runtime's span.

Importing this module loads the telemetry layer (``agents_otel.tracing`` itself loads these on first use).
"""

from __future__ import annotations

from .sdk_spans import (
    agent_span,
    custom_span,
    function_span,
    generation_span,
    get_current_span,
    get_current_trace,
    guardrail_span,
    handoff_span,
    mcp_tools_span,
    response_span,
    task_span,
    turn_span,
)
from .sdk_voice_spans import speech_group_span, speech_span, transcription_span
from .workflow import trace

__all__ = [
    "agent_span",
    "custom_span",
    "function_span",
    "generation_span",
    "get_current_span",
    "get_current_trace",
    "guardrail_span",
    "handoff_span",
    "mcp_tools_span",
    "response_span",
    "speech_group_span",
    "speech_span",
    "task_span",
    "trace",
    "transcription_span",
    "turn_span",
]
