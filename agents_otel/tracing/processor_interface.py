"""The SDK's ``agents.tracing.processor_interface`` path: the trace processor interface.

``TracingExporter`` (what the SDK's batch processor hands finished spans to) is not offered: spans are exported by
OpenTelemetry exporters here, and importing it says so.
"""

from __future__ import annotations

from .._sdk_paths import not_supported
from .sdk_tracing import TracingProcessor

__all__ = ["TracingProcessor"]

__getattr__ = not_supported(
    __name__,
    {
        "TracingExporter": (
            "spans are exported by OpenTelemetry exporters (configure_tracing(), RunConfig(tracer_provider=...)); "
            "a TracingProcessor given to add_trace_processor() receives every trace and span"
        ),
    },
)
