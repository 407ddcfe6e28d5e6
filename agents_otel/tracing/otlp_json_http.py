"""OTLP/HTTP with the JSON encoding (``OTEL_EXPORTER_OTLP_PROTOCOL=http/json``).

Why our own exporter: OpenTelemetry's ``opentelemetry-exporter-otlp-json-http`` (0.66b1, the only release line so
far) pins ``opentelemetry-exporter-otlp-common`` and the HTTP transport to versions that the current
``opentelemetry-exporter-otlp`` 1.45.2 cannot be installed beside (pip reports ``ResolutionImpossible``), so
depending on it would break installing this package. The body is the official JSON encoding (:mod:`.otlp_json`);
the transport is the standard library's, with the OTLP/HTTP behaviour the specification asks for: the
``OTEL_EXPORTER_OTLP[_TRACES]_*`` variables for endpoint, headers, timeout, compression and TLS files, retries with
exponential backoff on connection errors and on 429/502/503/504 (honouring ``Retry-After``) until the export's
timeout, and a ``shutdown`` that interrupts a backoff at once.
"""

from __future__ import annotations

import gzip
import logging
import os
import random
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.util.re import parse_env_headers

from .otlp_json import otlp_json_line

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "http://localhost:4318/v1/traces"
DEFAULT_TIMEOUT = 10.0
TRACES_PATH = "/v1/traces"
_RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
_MAX_BACKOFF = 32.0


def _env(*names: str) -> str:
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return ""


def traces_url(base: str) -> str:
    """``base`` (the meaning of ``OTEL_EXPORTER_OTLP_ENDPOINT``) with the traces path appended."""
    return base if base.rstrip("/").endswith(TRACES_PATH) else base.rstrip("/") + TRACES_PATH


class OTLPJsonHttpSpanExporter(SpanExporter):
    """Sends each batch as one OTLP/JSON ``ExportTraceServiceRequest`` over HTTP POST.

    ``endpoint`` is the full traces URL (as for the SDK's HTTP exporter); without it the per-signal variable is used
    as is and ``OTEL_EXPORTER_OTLP_ENDPOINT`` gets ``/v1/traces`` appended.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        compression: str | None = None,
    ) -> None:
        signal_endpoint = _env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        base = _env("OTEL_EXPORTER_OTLP_ENDPOINT")
        self.endpoint = endpoint or signal_endpoint or (traces_url(base) if base else DEFAULT_ENDPOINT)
        raw_timeout = _env("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT")
        self.timeout = timeout if timeout is not None else _seconds(raw_timeout)
        self.compression = (
            compression or _env("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION") or "none"
        ).lower()
        if self.compression not in ("none", "gzip"):
            logger.warning("agents_otel: OTLP compression %r is not supported for http/json; sending uncompressed",
                           self.compression)
            self.compression = "none"
        self.headers = {"Content-Type": "application/json", "User-Agent": "agents_otel-otlp-json"}
        self.headers.update(
            parse_env_headers(_env("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"), liberal=True)
        )
        if headers:
            self.headers.update(headers)
        if self.compression == "gzip":
            self.headers["Content-Encoding"] = "gzip"
        self._ssl = _ssl_context() if self.endpoint.startswith("https:") else None
        self._shutdown = threading.Event()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shutdown.is_set():
            return SpanExportResult.FAILURE
        if not spans:
            return SpanExportResult.SUCCESS
        body = otlp_json_line(spans).rstrip("\n").encode("ascii")
        if self.compression == "gzip":
            body = gzip.compress(body)
        deadline = time.monotonic() + self.timeout
        backoff = 1.0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._shutdown.is_set():
                return SpanExportResult.FAILURE
            retry_after = self._post(body, remaining)
            if retry_after is None:
                return SpanExportResult.SUCCESS
            if retry_after < 0:
                return SpanExportResult.FAILURE
            delay = retry_after or backoff * random.uniform(0.8, 1.2)
            if time.monotonic() + delay >= deadline:
                return SpanExportResult.FAILURE
            if self._shutdown.wait(delay):
                return SpanExportResult.FAILURE
            backoff = min(backoff * 2, _MAX_BACKOFF)

    def _post(self, body: bytes, timeout: float) -> float | None:
        """``None`` on success, ``-1`` for a permanent failure, else seconds to wait (0: use the backoff)."""
        request = urllib.request.Request(self.endpoint, data=body, headers=self.headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=self._ssl) as response:
                response.read()
            return None
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in _RETRYABLE_STATUS:
                return _retry_after(exc.headers.get("Retry-After"))
            logger.warning("agents_otel: OTLP/JSON export to %s rejected: HTTP %d", self.endpoint, exc.code)
            return -1
        except (OSError, ValueError) as exc:  # refused, reset, timed out, DNS: transient by nature
            logger.debug("agents_otel: OTLP/JSON export to %s failed: %s", self.endpoint, exc)
            return 0.0

    def shutdown(self) -> None:
        self._shutdown.set()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Nothing is buffered here."""
        return True


def _seconds(raw: str) -> float:
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        return float(raw)
    except ValueError:
        logger.warning("agents_otel: OTLP timeout %r is not a number; using %s s", raw, DEFAULT_TIMEOUT)
        return DEFAULT_TIMEOUT


def _retry_after(raw: str | None) -> float:
    try:
        return max(0.0, float(raw)) if raw else 0.0
    except ValueError:
        return 0.0


def _ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context(
        cafile=_env("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "OTEL_EXPORTER_OTLP_CERTIFICATE") or None
    )
    cert = _env("OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE")
    if cert:
        key = _env("OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_KEY") or None
        context.load_cert_chain(cert, key)
    return context


__all__ = ["DEFAULT_ENDPOINT", "OTLPJsonHttpSpanExporter", "traces_url"]
