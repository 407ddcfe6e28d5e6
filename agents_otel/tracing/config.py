"""The SDK's ``agents.tracing.config`` path: ``TracingConfig``, and how a run's tracing key reaches its traces.

``RunConfig(tracing={"api_key": ...})`` (checked by :mod:`agents_otel.run_config_tracing`) puts the key in the
OpenTelemetry context the run's spans start in, under :data:`TRACING_KEY_CONTEXT_KEY`; the trace bridge reads it
there when it makes the run's ``Trace`` and gives it to every ``Span`` of that trace, as the SDK's spans inherit
their trace's key. A context value rather than a span attribute, so the secret never reaches an OTLP exporter; a
run without a key attaches nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context as context_api
from opentelemetry.context import create_key

from ..run_config_tracing import TracingConfig

TRACING_KEY_CONTEXT_KEY = create_key("agents_otel.tracing_api_key")
"""Context key of the tracing key (``RunConfig(tracing={"api_key": ...})``) of the run a span starts in."""


@contextmanager
def tracing_key_scope(config: TracingConfig | None) -> Iterator[None]:
    """The run's spans start with its tracing key in their context, when it has one."""
    api_key = config.get("api_key") if config else None
    if not api_key:
        yield
        return
    token = context_api.attach(context_api.set_value(TRACING_KEY_CONTEXT_KEY, api_key))
    try:
        yield
    finally:
        context_api.detach(token)


def include_task_and_turn_spans(config: TracingConfig | None) -> bool:
    """The SDK's helper: whether a run makes task and turn spans — never here (see :mod:`..run_config_tracing`)."""
    return False


__all__ = ["TRACING_KEY_CONTEXT_KEY", "TracingConfig", "include_task_and_turn_spans", "tracing_key_scope"]
