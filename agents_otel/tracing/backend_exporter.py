"""The SDK's ``BackendSpanExporter`` and ``ConsoleSpanExporter``: traces and spans as the SDK exports them.

``BackendSpanExporter`` posts ``{"data": [item.export(), ...]}`` to the OpenAI traces ingest endpoint (or
``endpoint=``) with the SDK's headers (``Authorization: Bearer``, ``OpenAI-Beta: traces=v1``,
``OpenAI-Organization`` / ``OpenAI-Project`` when set), one request per tracing key (an item's own
``tracing_api_key``, from ``RunConfig(tracing={"api_key": ...})``, else the exporter's). As in the SDK: a 2xx is done;
a 4xx is logged and not retried; a 5xx or a connection failure is retried with exponential backoff (``base_delay``
doubling up to ``max_delay``, 10 % jitter) for at most ``max_retries`` attempts, then given up on with an error
logged. Nothing is ever raised into the run: each batch's outcome is an :class:`ExportOutcome`, logged and kept as
``last_outcome``. For the OpenAI endpoint the payload is shaped as the SDK shapes it for ingest
(:mod:`.backend_payload`).

What is sent is what the spans hold: tool arguments and results and model messages only when the run captured
content (``RunConfig(capture_content=...)`` / ``trace_include_sensitive_data``), redacted as the span is. Nothing here
is registered by default: see ``default_processor()``.

The transport is the standard library's (as our OTLP/JSON exporter's), so the exporter needs no HTTP package.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import random
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from .backend_payload import shaped_for_openai_ingest
from .processor_interface import TracingExporter
from .sdk_tracing import Span, Trace

logger = logging.getLogger("agents_otel.tracing")

OPENAI_TRACES_INGEST_ENDPOINT = "https://api.openai.com/v1/traces/ingest"
_REQUEST_TIMEOUT = 60.0


class ExportOutcome(enum.Enum):
    """How one request of ``BackendSpanExporter`` ended (``last_outcome``; also in the log record's message)."""

    SUCCESS = "success"
    NO_API_KEY = "no_api_key"
    CLIENT_ERROR = "client_error"
    GAVE_UP = "gave_up"
    DEADLINE = "deadline"
    SHUTDOWN = "shutdown"


class ConsoleSpanExporter(TracingExporter):
    """As the SDK's: prints each trace (id and name) and each span's ``export()`` dict."""

    def export(self, items: list[Trace | Span[Any]]) -> None:
        for item in items:
            if isinstance(item, Trace):
                print(f"[Exporter] Export trace_id={item.trace_id}, name={item.name}")
            else:
                print(f"[Exporter] Export span: {item.export()}")


class BackendSpanExporter(TracingExporter):
    """As the SDK's: uploads traces and spans to the OpenAI traces ingest endpoint (see the module's docstring)."""

    def __init__(
        self,
        api_key: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        endpoint: str = OPENAI_TRACES_INGEST_ENDPOINT,
        max_retries: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
    ) -> None:
        self._api_key = api_key
        self._organization = organization
        self._project = project
        self.endpoint = endpoint
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.last_outcome: ExportOutcome | None = None
        self._shutdown = threading.Event()

    def set_api_key(self, api_key: str) -> None:
        """The key for items that carry none of their own (``set_tracing_export_api_key`` sets the default one's)."""
        self._api_key = api_key

    @property
    def api_key(self) -> str | None:
        """The given key, else ``$OPENAI_API_KEY`` (read when asked, so a key set later is seen)."""
        return self._api_key or os.environ.get("OPENAI_API_KEY")

    @property
    def organization(self) -> str | None:
        return self._organization or os.environ.get("OPENAI_ORG_ID")

    @property
    def project(self) -> str | None:
        return self._project or os.environ.get("OPENAI_PROJECT_ID")

    def export(self, items: list[Trace | Span[Any]]) -> None:
        self._export_with_deadline(items, None)

    def close(self) -> None:
        """As the SDK's: releases the transport (each request here opens and closes its own connection)."""

    def _request_shutdown(self) -> None:
        """Stop retrying: a backoff in progress ends now (``BatchTraceProcessor.shutdown(timeout=...)``)."""
        self._shutdown.set()

    def _export_with_deadline(self, items: list[Trace | Span[Any]], deadline: float | None) -> None:
        groups: dict[str | None, list[Trace | Span[Any]]] = {}
        for item in items:
            groups.setdefault(item.tracing_api_key, []).append(item)
        for item_key, group in groups.items():
            api_key = item_key or self.api_key
            if not api_key:
                self._outcome(ExportOutcome.NO_API_KEY, "OPENAI_API_KEY is not set, skipping trace export")
                continue
            shape = self.endpoint.rstrip("/") == OPENAI_TRACES_INGEST_ENDPOINT
            data = []
            for item in group:
                exported = item.export()
                if exported:
                    data.append(shaped_for_openai_ingest(exported) if shape else exported)
            self._post(json.dumps({"data": data}, default=str).encode(), self._headers(api_key), len(group), deadline)

    def _headers(self, api_key: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json", "OpenAI-Beta": "traces=v1"}
        if self.organization:
            headers["OpenAI-Organization"] = self.organization
        if self.project:
            headers["OpenAI-Project"] = self.project
        return headers

    def _post(self, body: bytes, headers: dict[str, str], count: int, deadline: float | None) -> None:
        delay = self.base_delay
        attempt = 0
        while True:
            timeout = _REQUEST_TIMEOUT if deadline is None else min(_REQUEST_TIMEOUT, deadline - time.monotonic())
            if timeout <= 0:
                self._outcome(ExportOutcome.DEADLINE, "trace export deadline reached, giving up on this batch")
                return
            attempt += 1
            request = urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    response.read()
                self._outcome(ExportOutcome.SUCCESS, f"exported {count} items", level=logging.DEBUG)
                return
            except urllib.error.HTTPError as exc:
                if 400 <= exc.code < 500:
                    text = exc.read().decode("utf-8", "replace")[:1000]
                    self._outcome(ExportOutcome.CLIENT_ERROR, f"trace ingest client error {exc.code}: {text}",
                                  level=logging.ERROR)
                    return
                logger.warning("agents_otel: [non-fatal] trace ingest server error %s, retrying", exc.code)
            except (OSError, ValueError) as exc:  # URLError, refused, reset, timed out
                logger.warning("agents_otel: [non-fatal] trace ingest request failed: %s", exc)
            if attempt >= self.max_retries:
                self._outcome(ExportOutcome.GAVE_UP, f"max retries ({self.max_retries}) reached, giving up on a "
                              f"batch of {count} items", level=logging.ERROR)
                return
            pause = delay + random.uniform(0, 0.1 * delay)
            if deadline is not None and time.monotonic() + pause >= deadline:
                self._outcome(ExportOutcome.DEADLINE, "trace export deadline reached during backoff, giving up")
                return
            if self._shutdown.wait(pause):
                self._outcome(ExportOutcome.SHUTDOWN, "shutdown requested during retry backoff, giving up")
                return
            delay = min(delay * 2, self.max_delay)

    def _outcome(self, outcome: ExportOutcome, message: str, level: int = logging.WARNING) -> None:
        self.last_outcome = outcome
        logger.log(level, "agents_otel: [non-fatal] tracing %s: %s", outcome.value, message,
                   extra={"agents_otel_export_outcome": outcome})


__all__ = ["OPENAI_TRACES_INGEST_ENDPOINT", "BackendSpanExporter", "ConsoleSpanExporter", "ExportOutcome"]
