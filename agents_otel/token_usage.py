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


@dataclass(slots=True, kw_only=True)
class Usage:
    """Tokens a model call (or a whole run, summed) used, as the provider reported them.

    The details are included in the totals (``cached_tokens`` in ``input_tokens``, ``reasoning_tokens`` in
    ``output_tokens``), as both OpenAI APIs report them; they become ``gen_ai.usage.cache_read.input_tokens`` and
    ``gen_ai.usage.reasoning.output_tokens``.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    input_tokens_details: InputTokensDetails = field(default_factory=InputTokensDetails)
    output_tokens_details: OutputTokensDetails = field(default_factory=OutputTokensDetails)
    requests: int = 0
    """Model calls, as in the SDK: 1 on each call's usage (the runtime counts a call whose model left it 0)."""
    request_usage_entries: list[RequestUsage] = field(default_factory=list)
    """One entry per model request, in order (see the module docstring); filled by :meth:`add`."""

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def add(self, other: Usage) -> None:
        """Adds ``other``'s counts, and its requests to ``request_usage_entries``: its own entries when it has
        any (they carry each request's details), else one entry when it is a single request that used tokens (a
        multi-request usage without entries cannot be split, and a zero-token request has nothing to price)."""
        self.requests += other.requests
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.input_tokens_details.cached_tokens += other.input_tokens_details.cached_tokens
        self.output_tokens_details.reasoning_tokens += other.output_tokens_details.reasoning_tokens
        if other.request_usage_entries:
            self.request_usage_entries.extend(copy.deepcopy(other.request_usage_entries))
        elif other.requests == 1 and other.total_tokens > 0:
            self.request_usage_entries.append(request_entry(other))


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


def with_retried_attempts(usage: Usage, failed_attempts: int) -> None:
    """A call that succeeded after ``failed_attempts`` retried ones: each was a request too, so it counts and gets
    a zero entry before the successful request's (the SDK's accounting)."""
    entries = usage.request_usage_entries or [request_entry(usage)]
    usage.requests += failed_attempts
    usage.request_usage_entries = [zero_entry() for _ in range(failed_attempts)] + entries
