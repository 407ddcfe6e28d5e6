"""Finding the running tool call from anywhere in its code: ``current_tool_context()`` and ``send_progress()``.

Why: helpers deep inside a tool (a download loop, a library callback) should not need the ``ToolContext``
threaded through every signature. The tool body runs in the OpenTelemetry context that makes its ``execute_tool``
span current, and that context also carries the call's record (under the key the span processor reads: one context
for both, so a call pays for no context variable of its own). Async code and sync tools (which the runtime runs
under a copy of the caller's context) see it, and so does anything started with ``contextvars.copy_context()`` or
``asyncio.to_thread``.

The rules for everything else, never a crash and never a misattribution:

* A thread started with plain ``threading.Thread`` inherits no context: there ``current_tool_context()`` is
  ``None`` and ``send_progress()`` records nothing and returns ``False`` (counted in :func:`unattributed_count`,
  logged once). Pass the ``ToolContext`` explicitly to such threads.
* Code that kept a tool's context past the end of the call (a straggler thread) reaches an ended call:
  ``send_progress()`` returns ``False`` and the run counts it in ``RunResult.progress_dropped``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from opentelemetry import context as context_api

from .tool_call import ToolCall
from .tool_context import ToolContext
from .tracing.processor import TOOL_CALL_CONTEXT_KEY

logger = logging.getLogger(__name__)


def _current_call() -> ToolCall | None:
    call = context_api.get_value(TOOL_CALL_CONTEXT_KEY)
    return call if isinstance(call, ToolCall) else None

_unattributed = 0
_unattributed_lock = threading.Lock()


def current_tool_context() -> ToolContext[Any] | None:
    """The ``ToolContext`` of the tool call whose code is running, or ``None`` outside any tool call."""
    call = _current_call()
    return call.tool_context() if call is not None else None


def send_progress(data: Any) -> bool:
    """``current_tool_context().send_progress(data)``; outside any tool call records nothing and returns ``False``."""
    call = _current_call()
    if call is not None:
        return call.progress(data)
    global _unattributed
    with _unattributed_lock:
        _unattributed += 1
        first = _unattributed == 1
    if first:
        logger.warning(
            "agents_otel.send_progress() called outside any tool call (e.g. from a thread started without the "
            "tool's context); ignored. Pass the ToolContext to such threads."
        )
    return False


def unattributed_count() -> int:
    """How many ``send_progress()`` calls in this process found no tool call and were ignored."""
    return _unattributed
