"""A paused run as JSON and back: what ``RunState.to_json`` writes and ``RunState.from_json`` reads.

Why: a web app pauses a run for approval in one request and resumes it in another, often in another process or
replica, so nothing of the paused run may depend on objects in memory. The format is agents_otel's own (not the
SDK's), versioned by ``$schemaVersion``: a version this code does not know is a ``UserError``, never a guess.

What is stored by value: the conversation, run items, model responses, usage, turns, decisions, input, guardrail
verdicts (as data), span ids (so the resumed run continues the same trace) and the context as JSON. What is stored
by name and found again from the starting agent given to ``from_json``: agents (through handoffs) and the
handoffs the paused turn asked for. A name that is not found is a ``UserError`` naming it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .context_wrapper import RunContextWrapper
from .exceptions import UserError
from .handoffs import Handoff, as_handoff
from .input_items import conversation_items
from .items import input_dict
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
from .run_state_items import decode_guardrails, decode_run_item, encode_guardrails, encode_run_item
from .tool_approvals import Decisions, PausedRun, PausedTurn, Verdict, approval_items

if TYPE_CHECKING:
    from collections.abc import Callable

    from .agent import Agent
    from .input_items import RunInput

SCHEMA_VERSION = "agents_otel/1"
"""Written by ``to_json``; the only version ``from_json`` reads. Bump it when the format changes."""

_STORE = "RunState.to_json() cannot store this run"


def state_to_json(
    paused: PausedRun, context_serializer: Callable[[Any], Mapping[str, Any]] | None, strict_context: bool
) -> dict[str, Any]:
    turn = paused.turn
    if turn.nested:  # the nested runs' agents are reachable only through agent tools: not stored yet
        raise UserError(
            f"{_STORE}: it stopped for approvals inside an agent used as a tool ({', '.join(turn.nested)}), and "
            "agents_otel does not store such a pause as JSON yet; resume it in this process with the RunState itself"
        )
    data = {
        "$schemaVersion": SCHEMA_VERSION,
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
            "tools": {k: _encode_verdict(v) for k, v in paused.decisions.tools.items()},
        },
        "context": _encode_context(paused.context, context_serializer, strict_context),
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
    if turn.mcp_pending:
        data["turn"]["mcp_pending"] = [dict(r) for r in turn.mcp_pending]
    if paused.decisions.mcp_tools:
        data["decisions"]["hosted_mcp_tools"] = [
            {"server_label": label, "tool_name": name, **_encode_verdict(v)}
            for (label, name), v in paused.decisions.mcp_tools.items()
        ]
    if paused.pending_input:  # RunState.add_input(...): written only when there is some, as above
        data["pending_input"] = [copy.deepcopy(item) for item in paused.pending_input]
    check_json(data, "state", _STORE)
    return copy.deepcopy(data)  # the caller may change it: the state's own items must not change with it


def state_from_json(
    starting_agent: Agent[Any],
    data: Any,
    context_override: Any,
    context_deserializer: Callable[[Mapping[str, Any]], Any] | None,
) -> PausedRun:
    if type(data) is not dict:
        raise UserError(f"RunState.from_json() takes the dict to_json() made, got {type(data).__name__}")
    version = data.get("$schemaVersion")
    if version != SCHEMA_VERSION:
        found = "has no $schemaVersion" if version is None else f"has $schemaVersion {version!r}"
        raise UserError(
            f"This RunState JSON {found}; agents_otel reads {SCHEMA_VERSION!r} only (what its to_json() writes; "
            "the OpenAI Agents SDK's own RunState JSON is not read)"
        )
    check_json(data, "state")
    root = Node(copy.deepcopy(data), "state")  # the state must not change when the caller changes the dict
    stored_start = root.text("starting_agent")
    if stored_start != starting_agent.name:
        raise UserError(
            f"This RunState is a run of agent {stored_start!r}, but from_json was given agent "
            f"{starting_agent.name!r}: pass the agent the run started with"
        )
    agent_of = _agent_lookup(starting_agent)
    turn_node = root.obj("turn")
    agent = agent_of(turn_node.text("agent"), "state.turn.agent")
    calls = [decode_call(n) for n in turn_node.nodes("calls")]
    pending = [decode_call(n) for n in turn_node.nodes("pending")]
    turn_calls = {c.call_id for c in calls}
    if any(c.call_id not in turn_calls for c in pending):
        malformed("state.turn.pending", "must name calls of the turn (state.turn.calls)")
    mcp_pending = _decode_mcp_pending(turn_node)
    if not pending and not mcp_pending:
        malformed("state.turn.pending", "must name calls of the turn, or state.turn.mcp_pending requests: it is empty")
    items = [decode_run_item(n, agent_of) for n in root.nodes("items")]
    turn_start = turn_node.number("turn_start")
    if turn_start > len(items):
        malformed("state.turn.turn_start", "is past the end of state.items")
    handoff_calls = [
        (_handoff(agent, n.text("handoff"), n.path), decode_call(n.obj("call")))
        for n in turn_node.nodes("handoff_calls")
    ]
    response = decode_response(turn_node.obj("response"))
    turn = PausedTurn(agent, response, calls, handoff_calls, turn_start, pending, mcp_pending)
    decisions = root.obj("decisions")
    guardrails = decode_guardrails(root.obj("guardrail_results"), agent_of)
    max_turns = root.get("max_turns", int, optional=True)
    trace = root.obj("trace")
    return PausedRun(
        starting_agent=starting_agent,
        turn=turn,
        interruptions=approval_items(agent, pending, mcp_pending),
        conversation=decode_conversation(root.obj("conversation")),
        items=items,
        responses=[decode_response(n) for n in root.nodes("responses")],
        usage=decode_usage(root.obj("usage")),
        turns=root.number("turns"),
        max_turns=max_turns,
        decisions=Decisions(
            _decode_verdicts(decisions, "calls"), _decode_verdicts(decisions, "tools"), _decode_mcp_verdicts(decisions)
        ),
        context=_decode_context(root.obj("context"), context_override, context_deserializer),
        input=_decode_input(root),
        had_session=root.flag("had_session"),
        input_guardrail_results=guardrails[0],
        output_guardrail_results=guardrails[1],
        tool_input_guardrail_results=guardrails[2],
        tool_output_guardrail_results=guardrails[3],
        trace_parent=decode_span(trace, "parent"),
        paused_span=decode_span(trace, "paused_span"),
        pending_input=_decode_pending_input(root),
    )


def _encode_verdict(verdict: Verdict) -> dict[str, Any]:
    return {"approved": verdict[0], "message": verdict[1]}


def _decode_verdicts(node: Node, key: str) -> dict[str, Verdict]:
    entries = node.obj(key)
    return {name: (v.flag("approved"), v.opt_text("message")) for name in entries.data for v in [entries.obj(name)]}


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


# ---- agents and handoffs, by name ----------------------------------------------------------------------------


def _agent_lookup(starting_agent: Agent[Any]) -> Callable[[str, str], Agent[Any]]:
    """Agents by name, from the starting agent through handoffs (``Agent`` entries and ``handoff(agent)``). Agents
    used as tools are not walked: approvals inside them are not supported, so none of their items is ever stored."""
    found: dict[str, list[Agent[Any]]] = {}
    seen: set[int] = set()
    queue = [starting_agent]
    while queue:
        agent = queue.pop(0)
        if id(agent) in seen:
            continue
        seen.add(id(agent))
        found.setdefault(agent.name, []).append(agent)
        for entry in agent.handoffs:
            target = entry._target if isinstance(entry, Handoff) else entry
            if target is not None:
                queue.append(target)

    def agent_of(name: str, path: str) -> Agent[Any]:
        agents = found.get(name, [])
        if len(agents) == 1:
            return agents[0]
        if agents:
            raise UserError(
                f"RunState JSON names agent {name!r} ({path}), and {len(agents)} different agents reachable from "
                f"{starting_agent.name!r} have that name: give each agent a name of its own"
            )
        raise UserError(
            f"RunState JSON names agent {name!r} ({path}), which is not reachable from the starting agent "
            f"{starting_agent.name!r} through its handoffs (Agent or handoff(agent) entries): pass the agent the "
            "run started with, with the same handoffs"
        )

    return agent_of


def _handoff(agent: Agent[Any], tool_name: str, path: str) -> Handoff[Any, Any]:
    for entry in agent.handoffs:
        handoff = as_handoff(entry)
        if handoff.tool_name == tool_name:
            return handoff
    raise UserError(
        f"RunState JSON: the paused turn of agent {agent.name!r} handed off through {tool_name!r} ({path}), which "
        "is not one of that agent's handoffs"
    )


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
        malformed("state.input", "must be a string or a list of objects")
    return value


def _decode_pending_input(root: Node) -> list[dict[str, Any]]:
    if "pending_input" not in root.data:
        return []
    value = root.json("pending_input")
    if type(value) is not list or any(type(e) is not dict for e in value):
        malformed("state.pending_input", "must be a list of objects")
    try:
        conversation_items(value)
    except UserError:
        malformed("state.pending_input", "must be input items")  # the items themselves are the conversation
    return list(value)


def _encode_context(
    context: Any, serializer: Callable[[Any], Mapping[str, Any]] | None, strict: bool
) -> dict[str, Any]:
    """As in the SDK: a mapping is stored as it is, a ``context_serializer`` serializes anything, a pydantic model or
    a dataclass is stored as its dict (``from_json`` then needs a ``context_deserializer`` or ``context_override``).
    Unlike the SDK, any other object is a ``UserError``: the SDK stores ``{}`` and the resumed run has lost it."""
    if context is None:
        return {"value": None, "serialized_via": "none", "requires_deserializer": False}
    cls = f"{type(context).__module__}:{type(context).__qualname__}"
    if serializer is not None:
        try:
            value = serializer(context)
        except Exception as error:
            raise UserError(f"{_STORE}: context_serializer raised {type(error).__name__}") from error
        if not isinstance(value, Mapping):
            raise UserError(f"{_STORE}: context_serializer must return a mapping, got {type(value).__name__}")
        via = "context_serializer"
    elif isinstance(context, Mapping):
        value, via = context, "mapping"
    elif strict:
        raise UserError(
            f"{_STORE}: with strict_context=True the context must be a mapping, or give context_serializer "
            f"(the context is a {cls})"
        )
    elif callable(getattr(context, "model_dump", None)):
        value, via = context.model_dump(mode="json"), "model_dump"
    elif dataclasses.is_dataclass(context) and not isinstance(context, type):
        value, via = dataclasses.asdict(context), "asdict"
    else:
        raise UserError(
            f"{_STORE}: its context is a {cls}, which is not a mapping, a pydantic model or a dataclass; give "
            "to_json(context_serializer=...) (and from_json(context_deserializer=...) to rebuild it)"
        )
    value = dict(value)
    check_json(value, "context", f"{_STORE}; give context_serializer= to turn the context into JSON data")
    return {"value": value, "serialized_via": via, "requires_deserializer": via != "mapping", "class": cls}


def _decode_context(
    node: Node, override: Any, deserializer: Callable[[Mapping[str, Any]], Any] | None
) -> Any:
    via = node.text("serialized_via")
    value = node.get("value", dict, optional=True)
    if override is not None:
        return override.context if isinstance(override, RunContextWrapper) else override
    if value is None:
        return None
    if deserializer is not None:
        try:
            rebuilt = deserializer(value)
        except Exception as error:
            raise UserError(f"RunState.from_json(): context_deserializer raised {type(error).__name__}") from error
        return rebuilt.context if isinstance(rebuilt, RunContextWrapper) else rebuilt
    if node.flag("requires_deserializer"):
        raise UserError(
            f"RunState.from_json(): the context was stored from a {node.json('class')} ({via}); give "
            "context_deserializer= to rebuild it, or context_override= (the SDK would go on with a plain dict, "
            "which the run's tools do not expect)"
        )
    return value
