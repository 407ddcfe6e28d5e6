"""Which trace a served run joins.

A frontend that sends a W3C ``traceparent`` with ``POST /runs`` wants its trace to continue into the agent, so
the run's ``invoke_agent`` span becomes a child of the remote span it names. If the host app is already
instrumented (an ASGI middleware made a server span current), that span is the better parent: it is itself the
child of the same ``traceparent`` and records the HTTP request, so the current context is kept as is.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context

from ..tracing.ids import trace_id_hex


def run_parent_context(headers: Mapping[str, str]) -> Context | None:
    """The context to start the run in, or ``None`` to keep the current one."""
    if trace.get_current_span().get_span_context().is_valid:
        return None
    return propagate.extract(headers)


def parent_trace_id(context: Context | None) -> str | None:
    """The hex trace id the run will carry, when it is known before the run starts (it has a parent)."""
    span_context = trace.get_current_span(context).get_span_context()
    return trace_id_hex(span_context.trace_id) if span_context.is_valid else None
