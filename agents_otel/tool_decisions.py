"""``Decisions``: a run's approval decisions, and the one way a decision on a ``ToolApprovalItem`` is recorded.

A record of its own (below the engine) because two kinds of code write it: ``RunState.approve`` / ``reject`` on a
paused run, and, as in the OpenAI Agents SDK, code inside a run deciding ahead of the gate through its context
(``RunContextWrapper.approve_tool`` / ``reject_tool``, from a hook, a tool or a ``needs_approval`` policy). Both
write the same record, which the run's approval gate (``tool_approvals``) reads.
"""

from __future__ import annotations

from .approval_item import ToolApprovalItem
from .exceptions import UserError

Verdict = tuple[bool, str | None]
"""A decision: approved or not, and for a rejection the message the model reads (``None``: the default)."""


class Decisions:
    """The run's approval decisions: per call id; per agent and tool for ``always_approve`` / ``always_reject`` (a
    standing decision on one agent's tool never reaches another agent's tool of the same name, as in the SDK since
    0.23); per server and tool for a hosted MCP server's requests (never another server's tool or a function tool of
    the same name, as in the SDK).

    A call's own decision wins over its tool's standing one, as in the SDK.
    """

    __slots__ = ("calls", "mcp_tools", "nested", "tools")

    def __init__(
        self,
        calls: dict[str, Verdict] | None = None,
        tools: dict[tuple[str, str], Verdict] | None = None,
        mcp_tools: dict[tuple[str, str], Verdict] | None = None,
    ) -> None:
        self.calls: dict[str, Verdict] = dict(calls or {})
        self.tools: dict[tuple[str, str], Verdict] = dict(tools or {})
        """``(agent_name, tool_name)`` -> the standing decision on that agent's tool."""
        self.mcp_tools: dict[tuple[str, str], Verdict] = dict(mcp_tools or {})
        """``(server_label, tool_name)`` -> the standing decision on that hosted MCP server's tool."""
        self.nested: list[tuple[ToolApprovalItem, Decisions]] = []
        """Set when the run pauses with nested runs paused in agent-tool calls: each of their waiting items, and the
        decisions of the run it waits in. A decision made through this run's context (a ``ToolContext`` a hook kept)
        on such an item goes there, as in the SDK since 0.25, not to a call of this run that shares its call id.
        Not copied: a ``RunState`` routes its own decisions (``tool_approvals.owner``)."""

    def verdict(self, agent_name: str | None, tool_name: str, call_id: str) -> Verdict | None:
        """The call's decision, else its tool's standing one: the agent's own, or, asked by tool name alone (a
        context's ``is_tool_approved``), the one agent's that decided on a tool of that name, as the SDK answers an
        unambiguous name-only query (none when several agents did)."""
        found = self.calls.get(call_id)
        if found is not None or not self.tools:
            return found
        if agent_name is not None:
            return self.tools.get((agent_name, tool_name))
        standing = [verdict for (_, name), verdict in self.tools.items() if name == tool_name]
        return standing[0] if len(standing) == 1 else None

    def mcp_verdict(self, server_label: str, tool_name: str, request_id: str) -> Verdict | None:
        found = self.calls.get(request_id)
        return found if found is not None else self.mcp_tools.get((server_label, tool_name))

    def copy(self) -> Decisions:
        return Decisions(self.calls, self.tools, self.mcp_tools)

    def __bool__(self) -> bool:
        """Whether anything was decided: a turn whose tools need no approval consults an empty record not at all."""
        return bool(self.calls or self.tools or self.mcp_tools)

    def decide(self, item: ToolApprovalItem, verdict: Verdict, always: bool) -> None:
        """Record ``verdict`` for ``item``'s call; ``always``: for every later call of its tool in the run too (of
        its server's tool, for a hosted MCP request). The latest decision on a call wins, as in the SDK."""
        if self.nested:
            target = self._nested_owner(item)
            if target is not None:
                target.decide(item, verdict, always)
                return
        self.calls[item.call_id] = verdict
        if always:
            label = item.server_label
            if label is None:
                self.tools[(item.agent_name, item.tool_name)] = verdict
            else:  # a hosted MCP tool: that server's, never a function tool or another server's of the same name
                self.mcp_tools[(label, item.tool_name)] = verdict

    def _nested_owner(self, item: ToolApprovalItem) -> Decisions | None:
        """The decisions of the nested run ``item`` waits in: the very item, else the one equal item (an item
        rebuilt from the same call and agent)."""
        for waiting, owner in self.nested:
            if waiting is item:
                return owner
        equal = [owner for waiting, owner in self.nested if waiting == item]
        return equal[0] if len(equal) == 1 else None


def check_item(item: object, where: str) -> ToolApprovalItem:
    """``item`` if it is a ``ToolApprovalItem``; else the ``UserError`` saying what ``where`` takes."""
    if not isinstance(item, ToolApprovalItem):
        raise UserError(f"{where} takes a ToolApprovalItem, got {type(item).__name__}")
    return item


def check_message(rejection_message: object) -> str | None:
    if rejection_message is not None and not isinstance(rejection_message, str):
        raise UserError(f"rejection_message must be a string, got {type(rejection_message).__name__}")
    return rejection_message


__all__ = ["Decisions", "Verdict", "check_item", "check_message"]
