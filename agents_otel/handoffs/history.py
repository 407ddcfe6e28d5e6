"""The SDK's ``agents.handoffs.history`` path: nesting the conversation into a summary at a handoff.

The functions live in ``agents_otel.handoff_history`` (which the run calls); this module keeps the SDK's path.
"""

from __future__ import annotations

from ..handoff_history import (
    HandoffHistoryMapper,
    default_handoff_history_mapper,
    get_conversation_history_wrappers,
    nest_handoff_history,
    reset_conversation_history_wrappers,
    set_conversation_history_wrappers,
)

__all__ = [
    "HandoffHistoryMapper",
    "default_handoff_history_mapper",
    "get_conversation_history_wrappers",
    "nest_handoff_history",
    "reset_conversation_history_wrappers",
    "set_conversation_history_wrappers",
]
