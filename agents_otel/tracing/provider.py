"""Which TracerProvider a run uses, and registering the stream processor on it.

The runtime never replaces or reconfigures the application's provider: it only *adds* the stream
processor (which exports nothing) to SDK providers, once each. A provider without ``add_span_processor``
(the API's no-op, or a proxy when zero-config is off) is used as is; the stream then takes the direct path
in the processor. When the application set no provider at all, the first run installs the zero-config
default (``setup.auto_configured_provider``).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.trace import Tracer, TracerProvider

from ..version import __version__
from .processor import STREAM_PROCESSOR
from .setup import auto_configured_provider

if TYPE_CHECKING:
    from ..run_config import RunConfig

logger = logging.getLogger(__name__)

_INSTRUMENTATION_NAME = "agents_otel"
_tracers: weakref.WeakKeyDictionary[TracerProvider, Tracer] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_added_processors: list[SpanProcessor] = []
"""Processors added beside the stream processor on request (the SDK trace-processor bridge), on every provider."""


_tracing_disabled = False
_NO_TRACING = trace.NoOpTracerProvider()


def set_tracing_disabled(disabled: bool) -> None:
    """As in the OpenAI Agents SDK: ``True`` makes every run after it record no spans (as
    ``RunConfig(tracing_disabled=True)`` does for one run); streams, progress events and metrics are unchanged."""
    global _tracing_disabled
    _tracing_disabled = bool(disabled)


def resolve_tracer_provider(config: RunConfig) -> TracerProvider:
    """The run's provider: none that records when tracing is disabled, else ``RunConfig.tracer_provider``, else the
    global one (configured by default if unset)."""
    if _tracing_disabled or config.tracing_disabled:
        return _NO_TRACING
    if config.tracer_provider is not None:
        return config.tracer_provider
    return auto_configured_provider()


def tracer_for(provider: TracerProvider) -> Tracer:
    """A cached tracer for ``provider``, registering the stream processor on first use."""
    tracer = _tracers.get(provider)
    if tracer is not None:
        return tracer
    with _lock:
        tracer = _tracers.get(provider)
        if tracer is None:
            add = getattr(provider, "add_span_processor", None)
            if add is not None:
                add(STREAM_PROCESSOR)
                for processor in _added_processors:
                    add(processor)
            tracer = provider.get_tracer(_INSTRUMENTATION_NAME, __version__)
            if add is not None or not isinstance(provider, trace.ProxyTracerProvider):
                _tracers[provider] = tracer
    return tracer


def add_processor_everywhere(processor: SpanProcessor) -> None:
    """Add ``processor`` to every SDK provider a run has used, and to each one a run uses later, beside the stream
    processor: how a feature that is off by default (the SDK trace-processor bridge) joins the pipeline only once it
    is asked for, so runs without it pay nothing per span. Idempotent."""
    with _lock:
        if processor in _added_processors:
            return
        _added_processors.append(processor)
        for provider in list(_tracers.keys()):
            add = getattr(provider, "add_span_processor", None)
            if add is not None:
                add(processor)


_RUN_TRACER: ContextVar[Tracer | None] = ContextVar("agents_otel_run_tracer", default=None)
"""The tracer of the run the current code runs in (its tool, guardrail, hook), for spans the application starts
through the SDK's tracing API: they go where the run's spans go (``RunConfig.tracer_provider``, its conversation
id stamped), not to the global provider."""


@contextmanager
def run_tracer_scope(tracer: Tracer) -> Iterator[None]:
    """The run's tracer is :func:`application_tracer`'s inside; set once per run, never per call."""
    token = _RUN_TRACER.set(tracer)
    try:
        yield
    finally:
        _RUN_TRACER.reset(token)


def application_tracer(disabled: bool = False) -> Tracer:
    """The tracer for a span the application opens (``trace()``, ``custom_span()``, ``function_span()``, ...): the
    enclosing run's, else the global provider's (configured by default); none that records when ``disabled`` or
    ``set_tracing_disabled(True)``."""
    if disabled or _tracing_disabled:
        return tracer_for(_NO_TRACING)
    tracer = _RUN_TRACER.get()
    return tracer if tracer is not None else tracer_for(auto_configured_provider())


def flush_traces() -> None:
    """As in the OpenAI Agents SDK: export now what the runs so far have recorded, e.g. before a short script or a
    serverless handler returns. Every provider a run has used (``RunConfig.tracer_provider`` or the global one) is
    force-flushed, each with its own SDK timeout; a provider that cannot flush is skipped. Never raises: a dead
    exporter is logged, not thrown into the caller."""
    with _lock:
        providers = list(_tracers.keys())
    for provider in providers:
        flush = getattr(provider, "force_flush", None)
        if flush is None:
            continue
        try:
            if flush() is False:
                logger.warning("agents_otel: flush_traces: %s did not flush in time", type(provider).__name__)
        except Exception:
            logger.exception("agents_otel: flush_traces: flushing %s failed", type(provider).__name__)
