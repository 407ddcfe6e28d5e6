"""The SDK's trace-provider level names: ``gen_span_id``, ``set_trace_provider`` and ``set_tracing_export_api_key``.

What they map to here. In the SDK a ``TraceProvider`` makes every trace and span, and the default exporter uploads
them to OpenAI with an API key. Here OpenTelemetry makes every span (see ``sdk_trace_bridge``), so:

* ``set_trace_provider(provider)`` cannot be honoured: no SDK ``TraceProvider`` is ever asked for a span, so
  installing one would silently change nothing. It raises :class:`TraceProviderNotSupportedError`, naming what
  does the job here (an OpenTelemetry ``TracerProvider``: ``configure_tracing()`` or
  ``RunConfig(tracer_provider=...)``; the SDK's processors: ``add_trace_processor``).
* ``set_tracing_export_api_key(key)`` sets the key of ``default_exporter()``, as in the SDK. That exporter uploads
  only once the application registers it (``add_trace_processor(default_processor())``; the SDK registers it by
  itself), so until then the call also logs a warning saying so and where the traces go instead.
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
    """As in the SDK, the key :func:`~agents_otel.tracing.processors.default_exporter` uploads traces with; logs a
    warning while that exporter's processor is not registered (nothing is uploaded to OpenAI by default)."""
    if not isinstance(api_key, str):
        raise TracingConfigurationError(f"set_tracing_export_api_key: the key must be a str, got {type(api_key)}")
    from .processors import default_exporter, default_processor_if_made
    from .sdk_trace_bridge import BRIDGE

    default_exporter().set_api_key(api_key)
    processor = default_processor_if_made()
    if processor is None or processor not in BRIDGE.processors:
        logger.warning(
            "agents_otel: set_tracing_export_api_key(): the key is set on default_exporter(), but traces are not "
            "uploaded to OpenAI unless you register it: add_trace_processor(default_processor()). Spans go to the "
            "OpenTelemetry exporters (configure_tracing(...), OTEL_EXPORTER_OTLP_*)"
        )
