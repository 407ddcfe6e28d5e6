"""Sending the runtime's metrics out of the process: ``configure_metrics`` and the zero-config default behind it.

Its own module, beside the trace setup rather than in it: the instruments (``agents_otel.metrics``) never import
the export pipeline at module level, and metrics export must not depend on what the application did about
tracing. An application that builds its own TracerProvider (the common case in services that already use
OpenTelemetry) still wants the ``OTEL_METRICS_*`` variables honoured, so the first run of a process configures
metrics on its own, from :func:`auto_configure_metrics`, whatever happened to tracing. What is never touched is a
MeterProvider the application set itself, or one passed as ``RunConfig(meter_provider=...)``.

Exporters, by ``OTEL_METRICS_EXPORTER`` (a comma-separated list, as the OTel specification defines it):

* ``otlp``: a periodic OTLP push (``OTEL_EXPORTER_OTLP[_METRICS]_PROTOCOL``, default ``http/protobuf``). When the
  variable is unset this is the default only if an OTLP endpoint is configured, so an unconfigured process does
  not push to a collector that is not there.
* ``prometheus``: a pull endpoint serving ``/metrics`` on ``OTEL_EXPORTER_PROMETHEUS_HOST``:``..._PORT``
  (default ``localhost:9464``), through ``opentelemetry-exporter-prometheus`` (the ``prometheus`` extra).
* ``console``: periodic JSON on stdout, for a look while developing.
* ``none``: nothing (and nothing else may be listed with it).

Push exporters run on ``OTEL_METRIC_EXPORT_INTERVAL`` milliseconds (the specification's default: 60000). The
interval is the floor of every alert's delay: a stall detected right after an export waits for the next one.
A pull endpoint has no interval; Prometheus' ``scrape_interval`` plays that role.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics
from opentelemetry.metrics import MeterProvider

from ..exceptions import UserError
from .exit_flush import register_exit_flush, remaining_millis
from .export_env import auto_configure_disabled, exit_timeout_from_env, export_timeout_from_env
from .resource import build_resource

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricReader

logger = logging.getLogger("agents_otel")

METRICS_EXPORTER_ENV = "OTEL_METRICS_EXPORTER"
EXPORT_INTERVAL_ENV = "OTEL_METRIC_EXPORT_INTERVAL"
PROMETHEUS_HOST_ENV = "OTEL_EXPORTER_PROMETHEUS_HOST"
PROMETHEUS_PORT_ENV = "OTEL_EXPORTER_PROMETHEUS_PORT"
EXPORTERS = ("otlp", "prometheus", "console", "none")
DEFAULT_EXPORT_INTERVAL = 60.0
"""Seconds between pushes, the OTel specification's default for ``OTEL_METRIC_EXPORT_INTERVAL``."""
DEFAULT_PROMETHEUS_HOST = "localhost"
DEFAULT_PROMETHEUS_PORT = 9464
"""The specification's defaults for ``OTEL_EXPORTER_PROMETHEUS_HOST`` / ``_PORT``."""


class MetricsConfigurationError(UserError):
    """Metrics settings that cannot work: an unknown exporter, a bad interval or port, a missing extra."""


_auto_lock = threading.Lock()
_auto_done = False


def configure_metrics(
    *,
    exporters: Sequence[str] | None = None,
    export_interval: float | None = None,
    prometheus_host: str | None = None,
    prometheus_port: int | None = None,
    set_global: bool = True,
) -> MeterProvider | None:
    """Build an SDK MeterProvider exporting through ``exporters`` and (by default) make it the global one.

    Every argument left as ``None`` comes from the standard variables: ``OTEL_METRICS_EXPORTER``,
    ``OTEL_METRIC_EXPORT_INTERVAL`` (milliseconds; ``export_interval`` is in seconds),
    ``OTEL_EXPORTER_PROMETHEUS_HOST`` / ``_PORT``; the OTLP exporter reads its endpoint, headers and timeout
    itself. Returns ``None`` when the exporters come down to nothing (``none``, or the variable unset with no
    OTLP endpoint configured).

    ``set_global=True`` with a global MeterProvider already set is an error rather than a silent no-op: pass
    ``set_global=False`` and hand the result to ``RunConfig(meter_provider=...)`` instead; that provider is then
    yours to ``shutdown()`` (the global one is shut down at exit, within ``AGENTS_OTEL_EXIT_TIMEOUT``).
    """
    if set_global and not _global_is_unset():
        raise MetricsConfigurationError(
            "a global MeterProvider is already set; call configure_metrics(set_global=False) and pass the result "
            "as RunConfig(meter_provider=...), or keep using the existing provider"
        )
    names = resolve_exporters(exporters)
    if not names:
        return None
    interval = export_interval if export_interval is not None else export_interval_from_env()
    if interval <= 0:
        raise MetricsConfigurationError(f"export interval must be positive, got {interval!r} seconds")

    from opentelemetry.sdk.metrics import MeterProvider as SDKMeterProvider

    readers = [_reader(name, interval, prometheus_host, prometheus_port) for name in names]
    provider = SDKMeterProvider(metric_readers=readers, resource=build_resource(), shutdown_on_exit=False)
    if set_global:
        metrics.set_meter_provider(provider)
        if metrics.get_meter_provider() is not provider:  # another thread won the one-time set
            provider.shutdown()
            raise MetricsConfigurationError("a global MeterProvider was set concurrently")
        # The last export at exit, within the one exit budget traces and metrics share (exit_flush); the SDK's own
        # hook would wait up to 30 s for a dead collector. A provider returned with set_global=False is yours.
        register_exit_flush(
            "metrics",
            lambda deadline: provider.shutdown(timeout_millis=remaining_millis(deadline)),
            budget=exit_timeout_from_env(),
        )
    logger.debug("agents_otel: metrics configured, exporting through %s", ", ".join(names))
    return provider


def configure_metrics_from_env() -> MeterProvider | None:
    """Zero-config metrics export: :func:`configure_metrics` from the ``OTEL_*`` variables, unless the app owns it.

    Returns the installed provider, or ``None`` when a global MeterProvider was already set (the application's
    own, never replaced) or the variables ask for no export. Raises :class:`MetricsConfigurationError` on
    settings that cannot work.
    """
    if not _global_is_unset():
        return None  # the app owns its metrics pipeline
    return configure_metrics()


def auto_configure_metrics() -> None:
    """Run :func:`configure_metrics_from_env` once per process; called by the first run that uses the global
    MeterProvider. Cheap afterwards (one flag read). Errors are logged, never raised: a typo in an ``OTEL_*``
    variable must not fail the application's agent runs. ``AGENTS_OTEL_AUTO_CONFIGURE=false`` turns it off."""
    global _auto_done
    if _auto_done:
        return
    with _auto_lock:
        if _auto_done:
            return
        _auto_done = True
        if auto_configure_disabled():
            return
        try:
            configure_metrics_from_env()
        except Exception as exc:  # a metrics misconfiguration must not cost the run anything else
            logger.warning("agents_otel: metrics not configured automatically: %s", exc)


def disable_auto_configure() -> None:
    """Never configure metrics export automatically in this process (tests, libraries embedding the runtime)."""
    global _auto_done
    with _auto_lock:
        _auto_done = True


def resolve_exporters(explicit: Sequence[str] | None = None) -> list[str]:
    """The exporter names to install, validated; ``[]`` means none."""
    if explicit is not None:
        raw = ",".join(explicit)
        defaulted = False
    else:
        raw = os.environ.get(METRICS_EXPORTER_ENV, "")
        defaulted = not raw.strip()
        raw = raw or "otlp"
    names: list[str] = []
    for part in raw.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name not in EXPORTERS:
            raise MetricsConfigurationError(
                f"{METRICS_EXPORTER_ENV}: unknown metrics exporter {name!r}; use one or more of {', '.join(EXPORTERS)}"
            )
        if name not in names:
            names.append(name)
    if "none" in names:
        if len(names) > 1:
            raise MetricsConfigurationError(f"{METRICS_EXPORTER_ENV}: 'none' cannot be combined with {names}")
        return []
    if defaulted and not _otlp_endpoint_configured():
        return []  # zero-config: no endpoint, nowhere to push
    return names


def export_interval_from_env() -> float:
    """Seconds between pushes, from ``OTEL_METRIC_EXPORT_INTERVAL`` (milliseconds)."""
    raw = os.environ.get(EXPORT_INTERVAL_ENV, "").strip()
    if not raw:
        return DEFAULT_EXPORT_INTERVAL
    try:
        millis = float(raw)
    except ValueError:
        raise MetricsConfigurationError(f"{EXPORT_INTERVAL_ENV}={raw!r} is not a number of milliseconds") from None
    if millis <= 0:
        raise MetricsConfigurationError(f"{EXPORT_INTERVAL_ENV}={raw!r} must be a positive number of milliseconds")
    return millis / 1000


def prometheus_address_from_env(host: str | None = None, port: int | None = None) -> tuple[str, int]:
    """Where the ``/metrics`` endpoint listens: arguments, else ``OTEL_EXPORTER_PROMETHEUS_HOST`` / ``_PORT``."""
    if host is None:
        host = os.environ.get(PROMETHEUS_HOST_ENV, "").strip() or DEFAULT_PROMETHEUS_HOST
    if port is None:
        raw = os.environ.get(PROMETHEUS_PORT_ENV, "").strip()
        try:
            port = int(raw) if raw else DEFAULT_PROMETHEUS_PORT
        except ValueError:
            raise MetricsConfigurationError(f"{PROMETHEUS_PORT_ENV}={raw!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise MetricsConfigurationError(f"Prometheus port {port} is out of range")
    return host, port


def _reader(name: str, interval: float, host: str | None, port: int | None) -> MetricReader:
    if name == "prometheus":
        return _prometheus_reader(*prometheus_address_from_env(host, port))
    from opentelemetry.sdk.metrics.export import MetricExporter, PeriodicExportingMetricReader

    exporter: MetricExporter
    if name == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

        exporter = ConsoleMetricExporter()
    else:
        exporter = _otlp_exporter()
    return PeriodicExportingMetricReader(exporter, export_interval_millis=interval * 1000)


def _otlp_exporter() -> Any:
    specific = os.environ.get("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "").strip().lower()
    protocol = specific or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "").strip().lower() or "http/protobuf"
    # Same bound as the trace export: a dead collector must not hold the reader's thread for the exporter's 10 s.
    timeout = export_timeout_from_env("METRICS")
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as GrpcExporter

        return GrpcExporter(timeout=timeout)
    if protocol == "http/json" and not specific:
        # Traces can go as OTLP/JSON, metrics cannot (no JSON metric exporter): the same receiver takes protobuf.
        logger.info("agents_otel: OTEL_EXPORTER_OTLP_PROTOCOL=http/json: metrics are sent as http/protobuf")
    elif protocol != "http/protobuf":
        raise MetricsConfigurationError(
            f"OTLP metrics protocol {protocol!r} is not supported; use grpc or http/protobuf"
        )
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HttpExporter

    return HttpExporter(timeout=timeout)


def _prometheus_reader(host: str, port: int) -> MetricReader:
    try:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader
        from prometheus_client import start_http_server
    except ImportError:
        raise MetricsConfigurationError(
            f"{METRICS_EXPORTER_ENV}=prometheus needs opentelemetry-exporter-prometheus: "
            "pip install 'agents_otel[prometheus]'"
        ) from None
    try:
        served = start_http_server(port=port, addr=host)
    except OSError as exc:
        raise MetricsConfigurationError(f"cannot serve Prometheus metrics on {host}:{port}: {exc}") from None
    if isinstance(served, tuple):  # prometheus_client >= 0.20 returns (server, thread): log the bound port
        port = served[0].server_port
    logger.info("agents_otel: Prometheus metrics on http://%s:%d/metrics", host, port)
    return PrometheusMetricReader()


def _otlp_endpoint_configured() -> bool:
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "").strip()
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    )


def _global_is_unset() -> bool:
    from opentelemetry.metrics._internal import _ProxyMeterProvider

    return isinstance(metrics.get_meter_provider(), _ProxyMeterProvider)


__all__ = [
    "DEFAULT_EXPORT_INTERVAL",
    "EXPORTERS",
    "MetricsConfigurationError",
    "auto_configure_metrics",
    "configure_metrics",
    "configure_metrics_from_env",
    "disable_auto_configure",
    "export_interval_from_env",
    "prometheus_address_from_env",
    "resolve_exporters",
]
