"""Input added to a paused ``RunState`` before it resumes (``state.add_input(...)``, the SDK's pending input).

Why: a person often answers an approval prompt with a decision *and* a new instruction ("yes, and keep the report in
the project folder"). The SDK stages such input on the state and admits it right before the resumed run's next model
call, after the paused turn's tool outputs, so the model reads it in the order it was given. This module keeps the
SDK's rules: a string is a user message, calls add in order, the agent's and the run's input guardrails check the
added input alone, and each admitted item becomes an ``InputItem`` run item (in ``new_items``, the conversation and
the session). A state whose next step may end the run without another model call takes no input (``UserError``),
since the input would never reach a model.

Nothing here runs for a resumed run without added input: the agent loop checks one attribute per model turn.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .admitted_input import InputItem
from .exceptions import UserError
from .guardrail_run import InputChecks
from .input_items import conversation_items
from .items import input_dict
from .tool import FunctionTool

if TYPE_CHECKING:
    from .agent import Agent
    from .agent_loop import AgentLoop
    from .input_items import RunInput
    from .tool_approvals import PausedRun


def pending_items(input: RunInput) -> list[dict[str, Any]]:
    """``add_input``'s argument as Responses-format dicts: a string is one user message, as in the SDK. An item no
    model could be given is a ``UserError`` now, not when the run resumes."""
    if isinstance(input, str):
        return [{"role": "user", "content": input}]
    if not isinstance(input, list | tuple):
        raise UserError(f"RunState.add_input() takes a string or a list of input items, got {type(input).__name__}")
    items = []
    for entry in input:
        item = conversation_items([entry])[0]  # refuses what is not an input item
        items.append(copy.deepcopy(dict(entry)) if isinstance(entry, Mapping) else input_dict(item))
    return items


def check_can_add(paused: PausedRun) -> None:
    """The SDK's rules: input is taken only by a state whose resumed run calls a model again."""
    if paused.max_turns is not None and paused.turns >= paused.max_turns:
        raise UserError("Cannot add input to a RunState with no remaining model turns")
    turn = paused.turn
    if turn.finished:  # as in the SDK: a finished run's state (no current step) is terminal
        raise UserError("Cannot add input to a terminal RunState (the run finished): start a new run with the input")
    behavior = turn.agent.tool_use_behavior
    ends_run = behavior == "stop_on_first_tool" or callable(behavior)
    if not ends_run and isinstance(behavior, Mapping):
        names = {item.tool_name for item in paused.interruptions}
        if not turn.handoff_calls:  # a handoff goes on with the next agent; else the calls that completed decide too
            tools = {t.name: t for t in turn.agent.tools if isinstance(t, FunctionTool)}
            for call in turn.calls:
                names.add(call.name)
                tool = tools.get(call.name)
                if tool is not None:
                    names.add(tool.qualified_name)
        ends_run = bool(names & set(behavior.get("stop_at_tool_names", ())))
    if ends_run:
        raise UserError(
            "Cannot add input to an interrupted RunState whose tool result may end the run (the agent's "
            f"tool_use_behavior is {behavior!r}): finish the run, then start a new turn with the input"
        )


async def admit_pending_input(loop: AgentLoop, agent: Agent[Any]) -> None:
    """Before the resumed run's next model call: the input guardrails check the added input (a tripwire fails the
    run; the state still holds the input), then each item joins the conversation as an ``InputItem`` and is saved
    to the session before the model is called, as in the SDK."""
    pending, loop.pending_input = loop.pending_input or [], None
    run = loop.run
    guardrails = [*agent.input_guardrails, *(run.config.input_guardrails or ())]
    if guardrails:
        items = tuple(conversation_items(pending))
        await InputChecks(run, loop.wrapper, agent, items, loop.input_guardrail_results).run(guardrails)
    for raw in pending:
        item = InputItem(agent=agent, raw_item=raw)
        run.items.append(item)
        loop.conversation.add(item.conversation_item())
    await loop.save_turn()


__all__ = ["admit_pending_input", "check_can_add", "pending_items"]
