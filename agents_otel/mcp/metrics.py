"""``mcp.client.operation.duration`` and ``mcp.server.operation.duration``, per the MCP semantic conventions.

Names, unit and bucket advice from open-telemetry/semantic-conventions-genai ``docs/gen-ai/mcp.md``. Instruments
are created once per MeterProvider by the runtime's own rule (:class:`agents_otel.metrics.PerMeterProvider`).
"""

from __future__ import annotations

from typing import Any

from opentelemetry.metrics import Histogram, MeterProvider

from ..metrics import PerMeterProvider

CLIENT_OPERATION_DURATION = "mcp.client.operation.duration"
SERVER_OPERATION_DURATION = "mcp.server.operation.duration"
BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)


class MCPInstruments:
    __slots__ = ("client_duration", "server_duration")

    def __init__(self, provider: MeterProvider) -> None:
        from .. import __version__

        meter = provider.get_meter("agents_otel.mcp", __version__)
        self.client_duration: Histogram = meter.create_histogram(
            CLIENT_OPERATION_DURATION,
            "s",
            "Duration of MCP requests as observed by the client",
            explicit_bucket_boundaries_advisory=BUCKETS,
        )
        self.server_duration: Histogram = meter.create_histogram(
            SERVER_OPERATION_DURATION,
            "s",
            "Duration of MCP requests as observed by the server",
            explicit_bucket_boundaries_advisory=BUCKETS,
        )


mcp_instruments = PerMeterProvider(MCPInstruments)


def metric_attributes(span_attributes: dict[str, Any], error_type: str | None) -> dict[str, Any]:
    """The low-cardinality subset of a request span's attributes the conventions list for the metrics."""
    keep = (
        "mcp.method.name",
        "gen_ai.tool.name",
        "mcp.protocol.version",
        "network.transport",
        "server.address",
        "server.port",
    )
    attributes = {k: span_attributes[k] for k in keep if k in span_attributes}
    if error_type is not None:
        attributes["error.type"] = error_type
    return attributes
