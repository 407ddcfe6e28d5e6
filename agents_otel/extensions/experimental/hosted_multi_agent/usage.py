"""Token usage of a hosted response that needed a continuation: the requests' usage, added up and listed.

Why: the run is billed for both provider responses, but sees one model turn; its usage is their sum (token counts
and their cached / reasoning details), in the wire form the Responses stream carries it, with each request's own
usage under ``REQUESTS_KEY`` so the run's ``request_usage_entries`` (the SDK's per-request breakdown) has one entry
per provider response.
"""

from __future__ import annotations

from typing import Any

from ....models._openai_usage import REQUESTS_KEY

_DETAILS = {"input_tokens_details": ("cached_tokens",), "output_tokens_details": ("reasoning_tokens",)}


def added_usage(first: Any, second: Any) -> dict[str, Any] | None:
    """``first`` + ``second`` (wire ``usage`` dicts; a missing one counts as nothing, and as no request)."""
    if not isinstance(first, dict):
        return dict(second) if isinstance(second, dict) else None
    if not isinstance(second, dict):
        return dict(first)
    total = {**second}
    for name in ("input_tokens", "output_tokens", "total_tokens"):
        total[name] = _count(first.get(name)) + _count(second.get(name))
    for name, fields in _DETAILS.items():
        a, b = first.get(name) or {}, second.get(name) or {}
        total[name] = {**a, **b, **{f: _count(a.get(f)) + _count(b.get(f)) for f in fields}}
    total[REQUESTS_KEY] = [*_requests(first), *_requests(second)]
    return total


def _requests(usage: dict[str, Any]) -> list[dict[str, Any]]:
    """The single requests ``usage`` stands for (itself, unless it is already a sum)."""
    parts = usage.get(REQUESTS_KEY)
    if isinstance(parts, list):
        return parts
    return [{k: v for k, v in usage.items() if k != REQUESTS_KEY}]


def _count(value: Any) -> int:
    return value if isinstance(value, int) else 0
