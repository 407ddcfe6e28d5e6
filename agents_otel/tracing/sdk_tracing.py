"""The OpenAI Agents SDK's ``TracingProcessor`` interface and the ``Trace`` / ``Span`` objects it receives.

Why: a processor written for the SDK must run unchanged here. It is fed by :mod:`.sdk_trace_bridge`, which derives
these objects from our OpenTelemetry spans; they are snapshots for reading, not a second tracing system. Hence
``start``/``finish`` (and ``with``) do nothing: the OTel span's lifecycle belongs to the runtime, and the bridge
reports it. Ids use the SDK's string forms built from the OTel ids (``trace_`` + 32 hex, ``span_`` + 16 hex), so
``trace_id[6:]`` is the id an OTLP backend shows.
"""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Any, Generic, Self, TypedDict, TypeVar

from .sdk_span_data import SpanData

TSpanData = TypeVar("TSpanData", bound=SpanData)

_ROUTING_KEYS = ("agent_harness_id",)
"""Trace metadata keys the SDK copies into every span's export, so the backend can route spans on their own."""


class SpanError(TypedDict):
    """A failed span's error, as the SDK shapes it: a message and optional details."""

    message: str
    data: dict[str, Any] | None


class _Snapshot:
    """What the SDK's ``Trace`` and ``Span`` have for code that drives them, here on views of spans that already
    live in OpenTelemetry: ``start`` / ``finish`` and ``with`` do nothing (the OpenTelemetry span started and ends
    by itself). ``tracing_api_key`` is the run's ``RunConfig(tracing={"api_key": ...})``, for
    ``BackendSpanExporter``; it lives only on these objects, never in a span attribute."""

    __slots__ = ("_tracing_api_key",)
    _tracing_api_key: str | None

    @property
    def tracing_api_key(self) -> str | None:
        """The key ``BackendSpanExporter`` uploads this item with (``None``: the exporter's own)."""
        return self._tracing_api_key

    def start(self, mark_as_current: bool = False) -> None:
        """Does nothing: it started with its OpenTelemetry span."""

    def finish(self, reset_current: bool = False) -> None:
        """Does nothing: it ends with its OpenTelemetry span."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


class Trace(_Snapshot):
    """One run's (or one ``trace()`` workflow's) trace, as a processor sees it."""

    __slots__ = ("_name", "_trace_id", "group_id", "metadata")

    def __init__(
        self,
        name: str,
        trace_id: str,
        group_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tracing_api_key: str | None = None,
    ) -> None:
        self._tracing_api_key = tracing_api_key
        self._name = name
        self._trace_id = trace_id
        self.group_id = group_id
        self.metadata = metadata

    @property
    def trace_id(self) -> str:
        """``trace_`` + the OpenTelemetry trace id in hex."""
        return self._trace_id

    @property
    def name(self) -> str:
        """The workflow name: ``trace()``'s or ``RunConfig.workflow_name``, else the SDK's ``Agent workflow``."""
        return self._name

    def export(self) -> dict[str, Any] | None:
        """The SDK's JSON shape of a trace."""
        return {
            "object": "trace", "id": self._trace_id, "workflow_name": self._name, "group_id": self.group_id,
            "metadata": self.metadata,
        }

    def to_json(self, *, include_tracing_api_key: bool = False) -> dict[str, Any] | None:
        """``export()``, with the tracing key only when asked (so a key is never persisted by accident)."""
        payload = self.export()
        if payload is not None and include_tracing_api_key and self._tracing_api_key:
            payload["tracing_api_key"] = self._tracing_api_key
        return payload

    def __repr__(self) -> str:
        return f"Trace(trace_id={self._trace_id!r}, name={self._name!r})"


class Span(_Snapshot, Generic[TSpanData]):
    """One of our spans as a processor sees it; the same object goes to ``on_span_start`` and ``on_span_end``."""

    __slots__ = ("_ended_at", "_error", "_parent_id", "_span_id", "_started_at", "_trace_id", "_trace_metadata",
                 "span_data")

    def __init__(
        self,
        trace_id: str,
        span_id: str,
        parent_id: str | None,
        span_data: TSpanData,
        started_at: str | None = None,
        trace_metadata: dict[str, Any] | None = None,
        tracing_api_key: str | None = None,
    ) -> None:
        self._tracing_api_key = tracing_api_key
        self._trace_id = trace_id
        self._span_id = span_id
        self._parent_id = parent_id
        self.span_data = span_data
        self._started_at = started_at
        self._ended_at: str | None = None
        self._error: SpanError | None = None
        self._trace_metadata = trace_metadata

    @property
    def trace_id(self) -> str:
        return self._trace_id

    @property
    def span_id(self) -> str:
        """``span_`` + the OpenTelemetry span id in hex."""
        return self._span_id

    @property
    def parent_id(self) -> str | None:
        """The parent span's id; ``None`` for a span directly under the trace."""
        return self._parent_id

    @property
    def started_at(self) -> str | None:
        return self._started_at

    @property
    def ended_at(self) -> str | None:
        return self._ended_at

    @property
    def error(self) -> SpanError | None:
        return self._error

    @property
    def trace_metadata(self) -> dict[str, Any] | None:
        return self._trace_metadata

    def set_error(self, error: SpanError) -> None:
        """Changes this snapshot only; the OpenTelemetry span keeps its own status."""
        self._error = error

    def ended(self, ended_at: str, error: SpanError | None) -> None:
        """The bridge's: the span's end, as its OpenTelemetry span recorded it."""
        self._ended_at = ended_at
        self._error = error

    def export(self) -> dict[str, Any] | None:
        """The SDK's JSON shape of a span: ``metadata`` (only when there is some) carries the trace's routing keys
        (``agent_harness_id``) and the span data's own ``metadata``, as the SDK's span export does."""
        payload: dict[str, Any] = {
            "object": "trace.span", "id": self._span_id, "trace_id": self._trace_id, "parent_id": self._parent_id,
            "started_at": self._started_at, "ended_at": self._ended_at, "span_data": self.span_data.export(),
            "error": self._error,
        }
        trace_metadata = self._trace_metadata or {}
        metadata = {key: trace_metadata[key] for key in _ROUTING_KEYS if key in trace_metadata}
        own = getattr(self.span_data, "metadata", None)
        if isinstance(own, dict):
            metadata.update({key: value for key, value in own.items() if key not in metadata})
        if metadata:
            payload["metadata"] = metadata
        return payload

    def __repr__(self) -> str:
        return f"Span(span_id={self._span_id!r}, type={self.span_data.type!r}, parent_id={self._parent_id!r})"


class TracingProcessor(abc.ABC):
    """The OpenAI Agents SDK's processor interface: register one with ``add_trace_processor`` to receive every run's
    trace and spans. Calls are synchronous, on the thread that starts or ends the span; keep them quick. An exception
    a method raises is logged and the run goes on."""

    @abc.abstractmethod
    def on_trace_start(self, trace: Trace) -> None:
        """A run's (or a ``trace()`` workflow's) top span started."""

    @abc.abstractmethod
    def on_trace_end(self, trace: Trace) -> None:
        """That top span ended."""

    @abc.abstractmethod
    def on_span_start(self, span: Span[Any]) -> None:
        """A span inside the trace started."""

    @abc.abstractmethod
    def on_span_end(self, span: Span[Any]) -> None:
        """That span ended; ``ended_at``, ``error`` and the final ``span_data`` are set."""

    @abc.abstractmethod
    def shutdown(self) -> None:
        """The process is exiting: release what the processor holds."""

    @abc.abstractmethod
    def force_flush(self) -> None:
        """Export what is queued now (``flush_traces()``)."""
