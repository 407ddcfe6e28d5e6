"""``RunContextWrapper``: what the application's callbacks receive about the run they are part of.

The OpenAI Agents SDK hands this object to dynamic instructions, lifecycle hooks, guardrails and handoff callbacks;
code written for the SDK reads ``wrapper.context`` (the object given to ``Runner.run(..., context=...)``) and
``wrapper.usage``. It is a plain record on purpose: the runtime's own run state lives elsewhere, so user code can
build one in a unit test without a run.

Code inside a run can also decide on tool calls ahead of the approval gate, as in the SDK: ``approve_tool`` /
``reject_tool`` write the run's approval decisions (the same record ``RunState.approve`` / ``reject`` write), so
the gate honours them for that call (or, ``always_*``, every later call of the tool in the run). A wrapper made
outside a run keeps decisions of its own, which ``is_tool_approved`` and the others read back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .approval_item import ToolApprovalItem
from .models.interface import Usage
from .tool_decisions import Decisions, Verdict, check_item, check_message

TContext = TypeVar("TContext")


@dataclass
class RunContextWrapper(Generic[TContext]):
    """The application's context object and the run's token usage so far."""

    context: TContext
    usage: Usage = field(default_factory=Usage)
    turn_input: list[Any] = field(default_factory=list)
    """The input of the current agent's turn, as Responses-format dicts (what ``on_agent_start`` shows as
    ``turn_input``); empty outside a run."""
    tool_input: Any = field(default=None, kw_only=True)
    """In the run of an agent used as a tool with structured ``parameters`` (or an ``input_builder``): the tool
    call's validated arguments as JSON-ready data (a dict for a model or dataclass), as in the SDK. ``None``
    elsewhere. Keyword-only, so the positional ``(context, usage, ...)`` of this class and its subclasses stays."""
    _approvals_from: RunContextWrapper[Any] | None = field(default=None, init=False, repr=False, compare=False)
    """The wrapper whose approval decisions this one shares (the run's own, for the contexts the run makes for
    hooks); ``None``: this wrapper holds them."""
    _approvals: Decisions | None = field(default=None, init=False, repr=False, compare=False)
    """The decisions this wrapper holds: the run's approval decisions, for the run's own wrapper."""

    def _decision_owner(self) -> RunContextWrapper[Any]:
        shared = self._approvals_from
        return shared if shared is not None else self

    def _decisions(self, create: bool) -> Decisions | None:
        """The decisions this wrapper reads and writes: its run's, or (outside a run) its own."""
        owner = self._decision_owner()
        found = owner._approvals
        if found is None and create:
            found = owner._approvals = Decisions()
        return found

    def _run_decisions(self) -> Decisions:
        """The decisions, made empty if none yet (the run's approval gate writes them too)."""
        found = self._decisions(create=True)
        assert found is not None
        return found

    def approve_tool(self, approval_item: ToolApprovalItem, always_approve: bool = False) -> None:
        """Approve the call of ``approval_item``: when the run reaches it, it runs without asking its
        ``needs_approval`` (``always_approve``: every later call of the same tool in the run too)."""
        item = check_item(approval_item, "approve_tool()")
        self._run_decisions().decide(item, (True, None), always_approve)

    def reject_tool(
        self, approval_item: ToolApprovalItem, always_reject: bool = False, rejection_message: str | None = None
    ) -> None:
        """Reject the call of ``approval_item``: when the run reaches it, the model reads ``rejection_message``
        (default: "Tool execution was not approved.") instead of its output, even for a tool that needs no approval,
        as in the SDK (``always_reject``: every later call of the same tool in the run too)."""
        item = check_item(approval_item, "reject_tool()")
        self._run_decisions().decide(item, (False, check_message(rejection_message)), always_reject)

    def _verdict(self, tool_name: str, call_id: str, pending: ToolApprovalItem | None) -> Verdict | None:
        decisions = self._decisions(create=False)
        if decisions is None:
            return None
        label = pending.server_label if pending is not None else None
        if label is not None:
            return decisions.mcp_verdict(label, tool_name, call_id)
        return decisions.verdict(pending.agent_name if pending is not None else None, tool_name, call_id)

    def is_tool_approved(self, tool_name: str, call_id: str) -> bool | None:
        """``True`` / ``False`` if the call (or its tool, for a standing decision) was approved / rejected;
        ``None`` if nothing was decided."""
        verdict = self._verdict(tool_name, call_id, None)
        return None if verdict is None else verdict[0]

    def get_approval_status(
        self,
        tool_name: str,
        call_id: str,
        *,
        tool_namespace: str | None = None,
        existing_pending: ToolApprovalItem | None = None,
        tool_lookup_key: Any = None,
        current_invocation: ToolApprovalItem | None = None,
    ) -> bool | None:
        """As :meth:`is_tool_approved`; ``existing_pending`` / ``current_invocation`` (a hosted MCP request's
        item) scope it to that item's server. ``tool_namespace`` / ``tool_lookup_key`` change nothing here: a
        tool's name is unique among an agent's tools, namespaces included."""
        verdict = self._verdict(tool_name, call_id, current_invocation or existing_pending)
        return None if verdict is None else verdict[0]

    def get_rejection_message(
        self,
        tool_name: str,
        call_id: str,
        *,
        tool_namespace: str | None = None,
        existing_pending: ToolApprovalItem | None = None,
        tool_lookup_key: Any = None,
    ) -> str | None:
        """The message given when the call (or its tool) was rejected; ``None`` if it was not rejected or the
        rejection gave none (the model then reads the default)."""
        verdict = self._verdict(tool_name, call_id, existing_pending)
        return verdict[1] if verdict is not None and not verdict[0] else None
