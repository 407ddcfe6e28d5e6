"""How every span site of the runtime makes a span current, records its outcome and ends it — one way.

Why one helper: the agent, model and tool spans must look alike to a reader in Jaeger (same ``error.type`` values,
same status text, cancellation never shown as a crash), and hand-written try/except blocks drifted (one caught
``Exception``, another ``BaseException``). The rule here: ``asyncio.CancelledError`` is ``error.type=cancelled``
with no exception event (nobody failed); any other exception — ``KeyboardInterrupt`` included — is an error with
its exception event.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from types import TracebackType

from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, StatusCode

from .attributes import ERROR_CANCELLED, ERROR_TYPE, error_type_of

SPAN_KEY = next(iter(trace.set_span_in_context(trace.INVALID_SPAN, Context())))
"""The context key ``trace.set_span_in_context`` stores the current span under, learnt from that public function:
``Context({**parent, SPAN_KEY: span, ...})`` makes ``span`` current in one dict, with entries of the caller's own
(the tool path adds its call record) — what ``set_span_in_context`` and ``set_value`` would give, copied once."""

Scrub = Callable[[str], str]
"""Text on its way into a span (an exception message) -> what to record: the run's ``redact`` hook, bound."""


def record_error(span: Span, exc: BaseException, error_type: str | None = None, scrub: Scrub | None = None) -> str:
    """Status ERROR, ``error.type`` and an exception event; returns the ``error.type`` used.

    With ``scrub`` every exception message of the chain goes through it, in the status description,
    ``exception.message`` and ``exception.stacktrace`` alike (the traceback repeats the messages). What the event
    then holds: the exception's type, its scrubbed message, and the traceback's file names, line numbers and source
    lines (never local variables).
    """
    error_type = error_type or error_type_of(exc)
    span.set_attribute(ERROR_TYPE, error_type)
    message = _safe_str(exc)
    clean = scrub(message) if scrub is not None and message else message
    span.set_status(StatusCode.ERROR, clean or error_type)
    record_exception_event(span, exc, scrub)
    return error_type


def record_error_type(span: Span, exc: BaseException) -> str:
    """Status ERROR and ``error.type`` only: no message, no exception event. For an error whose content must stay
    out of the trace (a tool's exception that ``RunConfig.tool_error_formatter`` words for the model, as the SDK
    keeps it out of its traces); the type says what failed."""
    error_type = error_type_of(exc)
    span.set_attribute(ERROR_TYPE, error_type)
    span.set_status(StatusCode.ERROR, error_type)
    return error_type


def record_exception_event(span: Span, exc: BaseException, scrub: Scrub | None = None) -> None:
    """The exception event alone: also for an error the run recovered from (a run error handler replaced it), which
    happened and stays visible although the span did not fail."""
    if scrub is None:
        try:
            span.record_exception(exc)
            return
        except Exception:  # an exception whose __str__ raises: recorded below, without its message
            pass
    message = _safe_str(exc)
    clean = scrub(message) if scrub is not None and message else message
    stacktrace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if scrub is not None:
        for link in _chain(exc):
            text = _safe_str(link)
            if text:
                stacktrace = stacktrace.replace(text, scrub(text))
    span.add_event(
        "exception",
        {
            "exception.type": type(exc).__name__,
            "exception.message": clean,
            "exception.stacktrace": stacktrace,
            "exception.escaped": "False",
        },
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return seen


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return ""


def record_cancelled(span: Span) -> str:
    span.set_attribute(ERROR_TYPE, ERROR_CANCELLED)
    span.set_status(StatusCode.ERROR, "cancelled")
    return ERROR_CANCELLED


def record_outcome(span: Span, exc: BaseException, scrub: Scrub | None = None) -> str:
    """The one rule for an exception leaving a span's work; returns the ``error.type`` recorded."""
    if isinstance(exc, asyncio.CancelledError):
        return record_cancelled(span)
    return record_error(span, exc, scrub=scrub)


class SpanScope:
    """``with SpanScope(span):`` — ``span`` is current inside; an exception leaving the block is recorded by
    :func:`record_outcome` (and re-raised); the span ends on exit unless ``end=False``.

    ``parent`` is the context the span is made current in (default: the current one): the tool span passes the
    context it was started from, so the private key that carried its listener does not leak to child spans.
    ``before_error`` runs before an exception is recorded: the tool call uses it to settle its held-back last
    progress event, so that event precedes the exception event on the span. ``scrub``: see :func:`record_error`.
    ``error_type`` tells what was recorded (``None``: the block succeeded). A slotted class rather than
    ``@contextmanager``, and positional parameters (a keyword call costs several times more): it runs on every tool
    call.
    """

    __slots__ = ("_before_error", "_end", "_parent", "_scrub", "_token", "error_type", "span")

    def __init__(
        self,
        span: Span,
        parent: Context | None = None,
        end: bool = True,
        before_error: Callable[[], object] | None = None,
        scrub: Scrub | None = None,
    ) -> None:
        self.span = span
        self._scrub = scrub
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
                self.error_type = record_outcome(self.span, exc, self._scrub)
        finally:
            context_api.detach(self._token)
            if self._end:
                self.span.end()
