"""How a tool's ``send_progress(data)`` becomes an MCP ``notifications/progress``.

``progress`` is ``data["progress"]`` when it is a number, else the event's sequence number (1, 2, 3, ...), so a
tool that reports only a status still sends an increasing progress value. ``total`` is ``data["total"]`` when it
is a number. ``message`` is ``data["message"]``, else ``data["status"]``, else the payload as JSON text.
"""

from __future__ import annotations

from typing import Any

import pydantic_core


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def progress_params(data: Any, sequence: int) -> tuple[float, float | None, str]:
    """``(progress, total, message)`` for one progress event."""
    fields = data if isinstance(data, dict) else {}
    progress = _number(fields.get("progress"))
    total = _number(fields.get("total"))
    message = fields.get("message") or fields.get("status")
    if message is None:
        try:
            message = pydantic_core.to_json(data).decode()
        except (pydantic_core.PydanticSerializationError, ValueError, TypeError):
            message = str(data)
    return (progress if progress is not None else float(sequence)), total, str(message)
