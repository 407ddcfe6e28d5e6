"""Small helpers every span site uses, so errors and cancellations look the same on every span."""

from __future__ import annotations

from opentelemetry.trace import Span, StatusCode

from .attributes import ERROR_CANCELLED, ERROR_TYPE, error_type_of


def record_error(span: Span, exc: BaseException, error_type: str | None = None) -> str:
    """Status ERROR, ``error.type`` and an exception event; returns the ``error.type`` used."""
    error_type = error_type or error_type_of(exc)
    span.set_attribute(ERROR_TYPE, error_type)
    span.set_status(StatusCode.ERROR, str(exc) or error_type)
    span.record_exception(exc)
    return error_type


def record_cancelled(span: Span) -> None:
    span.set_attribute(ERROR_TYPE, ERROR_CANCELLED)
    span.set_status(StatusCode.ERROR, "cancelled")
