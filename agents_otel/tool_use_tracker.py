"""The SDK's tool-use tracker of a paused run: which agents (by name) have used which tools.

Why it matters: an agent with ``reset_tool_choice`` (the default) that has used a tool gets its ``tool_choice``
reset for its next model call, so a forced choice does not loop. A resumed run starts with the agents the snapshot
names as having used tools, as the SDK restores its tracker. ``RunState.get_tool_use_tracker_snapshot()`` reads it
(from the run's tool calls unless set); ``set_tool_use_tracker_snapshot(...)`` replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .exceptions import UserError
from .items import ToolCallItem
from .run_state_agents import agents_by_name

if TYPE_CHECKING:
    from .tool_approvals import PausedRun


def tool_use_snapshot(paused: PausedRun) -> dict[str, list[str]]:
    """Which agents used which tools so far (by name, in first-use order), the SDK's tool-use tracker: set by hand,
    or the tool calls among the run's items and the paused turn's own."""
    if paused.tool_use is not None:
        return {name: list(tools) for name, tools in paused.tool_use.items()}
    used: dict[str, list[str]] = {}
    calls = [(i.agent_name, i.tool_name) for i in paused.items if isinstance(i, ToolCallItem)]
    for agent_name, tool_name in [*calls, *((paused.turn.agent.name, c.name) for c in paused.turn.calls)]:
        names = used.setdefault(agent_name, [])
        if tool_name not in names:
            names.append(tool_name)
    return used


def normalized_tool_use(snapshot: Any) -> dict[str, list[str]]:
    """A tool-use snapshot as stored: agent name -> tool names (a copy). Anything else in it is a ``UserError``
    (the SDK drops such entries silently)."""
    if not snapshot:
        return {}
    if not isinstance(snapshot, Mapping) or not all(
        isinstance(name, str) and isinstance(tools, list | tuple) and all(isinstance(t, str) for t in tools)
        for name, tools in snapshot.items()
    ):
        raise UserError("A tool-use tracker snapshot maps agent names to lists of tool names")
    return {name: list(tools) for name, tools in snapshot.items()}


def tool_users(paused: PausedRun) -> set[int]:
    """``id()`` of each agent of the run's graph (through handoffs) that the snapshot names: a resumed run's
    ``reset_tool_choice`` treats them as having used tools."""
    found = agents_by_name(paused.starting_agent)
    return {id(agent) for name in tool_use_snapshot(paused) for agent in found.get(name, ())}


__all__ = ["normalized_tool_use", "tool_use_snapshot", "tool_users"]
