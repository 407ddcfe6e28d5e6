"""Trace and span ids as the lowercase hex that W3C traceparent, OTLP/JSON and Jaeger URLs use.

One place for it because tool calls format ids on their hot path (``int.to_bytes().hex()`` is about twice as
fast as ``format(x, "032x")``), and every view of a run must spell the same id the same way.
"""

from __future__ import annotations

import random
import re
import uuid

from opentelemetry.trace import SpanContext, TraceFlags

from ..exceptions import UserError


def trace_id_hex(trace_id: int) -> str:
    return trace_id.to_bytes(16, "big").hex()


def span_id_hex(span_id: int) -> str:
    return span_id.to_bytes(8, "big").hex()


SDK_TRACE_ID = re.compile(r"trace_[0-9a-f]{32}")
"""The OpenAI Agents SDK's trace id (``gen_trace_id()``'s form): ``trace_`` + 32 lowercase hex, the W3C trace id."""


def requested_trace_parent(trace_id: object) -> SpanContext:
    """A remote, sampled parent carrying the trace id an SDK program asked for (``trace(trace_id=...)``,
    ``RunConfig(trace_id=...)``): OpenTelemetry's id generator picks ids, so the public way to put a span in a chosen
    trace is to start it under such a parent, as if a caller had propagated it. Its span id is random and no span
    of it is ever exported (the started span has a dangling parent); it is marked sampled so a parent-based sampler
    records the trace, as it would for an incoming ``traceparent``."""
    if not isinstance(trace_id, str) or SDK_TRACE_ID.fullmatch(trace_id) is None or int(trace_id[6:], 16) == 0:
        raise UserError(
            f"trace_id must be 'trace_' followed by 32 lowercase hex digits (a W3C trace id, as gen_trace_id() makes), "
            f"got {trace_id!r}"
        )
    return SpanContext(
        int(trace_id[6:], 16), random.getrandbits(64) or 1, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED)
    )


def gen_trace_id() -> str:
    """As in the OpenAI Agents SDK: a new trace id for ``trace(trace_id=...)`` / ``RunConfig(trace_id=...)``."""
    return f"trace_{uuid.uuid4().hex}"
