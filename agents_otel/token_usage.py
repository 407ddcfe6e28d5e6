"""Token usage records: a model call's, a run's (summed), and the per-request breakdown the sum keeps.

Why the breakdown: prices and context limits apply per request (a tier above 200K input tokens, say), and a sum
of three calls cannot say whether one of them crossed it. ``Usage.add`` keeps one :class:`RequestUsage` per model
request, as the OpenAI Agents SDK's does, so ``result.context_wrapper.usage.request_usage_entries`` lists the
run's calls in order. Plain records with no imports of the package: ``models.interface`` and the run state build
on them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


@dataclass(slots=True)
class InputTokensDetails:
    """The part of the input tokens the provider served from its prompt cache (the SDK's and OpenAI's shape)."""

    cached_tokens: int = 0


@dataclass(slots=True)
class OutputTokensDetails:
    """The part of the output tokens spent on reasoning (the SDK's and OpenAI's shape)."""

    reasoning_tokens: int = 0


@dataclass(slots=True)
class RequestUsage:
    """One model request's tokens (the SDK's ``agents.usage.RequestUsage``, fields in its order).

    ``total_tokens`` is stored as given, as in the SDK: an entry is what the provider reported for the request."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_tokens_details: InputTokensDetails
    output_tokens_details: OutputTokensDetails


@dataclass(slots=True, kw_only=True, init=False)
class Usage:
    """Tokens a model call (or a whole run, summed) used, as the provider reported them.

    The details are included in the totals (``cached_tokens`` in ``input_tokens``, ``reasoning_tokens`` in
    ``output_tokens``), as both OpenAI APIs report them; they become ``gen_ai.usage.cache_read.input_tokens`` and
    ``gen_ai.usage.reasoning.output_tokens``.

    ``total_tokens`` is ``input_tokens + output_tokens`` unless a total was given (``Usage(total_tokens=...)``, or
    a provider's report that counts other tokens too): then it is that total, kept as given as in the SDK, and
    sums (``add``) carry it. It stays consistent when the parts change later (the difference is what is kept).
    """

    input_tokens: int
    output_tokens: int
    input_tokens_details: InputTokensDetails
    output_tokens_details: OutputTokensDetails
    requests: int
    """Model calls, as in the SDK: 1 on each call's usage (the runtime counts a call whose model left it 0)."""
    request_usage_entries: list[RequestUsage]
    """One entry per model request, in order (see the module docstring); filled by :meth:`add`."""
    _unsplit_tokens: int = field(init=False, repr=False)
    """What a given total counts beyond ``input_tokens + output_tokens`` (0 when none was given)."""

    def __init__(
        self,
        *,
        requests: int = 0,
        input_tokens: int = 0,
        input_tokens_details: InputTokensDetails | None = None,
        output_tokens: int = 0,
        output_tokens_details: OutputTokensDetails | None = None,
        total_tokens: int | None = None,
        request_usage_entries: list[RequestUsage] | None = None,
    ) -> None:
        self.requests = requests
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.input_tokens_details = input_tokens_details if input_tokens_details is not None else InputTokensDetails()
        self.output_tokens_details = (
            output_tokens_details if output_tokens_details is not None else OutputTokensDetails()
        )
        self.request_usage_entries = request_usage_entries if request_usage_entries is not None else []
        if total_tokens is not None and (type(total_tokens) is not int or total_tokens < 0):
            raise TypeError(f"Usage.total_tokens must be a non-negative int or None, got {total_tokens!r}")
        self._unsplit_tokens = 0 if total_tokens is None else total_tokens - input_tokens - output_tokens

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self._unsplit_tokens

    @total_tokens.setter
    def total_tokens(self, value: int) -> None:
        self._unsplit_tokens = value - self.input_tokens - self.output_tokens

    def add(self, other: Usage) -> None:
        """Adds ``other``'s counts, and its requests to ``request_usage_entries``: its own entries when it has
        any (they carry each request's details), else one entry when it is a single request that used tokens (a
        multi-request usage without entries cannot be split, and a zero-token request has nothing to price)."""
        self.requests += other.requests
        self._add_tokens(other)
        if other.request_usage_entries:
            self.request_usage_entries.extend(copy.deepcopy(other.request_usage_entries))
        elif other.requests == 1 and other.total_tokens > 0:
            self.request_usage_entries.append(request_entry(other))

    def _add_tokens(self, other: Usage) -> None:
        """``other``'s token counts, details included; neither its requests nor its entries."""
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self._unsplit_tokens += other._unsplit_tokens
        self.input_tokens_details.cached_tokens += other.input_tokens_details.cached_tokens
        self.output_tokens_details.reasoning_tokens += other.output_tokens_details.reasoning_tokens


def request_entry(usage: Usage) -> RequestUsage:
    """``usage`` (one request's) as its entry, detached from it."""
    return RequestUsage(
        usage.input_tokens,
        usage.output_tokens,
        usage.total_tokens,
        InputTokensDetails(usage.input_tokens_details.cached_tokens),
        OutputTokensDetails(usage.output_tokens_details.reasoning_tokens),
    )


def zero_entry() -> RequestUsage:
    """A request that failed before the provider reported usage (a retried attempt), as the SDK records it."""
    return RequestUsage(0, 0, 0, InputTokensDetails(), OutputTokensDetails())


def with_retried_attempts(usage: Usage, failed_attempts: int, reported: dict[int, Usage] | None = None) -> None:
    """A call that succeeded after ``failed_attempts`` retried ones: each was a request too, so it counts and gets
    a zero entry before the successful request's (the SDK's accounting), or, when the provider reported the failed
    attempt's tokens (``reported``, by attempt number from 1), those tokens and their entry (the SDK 0.25's)."""
    entries = usage.request_usage_entries or [request_entry(usage)]
    earlier: list[RequestUsage] = []
    for attempt in range(1, failed_attempts + 1):
        spent = (reported or {}).get(attempt)
        if spent is None:
            earlier.append(zero_entry())
            continue
        earlier.append(request_entry(spent))
        usage._add_tokens(spent)
    usage.requests += failed_attempts
    usage.request_usage_entries = earlier + entries
