"""How a progress payload becomes a span attribute.

Rule (documented in docs/trace-model.md): the payload is JSON-encoded by pydantic, which accepts JSON types plus
pydantic models, dataclasses, datetimes (ISO 8601), UUIDs, enums, decimals, sets and bytes. Anything else is
rejected at the ``send_progress`` call with :class:`ProgressPayloadError` (a ``TypeError``) naming the tool;
nothing is recorded, the sequence number is not used up, and later calls work.
"""

from __future__ import annotations

from typing import Any

import pydantic_core

from .exceptions import ProgressPayloadError

_SCALARS = (str, int, float, bool)


def encode_payload(data: Any, tool_name: str) -> str:
    try:
        return pydantic_core.to_json(data).decode()
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError) as exc:
        raise ProgressPayloadError(
            f"send_progress() in tool {tool_name!r}: payload of type {type(data).__name__} is not "
            f"JSON-serialisable ({exc}). Send JSON types, pydantic models or dataclasses."
        ) from None


def scalar_fields(data: Any) -> dict[str, str | int | float | bool] | None:
    """Top-level scalar fields of a dict payload, which also become span event attributes."""
    if type(data) is not dict:
        return None
    return {k: v for k, v in data.items() if type(k) is str and type(v) in _SCALARS}
