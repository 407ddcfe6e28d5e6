"""A realtime session's function calls: a tool runs on agents_otel's normal tool path, a handoff switches agents.

Why the normal tool path (``execute_tool_call``): a tool behaves in a realtime session as in a run — its
``execute_tool`` span with the GenAI attributes, ``ToolContext.send_progress`` recorded on it, timeouts, tool
guardrails, ``failure_error_function`` wording an error for the model — so a tool written once works in both.
The call's span starts under the agent's span (``SessionSpans.context``) even though it runs in a task of its own.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from opentelemetry import context as context_api

from ..conversation_items import FunctionCall
from ..exceptions import UserError
from ..tool import FunctionTool
from ..tool_approvals import Verdict
from ..tool_execution import execute_tool_call
from .agent import RealtimeAgent
from .events import RealtimeError, RealtimeHandoffEvent, RealtimeToolEnd, RealtimeToolStart
from .model_events import RealtimeModelToolCallEvent
from .model_inputs import RealtimeModelSendSessionUpdate, RealtimeModelSendToolOutput

if TYPE_CHECKING:
    from .session import RealtimeSession


async def handle_tool_call(session: RealtimeSession, event: RealtimeModelToolCallEvent) -> None:
    """Answer one function call of the model, as the agent that holds the session now."""
    agent = session._current_agent
    tools, handoffs = session._offered
    tool = tools.get(event.name)
    if tool is not None:
        approval: Verdict | None = None
        if tool.needs_approval is not False:
            runs, approval = await session._approvals.gate(session, agent, tool, event)
            if not runs:
                return
        await run_tool(session, agent, tool, event, approval)
        return
    handoff = handoffs.get(event.name)
    if handoff is not None:
        await _hand_off(session, agent, handoff, event)
        return
    message = f"Tool {event.name} not found"
    await session._model.send_event(RealtimeModelSendToolOutput(event, message, start_response=False))
    session._put(RealtimeError(info=session._event_info, error={"message": message}))


async def run_tool(
    session: RealtimeSession,
    agent: RealtimeAgent[Any],
    tool: FunctionTool,
    event: RealtimeModelToolCallEvent,
    approval: Verdict | None = None,
) -> None:
    """``approval``: the decision on a call that needed one; a rejected call has no ``tool_start`` (it never
    starts), only the ``tool_end`` carrying what the model read."""
    if approval is None or approval[0]:
        session._put(RealtimeToolStart(agent=agent, tool=tool, arguments=event.arguments, info=session._event_info))
    call = FunctionCall(event.name, event.arguments, event.call_id)
    token = context_api.attach(session._spans.context)
    try:
        output = await execute_tool_call(session._run, cast(Any, agent), call, tool, None, approval)
    finally:
        context_api.detach(token)
    text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
    if session._closed:
        return
    await session._model.send_event(RealtimeModelSendToolOutput(event, text, start_response=True))
    session._put(
        RealtimeToolEnd(agent=agent, tool=tool, arguments=event.arguments, output=output, info=session._event_info)
    )


async def _hand_off(
    session: RealtimeSession, agent: RealtimeAgent[Any], handoff: Any, event: RealtimeModelToolCallEvent
) -> None:
    """The handoff's ``on_handoff`` runs, the session takes the new agent's settings (``session.update``), then
    the model reads the transfer message and answers as the new agent."""
    target = await handoff.on_invoke_handoff(session._context_wrapper, event.arguments)
    if not isinstance(target, RealtimeAgent):
        raise UserError(f"Handoff {handoff.tool_name} returned {type(target).__name__}, not a RealtimeAgent")
    settings = await session._settings_for(target)
    if session._closed:
        return
    session._spans.handoff(agent.name, target.name)
    session._current_agent = target
    session._put(RealtimeHandoffEvent(from_agent=agent, to_agent=target, info=session._event_info))
    await session._model.send_event(RealtimeModelSendSessionUpdate(session_settings=settings))
    output = handoff.get_transfer_message(target)
    await session._model.send_event(RealtimeModelSendToolOutput(event, output, start_response=True))


__all__ = ["handle_tool_call", "run_tool"]
