"""The SDK's trace-provider level names: ``gen_span_id``, ``set_trace_provider`` and ``set_tracing_export_api_key``.

What they map to here. In the SDK a ``TraceProvider`` makes every trace and span, and the default exporter uploads
them to OpenAI with an API key. Here OpenTelemetry makes every span (see ``sdk_trace_bridge``), so:

* ``set_trace_provider(provider)`` cannot be honoured: no SDK ``TraceProvider`` is ever asked for a span, so
  installing one would silently change nothing. It raises :class:`TraceProviderNotSupportedError`, naming what
  does the job here (an OpenTelemetry ``TracerProvider``: ``configure_tracing()`` or
  ``RunConfig(tracer_provider=...)``; the SDK's processors: ``add_trace_processor``).
* ``set_tracing_export_api_key(key)`` is accepted and logs a warning: the key only ever authenticates the SDK's
  upload to OpenAI, which this runtime does not make, and the SDK itself treats a missing tracing key as a warning
  ("skipping trace export") rather than an error. A program that sets it still runs as it did; the warning says
  where its traces go instead.
* ``gen_span_id()`` makes an id of the SDK's form (``span_`` + 24 hex). OpenTelemetry assigns the ids of real spans
  (``span_id=`` given to a span function is a ``UserError``), so it only serves code that labels things itself.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from .export_env import TracingConfigurationError

logger = logging.getLogger("agents_otel.tracing")


class TraceProviderNotSupportedError(TracingConfigurationError):
    """``set_trace_provider()``: an SDK ``TraceProvider`` would never be used here (OpenTelemetry makes the spans)."""


def gen_span_id() -> str:
    """A new span id of the SDK's form, ``span_`` + 24 lowercase hex digits."""
    return f"span_{uuid.uuid4().hex[:24]}"


def set_trace_provider(provider: Any) -> None:
    """The SDK's global trace provider setter: refused, with what to use instead (see the module's docstring)."""
    raise TraceProviderNotSupportedError(
        f"set_trace_provider({type(provider).__name__}) is not supported: agents_otel records traces as "
        "OpenTelemetry spans, never through an SDK TraceProvider. Use configure_tracing() or "
        "RunConfig(tracer_provider=...) for the OpenTelemetry TracerProvider, add_trace_processor() / "
        "set_trace_processors() for SDK trace processors, and set_tracing_disabled() to turn tracing off"
    )


def set_tracing_export_api_key(api_key: str) -> None:
    """The SDK's key for uploading traces to OpenAI: accepted for SDK code, with a warning that it is not used."""
    if not isinstance(api_key, str):
        raise TracingConfigurationError(f"set_tracing_export_api_key: the key must be a str, got {type(api_key)}")
    logger.warning(
        "agents_otel: set_tracing_export_api_key() has no effect: traces are not uploaded to OpenAI but exported "
        "through OpenTelemetry; configure the exporter with configure_tracing(...) or the OTEL_EXPORTER_OTLP_* "
        "environment variables"
    )
