"""The SDK's ``agents.extensions.handoff_filters``: the same filters as :mod:`agents_otel.handoff_filters`, under
the import path SDK code uses."""

from __future__ import annotations

from ..handoff_filters import default_handoff_history_mapper, nest_handoff_history, remove_all_tools

__all__ = ["default_handoff_history_mapper", "nest_handoff_history", "remove_all_tools"]
