"""The SDK's ``agents.tracing.config`` path.

``TracingConfig`` is what the SDK's ``RunConfig(tracing=...)`` takes (the OpenAI exporter's key, task and turn
spans); here ``RunConfig(tracing=...)`` is a ``TypeError`` (spans go to OpenTelemetry exporters, and a run makes
no task / turn spans), so the type is not offered and importing it says so.
"""

from __future__ import annotations

from .._sdk_paths import not_supported

__all__: list[str] = []

__getattr__ = not_supported(
    __name__,
    {
        "TracingConfig": (
            "RunConfig(tracing=...) is not taken: traces go to OpenTelemetry exporters (configure_tracing(), "
            "OTEL_EXPORTER_OTLP_*), and a run makes no task / turn spans"
        ),
    },
)
