"""Trace and span ids as the lowercase hex that W3C traceparent, OTLP/JSON and Jaeger URLs use.

One place for it because tool calls format ids on their hot path (``int.to_bytes().hex()`` is about twice as
fast as ``format(x, "032x")``), and every view of a run must spell the same id the same way.
"""

from __future__ import annotations


def trace_id_hex(trace_id: int) -> str:
    return trace_id.to_bytes(16, "big").hex()


def span_id_hex(span_id: int) -> str:
    return span_id.to_bytes(8, "big").hex()
