"""What the OpenAI traces ingest endpoint accepts, as the SDK's ``BackendSpanExporter`` shapes it for that endpoint
only (a custom ``endpoint=`` gets the items' ``export()`` dicts unchanged).

* ``usage`` stays only on ``generation`` spans, as ``{"input_tokens", "output_tokens"}`` (both finite numbers, not
  bools, else the usage is dropped) plus ``details``: the other JSON-able usage fields (``requests``,
  ``total_tokens``, the token details) and the entries of an existing ``details`` dict;
* ``span_data.input`` / ``output`` larger than 100 000 bytes of JSON are cut: a string keeps its beginning and
  ends with ``... [truncated]``, a list keeps its first elements, anything else becomes
  ``{"truncated": true, "original_type": ..., "preview": ...}``.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_FIELD_BYTES = 100_000
TRUNCATION_SUFFIX = "... [truncated]"
_USAGE_KEYS = ("input_tokens", "output_tokens")
_DROP = object()


def shaped_for_openai_ingest(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` (an exported trace or span) as the ingest endpoint takes it; the item itself is not changed."""
    span_data = item.get("span_data")
    if not isinstance(span_data, dict):
        return item
    shaped = dict(span_data)
    for name in ("input", "output"):
        if name in shaped and _size(shaped[name]) > MAX_FIELD_BYTES:
            shaped[name] = _cut(shaped[name], MAX_FIELD_BYTES)
    if "usage" in shaped:
        usage = _usage(shaped["usage"]) if shaped.get("type") == "generation" else None
        if usage is None:
            del shaped["usage"]
        else:
            shaped["usage"] = usage
    return {**item, "span_data": shaped}


def _usage(usage: object) -> dict[str, Any] | None:
    if not isinstance(usage, dict) or not all(_number(usage.get(key)) for key in _USAGE_KEYS):
        return None
    details: dict[str, Any] = {}
    given = usage.get("details")
    if isinstance(given, dict):
        details.update({k: v for k, v in ((k, _json(v)) for k, v in given.items() if isinstance(k, str))
                        if v is not _DROP})
    for key, value in usage.items():
        if key in _USAGE_KEYS or key == "details" or value is None or not isinstance(key, str):
            continue
        plain = _json(value)
        if plain is not _DROP:
            details[key] = plain
    shaped: dict[str, Any] = {key: usage[key] for key in _USAGE_KEYS}
    if details:
        shaped["details"] = details
    return shaped


def _number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def _json(value: Any, seen: frozenset[int] = frozenset()) -> Any:
    """``value`` with what JSON cannot hold (non-finite floats, other objects, cycles) left out; ``_DROP`` if it is
    such a thing itself."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _DROP
    if isinstance(value, dict | list | tuple):
        if id(value) in seen:
            return _DROP
        inner = seen | {id(value)}
        if isinstance(value, dict):
            pairs = ((k, _json(v, inner)) for k, v in value.items() if isinstance(k, str))
            return {k: v for k, v in pairs if v is not _DROP}
        return [v for v in (_json(v, inner) for v in value) if v is not _DROP]
    return _DROP


def _size(value: Any) -> int:
    try:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    except (TypeError, ValueError):
        return MAX_FIELD_BYTES + 1


def _cut(value: Any, budget: int) -> Any:
    if isinstance(value, str):
        low, high = 0, len(value)
        while low < high:  # the longest prefix that fits with the suffix
            middle = (low + high + 1) // 2
            if _size(value[:middle] + TRUNCATION_SUFFIX) <= budget:
                low = middle
            else:
                high = middle - 1
        return value[:low] + TRUNCATION_SUFFIX
    if isinstance(value, list | tuple):
        plain = _json(value)
        kept: list[Any] = []
        for element in plain if isinstance(plain, list) else []:
            if _size([*kept, element]) > budget:
                break
            kept.append(element)
        return kept
    preview = f"<{type(value).__name__} truncated>"
    if isinstance(value, dict):
        preview = f"<dict len={len(value)} truncated>"
    return {"truncated": True, "original_type": type(value).__name__, "preview": preview}


__all__ = ["MAX_FIELD_BYTES", "TRUNCATION_SUFFIX", "shaped_for_openai_ingest"]
