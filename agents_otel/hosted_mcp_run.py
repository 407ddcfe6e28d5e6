"""A hosted MCP server's items in a model's answer, as run items, and its approval requests answered by the
``HostedMCPTool``'s ``on_approval_request`` or by a person.

Why apart from the agent loop: the loop only meets these items when an agent has a ``HostedMCPTool``, and the
approval step (the callback, its answer checked, the decision recorded in the trace) is its own small protocol. The
decisions go into the conversation as ``mcp_approval_response`` items; the loop then calls the model again, which
makes (or skips) the approved calls, as in the SDK. A request for a server without ``on_approval_request`` waits
for a person: the loop stops the run with it as an interruption (``tool_approvals``), and the resumed run answers
it from ``RunState.approve`` / ``reject``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .exceptions import ModelBehaviorError, UserError
from .hosted_mcp import (
    MCP_APPROVAL_REQUEST,
    MCP_APPROVAL_RESPONSE,
    HostedMCPTool,
    MCPApprovalRequestItem,
    MCPApprovalResponseItem,
    MCPListToolsItem,
    MCPToolApprovalRequest,
)
from .items import made_by
from .responses_format import hosted_call_object
from .stream_events import RunItemStreamEvent
from .tracing import attributes as A

if TYPE_CHECKING:
    from opentelemetry.trace import Span

    from .agent import Agent
    from .agent_loop import AgentLoop
    from .context_wrapper import RunContextWrapper
    from .hosted_tools import HostedTool
    from .local_tools import LocalTool
    from .run_runtime import RunRuntime


def add_mcp_item(run: RunRuntime, agent: Agent[Any], data: dict[str, Any]) -> bool:
    """Show an ``mcp_list_tools`` or ``mcp_approval_request`` output item as its run item and stream event (it is
    already in the conversation, as it came). Returns whether it is an approval request to answer."""
    if data.get("type") == MCP_APPROVAL_REQUEST:
        request = made_by(MCPApprovalRequestItem(data, agent.name), agent)
        run.items.append(request)
        run.emit(RunItemStreamEvent("mcp_approval_requested", request))
        return True
    listing = made_by(MCPListToolsItem(data, agent.name), agent)
    run.items.append(listing)
    run.emit(RunItemStreamEvent("mcp_list_tools", listing))
    return False


async def answer_approvals(
    loop: AgentLoop, agent: Agent[Any], span: Span, hosted: list[HostedTool | LocalTool], requests: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each request decided, in the model's order: by a person's decision already made in this run (the request's
    own, or ``always_approve`` / ``always_reject`` on its server's tool), else by its server's
    ``on_approval_request``. Each answer is a run item (streamed as ``mcp_approval_response``) and goes into the
    conversation; returns the requests that wait for a person (their server has no callback). A request for a
    server the agent does not have is a ``ModelBehaviorError`` (as in the SDK); an exception from the callback
    propagates, as in the SDK."""
    run, wrapper, decisions = loop.run, loop.wrapper, loop.wrapper._approvals
    servers = {t.server_label: t for t in hosted if isinstance(t, HostedMCPTool)}
    waiting: list[dict[str, Any]] = []
    for request in requests:
        label = request.get("server_label")
        server = servers.get(label) if isinstance(label, str) else None
        if server is None:
            raise ModelBehaviorError(f"MCP server label {label!r} not found in agent {agent.name!r}")
        verdict = (
            decisions.mcp_verdict(server.server_label, str(request.get("name", "")), str(request.get("id", "")))
            if decisions is not None
            else None
        )
        if verdict is not None:
            approve, reason = verdict
        elif server.on_approval_request is None:
            waiting.append(request)
            continue
        else:
            approve, reason = await _decide(server, wrapper, request)
        data: dict[str, Any] = {
            "approval_request_id": request.get("id", ""),
            "approve": approve,
            "type": MCP_APPROVAL_RESPONSE,
        }
        if not approve and reason:
            data["reason"] = reason
        if "caller" in request:  # a program's call (programmatic tool calling): its answer names the same caller
            data["caller"] = request["caller"]
        _record_decision(run, span, request, server.server_label, approve, reason)
        response = made_by(MCPApprovalResponseItem(data, agent.name), agent)
        run.items.append(response)
        run.emit(RunItemStreamEvent("mcp_approval_response", response))
        loop.conversation.add(response.conversation_item())
    return waiting


async def _decide(
    server: HostedMCPTool, wrapper: RunContextWrapper[Any], request: dict[str, Any]
) -> tuple[bool, str | None]:
    callback = server.on_approval_request
    assert callback is not None  # a request for a server without one waits for a person
    label = server.server_label
    decided: Any = callback(MCPToolApprovalRequest(wrapper, hosted_call_object(request)))
    if inspect.isawaitable(decided):
        decided = await decided
    if not isinstance(decided, Mapping) or not isinstance(decided.get("approve"), bool):
        raise UserError(
            f"HostedMCPTool {label!r}: on_approval_request returned {decided!r}, expected a dict "
            "{'approve': bool} (with an optional 'reason': str for a rejection)"
        )
    reason = decided.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise UserError(f"HostedMCPTool {label!r}: on_approval_request's 'reason' must be a str, got {reason!r}")
    return decided["approve"], reason


def _record_decision(
    run: RunRuntime, span: Span, request: dict[str, Any], label: str, approve: bool, reason: str | None
) -> None:
    """The decision as an event on the ``invoke_agent`` span (the ``chat`` span that asked has ended); the reason is
    the program's text for the model, so it is recorded only under content capture."""
    attributes: dict[str, Any] = {
        A.SERVER_TOOL_CALL_SERVER_LABEL: label,
        A.TOOL_APPROVAL: A.APPROVAL_APPROVED if approve else A.APPROVAL_REJECTED,
    }
    if isinstance(request.get("name"), str):
        attributes[A.GEN_AI_TOOL_NAME] = request["name"]
    if isinstance(request.get("id"), str):
        attributes[A.GEN_AI_TOOL_CALL_ID] = request["id"]
    if reason and not approve and run.capture_content:
        attributes[A.HOSTED_MCP_APPROVAL_REASON] = reason
    span.add_event(A.HOSTED_MCP_APPROVAL_EVENT, attributes)


__all__ = ["add_mcp_item", "answer_approvals"]
