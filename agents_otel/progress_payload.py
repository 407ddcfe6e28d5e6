"""How a progress payload becomes a span attribute.

Rule (documented in docs/trace-model.md): the payload is JSON-encoded by pydantic, which accepts JSON types plus
pydantic models, dataclasses, datetimes (ISO 8601), UUIDs, enums, decimals, sets and bytes. Anything else is
rejected at the ``send_progress`` call with :class:`ProgressPayloadError` (a ``TypeError``) naming the tool;
nothing is recorded, the sequence number is not used up, and later calls work. The trace copy of a payload
larger than ``RunConfig.max_progress_payload_bytes`` is cut to that many bytes and marked
``agents_otel.progress.truncated=true``; the stream keeps the object itself (docs/operating.md, "Limits").
"""

from __future__ import annotations

from typing import Any

import pydantic_core

from .exceptions import ProgressPayloadError
from .safe_json import holds_iterator

_SCALARS = (str, int, float, bool)
_NUMBERS = (int, float, bool)


DEFAULT_MAX_PAYLOAD_BYTES = 8192
"""Default cap on the JSON a progress span event carries (``RunConfig.max_progress_payload_bytes``)."""


def encode_payload(data: Any, tool_name: str) -> bytes:
    """The payload as JSON bytes; bytes rather than ``str`` so the size cap is checked before decoding."""
    if holds_iterator(data):
        # pydantic would consume it, and an endless one would block the sending thread (or the loop) for ever
        raise ProgressPayloadError(
            f"send_progress() in tool {tool_name!r}: the payload holds an iterator or generator, which is never "
            "consumed; send a list instead"
        )
    try:
        return pydantic_core.to_json(data)
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError) as exc:
        raise ProgressPayloadError(
            f"send_progress() in tool {tool_name!r}: payload of type {type(data).__name__} is not "
            f"JSON-serialisable ({exc}). Send JSON types, pydantic models or dataclasses."
        ) from None


def truncate(raw: bytes, cap: int) -> str:
    """The first ``cap`` bytes of an oversized payload, cut at a character boundary.

    The result is deliberately not valid JSON: readers see the ``agents_otel.progress.truncated`` marker and
    must not mistake a cut payload for a complete one.
    """
    return raw[:cap].decode("utf-8", "ignore")


def scalar_fields(data: Any, truncated: bool = False) -> dict[str, str | int | float | bool] | None:
    """Top-level scalar fields of a dict payload, which also become span event attributes.

    For a truncated payload strings are left out: the cap exists to bound what one event costs the backend.
    """
    if type(data) is not dict:
        return None
    if truncated:
        return {k: v for k, v in data.items() if type(k) is str and type(v) in _NUMBERS}
    return {k: v for k, v in data.items() if type(k) is str and type(v) in _SCALARS}
