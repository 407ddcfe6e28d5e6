"""How openai client failures become the runtime's typed ``ModelError``s.

The ``chat`` span's ``error.type`` is ``ModelError.error_type``, so this module decides that vocabulary, kept
low-cardinality as the conventions ask: the HTTP status as a string (``"429"``, ``"500"``), ``timeout``,
``connection_error``, ``invalid_response``, or the provider's own error code when it reports a failure inside a
stream. Errors are mapped only after the openai client has spent its retries, and the openai exception stays
reachable as ``__cause__``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import openai

from ..exceptions import (
    ModelConnectionError,
    ModelError,
    ModelHTTPError,
    ModelRateLimitError,
    ModelTimeoutError,
)

TIMEOUT = "timeout"
CONNECTION_ERROR = "connection_error"
INVALID_RESPONSE = "invalid_response"
STREAM_ERROR = "stream_error"
"""A failure the provider reported inside an otherwise successful stream, without an error code."""
INCOMPLETE_STREAM = "incomplete_stream"
"""The stream ended before its terminal event: the answer cannot be trusted to be whole."""


def model_error_from(exc: openai.OpenAIError) -> ModelError:
    if isinstance(exc, openai.APITimeoutError):
        return ModelTimeoutError(f"Model request timed out: {exc}", error_type=TIMEOUT)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        detail = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
        return ModelConnectionError(f"Could not reach the model server: {exc}{detail}", error_type=CONNECTION_ERROR)
    if isinstance(exc, openai.APIResponseValidationError):
        return ModelError(
            f"The model server's answer does not match the API schema: {exc}",
            error_type=INVALID_RESPONSE,
            status_code=exc.status_code,
        )
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        cls = ModelRateLimitError if status == 429 else ModelHTTPError
        request_id = f" (request id {exc.request_id})" if exc.request_id else ""
        message = f"HTTP {status} from the model server: {exc.message}{request_id}"
        return cls(message, error_type=str(status), status_code=status)
    if isinstance(exc, openai.APIError):
        return ModelError(f"The model server reported an error: {exc.message}", error_type=exc.code or STREAM_ERROR)
    return ModelError(f"{type(exc).__name__}: {exc}", error_type=type(exc).__name__)


@contextlib.contextmanager
def openai_errors() -> Iterator[None]:
    """Re-raise any openai exception raised inside as its ``ModelError``."""
    try:
        yield
    except openai.OpenAIError as exc:
        raise model_error_from(exc) from exc
