"""Tool approvals in a realtime session: a call of a ``needs_approval`` tool waits until the application decides.

Why no pause as in a run: a run stops and is resumed from its state; a live session goes on talking while a call
waits. The call is announced (``RealtimeToolApprovalRequired``, and an ``agents_otel.tool.approval_requested`` event
on the agent's span, as a paused run records its waiting calls), the model gets no answer to it yet, and
``session.approve_tool_call`` / ``reject_tool_call`` settle it later. Either way the call then goes through the normal
tool path with the decision (``execute_tool_call(approval=...)``): an approved call runs with its span marked
``approved``; a rejected one never runs, its span marked ``rejected``, and the model reads the rejection message
(yours, else ``tool_error_formatter``'s, else the default), as a rejected call in a run.

Decisions are ``tool_approvals.Decisions``, the run's: per call, and per tool for ``always=True``, so a later call of
a tool approved "always" runs without asking. With ``tool_execution.pre_approval_tool_input_guardrails`` a call that
would wait is judged first by its tool's input guardrails (``check_tool_input``, as in a run): one they reject is
answered at once and never asks a person.

Nothing here runs for a tool without ``needs_approval``: the tool path checks that one attribute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from opentelemetry import context as context_api
from opentelemetry import trace as trace_api

from ..content_guard import guard_attributes
from ..conversation_items import FunctionCall
from ..exceptions import UserError
from ..tool_approvals import Decisions, Verdict, needs_approval
from ..tool_call import ToolCall
from ..tool_guardrail_run import GuardrailAnswer, check_tool_input
from ..tracing import attributes as A
from .events import RealtimeToolApprovalRequired

if TYPE_CHECKING:
    from ..tool import FunctionTool
    from .agent import RealtimeAgent
    from .model_events import RealtimeModelToolCallEvent
    from .session import RealtimeSession


@dataclass
class PendingCall:
    event: RealtimeModelToolCallEvent
    agent: RealtimeAgent[Any]
    tool: FunctionTool


class Approvals:
    def __init__(self, pre_approval_guardrails: bool) -> None:
        self.decisions = Decisions()
        self.pending: dict[str, PendingCall] = {}
        self._pre_approval_guardrails = pre_approval_guardrails

    async def gate(
        self, session: RealtimeSession, agent: RealtimeAgent[Any], tool: FunctionTool, event: RealtimeModelToolCallEvent
    ) -> tuple[bool, Verdict | None]:
        """Whether the call runs now, and with which decision (``None``: it needs none). A call that does not run
        now waits for ``approve`` / ``reject``."""
        call_id = event.call_id
        if call_id in self.pending:
            return False, None  # the same call announced twice: it is already waiting
        verdict = self.decisions.verdict(agent.name, tool.name, call_id)
        if verdict is not None:
            return True, verdict
        call = FunctionCall(event.name, event.arguments, call_id)
        if not await needs_approval(tool, session._context_wrapper, call):
            return True, None
        if self._pre_approval_guardrails and tool.tool_input_guardrails:
            token = context_api.attach(session._spans.context)
            try:
                message = await check_tool_input(ToolCall(session._run, call, cast(Any, agent)), cast(Any, agent), tool)
            finally:
                context_api.detach(token)
            verdict = self.decisions.verdict(agent.name, tool.name, call_id)  # a decision made meanwhile wins
            if verdict is not None:
                return True, verdict
            if message is not None:
                results = session._run.tool_input_guardrail_results
                return True, GuardrailAnswer(message, results[-1].guardrail.get_name())
        if session._closed:
            return False, None
        self.pending[call_id] = PendingCall(event, agent, tool)
        attributes: dict[str, Any] = {A.GEN_AI_TOOL_NAME: tool.name, A.GEN_AI_TOOL_CALL_ID: call_id}
        if session._run.capture_content:
            attributes[A.GEN_AI_TOOL_CALL_ARGUMENTS] = event.arguments
            guard_attributes(session._run, attributes, agent.name)
        trace_api.get_current_span(session._spans.context).add_event(A.APPROVAL_REQUESTED_EVENT, attributes)
        session._put(RealtimeToolApprovalRequired(
            agent=agent, tool=tool, call_id=call_id, arguments=event.arguments, info=session._event_info))
        return False, None

    def decide(self, call_id: str, approved: bool, always: bool, message: str | None) -> PendingCall | None:
        """The waiting call, now decided; ``None`` if it was decided before (a second decision changes nothing).
        An id no call of this session ever waited under is a ``UserError``."""
        if message is not None and not isinstance(message, str):
            raise UserError(f"rejection_message must be a str, got {type(message).__name__}")
        pending = self.pending.pop(call_id, None)
        if pending is None:
            if call_id in self.decisions.calls:
                return None
            raise UserError(f"No tool call {call_id!r} is waiting for approval in this realtime session")
        verdict: Verdict = (approved, None if approved else message)
        self.decisions.calls[call_id] = verdict
        if always:
            self.decisions.tools[(pending.agent.name, pending.tool.name)] = verdict
        return pending


__all__ = ["Approvals", "PendingCall"]
