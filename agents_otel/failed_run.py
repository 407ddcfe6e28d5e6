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
``failure_error_function`` worded. It is judged by the run items the calls left, so the tool path does nothing for
this: the work is done here, once, after a run has already failed. A turn with another kind of call (custom, shell,
apply_patch, a program's) or a server-managed conversation is left as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .exceptions import AgentsOtelError
from .hosted_tools import HostedToolCallItem
from .items import FunctionCall, ReasoningItem, ToolCallItem, ToolCallOutputItem
from .run_setup import error_details

if TYPE_CHECKING:
    from .agent import Agent
    from .agent_loop import AgentLoop
    from .conversation_items import ConversationItem
    from .items import RunItem

logger = logging.getLogger("agents_otel")


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


async def record_failure(loop: AgentLoop, agent: Agent[Any], error: Exception) -> None:
    """The run failed with ``error``: an open turn is cut to its completed calls (and saved), then our errors get
    ``run_data``, what the run had done, as the SDK's ``error.run_data``."""
    if loop.open_turn is not None:
        await keep_completed_calls(loop, loop.open_turn)
    if isinstance(error, AgentsOtelError):
        error.run_data = error_details(loop, agent)


async def keep_completed_calls(loop: AgentLoop, turn: OpenTurn) -> None:
    """Cut the failed ``turn`` down to its completed calls and their outputs, and save that to the session. Called
    only when the run failed with the turn open."""
    loop.open_turn = None
    conversation = loop.conversation
    if turn.stand_ins or conversation.server is not None:
        return
    run = loop.run
    calls, turn_start = turn.calls, turn.turn_start
    turn_items = run.run_items()[turn_start:]
    outputs = {
        item.call.tool_call_id: item for item in turn_items if type(item) is ToolCallOutputItem and _completed(item)
    }
    ours = {call.call_id for call in calls}
    history = conversation.history
    start = turn.history_start
    kept_history: list[ConversationItem] = []
    plan: list[tuple[str, Any]] = []  # the kept items in the model's order: ("reasoning", place) / ("call", id) ...
    waiting: list[tuple[int, ConversationItem]] = []
    reasoning_seen = 0
    for item in history[start:]:
        data = getattr(item, "data", None)
        if isinstance(data, dict) and data.get("type") == "reasoning":
            waiting.append((reasoning_seen, item))
            reasoning_seen += 1
            continue
        if isinstance(item, FunctionCall):
            entry: tuple[str, Any] | None = ("call", item.call_id) if item.call_id in outputs else None
        elif isinstance(data, dict) and data.get("status") == "completed" and data.get("call_id") not in ours:
            entry = ("hosted", id(data))  # a call the provider ran (web search, ...) and says completed
        else:
            entry = None
        if entry is not None:
            plan.extend(("reasoning", place) for place, _ in waiting)
            kept_history.extend(reasoning for _, reasoning in waiting)
            plan.append(entry)
            kept_history.append(item)
        waiting.clear()  # reasoning belongs to the item after it, kept or not
    answered = [outputs[call.call_id] for call in calls if call.call_id in outputs]
    if not plan and not answered:  # nothing completed: the failed run's record stays as it was
        return
    kept_history.extend(output.conversation_item() for output in answered)
    tail = len(history) - start
    _replace_tail(history, start, kept_history)
    if conversation.unsaved is not None and len(conversation.unsaved) >= tail:
        _replace_tail(conversation.unsaved, len(conversation.unsaved) - tail, kept_history)
    _replace_tail(run.items, turn_start, [*_run_items(turn_items, plan), *answered])
    try:
        await loop.save_turn()
    except Exception:  # the tool's failure is the run's error; this one is logged
        logger.exception("agents_otel: saving the failed turn's completed tool calls to the session failed")


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
    hosted = {id(item.data): item for item in turn if isinstance(item, HostedToolCallItem)}
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
