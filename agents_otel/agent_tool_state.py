"""The SDK's ``agents.agent_tool_state`` path, kept so an import of the module itself does not fail.

In the SDK it holds the bookkeeping of nested ``Agent.as_tool()`` runs (helpers its own runner and tests call, none
documented for users); here a paused nested run is kept on the enclosing run's state, so the module has no names.
"""

from __future__ import annotations

__all__: list[str] = []
