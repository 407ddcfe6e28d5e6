"""One event's JSON text, within ``max_event_bytes``: large fields are replaced by a summary that says so.

A tool returning 50 MB must not put 50 MB in every run's replay buffer (and on every watcher's wire); cutting it
silently would let a page show half an answer as if whole. So an event over the cap has its largest fields, one
at a time, replaced by ``{"truncated": true, "bytes": <size of the field's JSON>, "preview": "<its first
characters>"}`` until it fits, and lists them in ``truncated_fields``. ``id`` and ``type`` are never touched.
"""

from __future__ import annotations

import json
from typing import Any

from ..safe_json import dumps

DEFAULT_MAX_EVENT_BYTES = 256 * 1024
PREVIEW_CHARS = 512
_KEPT = frozenset({"id", "type"})


def utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def encode_event(event: dict[str, Any], max_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> str:
    """The event as compact JSON (see :mod:`agents_otel.safe_json`); never raises."""
    text = _dumps(event)
    if utf8_size(text) <= max_bytes:
        return text
    sizes = sorted(
        ((name, utf8_size(_dumps(value))) for name, value in event.items() if name not in _KEPT),
        key=lambda item: item[1],
        reverse=True,
    )
    fitted = dict(event)
    truncated: list[str] = []
    for name, size in sizes:
        fitted[name] = {"truncated": True, "bytes": size, "preview": _dumps(event[name])[:PREVIEW_CHARS]}
        truncated.append(name)
        text = _dumps({**fitted, "truncated_fields": truncated})
        if utf8_size(text) <= max_bytes:
            return text
    minimal = {name: event[name] for name in _KEPT if name in event}
    return _dumps({**minimal, "truncated_fields": [name for name, _ in sizes]})


def _dumps(value: Any) -> str:
    """The fast path, for values event_to_json already made JSON-safe; strings straight from a model (arguments,
    text deltas) may still hold lone surrogates, which UTF-8 cannot carry: then the safe encoder."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if not text.isascii():
            text.encode("utf-8")
        return text
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        return dumps(value)
