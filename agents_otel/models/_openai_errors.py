"""How openai client failures become the runtime's typed ``ModelError``s.

The ``chat`` span's ``error.type`` is ``ModelError.error_type``, so this module decides that vocabulary, kept
low-cardinality as the conventions ask: the HTTP status as a string (``"429"``, ``"500"``), ``timeout``,
``connection_error``, ``invalid_response``, or the provider's own error code when it reports a failure inside a
stream. Errors are mapped only after the openai client has spent its retries, and the openai exception stays
reachable as ``__cause__``.

Each error raised is also an instance of the openai exception's own class (``openai.RateLimitError``,
``openai.BadRequestError``, ``openai.APITimeoutError``...), carrying its attributes (``status_code``, ``body``,
``response``, ``request_id``): code written for the OpenAI Agents SDK, where those exceptions propagate as they
are, keeps catching them, and its retry and fallback handlers still run.
"""

from __future__ import annotations

import contextlib
import threading
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
    """The typed error for ``exc``, of a class that is both that ``ModelError`` and ``exc``'s own class."""
    error = _typed_error(exc)
    both = _combined(type(error), type(exc))
    if both is None:
        return error
    combined: ModelError = both.__new__(both, *error.args)
    combined.__dict__.update(exc.__dict__)  # the openai exception's own attributes: request, response, body, code
    combined.__dict__.update(error.__dict__)  # ours where both name one (status_code: the same value)
    combined.args = error.args
    return combined


_COMBINED: dict[tuple[type[ModelError], type[openai.OpenAIError]], type[ModelError] | None] = {}
_COMBINED_LOCK = threading.Lock()


def _combined(ours: type[ModelError], theirs: type[openai.OpenAIError]) -> type[ModelError] | None:
    """A class deriving from both, named as ours, made once per pair; ``None`` if Python cannot combine them."""
    key = (ours, theirs)
    with _COMBINED_LOCK:
        if key not in _COMBINED:
            try:
                _COMBINED[key] = type(ours.__name__, (ours, theirs), {"__module__": ours.__module__})
            except TypeError:  # an instance layout conflict (a future openai class): ours alone, with __cause__
                _COMBINED[key] = None
        return _COMBINED[key]


def _typed_error(exc: openai.OpenAIError) -> ModelError:
    if isinstance(exc, openai.APITimeoutError):
        return ModelTimeoutError(message=f"Model request timed out: {exc}", error_type=TIMEOUT)
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
