"""The SDK's ``agents.tracing.util`` path: trace and span id generators, in the SDK's id formats."""

from __future__ import annotations

from .sdk_provider import gen_span_id
from .sdk_spans import gen_trace_id

__all__ = ["gen_span_id", "gen_trace_id"]
