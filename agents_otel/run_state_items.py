"""Run items and guardrail verdicts of a paused run as JSON data and back (``run_state_codec`` has the rest).

Run items name their agent, found again by name in the starting agent's graph (``AgentLookup``). A tool's output
that is JSON data comes back as it was; any other output comes back as the text the model read (marked
``output_is_text``), since the object itself cannot be rebuilt in another process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .admitted_input import InputItem
from .compaction_item import CompactionItem
from .exceptions import UserError
from .guardrails import (
    GuardrailFunctionOutput,
    InputGuardrail,
    InputGuardrailResult,
    OutputGuardrail,
    OutputGuardrailResult,
)
from .hosted_mcp import MCPApprovalRequestItem, MCPApprovalResponseItem, MCPListToolsItem
from .hosted_tools import HostedToolCallItem
from .items import (
    HandoffCallItem,
    HandoffOutputItem,
    MessageOutputItem,
    ReasoningItem,
    RunItem,
    ToolCallIdentity,
    ToolCallItem,
    ToolCallOutputItem,
    made_by,
)
from .responses_format import output_text
from .run_state_codec import Node, is_json, malformed
from .safe_json import to_jsonable
from .tool_guardrails import (
    ToolGuardrailFunctionOutput,
    ToolInputGuardrail,
    ToolInputGuardrailResult,
    ToolOutputGuardrail,
    ToolOutputGuardrailResult,
)
from .tool_output_types import structured_json

if TYPE_CHECKING:
    from .agent import Agent

AgentLookup = Callable[[str, str], "Agent[Any]"]
"""``(agent_name, path)`` -> the agent of that name in the starting agent's graph (a ``UserError`` if none)."""


# ---- run items ---------------------------------------------------------------------------------------------


def _encode_identity(call: ToolCallIdentity) -> dict[str, Any]:
    return {
        "tool_call_id": call.tool_call_id,
        "tool_name": call.tool_name,
        "agent_name": call.agent_name,
        "trace_id": call.trace_id,
        "span_id": call.span_id,
        "parent_tool_call_id": call.parent_tool_call_id,
    }


def _decode_identity(node: Node, agent_of: AgentLookup) -> ToolCallIdentity:
    call = ToolCallIdentity(
        tool_call_id=node.text("tool_call_id"),
        tool_name=node.text("tool_name"),
        agent_name=node.text("agent_name"),
        trace_id=node.text("trace_id"),
        span_id=node.text("span_id"),
        parent_tool_call_id=node.opt_text("parent_tool_call_id"),
    )
    call._agent = agent_of(call.agent_name, f"{node.path}.agent_name")
    return call


def encode_run_item(item: RunItem) -> dict[str, Any]:
    if isinstance(item, ToolCallOutputItem):
        output = item.output
        as_text = not is_json(output)  # the text the model read; a JSON value comes back as it was
        if as_text and (structured := structured_json(output)) is not None:  # ToolOutputImage(...): its dict form
            output, as_text = structured, False
        return {
            "type": item.type,
            "call": _encode_identity(item.call),
            "output": output_text(output) if as_text else output,
            "output_is_text": as_text,
            "is_error": item.is_error,
            "error_type": item.error_type,
        }
    if isinstance(item, ToolCallItem):
        encoded = {"type": item.type, "call": _encode_identity(item.call), "arguments": item.arguments}
        if isinstance(item, HostedToolCallItem):
            encoded["hosted_data"] = item.data
        return encoded
    if isinstance(item, MessageOutputItem):
        message: dict[str, Any] = {"type": item.type, "text": item.text, "agent_name": item.agent_name}
        if item.refusal:  # each written only when there is one: states without them keep their shape
            message["refusal"] = item.refusal
        if item.annotations:
            message["annotations"] = [dict(a) for a in item.annotations]
        return message
    if isinstance(item, HandoffCallItem):
        fields = {"call_id": item.call_id, "tool_name": item.tool_name, "arguments": item.arguments}
        return {"type": item.type, **fields, "agent_name": item.agent_name}
    if isinstance(item, HandoffOutputItem):
        fields = {"call_id": item.call_id, "tool_name": item.tool_name, "output": item.output}
        names = {"source_agent": item.source_agent.name, "target_agent": item.target_agent.name}
        return {"type": item.type, **fields, **names, "agent_name": item.agent_name}
    if isinstance(item, InputItem):  # input added to a RunState, admitted by a run that then stopped again
        agent = item.agent
        name = getattr(agent, "name", None)
        return {"type": item.type, "raw_item": item.raw_item, "input_id": item.input_id, "agent_name": name}
    if isinstance(item, _DATA_ITEM_CLASSES):
        return {"type": item.type, "data": item.data, "agent_name": item.agent_name}
    raise UserError(f"RunState.to_json(): a run item of type {type(item).__name__} cannot be stored")


_DATA_ITEMS: dict[str, Any] = {
    "reasoning_item": ReasoningItem,
    "mcp_list_tools_item": MCPListToolsItem,
    "mcp_approval_request_item": MCPApprovalRequestItem,
    "mcp_approval_response_item": MCPApprovalResponseItem,
    "compaction_item": CompactionItem,
}
"""Run items that are the API item as JSON (``data``) and their agent's name."""
_DATA_ITEM_CLASSES = (ReasoningItem, CompactionItem, MCPListToolsItem, MCPApprovalRequestItem, MCPApprovalResponseItem)


def decode_run_item(node: Node, agent_of: AgentLookup) -> RunItem:
    kind = node.text("type")
    if kind == "tool_call_output_item":
        call = _decode_identity(node.obj("call"), agent_of)
        output = node.text("output") if node.flag("output_is_text") else node.json("output")
        error_type = node.opt_text("error_type")
        is_error = node.flag("is_error")
        item: RunItem = ToolCallOutputItem(call=call, output=output, is_error=is_error, error_type=error_type)
        return made_by(item, call.agent)
    if kind == "tool_call_item":
        call = _decode_identity(node.obj("call"), agent_of)
        if "hosted_data" in node.data:
            item = HostedToolCallItem(call=call, arguments=node.text("arguments"), data=node.get("hosted_data", dict))
        else:
            item = ToolCallItem(call=call, arguments=node.text("arguments"))
        return made_by(item, call.agent)
    agent = agent_of(node.text("agent_name"), f"{node.path}.agent_name")
    if kind == "message_output_item":
        item = MessageOutputItem(node.text("text"), agent.name, node.refusal(), node.annotations())
    elif kind == "handoff_call_item":
        item = HandoffCallItem(node.text("call_id"), node.text("tool_name"), node.text("arguments"), agent.name)
    elif kind == "handoff_output_item":
        source = agent_of(node.text("source_agent"), f"{node.path}.source_agent")
        target = agent_of(node.text("target_agent"), f"{node.path}.target_agent")
        fields = (node.text("call_id"), node.text("tool_name"), node.text("output"))
        item = HandoffOutputItem(*fields, source, target, agent.name)
    elif kind == "input_item":
        item = InputItem(agent, node.get("raw_item", dict), input_id=node.text("input_id"))
    elif kind in _DATA_ITEMS:
        item = _DATA_ITEMS[kind](node.get("data", dict), agent.name)
    else:
        malformed(f"{node.path}.type", "is not a run item type")
    return made_by(item, agent)


# ---- guardrail verdicts ------------------------------------------------------------------------------------
# Kept as data, as in the SDK: a restored result's guardrail is a stand-in with the stored name whose function
# gives the stored verdict (guardrails never run again for a turn that is over). ``output_info`` and an output
# guardrail's ``agent_output`` come back as their JSON form (``safe_json``): a pydantic model as its dict.


def _verdict(value: Any) -> Callable[..., Any]:
    def stored(*args: Any) -> Any:
        return value

    return stored


def encode_guardrails(
    inputs: list[InputGuardrailResult],
    outputs: list[OutputGuardrailResult],
    tool_inputs: list[ToolInputGuardrailResult],
    tool_outputs: list[ToolOutputGuardrailResult],
) -> dict[str, Any]:
    def agent_verdict(r: InputGuardrailResult | OutputGuardrailResult) -> dict[str, Any]:
        info = to_jsonable(r.output.output_info)
        return {"name": r.guardrail.get_name(), "tripwire_triggered": r.output.tripwire_triggered, "output_info": info}

    def tool_verdict(r: ToolInputGuardrailResult | ToolOutputGuardrailResult) -> dict[str, Any]:
        info = to_jsonable(r.output.output_info)
        return {"name": r.guardrail.get_name(), "behavior": to_jsonable(r.output.behavior), "output_info": info}

    return {
        "input": [agent_verdict(r) for r in inputs],
        "output": [
            {**agent_verdict(r), "agent_name": r.agent.name, "agent_output": to_jsonable(r.agent_output)}
            for r in outputs
        ],
        "tool_input": [tool_verdict(r) for r in tool_inputs],
        "tool_output": [tool_verdict(r) for r in tool_outputs],
    }


def decode_guardrails(node: Node, agent_of: AgentLookup) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    inputs: list[InputGuardrailResult] = []
    outputs: list[OutputGuardrailResult] = []
    tool_inputs: list[ToolInputGuardrailResult] = []
    tool_outputs: list[ToolOutputGuardrailResult] = []
    for entry in node.nodes("input"):
        verdict = GuardrailFunctionOutput(entry.json("output_info"), entry.flag("tripwire_triggered"))
        inputs.append(InputGuardrailResult(InputGuardrail(_verdict(verdict), entry.text("name")), verdict))
    for entry in node.nodes("output"):
        verdict = GuardrailFunctionOutput(entry.json("output_info"), entry.flag("tripwire_triggered"))
        agent = agent_of(entry.text("agent_name"), f"{entry.path}.agent_name")
        guardrail: OutputGuardrail[Any] = OutputGuardrail(_verdict(verdict), entry.text("name"))
        outputs.append(OutputGuardrailResult(guardrail, entry.json("agent_output"), agent, verdict))
    for key in ("tool_input", "tool_output"):
        for entry in node.nodes(key):
            behavior = entry.get("behavior", dict)
            if behavior.get("type") not in ("allow", "reject_content", "raise_exception"):
                malformed(f"{entry.path}.behavior.type", "is not a tool guardrail behavior")
            tool_verdict = ToolGuardrailFunctionOutput(entry.json("output_info"), behavior)
            stand_in, name = _verdict(tool_verdict), entry.text("name")
            if key == "tool_input":
                tool_inputs.append(ToolInputGuardrailResult(ToolInputGuardrail(stand_in, name), tool_verdict))
            else:
                tool_outputs.append(ToolOutputGuardrailResult(ToolOutputGuardrail(stand_in, name), tool_verdict))
    return inputs, outputs, tool_inputs, tool_outputs
