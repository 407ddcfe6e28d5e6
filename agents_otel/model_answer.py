"""What one model answer holds, read item by item into run items and the calls the turn must run.

Why a module of its own: every kind of output item the model can send — function calls (or handoffs), messages,
reasoning, server-side compaction, computer calls, the calls of tools that are not functions (``stand_in_calls``),
hosted tools' calls the provider ran, hosted MCP items — is recognised here, in the model's order, and each becomes
its run item and stream event here. The agent loop then only decides what the turn does next with what this found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .compaction_item import COMPACTION_TYPE, CompactionItem, compaction_input
from .computer_run import ComputerTurn, add_computer_call
from .exceptions import ModelBehaviorError
from .hosted_calls import hosted_call_item
from .hosted_mcp import MCP_ITEM_TYPES
from .hosted_mcp_run import add_mcp_item
from .items import AssistantMessage, FunctionCall, HandoffCallItem, MessageOutputItem, ReasoningItem, made_by
from .programmatic_calls import PROGRAM_ITEM_TYPES, PROGRAMMATIC, Programs, direct_allowed, read_program_item
from .stand_in_calls import READERS, read_call
from .stream_events import RunItemStreamEvent

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .agent import Agent
    from .agent_loop import AgentLoop
    from .handoffs import Handoff
    from .models.interface import ModelResponse
    from .tool import FunctionTool


@dataclass(slots=True)
class Answer:
    """``calls``: to run (stand-ins' included); ``handoff_calls``: the handoffs asked for, in order; ``text`` /
    ``refusal``: the last message's; ``approvals``: a hosted MCP server's approval requests; ``stand_ins``: some
    call is a stand-in's (its output goes back as its own item type); ``computer``: the ``computer_call``s, run
    after the function calls, in order (as in the SDK)."""

    calls: list[FunctionCall]
    handoff_calls: list[tuple[Handoff[Any, Any], FunctionCall]]
    text: str | None = None
    refusal: str = ""
    approvals: list[dict[str, Any]] | None = None
    stand_ins: bool = False
    computer: ComputerTurn | None = None


def read_answer(
    response: ModelResponse,
    loop: AgentLoop,
    agent: Agent[Any],
    tools: Mapping[str, FunctionTool],
    handoffs: Mapping[str, Handoff[Any, Any]],
    hosted: list[Any],
) -> Answer:
    run = loop.run
    answer = Answer([], [])
    calls = answer.calls
    conversation = loop.conversation
    programs: Programs | None = None  # made on the answer's first programmatic item
    for out in response.output:
        if isinstance(out, FunctionCall):
            chosen = handoffs.get(out.name) if handoffs else None
            if chosen is None:
                tool = tools.get(out.name)
                if tool is None:
                    if run.config.tool_not_found_behavior == "raise_error":
                        raise ModelBehaviorError(f"Tool {out.name} not found in agent {agent.name}")
                elif tool.allowed_callers is not None:  # a tool only programs may call is not the model's to call
                    direct_allowed(tool, out.name)
                calls.append(out)
            else:
                answer.handoff_calls.append((chosen, out))
                item = made_by(HandoffCallItem(out.call_id, out.name, out.arguments, agent.name), agent)
                run.items.append(item)
                run.emit(RunItemStreamEvent("handoff_requested", item))
        elif isinstance(out, AssistantMessage):
            answer.text, answer.refusal = out.content, out.refusal  # the turn's last message decides, as in the SDK
            message = made_by(MessageOutputItem(out.content, agent.name, out.refusal, out.annotations), agent)
            run.items.append(message)
            run.emit(RunItemStreamEvent("message_output_created", message))
        elif (kind := out.data.get("type")) == "reasoning":  # kept in the conversation as it came
            reasoning = made_by(ReasoningItem(out.data, agent.name), agent)
            run.items.append(reasoning)
            run.emit(RunItemStreamEvent("reasoning_item_created", reasoning))
        elif kind == COMPACTION_TYPE:  # the server compacted; not streamed, as in the SDK
            run.items.append(made_by(CompactionItem(compaction_input(out.data), agent.name), agent))
        elif kind == "computer_call":  # run by computer_run after the functions, as in the SDK
            answer.computer = add_computer_call(answer.computer, loop, agent, hosted, out.data)
        elif kind in READERS:  # a custom / shell / ... tool's call: run by its stand-in
            answer.stand_ins = True
            if (stand_in := read_call(out.data, tools, agent, run)) is not None:
                calls.append(stand_in)
            else:  # the provider ran it (shown as a hosted call by the reader)
                loop.used_tools.add(id(agent))
        elif kind in PROGRAM_ITEM_TYPES:  # programmatic tool calling: a program, its calls, its output
            answer.stand_ins = True  # a program's call is answered with its caller (stand_in_calls.answers)
            if programs is None:
                earlier = conversation.history[: len(conversation.history) - len(response.output)]
                offered = any(getattr(t, "name", None) == PROGRAMMATIC for t in hosted)
                programs = Programs(earlier, conversation.server is not None, offered)
            if (program_call := read_program_item(out.data, programs, tools, agent, run)) is not None:
                calls.append(program_call)
            else:  # the program ran on the provider's side: counts for reset_tool_choice, as in the SDK
                loop.used_tools.add(id(agent))
        elif (hosted_item := hosted_call_item(out.data, agent, run)) is not None:
            # a hosted tool's call, already run by the provider: shown and kept (in the conversation), not run
            loop.used_tools.add(id(agent))  # counts for reset_tool_choice, as in the SDK
            run.items.append(hosted_item)  # type: ignore[arg-type]  # tool search items: not in RunItem
            run.emit(RunItemStreamEvent(hosted_item.event_name, hosted_item))  # type: ignore[arg-type]
        elif kind in MCP_ITEM_TYPES and add_mcp_item(run, agent, out.data):
            answer.approvals = [*(answer.approvals or ()), out.data]
    return answer


__all__ = ["Answer", "read_answer"]
