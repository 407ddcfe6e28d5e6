"""What a failed run leaves: ``error.run_data``, and the calls of its last turn that completed, with their outputs.

SDK 0.24 ("preserve completed tool outputs when a sibling fails", "... after callback failures"): when a call of a
parallel batch fails the run (``failure_error_function=None``, a tool guardrail's tripwire, a hook that raises),
the siblings that had already finished did their work: a ticket was created, an email sent. Dropping the turn
would let the next run (from the session, from ``error.run_data``, from a streamed result's ``to_input_list()``)
ask the model again and repeat it. So the turn is cut down to what is true: each completed call with the
reasoning the model wrote just before it, then their outputs in the model's order. A call without an output (the
failed one, the siblings cancelled because of it) is left out, with its reasoning; so is the turn's text (the model
will answer again). The cut turn goes to the session (a session that fails to save it is logged: the tool's error
is the one the caller gets) and to the failed run's ``run_data.new_items``.

A "completed" call is one whose output the model would have read: a value, or an error the tool's
``failure_error_function`` worded. It is judged by the run items the calls left, and this work is done here, once,
after a run has already failed. Every kind of call is cut so, as in the SDK: a custom tool's, a shell's, an
apply_patch's or a local shell's call keeps its own output item (the local calls' real items, which their run items'
text cannot rebuild, are the one thing the tool path keeps, for those calls only, until the turn is saved); a
computer call keeps its screenshot; a program's call keeps its ``caller``, and the program stays while it has a
completed call or output; a call the provider ran and answered stays with its answer.

As the SDK, nothing is kept (the record stays as it was, the session gets nothing of the turn) in a server-managed
conversation (``previous_response_id`` / ``conversation_id``: the server holds the turn), or when the agent has
output guardrails and a tool's output may be the final output (it would reach the session unjudged). Where the SDK
keeps nothing, its ``run_data.new_items`` also leave the failed turn out; ours still hold it (migrating.md). A failed
streamed result's ``to_input_list()`` is the cut conversation (``_history`` on ``run_data``), and its ``to_state()``
a state that calls the model again from the same items, as the SDK's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from .exceptions import AgentsOtelError
from .finished_state import finished_run
from .hosted_tools import HostedToolCallItem
from .items import FunctionCall, FunctionCallOutput, ProgramCall, ReasoningItem, ToolCallItem, ToolCallOutputItem
from .run_setup import error_details
from .stand_in_calls import answers as answer_items
from .tool_search import ToolSearchCallItem, ToolSearchOutputItem

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .agent import Agent
    from .agent_loop import AgentLoop
    from .conversation_items import ConversationItem
    from .items import RunItem
    from .run_config import RunConfig
    from .tool import FunctionTool

logger = logging.getLogger("agents_otel")


_OUTPUT_OF = {
    "function_call": "function_call_output",
    "custom_tool_call": "custom_tool_call_output",
    "shell_call": "shell_call_output",
    "apply_patch_call": "apply_patch_call_output",
    "local_shell_call": "local_shell_call_output",
    "computer_call": "computer_call_output",
    "program": "program_output",
}
"""Each call item type the model writes (the runtime runs or the provider ran it), with its output's type."""
_OUTPUT_TYPES = frozenset((*_OUTPUT_OF.values(), "tool_search_output"))
_PROVIDER_RUN = frozenset(
    ("file_search_call", "web_search_call", "code_interpreter_call", "image_generation_call", "mcp_call")
)
"""Hosted calls whose result is in the call item itself: kept when the provider says ``completed``."""


@dataclass(frozen=True, slots=True)
class OpenTurn:
    """A fresh turn with calls, from the moment the model answered until it is saved (``AgentLoop.open_turn``)."""

    calls: list[FunctionCall]
    turn_start: int
    """Where the turn's run items start in ``RunState.items``."""
    history_start: int
    """Where the model's answer starts in the conversation's history (the turn's outputs may follow it)."""
    stand_ins: bool
    """The answer had a call of a tool that is not a function (custom, shell, a program's ...)."""
    tools: Mapping[str, FunctionTool]
    """The turn's tools: a stand-in's or a program's output is answered in its own item (``stand_in_calls``)."""


async def record_failure(loop: AgentLoop, agent: Agent[Any], error: Exception, starting_agent: Agent[Any]) -> None:
    """The run failed with ``error``: an open turn is cut to its completed calls (and saved), then our errors get
    ``run_data``, what the run had done, as the SDK's ``error.run_data``. The run's ``RunState`` is what a finished
    run's would be, from the cut conversation (``finished_state``): resuming it calls the model again from those
    items, as the SDK's state of a failed streamed run does; built only if ``to_state()`` asks."""
    if loop.open_turn is not None:
        await keep_completed_calls(loop, loop.open_turn, agent)
    loop.run.failed_state = partial(finished_run, loop, starting_agent)
    if isinstance(error, AgentsOtelError):
        details = error.run_data = error_details(loop, agent)
        details.__dict__["_history"] = list(loop.conversation.history)  # a failed streamed run's to_input_list()


async def keep_completed_calls(loop: AgentLoop, turn: OpenTurn, agent: Agent[Any]) -> None:
    """Cut the failed ``turn`` down to its completed calls and their outputs, and save that to the session. Called
    only when the run failed with the turn open."""
    loop.open_turn = None
    conversation = loop.conversation
    run = loop.run
    answers, run.local_answers = run.local_answers, None
    if conversation.server is not None or _guarded_final_output(agent, run.config):
        return
    turn_start = turn.turn_start
    turn_items = run.run_items()[turn_start:]
    history = conversation.history
    start = turn.history_start
    kept_history, plan, outputs = _cut(history[start:], turn, turn_items)
    if not plan:  # nothing completed: the failed run's record stays as it was
        return
    answered = [_answer(turn, output, answers) for output in outputs]
    kept_history.extend(answered)
    tail = len(history) - start
    _replace_tail(history, start, kept_history)
    if conversation.unsaved is not None and len(conversation.unsaved) >= tail:
        _replace_tail(conversation.unsaved, len(conversation.unsaved) - tail, kept_history)
    _replace_tail(run.items, turn_start, [*_run_items(turn_items, plan), *outputs])
    try:
        await loop.save_turn()
    except Exception:  # the tool's failure is the run's error; this one is logged
        logger.exception("agents_otel: saving the failed turn's completed tool calls to the session failed")


def _guarded_final_output(agent: Agent[Any], config: RunConfig) -> bool:
    """As the SDK: an agent whose tool output may become the final output, judged by output guardrails, keeps
    nothing of a failed turn (a call's output could otherwise reach the session unjudged)."""
    guarded = bool(agent.output_guardrails) or bool(config.output_guardrails)
    return guarded and agent.tool_use_behavior != "run_llm_again"


def _cut(
    answer: list[ConversationItem], turn: OpenTurn, turn_items: list[RunItem]
) -> tuple[list[ConversationItem], list[tuple[str, Any]], list[ToolCallOutputItem]]:
    """The model's items of the failed turn that stay (each with the reasoning just before it), the plan that finds
    their run items, and the outputs of the runtime's calls that completed, in the order of their calls."""
    completed = {
        item.call.tool_call_id: item for item in turn_items if type(item) is ToolCallOutputItem and _completed(item)
    }
    ours = {call.call_id for call in turn.calls}
    ours.update(item.call.tool_call_id for item in turn_items if type(item) is ToolCallItem)  # computer calls too
    provided: set[str] = set()  # calls the provider answered in this answer (a hosted shell's, a program's output)
    alive: set[str] = set()  # programs with a completed output or a completed call of their own
    for item in answer:
        data = getattr(item, "data", None)
        if isinstance(item, ProgramCall) and item.call_id in completed:
            alive.add(str(item.caller.get("caller_id")))
        if not isinstance(data, dict):
            continue
        kind, call_id = data.get("type"), data.get("call_id")
        if kind in _OUTPUT_TYPES and call_id not in ours and _provider_completed(data):
            provided.add(str(call_id))
            if kind == "program_output":
                alive.add(str(call_id))
        caller = data.get("caller")
        if isinstance(caller, dict) and (call_id in completed or _provider_completed(data)):
            alive.add(str(caller.get("caller_id")))
    kept: list[ConversationItem] = []
    plan: list[tuple[str, Any]] = []  # the kept items in the model's order: ("reasoning", place) / ("call", id) ...
    calls: list[str] = []
    waiting: list[tuple[int, ConversationItem]] = []
    reasoning_seen = 0
    for item in answer:
        data = getattr(item, "data", None)
        entry: tuple[str, Any] | None = None
        if isinstance(data, dict):
            kind, call_id = data.get("type"), data.get("call_id")
            if kind == "reasoning":
                waiting.append((reasoning_seen, item))
                reasoning_seen += 1
                continue
            if call_id in completed and kind in _OUTPUT_OF and kind != "program":
                entry = ("call", call_id)  # the runtime's call, as the model wrote it (custom, shell, computer ...)
            elif kind == "program":
                entry = ("hosted", id(data)) if call_id in alive else None
            elif call_id in provided and (kind in _OUTPUT_OF or kind in _OUTPUT_TYPES):
                entry = ("hosted", id(data))  # a call the provider ran and answered here, or that answer
            elif kind in _PROVIDER_RUN or kind == "tool_search_call":
                entry = ("hosted", id(data)) if _provider_completed(data) else None
        elif isinstance(item, FunctionCall) and item.call_id in completed:
            entry = ("call", item.call_id)
        if entry is not None:
            plan.extend(("reasoning", place) for place, _ in waiting)
            kept.extend(reasoning for _, reasoning in waiting)
            plan.append(entry)
            kept.append(item)
            if entry[0] == "call":
                calls.append(entry[1])
        waiting.clear()  # reasoning belongs to the item after it, kept or not
    return kept, plan, [completed[call_id] for call_id in calls]


def _provider_completed(data: dict[str, Any]) -> bool:
    """A hosted item the provider says completed (a tool search only when the provider ran it)."""
    if data.get("status") != "completed":
        return False
    return not str(data.get("type", "")).startswith("tool_search") or data.get("execution", "server") == "server"


def _answer(turn: OpenTurn, output: ToolCallOutputItem, answers: dict[str, str] | None) -> ConversationItem:
    """The completed call's output as the model would have read it: a local call's own item (kept by the tool
    path), a custom tool's or a program's answer, a computer call's screenshot, else a ``function_call_output``."""
    call_id = output.call.tool_call_id
    local = answers.get(call_id) if answers is not None else None
    item = FunctionCallOutput(call_id, local) if local is not None else output.conversation_item()
    if turn.stand_ins and type(item) is FunctionCallOutput:
        return answer_items([item], turn.calls, turn.tools)[0]
    return item


def _completed(item: ToolCallOutputItem) -> bool:
    """An output the model would have read: a value (``None`` too), or an error worded for the model. A call that
    failed the run, or was cancelled, ends with no output and an error type."""
    return item.output is not None or item.error_type is None


def _replace_tail(target: list[Any], start: int, kept: list[Any]) -> None:
    """``target[start:]`` replaced by ``kept``, in place (the conversation's lists are shared)."""
    del target[start:]
    target.extend(kept)


def _run_items(turn: list[RunItem], plan: list[tuple[str, Any]]) -> list[RunItem]:
    """The kept run items in the model's order. The turn's run items are not in it (reasoning is made when the
    answer is read, a call's item when its span starts), so each kept entry is found by its kind: reasoning by its
    place among the turn's reasoning items, a call by its id, a provider-run call by its data."""
    reasoning = [item for item in turn if type(item) is ReasoningItem]
    calls = {item.call.tool_call_id: item for item in turn if type(item) is ToolCallItem}
    hosted: dict[int, RunItem] = {id(item.data): item for item in turn if isinstance(item, HostedToolCallItem)}
    for entry in turn:  # tool search items are not in RunItem's union (model_answer appends them as they are)
        searched: object = entry
        if isinstance(searched, ToolSearchCallItem | ToolSearchOutputItem):
            hosted[id(searched.raw)] = entry
    kept: list[RunItem] = []
    for kind, key in plan:
        found: RunItem | None
        if kind == "reasoning":
            found = reasoning[key] if key < len(reasoning) else None
        else:
            found = calls.get(key) if kind == "call" else hosted.get(key)
        if found is not None:
            kept.append(found)
    return kept
