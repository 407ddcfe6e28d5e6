"""Which progress events of a call are recorded on its span (the stream gets every one, subject to coalescing).

Why sample at all: the SDK keeps at most ``OTEL_SPAN_EVENT_COUNT_LIMIT`` (128) events per span and drops the
*oldest*, so a chatty tool would lose its first events, and a 300,000-event flood would cost 300,000
``add_event`` calls whose records are thrown away. The policy instead keeps what a reader of the trace needs:

* the first ``first`` events (how the call started),
* a rate-limited middle: a token bucket per call, ``per_second`` refill up to ``burst``,
* always the last event: the newest unrecorded event is held back and recorded when the call ends, with its
  original timestamp and sequence,
* never more than ``max_events`` in all, so other span events (exceptions, stalls) still fit under the limit.

Totals land on the span when the call ends: ``agents_otel.progress.emitted`` / ``.recorded`` / ``.dropped``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .exceptions import UserError


@dataclass(frozen=True, slots=True)
class ProgressSampling:
    """Trace-side sampling of progress events per tool call (``RunConfig.progress_sampling``)."""

    first: int = 10
    """Events recorded unconditionally at the start of each call."""
    per_second: float = 2.0
    """Steady rate of middle events recorded per call once ``first`` is used up."""
    burst: int = 10
    """Middle events that may be recorded back to back before the rate applies."""
    max_events: int = 100
    """Hard cap on progress events per span, the held-back last event included. Keep it below the SDK's
    span event limit (128 by default) minus room for exception and stall events."""

    def __post_init__(self) -> None:
        if self.first < 0 or self.burst < 0 or self.per_second < 0:
            raise UserError("ProgressSampling: first, burst and per_second must not be negative")
        if self.max_events < self.first + 1:
            raise UserError("ProgressSampling: max_events must leave room for the first events plus the last one")


class ProgressSampler:
    """Per-call state, created only when a call goes past its ``first`` events (most calls never do)."""

    __slots__ = ("_policy", "_stamp", "_tokens", "recorded")

    def __init__(self, policy: ProgressSampling, recorded: int, now: float) -> None:
        self._policy = policy
        self._tokens = float(policy.burst)
        self._stamp = now
        self.recorded = recorded

    def admit(self, now: float) -> bool:
        """Whether the event at monotonic time ``now`` is recorded; the caller holds the call's lock."""
        policy = self._policy
        if self.recorded >= policy.max_events - 1:  # the last slot belongs to the held-back final event
            return False
        tokens = self._tokens + (now - self._stamp) * policy.per_second
        self._stamp = now
        if tokens > policy.burst:
            tokens = policy.burst
        if tokens < 1.0:
            self._tokens = tokens
            return False
        self._tokens = tokens - 1.0
        self.recorded += 1
        return True
