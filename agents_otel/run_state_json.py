"""A paused run as JSON and back: what ``RunState.to_json`` writes and ``RunState.from_json`` reads.

Why: a web app pauses a run for approval in one request and resumes it in another, often in another process or
replica, so nothing of the paused run may depend on objects in memory. The format is agents_otel's own (not the
SDK's), versioned by ``$schemaVersion``: a version this code does not know is a ``UserError``, never a guess.

What is stored by value: the conversation, run items, model responses, usage, turns, decisions, input, guardrail
verdicts (as data), span ids (so the resumed run continues the same trace) and the context as JSON. What is stored
by name and found again from the starting agent given to ``from_json`` (``run_state_agents``): agents (through
handoffs), the handoffs the paused turn asked for, and the agents of agent tools whose nested run paused. A name that
is not found, or is ambiguous, is a ``UserError`` naming it.

A run paused inside an agent used as a tool holds that nested run (``PausedTurn.nested``, at any depth): it is
stored inside the turn (``turn.nested``), in the same format less the context, which nested runs share with the
run they are nested in and which is stored once.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .exceptions import UserError
from .input_items import conversation_items
from .items import input_dict
from .run_state_agents import agent_lookup, handoff_of, reachable_names, tool_agent_lookup
from .run_state_codec import (
    Node,
    check_json,
    decode_call,
    decode_conversation,
    decode_response,
    decode_span,
    decode_usage,
    encode_call,
    encode_conversation,
    encode_response,
    encode_span,
    encode_usage,
    is_json,
    malformed,
)
from .run_state_context import STORE, decode_context, encode_context
from .run_state_items import decode_guardrails, decode_run_item, encode_guardrails, encode_run_item
from .tool_approvals import Decisions, PausedRun, PausedTurn, Verdict, approval_items
from .tool_use_tracker import normalized_tool_use

if TYPE_CHECKING:
    from collections.abc import Callable

    from .agent import Agent
    from .input_items import RunInput

SCHEMA_VERSION = "agents_otel/1"
"""Written by ``to_json`` for a run with no nested run paused inside an agent tool (as before such runs could be
stored, so a reader that predates them still reads it)."""
NESTED_SCHEMA_VERSION = "agents_otel/2"
"""Written for a run paused inside an agent tool (``state.turn.nested``). A new version, not an optional field: a
reader of ``agents_otel/1`` ignores fields it does not know, and would resume such a run with the agent-tool call run
again from scratch, its nested run's pause lost; it refuses ``agents_otel/2`` instead."""
READ_VERSIONS = (SCHEMA_VERSION, NESTED_SCHEMA_VERSION)

def state_to_json(
    paused: PausedRun, context_serializer: Callable[[Any], Mapping[str, Any]] | None, strict_context: bool
) -> dict[str, Any]:
    version = NESTED_SCHEMA_VERSION if paused.turn.nested else SCHEMA_VERSION
    data = {"$schemaVersion": version, **_encode_run(paused)}
    data["context"] = encode_context(paused.context, context_serializer, strict_context)
    check_json(data, "state", STORE)
    return copy.deepcopy(data)  # the caller may change it: the state's own items must not change with it


def _encode_run(paused: PausedRun) -> dict[str, Any]:
    """The run without its context, which a nested run shares with the run it is nested in (stored once)."""
    turn = paused.turn
    data: dict[str, Any] = {
        "starting_agent": paused.starting_agent.name,
        "turn": {
            "agent": turn.agent.name,
            "response": encode_response(turn.response),
            "calls": [encode_call(c) for c in turn.calls],
            "handoff_calls": [{"handoff": h.tool_name, "call": encode_call(c)} for h, c in turn.handoff_calls],
            "turn_start": turn.turn_start,
            "pending": [encode_call(c) for c in turn.pending],
        },
        "conversation": encode_conversation(paused.conversation),
        "items": [encode_run_item(i) for i in paused.items],
        "responses": [encode_response(r) for r in paused.responses],
        "usage": encode_usage(paused.usage),
        "turns": paused.turns,
        "max_turns": paused.max_turns,
        "decisions": {
            "calls": {k: _encode_verdict(v) for k, v in paused.decisions.calls.items()},
            "tools": {},  # before agent scoping: by tool name alone; read back as nothing (see _decode_agent_verdicts)
            "agent_tools": [
                {"agent": agent, "tool_name": name, **_encode_verdict(v)}
                for (agent, name), v in paused.decisions.tools.items()
            ],
        },
        "input": _encode_input(paused.input),
        "had_session": paused.had_session,
        "guardrail_results": encode_guardrails(
            paused.input_guardrail_results,
            paused.output_guardrail_results,
            paused.tool_input_guardrail_results,
            paused.tool_output_guardrail_results,
        ),
        "trace": {"parent": encode_span(paused.trace_parent), "paused_span": encode_span(paused.paused_span)},
    }
    # Written only when there are some, so a run without hosted MCP approvals stores what it always stored.
    if turn.finished:  # a finished run's state: no calls wait (a reader before it refuses it: nothing pending)
        data["turn"]["finished"] = True
    if turn.mcp_pending:
        data["turn"]["mcp_pending"] = [dict(r) for r in turn.mcp_pending]
    if turn.sandbox is not None:  # the sandbox sessions' state, as their clients serialized it (JSON already)
        data["turn"]["sandbox"] = copy.deepcopy(turn.sandbox)
    if turn.nested:  # each agent-tool call whose nested run paused: that run, its agent by name (a tool's agent)
        data["turn"]["nested"] = [
            {"call_id": call_id, "state": _encode_run(nested)} for call_id, nested in turn.nested.items()
        ]
    if paused.decisions.mcp_tools:
        data["decisions"]["hosted_mcp_tools"] = [
            {"server_label": label, "tool_name": name, **_encode_verdict(v)}
            for (label, name), v in paused.decisions.mcp_tools.items()
        ]
    if paused.pending_input:  # RunState.add_input(...): written only when there is some, as above
        data["pending_input"] = [copy.deepcopy(item) for item in paused.pending_input]
    if paused.tool_use is not None:  # RunState.set_tool_use_tracker_snapshot(...): only when set
        data["tool_use"] = {name: list(tools) for name, tools in paused.tool_use.items()}
    return data


def state_from_json(
    starting_agent: Agent[Any],
    data: Any,
    context_override: Any,
    context_deserializer: Callable[[Mapping[str, Any]], Any] | None,
) -> PausedRun:
    if type(data) is not dict:
        raise UserError(f"RunState.from_json() takes the dict to_json() made, got {type(data).__name__}")
    version = data.get("$schemaVersion")
    if version not in READ_VERSIONS:
        found = "has no $schemaVersion" if version is None else f"has $schemaVersion {version!r}"
        raise UserError(
            f"This RunState JSON {found}; agents_otel reads {' and '.join(map(repr, READ_VERSIONS))} only (what "
            "its to_json() writes; the OpenAI Agents SDK's own RunState JSON is not read)"
        )
    check_json(data, "state")
    root = Node(copy.deepcopy(data), "state")  # the state must not change when the caller changes the dict
    stored_start = root.text("starting_agent")
    if stored_start != starting_agent.name:
        raise UserError(
            f"This RunState is a run of agent {stored_start!r}, but from_json was given agent "
            f"{starting_agent.name!r}: pass the agent the run started with"
        )
    if "nested" in root.obj("turn").data and version != NESTED_SCHEMA_VERSION:
        malformed("state.turn.nested", f"is written under $schemaVersion {NESTED_SCHEMA_VERSION!r} only")
    context = decode_context(root.obj("context"), context_override, context_deserializer)
    return _decode_run(starting_agent, root, context)


def _decode_run(starting_agent: Agent[Any], root: Node, context: Any) -> PausedRun:
    agent_of = agent_lookup(starting_agent)
    turn_node = root.obj("turn")
    agent = agent_of(turn_node.text("agent"), f"{turn_node.path}.agent")
    calls = [decode_call(n) for n in turn_node.nodes("calls")]
    pending = [decode_call(n) for n in turn_node.nodes("pending")]
    turn_calls = {c.call_id for c in calls}
    if any(c.call_id not in turn_calls for c in pending):
        malformed(f"{turn_node.path}.pending", f"must name calls of the turn ({turn_node.path}.calls)")
    mcp_pending = _decode_mcp_pending(turn_node)
    nested = _decode_nested(starting_agent, turn_node, turn_calls, context)
    finished = turn_node.flag("finished") if "finished" in turn_node.data else False
    waiting = bool(pending or mcp_pending or nested)
    if waiting == finished or (finished and calls):  # a paused turn has something waiting, a finished one nothing
        malformed(
            f"{turn_node.path}.pending",
            "must name calls of the turn, or mcp_pending requests or nested runs must wait: none does"
            if not finished else "and calls must be empty in a finished run's turn",
        )
    items = [decode_run_item(n, agent_of) for n in root.nodes("items")]
    turn_start = turn_node.number("turn_start")
    if turn_start > len(items):
        malformed(f"{turn_node.path}.turn_start", f"is past the end of {root.path}.items")
    handoff_calls = [
        (handoff_of(agent, n.text("handoff"), n.path), decode_call(n.obj("call")))
        for n in turn_node.nodes("handoff_calls")
    ]
    response = decode_response(turn_node.obj("response"))
    turn = PausedTurn(agent, response, calls, handoff_calls, turn_start, pending, mcp_pending, nested)
    turn.sandbox = turn_node.get("sandbox", dict) if "sandbox" in turn_node.data else None
    turn.finished = finished
    decisions = root.obj("decisions")
    guardrails = decode_guardrails(root.obj("guardrail_results"), agent_of)
    max_turns = root.get("max_turns", int, optional=True)
    trace = root.obj("trace")
    interruptions = approval_items(agent, pending, mcp_pending)  # then the nested runs' own, as pause() orders them
    interruptions += [item for run in nested.values() for item in run.interruptions]
    return PausedRun(
        starting_agent=starting_agent,
        turn=turn,
        interruptions=interruptions,
        conversation=decode_conversation(root.obj("conversation")),
        items=items,
        responses=[decode_response(n) for n in root.nodes("responses")],
        usage=decode_usage(root.obj("usage")),
        turns=root.number("turns"),
        max_turns=max_turns,
        decisions=Decisions(
            _decode_verdicts(decisions, "calls"),
            _decode_agent_verdicts(decisions, starting_agent),
            _decode_mcp_verdicts(decisions),
        ),
        context=context,
        input=_decode_input(root),
        had_session=root.flag("had_session"),
        input_guardrail_results=guardrails[0],
        output_guardrail_results=guardrails[1],
        tool_input_guardrail_results=guardrails[2],
        tool_output_guardrail_results=guardrails[3],
        trace_parent=decode_span(trace, "parent"),
        paused_span=decode_span(trace, "paused_span"),
        pending_input=_decode_pending_input(root),
        tool_use=normalized_tool_use(root.get("tool_use", dict)) if "tool_use" in root.data else None,
    )


def _decode_nested(
    starting_agent: Agent[Any], turn: Node, turn_calls: set[str], context: Any
) -> dict[str, PausedRun]:
    """The nested runs paused inside the turn's agent-tool calls, by call id. Each is a run of an agent used as a
    tool, found by name through agent tools; it shares the enclosing run's context, as it did when it ran."""
    if "nested" not in turn.data:
        return {}
    tool_agent_of = tool_agent_lookup(starting_agent)
    nested: dict[str, PausedRun] = {}
    for node in turn.nodes("nested"):
        call_id = node.text("call_id")
        if call_id not in turn_calls or call_id in nested:
            malformed(f"{node.path}.call_id", f"must name a call of the turn ({turn.path}.calls), once")
        state = node.obj("state")
        agent = tool_agent_of(state.text("starting_agent"), f"{state.path}.starting_agent")
        nested[call_id] = _decode_run(agent, state, context)
    return nested


def _encode_verdict(verdict: Verdict) -> dict[str, Any]:
    return {"approved": verdict[0], "message": verdict[1]}


def _decode_verdicts(node: Node, key: str) -> dict[str, Verdict]:
    entries = node.obj(key)
    return {name: (v.flag("approved"), v.opt_text("message")) for name in entries.data for v in [entries.obj(name)]}


def _decode_agent_verdicts(node: Node, starting_agent: Agent[Any]) -> dict[tuple[str, str], Verdict]:
    """The standing decisions on function tools, each its agent's. A state saved before they were scoped holds them
    by tool name alone (``tools``): those are not restored, so such a tool asks again, as the SDK's legacy
    permanent approvals do since 0.23 (a decision on one agent's tool must not approve another's). A decision
    whose agent is no longer reachable from the starting agent is a ``UserError``, as in the SDK since 0.25: the
    graph given to ``from_json`` is not the one the decision was made in."""
    if "agent_tools" not in node.data:
        return {}
    verdicts: dict[tuple[str, str], Verdict] = {}
    names: set[str] | None = None
    for n in node.nodes("agent_tools"):
        agent, tool = n.text("agent"), n.text("tool_name")
        names = reachable_names(starting_agent) if names is None else names
        if agent not in names:
            raise UserError(
                f"Function approval owner is absent from the restored graph: RunState JSON holds a standing "
                f"decision on tool {tool!r} of agent {agent!r} ({n.path}), and no agent of that name is reachable "
                f"from {starting_agent.name!r} through handoffs and agent tools; pass the agents the run had"
            )
        verdicts[(agent, tool)] = (n.flag("approved"), n.opt_text("message"))
    return verdicts


def _decode_mcp_verdicts(node: Node) -> dict[tuple[str, str], Verdict]:
    if "hosted_mcp_tools" not in node.data:
        return {}
    return {
        (n.text("server_label"), n.text("tool_name")): (n.flag("approved"), n.opt_text("message"))
        for n in node.nodes("hosted_mcp_tools")
    }


def _decode_mcp_pending(turn: Node) -> list[dict[str, Any]]:
    """The hosted MCP approval requests that wait: each an ``mcp_approval_request`` item naming its id, server and
    tool, which the resumed run answers (a request without them could not be answered)."""
    if "mcp_pending" not in turn.data:
        return []
    requests = []
    for node in turn.nodes("mcp_pending"):
        if node.data.get("type") != "mcp_approval_request":
            malformed(f"{node.path}.type", "must be 'mcp_approval_request'")
        for key in ("id", "server_label", "name", "arguments"):
            node.text(key)
        requests.append(node.data)
    return requests


# ---- the run's input and the application's context ------------------------------------------------------------


def _encode_input(value: RunInput) -> Any:
    if isinstance(value, str):
        return value
    out = []
    for entry in value:
        if isinstance(entry, Mapping) and is_json(dict(entry)):
            out.append(dict(entry))
        else:  # a conversation item or an openai object: its Responses-format dict
            out.append(input_dict(conversation_items([entry])[0]))
    return out


def _decode_input(root: Node) -> RunInput:
    value = root.json("input")
    if type(value) is not str and (type(value) is not list or any(type(e) is not dict for e in value)):
        malformed(f"{root.path}.input", "must be a string or a list of objects")
    return value


def _decode_pending_input(root: Node) -> list[dict[str, Any]]:
    if "pending_input" not in root.data:
        return []
    value = root.json("pending_input")
    if type(value) is not list or any(type(e) is not dict for e in value):
        malformed(f"{root.path}.pending_input", "must be a list of objects")
    try:
        conversation_items(value)
    except UserError:
        malformed(f"{root.path}.pending_input", "must be input items")  # the items themselves are the conversation
    return list(value)
