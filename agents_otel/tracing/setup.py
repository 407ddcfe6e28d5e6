"""Sending traces out of the process: ``configure_tracing`` and the zero-config default behind it.

The first run of a process that has not set a global TracerProvider calls :func:`auto_configured_provider`,
which builds one from the standard ``OTEL_*`` variables and sets it as the global provider, so every other
OpenTelemetry instrumentation in the process nests under the same traces. ``OTEL_TRACES_EXPORTER`` picks the
exporters (:mod:`.trace_exporters`); unset, with an OTLP endpoint configured it exports there (gRPC,
HTTP/protobuf or HTTP/JSON); without one it appends OTLP JSON lines to a local file that ``agents-otel traces``
renders. A provider the application set itself is never touched, and
``AGENTS_OTEL_AUTO_CONFIGURE=false`` (or :func:`disable_auto_configure`) turns the default off.

Exporting never blocks a run: spans go through a ``BatchSpanProcessor`` whose worker thread does all network
and file I/O. What can block is interpreter exit, where the SDK flushes the queue: an OTLP exporter facing a
dead endpoint retries with backoff for its whole timeout, per batch. The providers installed here therefore skip
the SDK's exit hook and flush through :mod:`.exit_flush`, where traces and metrics share one deadline
(``AGENTS_OTEL_EXIT_TIMEOUT``); a processor that reaches it shuts its exporter down, which aborts the retries.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import Sampler
from opentelemetry.util.types import AttributeValue

from . import exit_flush
from .export_env import (
    AUTO_CONFIGURE_ENV,
    DEFAULT_EXIT_TIMEOUT,
    DEFAULT_EXPORT_TIMEOUT,
    EXIT_TIMEOUT_ENV,
    TracingConfigurationError,
    auto_configure_disabled,
    env,
    exit_timeout_from_env,
    export_timeout_from_env,
)
from .export_processor import BoundedBatchSpanProcessor
from .file_exporter import TRACE_FILE_ENV, default_trace_file
from .openinference import OPENINFERENCE_ENV, OpenInferenceSpanExporter
from .resource import build_resource
from .trace_exporters import (
    CONSOLE,
    FILE,
    TRACES_EXPORTER_ENV,
    Protocol,
    build_exporter,
    default_names,
    exporter_names,
)

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_auto_lock = threading.Lock()
"""Held while the default is built, so a concurrent first run waits for it instead of running untraced."""
_auto_attempted = False
_file_processors: list[tuple[Path, BatchSpanProcessor]] = []


def configure_tracing(
    *,
    endpoint: str | None = None,
    protocol: Protocol | None = None,
    headers: Mapping[str, str] | None = None,
    service_name: str | None = None,
    resource_attributes: Mapping[str, AttributeValue] | None = None,
    sampler: Sampler | None = None,
    file: str | os.PathLike[str] | None = None,
    exporters: str | Sequence[str] | None = None,
    openinference: bool | None = None,
    export_timeout: float | None = None,
    exit_timeout: float | None = None,
    set_global: bool = True,
) -> TracerProvider:
    """Build an SDK TracerProvider that exports this process's traces, and (by default) make it the global one.

    Every argument left as ``None`` comes from the standard variables, read by the SDK and the exporters
    themselves: ``OTEL_TRACES_EXPORTER`` (``exporters``), ``OTEL_EXPORTER_OTLP[_TRACES]_ENDPOINT``,
    ``..._PROTOCOL`` (``grpc``, ``http/protobuf`` (default, as the OTel specification asks) or ``http/json``),
    ``..._HEADERS``, ``..._TIMEOUT``, ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``
    and ``OTEL_TRACES_SAMPLER_ARG``. ``endpoint`` means what ``OTEL_EXPORTER_OTLP_ENDPOINT`` means: the base URL
    (``/v1/traces`` is appended for HTTP). ``service_name`` defaults to the program's name (see :mod:`.resource`).

    ``exporters`` (a comma list or a sequence of names, see :mod:`.trace_exporters`) chooses the exporters; unset,
    spans go to OTLP when an endpoint is configured and otherwise to an OTLP JSON-lines file (``file``, else
    ``$AGENTS_OTEL_TRACE_FILE``, else ``./.agents_otel/traces.jsonl``). A file given explicitly (argument, or the
    variable while no exporter list is set) is written in addition to an OTLP endpoint. Explicit arguments win.

    ``openinference=True`` (or ``AGENTS_OTEL_OPENINFERENCE=true``) adds OpenInference attributes to what the OTLP
    exporters send, for Arize Phoenix (see :mod:`.openinference`); the file and the console are left as they are.

    ``set_global=False`` leaves the global provider alone: pass the result as ``RunConfig(tracer_provider=...)``.
    With ``set_global=True`` a global provider set earlier (by the application or by a previous call) is an
    error rather than being silently kept or replaced.
    """
    if set_global and not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        raise TracingConfigurationError(
            "a global TracerProvider is already set; call configure_tracing(set_global=False) and pass the result "
            "as RunConfig(tracer_provider=...), or keep using the existing provider"
        )
    exit_bound = exit_timeout if exit_timeout is not None else exit_timeout_from_env()
    resolved_endpoint = endpoint or env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env("OTEL_EXPORTER_OTLP_ENDPOINT")
    file_variable = env(TRACE_FILE_ENV)
    names = exporter_names(exporters)
    if names is None:
        names = default_names(resolved_endpoint, explicit_file=file is not None or bool(file_variable))
    else:
        if file is not None and FILE not in names:
            names.append(FILE)  # an explicit argument wins over the variable
        elif file_variable and FILE not in names:
            logger.warning(
                "agents_otel: %s is set but %s=%s does not include %r; no trace file is written",
                TRACE_FILE_ENV, TRACES_EXPORTER_ENV, ",".join(names) or "none", FILE,
            )
    file_path = Path(file if file is not None else default_trace_file()).absolute()
    timeout = export_timeout if export_timeout is not None else export_timeout_from_env("TRACES")
    built = [
        (name, build_exporter(
            name, endpoint=endpoint, protocol=protocol, headers=headers, timeout=timeout, file_path=file_path
        ))
        for name in names
    ]
    if openinference if openinference is not None else env(OPENINFERENCE_ENV).lower() in ("true", "1", "yes", "on"):
        built = [(n, e if n in (FILE, CONSOLE) else OpenInferenceSpanExporter(e)) for n, e in built]

    provider = TracerProvider(
        resource=build_resource(service_name, resource_attributes), sampler=sampler, shutdown_on_exit=False
    )
    for name, exporter in built:
        processor = BoundedBatchSpanProcessor(exporter, shutdown_timeout=exit_bound)
        provider.add_span_processor(processor)
        exit_flush.register_exit_flush(f"traces:{name}", processor.shutdown_by, budget=exit_bound)
        if name == FILE:
            with _lock:
                _file_processors.append((file_path, processor))

    if set_global:
        trace.set_tracer_provider(provider)
        if trace.get_tracer_provider() is not provider:  # another thread won the one-time set
            provider.shutdown()
            raise TracingConfigurationError("a global TracerProvider was set concurrently")
    logger.debug("agents_otel: tracing configured: %s", ", ".join(names) or "no exporter")
    return provider


def auto_configured_provider() -> trace.TracerProvider:
    """The global provider, after configuring the zero-config default on the first call if none was set.

    Cheap after the first call (one ``isinstance``). Configuration errors are logged, never raised: a typo
    in an ``OTEL_*`` variable must not fail the application's agent runs.
    """
    global _auto_attempted
    current = trace.get_tracer_provider()
    if _auto_attempted or not isinstance(current, trace.ProxyTracerProvider):
        return current
    with _auto_lock:
        if _auto_attempted or not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            return trace.get_tracer_provider()
        _auto_attempted = True
        if auto_configure_disabled():
            return current
        try:
            provider = configure_tracing()
        except TracingConfigurationError as exc:
            logger.warning("agents_otel: tracing not configured automatically: %s", exc)
            return trace.get_tracer_provider()
        return provider  # metrics are configured on their own (metrics_export), whatever happens here


def disable_auto_configure() -> None:
    """Never configure the zero-config default in this process (the in-code ``AGENTS_OTEL_AUTO_CONFIGURE=false``).

    For libraries and test suites that run agents but must not set a process-wide provider; unlike the variable,
    it does not reach child processes.
    """
    global _auto_attempted
    with _auto_lock:
        _auto_attempted = True
    from .metrics_export import disable_auto_configure as disable_metrics

    disable_metrics()  # the metrics default too: it would set a process-wide MeterProvider


def flush_file_exports(path: str | os.PathLike[str] | None = None) -> None:
    """Write spans still queued for JSON-lines files (only ``path``'s, if given) before the file is read.

    Only file exporters are flushed: the SDK's ``force_flush`` exports in the calling thread and ignores its
    timeout, which is harmless for a local file and could stall on a dead OTLP endpoint.
    """
    target = Path(path).absolute() if path is not None else None
    with _lock:
        processors = [p for file_path, p in _file_processors if target is None or file_path == target]
    for processor in processors:
        processor.force_flush()


__all__ = [
    "AUTO_CONFIGURE_ENV",
    "DEFAULT_EXIT_TIMEOUT",
    "DEFAULT_EXPORT_TIMEOUT",
    "EXIT_TIMEOUT_ENV",
    "BoundedBatchSpanProcessor",
    "TracingConfigurationError",
    "auto_configured_provider",
    "configure_tracing",
    "disable_auto_configure",
    "exit_timeout_from_env",
    "export_timeout_from_env",
    "flush_file_exports",
]
