"""Token usage from either OpenAI API, with the cached-input and reasoning-output details both report.

Chat Completions says ``prompt_tokens`` / ``completion_tokens`` with ``prompt_tokens_details.cached_tokens`` and
``completion_tokens_details.reasoning_tokens``; the Responses API says ``input_tokens`` / ``output_tokens`` with
``input_tokens_details`` / ``output_tokens_details``. Details may be absent (older servers, compatible providers).
A response that stands for several provider requests (the hosted multi-agent model's continuation) carries each
request's usage under :data:`REQUESTS_KEY`, so the run's ``request_usage_entries`` lists them one by one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..token_usage import request_entry
from .interface import InputTokensDetails, OutputTokensDetails, Usage

if TYPE_CHECKING:
    from openai.types.responses import ResponseUsage

REQUESTS_KEY = "agents_otel_request_usages"
"""The wire usage's list of the requests it sums (an extra field the openai types keep as given)."""


def usage_from_openai(usage: Any) -> Usage:
    """``Usage`` from an OpenAI ``CompletionUsage`` or ``ResponseUsage`` (``None``: all zero)."""
    if usage is None:
        return Usage()
    if hasattr(usage, "prompt_tokens"):
        return Usage(
            input_tokens=usage.prompt_tokens or 0,
            output_tokens=usage.completion_tokens or 0,
            total_tokens=_total(usage),
            input_tokens_details=InputTokensDetails(_detail(usage, "prompt_tokens_details", "cached_tokens")),
            output_tokens_details=OutputTokensDetails(_detail(usage, "completion_tokens_details", "reasoning_tokens")),
        )
    total = Usage(
        input_tokens=usage.input_tokens or 0,
        output_tokens=usage.output_tokens or 0,
        total_tokens=_total(usage),
        input_tokens_details=InputTokensDetails(_detail(usage, "input_tokens_details", "cached_tokens")),
        output_tokens_details=OutputTokensDetails(_detail(usage, "output_tokens_details", "reasoning_tokens")),
    )
    parts = getattr(usage, REQUESTS_KEY, None)
    if isinstance(parts, list) and len(parts) > 1:
        # the entries only: the turn stays one call (the runtime counts it), and the hosted model's paused turn
        # before it already counted the response it continued, so the run's requests are the provider's responses
        total.request_usage_entries = [request_entry(_wire_usage(p)) for p in parts]
    return total


def _wire_usage(part: Any) -> Usage:
    """One request's wire usage dict (as the Responses API sends it; anything else counts as nothing)."""
    data = part if isinstance(part, Mapping) else {}
    return Usage(
        input_tokens=_count(data.get("input_tokens")),
        output_tokens=_count(data.get("output_tokens")),
        input_tokens_details=InputTokensDetails(_count(_mapping(data.get("input_tokens_details")).get("cached_tokens"))),
        output_tokens_details=OutputTokensDetails(
            _count(_mapping(data.get("output_tokens_details")).get("reasoning_tokens"))
        ),
    )


def _total(usage: Any) -> int | None:
    """The provider's ``total_tokens``, kept as reported (as the SDK keeps it); ``None`` when it sent none."""
    value = getattr(usage, "total_tokens", None)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _detail(usage: Any, details: str, field: str) -> int:
    value = getattr(getattr(usage, details, None), field, None)
    return value if isinstance(value, int) else 0


def raw_usage_snapshot(usage: Any) -> dict[str, Any] | None:
    """``ModelSettings(preserve_raw_usage=True)``: the provider's usage payload as JSON, only the fields it sent (an
    openai model's unset fields left out), detached from the response; ``None`` when there is none or it is not
    JSON (a diagnostic copy must never fail a call that succeeded)."""
    if usage is None:
        return None
    try:
        if isinstance(usage, Mapping):
            candidate: Any = dict(usage)
        else:
            dump = getattr(usage, "model_dump", None)
            if not callable(dump):
                return None
            candidate = dump(mode="json", by_alias=True, exclude_unset=True)
        if not isinstance(candidate, dict) or not all(isinstance(key, str) for key in candidate):
            return None
        snapshot: dict[str, Any] = json.loads(json.dumps(candidate, allow_nan=False))
        return snapshot
    except (TypeError, ValueError):
        return None


def responses_usage(usage: Any) -> ResponseUsage | None:
    """The Responses form of the stream's last Chat Completions usage, as the SDK converts it (``None``: none)."""
    from openai.types.responses import ResponseUsage

    if usage is None:
        return None
    prompt = getattr(usage, "prompt_tokens_details", None)
    completion = getattr(usage, "completion_tokens_details", None)
    return ResponseUsage.model_validate(
        {
            "input_tokens": usage.prompt_tokens or 0,
            "output_tokens": usage.completion_tokens or 0,
            "total_tokens": usage.total_tokens or 0,
            "output_tokens_details": {"reasoning_tokens": getattr(completion, "reasoning_tokens", 0) or 0},
            "input_tokens_details": {
                "cached_tokens": getattr(prompt, "cached_tokens", 0) or 0,
                "cache_write_tokens": getattr(prompt, "cache_write_tokens", 0) or 0,
            },
        }
    )
