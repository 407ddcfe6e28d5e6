"""Runner-managed model retries, as in the OpenAI Agents SDK: ``ModelSettings(retry=ModelRetrySettings(...))``.

Off unless configured: a model call without ``retry`` is made once (the openai client's own retries aside). With it,
a failed call is handed to ``policy`` as a :class:`RetryPolicyContext`, which answers ``True``/``False`` or a
:class:`RetryDecision`; ``max_retries`` bounds the retries after the first call, ``backoff`` spaces them when the
policy names no delay. The runtime (``model_retry``) adds the vetoes no policy can lift: a cancelled call, a stream
that already delivered output, and replays the provider marks unsafe without an explicit approval.

These are plain records and pure policies; nothing here calls a model or sleeps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any, Literal, TypeAlias

from .exceptions import UserError

ReplaySafety = Literal["safe", "unsafe", "unknown"]


@dataclass
class ModelRetryBackoffSettings:
    """How long to wait before a retry when the policy gives no delay: ``initial_delay * multiplier ** (n - 1)``
    for the n-th retry, capped at ``max_delay``, with +-12.5 % jitter unless ``jitter=False``. ``None`` takes the
    default (0.25 s, 2.0 s, 2.0, jitter on, as in the SDK)."""

    initial_delay: float | None = None
    max_delay: float | None = None
    multiplier: float | None = None
    jitter: bool | None = None

    def __post_init__(self) -> None:
        for name in ("initial_delay", "max_delay", "multiplier"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                raise UserError(f"ModelRetryBackoffSettings.{name} must be a number >= 0 or None, got {value!r}")
        if self.jitter is not None and not isinstance(self.jitter, bool):
            raise UserError(f"ModelRetryBackoffSettings.jitter must be a bool or None, got {self.jitter!r}")

    def to_json_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _backoff(value: Any) -> ModelRetryBackoffSettings | None:
    if value is None or isinstance(value, ModelRetryBackoffSettings):
        return value
    if isinstance(value, dict):
        try:
            return ModelRetryBackoffSettings(**value)
        except TypeError as exc:
            raise UserError(f"ModelRetrySettings.backoff: {exc}") from exc
    raise UserError(f"ModelRetrySettings.backoff must be ModelRetryBackoffSettings, a dict or None, got {value!r}")


@dataclass
class ModelRetrySettings:
    """Opt-in retries of a failed model call. ``max_retries``: retries allowed after the first call (``None`` or 0:
    none; an explicit 0 also turns off the openai client's own retries). ``policy`` decides each retry; without one
    nothing is retried. ``policy`` is runtime-only: :meth:`to_json_dict` leaves it out."""

    max_retries: int | None = None
    backoff: ModelRetryBackoffSettings | dict[str, Any] | None = None
    policy: RetryPolicy | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        budget = self.max_retries
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)):
            raise UserError(f"ModelRetrySettings.max_retries must be an int or None, got {budget!r}")
        self.backoff = _backoff(self.backoff)
        if self.policy is not None and not callable(self.policy):
            raise UserError(f"ModelRetrySettings.policy must be a callable retry policy, got {self.policy!r}")

    def to_json_dict(self) -> dict[str, Any]:
        backoff = _backoff(self.backoff)
        return {"max_retries": self.max_retries, "backoff": backoff.to_json_dict() if backoff is not None else None}

    def merged(self, override: ModelRetrySettings | None) -> ModelRetrySettings:
        """``override``'s set fields over these, ``backoff`` field by field (the SDK's deep merge of runner-level
        over agent-level settings)."""
        if override is None:
            return self
        mine, theirs = _backoff(self.backoff), _backoff(override.backoff)
        if mine is not None and theirs is not None:
            changes = {f.name: getattr(theirs, f.name) for f in dataclasses.fields(theirs)}
            theirs = dataclasses.replace(mine, **{k: v for k, v in changes.items() if v is not None})
        return ModelRetrySettings(
            max_retries=override.max_retries if override.max_retries is not None else self.max_retries,
            backoff=theirs if theirs is not None else mine,
            policy=override.policy if override.policy is not None else self.policy,
        )


_UNSET: Any = object()
"""An argument not given (``None`` given explicitly overrides; see ``explicit_fields``)."""

_FIELDS = (
    "status_code", "error_code", "message", "request_id", "retry_after", "is_abort", "is_network_error", "is_timeout",
)  # fmt: skip


class ModelRetryNormalizedError:
    """What the runtime could tell about a failure, for policies: HTTP status, the provider's error code, message,
    request id, ``retry_after`` (seconds, from ``Retry-After`` / ``retry-after-ms`` or the provider's advice) and
    whether it was a cancellation, a network failure or a timeout.

    A provider's advice may carry one of these; only the fields it passed explicitly override what the runtime
    found (so ``retry_after=None`` given explicitly clears a header's value), and it can add, never clear, an abort.
    """

    status_code: int | None = None
    error_code: str | None = None
    message: str | None = None
    request_id: str | None = None
    retry_after: float | None = None
    is_abort: bool = False
    is_network_error: bool = False
    is_timeout: bool = False

    def __init__(
        self,
        status_code: Any = _UNSET,
        error_code: Any = _UNSET,
        message: Any = _UNSET,
        request_id: Any = _UNSET,
        retry_after: Any = _UNSET,
        is_abort: Any = _UNSET,
        is_network_error: Any = _UNSET,
        is_timeout: Any = _UNSET,
    ) -> None:
        given = {
            "status_code": status_code, "error_code": error_code, "message": message, "request_id": request_id,
            "retry_after": retry_after, "is_abort": is_abort, "is_network_error": is_network_error,
            "is_timeout": is_timeout,
        }  # fmt: skip
        values = {name: value for name, value in given.items() if value is not _UNSET}
        self.status_code = values.get("status_code")
        self.error_code = values.get("error_code")
        self.message = values.get("message")
        self.request_id = values.get("request_id")
        self.retry_after = values.get("retry_after")
        self.is_abort = bool(values.get("is_abort", False))
        self.is_network_error = bool(values.get("is_network_error", False))
        self.is_timeout = bool(values.get("is_timeout", False))
        self.explicit_fields = frozenset(values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelRetryNormalizedError):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the SDK's dataclass

    def __repr__(self) -> str:
        return "ModelRetryNormalizedError(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in _FIELDS) + ")"


@dataclass
class ModelRetryAdvice:
    """A model's opinion of a failure (``Model.get_retry_advice``): ``suggested`` retry or not, ``retry_after``
    seconds, ``replay_safety`` (``"safe"``: resending cannot repeat work; ``"unsafe"``: it may), a ``reason``, and
    ``normalized`` facts that override the runtime's."""

    suggested: bool | None = None
    retry_after: float | None = None
    replay_safety: str | None = None
    reason: str | None = None
    normalized: ModelRetryNormalizedError | None = None
    response_started: bool = False


@dataclass
class ModelRetryAdviceRequest:
    """What a model is asked about when its call failed."""

    error: Exception
    attempt: int
    stream: bool
    previous_response_id: str | None = None
    conversation_id: str | None = None


@dataclass
class RetryDecision:
    """A policy's answer. ``delay`` (seconds) overrides backoff and retry-after; ``approve_unsafe_replay=True``
    accepts resending a non-streamed request the provider marked unsafe, a stateful one included — a plain
    ``retry=True`` never does."""

    retry: bool
    delay: float | None = None
    reason: str | None = None
    approve_unsafe_replay: bool = False
    # What provider_suggested() knew: a veto ("hard", or "replay" that an explicit approval may lift) or the
    # provider's replay-safe approval. Kept out of the constructor so a policy cannot claim the provider's authority.
    _veto: Literal["hard", "replay"] | None = field(default=None, init=False, repr=False, compare=False)
    _provider_safe: bool = field(default=False, init=False, repr=False, compare=False)


@dataclass
class RetryPolicyContext:
    """What a policy decides on: the error, which retry this would be (``attempt``, from 1) of ``max_retries``,
    whether the call streamed, the normalized facts, the model's advice and the request's server-side state."""

    error: Exception
    attempt: int
    max_retries: int
    stream: bool
    normalized: ModelRetryNormalizedError
    provider_advice: ModelRetryAdvice | None = None
    previous_response_id: str | None = None
    conversation_id: str | None = None

    def __post_init__(self) -> None:
        # Snapshot of the provider's authority, taken before any policy runs: a policy that edits provider_advice
        # cannot turn an unsafe replay into a safe one.
        advice = self.provider_advice
        safety = advice.replay_safety if advice is not None else None
        self._suggested = advice.suggested if advice is not None else None
        self._replay_safety: ReplaySafety = safety if safety in ("safe", "unsafe") else "unknown"  # type: ignore[assignment]
        self._response_started = bool(advice.response_started) if advice is not None else False

    @property
    def response_started(self) -> bool:
        return self._response_started

    @property
    def replay_safety(self) -> ReplaySafety:
        return self._replay_safety

    @property
    def stateful_request(self) -> bool:
        return bool(self.previous_response_id or self.conversation_id)


RetryPolicy: TypeAlias = Callable[[RetryPolicyContext], bool | RetryDecision | Awaitable[bool | RetryDecision]]


async def evaluate_policy(policy: RetryPolicy, context: RetryPolicyContext) -> RetryDecision:
    """``policy``'s answer as a ``RetryDecision``; anything but a bool or a ``RetryDecision`` is a ``UserError``."""
    value: Any = policy(context)
    if isawaitable(value):
        value = await value
    if isinstance(value, RetryDecision):
        return value
    if isinstance(value, bool):
        return RetryDecision(retry=value)
    raise UserError(f"A retry policy must return a bool or a RetryDecision, got {type(value).__name__}: {value!r}")


def _copy(decision: RetryDecision, **changes: Any) -> RetryDecision:
    copied = dataclasses.replace(decision, **changes)
    copied._veto, copied._provider_safe = decision._veto, decision._provider_safe
    return copied


def _lift(veto: RetryDecision, approving: RetryDecision | None) -> RetryDecision:
    """A provider's replay veto stands unless a positive decision explicitly approves the unsafe replay."""
    if approving is None or not approving.approve_unsafe_replay:
        return veto
    return _copy(approving, reason=approving.reason or veto.reason)


def _join(first: RetryDecision, later: RetryDecision) -> RetryDecision:
    """Two positive decisions as one: later delay and reason win, approvals add up."""
    joined = RetryDecision(
        retry=True,
        delay=later.delay if later.delay is not None else first.delay,
        reason=later.reason if later.reason is not None else first.reason,
        approve_unsafe_replay=first.approve_unsafe_replay or later.approve_unsafe_replay,
    )
    joined._provider_safe = first._provider_safe or later._provider_safe
    return joined


class RetryPolicies:
    """The SDK's ready-made policies (``retry_policies.network_error()``, ...) and their combinators."""

    def never(self) -> RetryPolicy:
        def never(context: RetryPolicyContext) -> bool:
            return False

        return never

    def provider_suggested(self) -> RetryPolicy:
        """Follow the model's advice: retry when it suggests so (with its ``retry_after``), refuse when it says
        not to. Its refusal is a veto that the other policies of an ``any``/``all`` cannot outvote (an unsafe-replay
        refusal yields only to ``approve_unsafe_replay``); its replay-safe approval lets stateful requests retry."""

        def provider_suggested(context: RetryPolicyContext) -> RetryDecision:
            advice = context.provider_advice
            reason = advice.reason if advice is not None else None
            if context._suggested is None:
                return RetryDecision(retry=False)
            if context._suggested is False:
                decision = RetryDecision(retry=False, reason=reason)
                decision._veto = "replay" if context.replay_safety == "unsafe" else "hard"
                return decision
            delay = advice.retry_after if advice is not None else None
            decision = RetryDecision(retry=True, delay=delay, reason=reason)
            decision._provider_safe = context.replay_safety == "safe"
            return decision

        return provider_suggested

    def network_error(self) -> RetryPolicy:
        """Retry connection failures and timeouts."""

        def network_error(context: RetryPolicyContext) -> bool:
            return context.normalized.is_network_error or context.normalized.is_timeout

        return network_error

    def retry_after(self) -> RetryPolicy:
        """Retry when the failure says when to (``Retry-After``), after exactly that delay (not capped by backoff)."""

        def retry_after(context: RetryPolicyContext) -> bool | RetryDecision:
            delay = context.normalized.retry_after
            if delay is None and context.provider_advice is not None:
                delay = context.provider_advice.retry_after
            return False if delay is None else RetryDecision(retry=True, delay=delay)

        return retry_after

    def http_status(self, statuses: Iterable[int]) -> RetryPolicy:
        """Retry these HTTP statuses."""
        allowed = frozenset(statuses)

        def http_status(context: RetryPolicyContext) -> bool:
            return context.normalized.status_code in allowed

        return http_status

    def all(self, *policies: RetryPolicy) -> RetryPolicy:
        """Retry only when every policy does (the first refusal answers; none given: never)."""
        if not policies:
            return self.never()

        async def all_of(context: RetryPolicyContext) -> RetryDecision:
            merged = RetryDecision(retry=True)
            replay_veto: RetryDecision | None = None
            for policy in policies:
                decision = await evaluate_policy(policy, context)
                if decision._veto == "replay":
                    replay_veto = replay_veto or decision
                    continue
                if not decision.retry:
                    return decision
                merged = _join(merged, decision)
            return merged if replay_veto is None else _lift(replay_veto, merged)

        return all_of

    def any(self, *policies: RetryPolicy) -> RetryPolicy:
        """Retry when one policy does (a provider veto still wins; none given: never)."""
        if not policies:
            return self.never()

        async def any_of(context: RetryPolicyContext) -> RetryDecision:
            positive: RetryDecision | None = None
            negative: RetryDecision | None = None
            replay_veto: RetryDecision | None = None
            for policy in policies:
                decision = await evaluate_policy(policy, context)
                if decision._veto == "hard":
                    return decision
                if decision._veto == "replay":
                    replay_veto = replay_veto or decision
                elif decision.retry:
                    positive = decision if positive is None else _join(positive, decision)
                else:
                    negative = decision
            if replay_veto is not None:
                return _lift(replay_veto, positive)
            return positive or negative or RetryDecision(retry=False)

        return any_of


retry_policies = RetryPolicies()
"""The ready-made policies: ``retry_policies.any(retry_policies.provider_suggested(), ...)``."""
