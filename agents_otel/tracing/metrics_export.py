"""Zero-config metrics export: the twin of the trace setup, so metrics go where the traces go.

Its own module (not part of ``metrics``, which holds the instruments) so the instruments never import the export
pipeline and the trace setup can call this without a cycle.
"""

from __future__ import annotations

import os

from opentelemetry import metrics
from opentelemetry.metrics import MeterProvider

from .exit_flush import register_exit_flush, remaining_millis
from .export_env import exit_timeout_from_env, export_timeout_from_env
from .resource import build_resource


def configure_metrics_from_env() -> MeterProvider | None:
    """Zero-config OTLP metrics export, the twin of the tracing setup's zero-config trace export.

    Installs an SDK ``MeterProvider`` with a periodic OTLP reader as the global provider when *all* hold: the
    application has not set a global MeterProvider of its own, ``OTEL_METRICS_EXPORTER`` is unset or ``otlp``, and
    ``OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set. The protocol comes from
    ``OTEL_EXPORTER_OTLP_METRICS_PROTOCOL`` / ``OTEL_EXPORTER_OTLP_PROTOCOL`` (default ``http/protobuf``); the
    exporters read their own endpoint, headers and timeout variables, and the reader its
    ``OTEL_METRIC_EXPORT_INTERVAL``. Returns the installed provider, or ``None`` if nothing was installed.
    """
    from opentelemetry.metrics._internal import _ProxyMeterProvider

    if not isinstance(metrics.get_meter_provider(), _ProxyMeterProvider):
        return None  # the app owns its metrics pipeline
    exporter_names = os.environ.get("OTEL_METRICS_EXPORTER", "otlp").strip().lower()
    if exporter_names != "otlp":
        return None
    if not (os.environ.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")):
        return None
    protocol = (
        os.environ.get("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL") or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or ""
    ).strip() or "http/protobuf"

    from opentelemetry.sdk.metrics import MeterProvider as SDKMeterProvider
    from opentelemetry.sdk.metrics.export import MetricExporter, PeriodicExportingMetricReader

    # Same bounds as the trace export: a dead collector must neither hold the reader's thread for the OTLP
    # exporters' default 10 s nor stall interpreter exit (the SDK's own exit hook would wait up to 30 s).
    timeout = export_timeout_from_env("METRICS")
    exporter: MetricExporter
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as GrpcExporter

        exporter = GrpcExporter(timeout=timeout)
    else:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HttpExporter

        exporter = HttpExporter(timeout=timeout)
    provider = SDKMeterProvider(
        metric_readers=[PeriodicExportingMetricReader(exporter)], resource=build_resource(), shutdown_on_exit=False
    )
    metrics.set_meter_provider(provider)
    # Traces and metrics share one exit budget, flushed concurrently (exit_flush).
    register_exit_flush(
        "metrics", lambda deadline: provider.shutdown(timeout_millis=remaining_millis(deadline)),
        budget=exit_timeout_from_env(),
    )
    return provider
