"""The SDK's ``agents.usage`` path: token usage of a model call or a whole run, and its per-request entries.

``serialize_usage`` / ``deserialize_usage`` write and read the SDK's JSON shape of a ``Usage`` (details as a
one-element list, ``request_usage_entries`` with nested details), so usage stored by SDK code reads back here and
the other way round. Missing fields are zero, as in the SDK; a field of the wrong type is a ``UserError`` rather
than a zero. A stored ``total_tokens`` is read back as given; a missing one is ``input_tokens + output_tokens``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .exceptions import UserError
from .token_usage import InputTokensDetails, OutputTokensDetails, RequestUsage, Usage

__all__ = [
    "InputTokensDetails", "OutputTokensDetails", "RequestUsage", "Usage", "deserialize_usage", "serialize_usage"
]


def serialize_usage(usage: Usage) -> dict[str, Any]:
    """``usage`` as JSON-ready data in the SDK's shape."""
    return {
        "requests": usage.requests,
        "input_tokens": usage.input_tokens,
        "input_tokens_details": [{"cached_tokens": usage.input_tokens_details.cached_tokens}],
        "output_tokens": usage.output_tokens,
        "output_tokens_details": [{"reasoning_tokens": usage.output_tokens_details.reasoning_tokens}],
        "total_tokens": usage.total_tokens,
        "request_usage_entries": [
            {
                "input_tokens": e.input_tokens,
                "output_tokens": e.output_tokens,
                "total_tokens": e.total_tokens,
                "input_tokens_details": {"cached_tokens": e.input_tokens_details.cached_tokens},
                "output_tokens_details": {"reasoning_tokens": e.output_tokens_details.reasoning_tokens},
            }
            for e in usage.request_usage_entries
        ],
    }


def deserialize_usage(usage_data: Mapping[str, Any]) -> Usage:
    """The ``Usage`` :func:`serialize_usage` (ours or the SDK's) wrote."""
    data = _mapping(usage_data, "usage")
    entries = data.get("request_usage_entries")
    entries = [] if entries is None else entries
    if not isinstance(entries, list):
        raise UserError(f"usage.request_usage_entries must be a list, not {type(entries).__name__}")
    return Usage(
        requests=_count(data, "requests", "usage"),
        input_tokens=_count(data, "input_tokens", "usage"),
        output_tokens=_count(data, "output_tokens", "usage"),
        total_tokens=_count(data, "total_tokens", "usage") if data.get("total_tokens") is not None else None,
        input_tokens_details=InputTokensDetails(_detail(data, "input_tokens_details", "cached_tokens", "usage")),
        output_tokens_details=OutputTokensDetails(_detail(data, "output_tokens_details", "reasoning_tokens", "usage")),
        request_usage_entries=[_entry(e, f"usage.request_usage_entries[{i}]") for i, e in enumerate(entries)],
    )


def _entry(value: Any, where: str) -> RequestUsage:
    data = _mapping(value, where)
    return RequestUsage(
        input_tokens=_count(data, "input_tokens", where),
        output_tokens=_count(data, "output_tokens", where),
        total_tokens=_count(data, "total_tokens", where),
        input_tokens_details=InputTokensDetails(_detail(data, "input_tokens_details", "cached_tokens", where)),
        output_tokens_details=OutputTokensDetails(_detail(data, "output_tokens_details", "reasoning_tokens", where)),
    )


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UserError(f"{where} must be an object, not {type(value).__name__}")
    return value


def _count(data: Mapping[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if value is None:
        return 0
    if type(value) is not int or value < 0:
        raise UserError(f"{where}.{key} must be a non-negative integer, not {value!r}")
    return value


def _detail(data: Mapping[str, Any], key: str, field: str, where: str) -> int:
    """A details object's count; the SDK writes the object in a one-element list and reads either form."""
    details = data.get(key)
    if isinstance(details, list):
        details = details[0] if details else None
    if details is None:
        return 0
    return _count(_mapping(details, f"{where}.{key}"), field, f"{where}.{key}")
