"""The SDK's ``agents.tracing.processors`` path.

The SDK's processors batch spans and upload them to OpenAI (or print them); here no trace goes to OpenAI and spans
leave through OpenTelemetry exporters, so those classes are not offered and importing one says what to use.
"""

from __future__ import annotations

from .._sdk_paths import not_supported

__all__: list[str] = []

_EXPORT = (
    "no trace is uploaded to OpenAI; spans leave through OpenTelemetry exporters (configure_tracing(), "
    "OTEL_EXPORTER_OTLP_*), and add_trace_processor() feeds a processor of your own"
)

__getattr__ = not_supported(
    __name__,
    {
        name: _EXPORT
        for name in (
            "BackendSpanExporter",
            "BatchTraceProcessor",
            "ConsoleSpanExporter",
            "default_exporter",
            "default_processor",
        )
    },
)
