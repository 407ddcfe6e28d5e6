"""Deciding whether a failed model call is tried again (``ModelSettings.retry``), and how long to wait first.

``model_call`` makes the attempts; this module holds what is decided between them: the facts read from the error
(:func:`normalize`), the provider's advice for the OpenAI APIs (:func:`openai_retry_advice`), the policy's answer
with the vetoes no policy can lift, the backoff, and whether the openai client may retry on its own inside an
attempt (:func:`client_retries_disabled`, read by the OpenAI models). Nothing here runs unless ``retry`` is set, or
a call failed with OpenAI's ``conversation_locked`` (retried up to 3 times regardless, as in the SDK).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from email.utils import parsedate_to_datetime
from typing import Any

from .exceptions import ModelConnectionError, ModelTimeoutError
from .models.interface import Model, ModelRequest, Usage
from .retry import (
    ModelRetryAdvice,
    ModelRetryAdviceRequest,
    ModelRetryBackoffSettings,
    ModelRetryNormalizedError,
    ModelRetrySettings,
    RetryDecision,
    RetryPolicyContext,
    evaluate_policy,
)

DEFAULT_BACKOFF = ModelRetryBackoffSettings(initial_delay=0.25, max_delay=2.0, multiplier=2.0, jitter=True)
"""The SDK's defaults, used for each field a ``backoff`` leaves ``None``."""

sleep = asyncio.sleep
"""The backoff wait; cancelling the run cancels it at once (it is an ordinary ``await`` in the run's task)."""

_NETWORK_NAMES = frozenset(
    {"APIConnectionError", "ConnectError", "ReadError", "WriteError", "RemoteProtocolError", "ConnectionClosed"}
)
_TIMEOUT_NAMES = frozenset({"APITimeoutError", "TimeoutException", "ConnectTimeout", "ReadTimeout", "WriteTimeout"})
_RETRYABLE_STATUSES = frozenset({408, 409, 429})

_CLIENT_RETRIES_OFF: ContextVar[bool] = ContextVar("agents_otel_client_retries_off", default=False)


def client_retries_disabled() -> bool:
    """``True`` inside an attempt whose openai client must not retry by itself (``max_retries=0`` for the call)."""
    return _CLIENT_RETRIES_OFF.get()


@contextlib.contextmanager
def client_retries(disabled: bool) -> Iterator[None]:
    token = _CLIENT_RETRIES_OFF.set(disabled)
    try:
        yield
    finally:
        _CLIENT_RETRIES_OFF.reset(token)


def client_retries_off(settings: ModelRetrySettings, attempt: int, stateful: bool) -> bool:
    """The SDK's rule for the provider's hidden retries: off with an explicit ``max_retries=0``; on a replay the
    runtime manages (the runtime already decided); on the first call of a stateful request that a policy governs
    (a hidden resend could repeat server-side work before the replay-safety checks). Otherwise kept."""
    budget = settings.max_retries
    if budget is not None and budget <= 0:
        return True
    if attempt > 1:
        return stateful or (settings.policy is not None and (budget or 0) > 0)
    return stateful and budget is not None and budget > 0 and settings.policy is not None


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _header(error: BaseException, key: str) -> str | None:
    for candidate in _chain(error):
        response = getattr(candidate, "response", None)
        for headers in (getattr(response, "headers", None), getattr(candidate, "headers", None)):
            if isinstance(headers, Mapping):  # httpx.Headers is a case-insensitive Mapping
                value = headers.get(key)
                if value is None:
                    value = next((v for k, v in headers.items() if str(k).lower() == key), None)
                if isinstance(value, str):
                    return value
    return None


def retry_after_seconds(error: BaseException) -> float | None:
    """``retry-after-ms``, else ``Retry-After`` (seconds or an HTTP date) of the error's response, if any."""
    millis = _header(error, "retry-after-ms")
    if millis is not None:
        with contextlib.suppress(ValueError):
            if float(millis) >= 0:
                return float(millis) / 1000
    value = _header(error, "retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
        except (TypeError, ValueError, IndexError):
            return None
    return seconds if seconds >= 0 else None


def _first(error: BaseException, get: Any) -> Any:
    for candidate in _chain(error):
        value = get(candidate)
        if value is not None:
            return value
    return None


def _status(candidate: BaseException) -> int | None:
    value = getattr(candidate, "status_code", None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _code(candidate: BaseException) -> str | None:
    code = getattr(candidate, "code", None)
    if isinstance(code, str):
        return code
    body = getattr(candidate, "body", None)
    if isinstance(body, Mapping):
        nested = body.get("error")
        code = nested.get("code") if isinstance(nested, Mapping) else body.get("code")
        return code if isinstance(code, str) else None
    return None


def _request_id(candidate: BaseException) -> str | None:
    value = getattr(candidate, "request_id", None)
    return value if isinstance(value, str) else None


def normalize(error: Exception, advice: ModelRetryAdvice | None) -> ModelRetryNormalizedError:
    """The facts policies see; the advice's explicitly given fields override them (an abort cannot be cleared)."""
    chain = list(_chain(error))
    timeout = any(isinstance(e, TimeoutError) or type(e).__name__ in _TIMEOUT_NAMES for e in chain)
    network = timeout or any(
        isinstance(e, ModelConnectionError | ConnectionError) or type(e).__name__ in _NETWORK_NAMES for e in chain
    )
    abort = not isinstance(error, ModelTimeoutError) and any(isinstance(e, asyncio.CancelledError) for e in chain)
    normalized = ModelRetryNormalizedError(
        status_code=_first(error, _status),
        error_code=_first(error, _code),
        message=str(error),
        request_id=_first(error, _request_id),
        retry_after=retry_after_seconds(error),
        is_abort=abort,
        is_network_error=network,
        is_timeout=timeout,
    )
    if advice is not None:
        if advice.retry_after is not None:
            normalized.retry_after = advice.retry_after
        if advice.normalized is not None:
            for name in advice.normalized.explicit_fields:
                if name != "is_abort":
                    setattr(normalized, name, getattr(advice.normalized, name))
            normalized.is_abort = normalized.is_abort or advice.normalized.is_abort
    return normalized


def openai_retry_advice(request: ModelRetryAdviceRequest) -> ModelRetryAdvice | None:
    """The OpenAI APIs' advice, as the SDK reads it: the server's ``x-should-retry`` header first (``true`` also
    means a replay is safe), then connection failures and timeouts, 408/409/429/5xx (replay-safe for a stateful
    request: the server refused it), a bare ``Retry-After``; ``None`` for anything else."""
    error = request.error
    reason = str(error)
    if getattr(error, "unsafe_to_replay", False):
        return ModelRetryAdvice(suggested=False, replay_safety="unsafe", reason=reason)
    facts = normalize(error, None)
    should_retry = _header(error, "x-should-retry")
    if should_retry is not None and should_retry.strip().lower() in ("true", "false"):
        if should_retry.strip().lower() == "true":
            return ModelRetryAdvice(True, facts.retry_after, "safe", reason, facts)
        return ModelRetryAdvice(False, facts.retry_after, None, reason, facts)
    if facts.is_network_error or facts.is_timeout:
        return ModelRetryAdvice(True, facts.retry_after, None, reason, facts)
    status = facts.status_code
    if status is not None and (status in _RETRYABLE_STATUSES or status >= 500):
        stateful = bool(request.previous_response_id or request.conversation_id)
        return ModelRetryAdvice(True, facts.retry_after, "safe" if stateful else None, reason, facts)
    if facts.retry_after is not None:
        return ModelRetryAdvice(None, facts.retry_after, None, reason, facts)
    return None


CONVERSATION_LOCKED_RETRIES = 3
"""How often an OpenAI ``conversation_locked`` error is retried, with or without ``ModelSettings.retry`` (the
SDK's compatibility retries; ``ModelRetrySettings(max_retries=0)`` turns them off)."""


def conversation_locked(error: BaseException) -> bool:
    """OpenAI's 400 ``conversation_locked``: another request is using the conversation; a later one may not be."""
    return _first(error, _code) == "conversation_locked" and _first(error, _status) in (400, None)


def locked_delay(retry: int) -> float:
    """The SDK's wait before the ``retry``-th conversation_locked retry (from 1): 1s, 2s, 4s."""
    return float(2 ** (retry - 1))


def backoff_delay(retry: int, backoff: ModelRetryBackoffSettings | None) -> float:
    """Seconds before the ``retry``-th retry (from 1) when neither the policy nor the server named a delay."""
    settings = backoff or DEFAULT_BACKOFF
    initial = settings.initial_delay if settings.initial_delay is not None else DEFAULT_BACKOFF.initial_delay
    ceiling = settings.max_delay if settings.max_delay is not None else DEFAULT_BACKOFF.max_delay
    multiplier = settings.multiplier if settings.multiplier is not None else DEFAULT_BACKOFF.multiplier
    jitter = settings.jitter if settings.jitter is not None else DEFAULT_BACKOFF.jitter
    assert initial is not None and ceiling is not None and multiplier is not None
    base = min(initial * multiplier ** max(retry - 1, 0), ceiling)
    return min(base * (0.875 + random.random() * 0.25), ceiling) if jitter else base


class Retrying:
    """One model call's retry state: which attempt this is and what was decided after the last failure."""

    __slots__ = ("attempt", "delay", "locked", "model", "reported", "request", "settings", "stateful")

    def __init__(self, settings: ModelRetrySettings, model: Model, request: ModelRequest) -> None:
        self.settings = settings
        self.model = model
        self.request = request
        self.attempt = 1
        self.delay = 0.0
        self.locked = 0
        """conversation_locked retries taken: they do not count against ``max_retries``, as in the SDK."""
        self.reported: dict[int, Usage] = {}
        """The tokens the provider reported for failed attempts, by attempt number (they count, as in the SDK)."""
        self.stateful = bool(request.previous_response_id or request.conversation_id)

    @property
    def client_retries_off(self) -> bool:
        return client_retries_off(self.settings, self.attempt, self.stateful)

    async def decide(self, error: Exception, stream: bool, output_started: bool) -> RetryDecision:
        """Whether the failed attempt is tried again, and after how long (``delay`` always set when it is)."""
        settings, request = self.settings, self.request
        if (
            conversation_locked(error)
            and self.locked < CONVERSATION_LOCKED_RETRIES
            and settings.max_retries != 0
            and not output_started
        ):
            self.locked += 1
            return RetryDecision(retry=True, delay=locked_delay(self.locked), reason="conversation_locked")
        budget = max(settings.max_retries or 0, 0)
        attempt = self.attempt - self.locked  # the policy's count
        if attempt > budget:
            return RetryDecision(retry=False)
        advice = self.model.get_retry_advice(
            ModelRetryAdviceRequest(error, attempt, stream, request.previous_response_id, request.conversation_id)
        )
        context = RetryPolicyContext(
            error, attempt, budget, stream, normalize(error, advice), advice,
            request.previous_response_id, request.conversation_id,
        )  # fmt: skip
        reason = advice.reason if advice is not None else None
        unsafe = context.replay_safety == "unsafe"
        # Vetoes before the policy: a cancelled call, output already streamed, an unsafe streamed replay.
        if context.normalized.is_abort or output_started or (unsafe and stream) or settings.policy is None:
            return RetryDecision(retry=False, reason=reason)
        decision = await evaluate_policy(settings.policy, context)
        if not decision.retry:
            return decision
        provider_safe = decision._provider_safe or context.replay_safety == "safe"
        approved = decision.approve_unsafe_replay and unsafe
        if (self.stateful and not (provider_safe or approved)) or (unsafe and not (provider_safe or approved)):
            return RetryDecision(retry=False, reason=decision.reason or reason)
        delay = decision.delay
        if delay is None:
            retry_after = context.normalized.retry_after
            delay = retry_after if retry_after is not None else backoff_delay(attempt, settings.backoff)  # type: ignore[arg-type]
        return RetryDecision(retry=True, delay=max(delay, 0.0), reason=decision.reason or reason)
