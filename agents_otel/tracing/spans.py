"""How every span site of the runtime makes a span current, records its outcome and ends it — one way.

Why one helper: the agent, model and tool spans must look alike to a reader in Jaeger (same ``error.type`` values,
same status text, cancellation never shown as a crash), and hand-written try/except blocks drifted (one caught
``Exception``, another ``BaseException``). The rule here: ``asyncio.CancelledError`` is ``error.type=cancelled``
with no exception event (nobody failed); any other exception — ``KeyboardInterrupt`` included — is an error with
its exception event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, StatusCode

from .attributes import ERROR_CANCELLED, ERROR_TYPE, error_type_of


def record_error(span: Span, exc: BaseException, error_type: str | None = None) -> str:
    """Status ERROR, ``error.type`` and an exception event; returns the ``error.type`` used."""
    error_type = error_type or error_type_of(exc)
    span.set_attribute(ERROR_TYPE, error_type)
    span.set_status(StatusCode.ERROR, str(exc) or error_type)
    span.record_exception(exc)
    return error_type


def record_cancelled(span: Span) -> str:
    span.set_attribute(ERROR_TYPE, ERROR_CANCELLED)
    span.set_status(StatusCode.ERROR, "cancelled")
    return ERROR_CANCELLED


def record_outcome(span: Span, exc: BaseException) -> str:
    """The one rule for an exception leaving a span's work; returns the ``error.type`` recorded."""
    if isinstance(exc, asyncio.CancelledError):
        return record_cancelled(span)
    return record_error(span, exc)


class SpanScope:
    """``with SpanScope(span):`` — ``span`` is current inside; an exception leaving the block is recorded by
    :func:`record_outcome` (and re-raised); the span ends on exit unless ``end=False``.

    ``parent`` is the context the span is made current in (default: the current one): the tool span passes the
    context it was started from, so the private key that carried its listener does not leak to child spans.
    ``before_error`` runs before an exception is recorded: the tool call uses it to settle its held-back last
    progress event, so that event precedes the exception event on the span. ``error_type`` tells what was
    recorded (``None``: the block succeeded). A slotted class rather than ``@contextmanager``: it runs on every
    tool call.
    """

    __slots__ = ("_before_error", "_end", "_parent", "_token", "error_type", "span")

    def __init__(
        self,
        span: Span,
        parent: Context | None = None,
        *,
        end: bool = True,
        before_error: Callable[[], object] | None = None,
    ) -> None:
        self.span = span
        self._parent = parent
        self._end = end
        self._before_error = before_error
        self.error_type: str | None = None

    def __enter__(self) -> SpanScope:
        self._token = context_api.attach(trace.set_span_in_context(self.span, self._parent))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc is not None:
                if self._before_error is not None:
                    self._before_error()
                self.error_type = record_outcome(self.span, exc)
        finally:
            context_api.detach(self._token)
            if self._end:
                self.span.end()
