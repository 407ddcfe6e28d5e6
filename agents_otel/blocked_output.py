"""A tool's output that an output guardrail rejected, withheld from what the run keeps (as in the OpenAI Agents SDK).

Why: with ``tool_use_behavior="stop_on_first_tool"`` (or ``StopAtTools``, or a function) a tool's output *is* the
final output, so an output guardrail that rejects it rejects something the run has already recorded. The tool ran,
and a later run must know that (or it may run it again), but must not read what it returned. So when the tripwire
fires, the run keeps the call and puts a placeholder in place of its output: in ``new_items`` (and so the error's
``run_data``), in the conversation and the session (saved now, as the turn would have been), in the error's guardrail
result (``agent_output`` the placeholder, ``output_info`` ``None``, as every result of that check) and in the turn's
tool output guardrail results. The placeholder is ``RunConfig.output_guardrail_blocked_message`` (a string, or a
synchronous formatter of :class:`~agents_otel.OutputGuardrailBlockedMessageArgs`), else the SDK's default text.

What it does not recall: stream events already delivered (the tool's ``tool_output`` event) and spans already
recorded (the ``execute_tool`` span's result, under content capture) keep the output, as they did before the check.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from .computer import ComputerScreenshot
from .exceptions import OutputGuardrailTripwireTriggered
from .guardrails import GuardrailFunctionOutput, OutputGuardrailResult
from .items import FunctionCallOutput, ToolCallOutputItem
from .run_config import OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT, OutputGuardrailBlockedMessageArgs
from .tool_guardrails import ToolGuardrailFunctionOutput, ToolOutputGuardrailResult

if TYPE_CHECKING:
    from .agent import Agent
    from .agent_loop import AgentLoop
    from .context_wrapper import RunContextWrapper
    from .run_config import RunConfig

logger = logging.getLogger(__name__)


async def withhold_on_trip(
    loop: AgentLoop, agent: Agent[Any], check: Coroutine[Any, Any, None], turn: tuple[int, int]
) -> None:
    """Await ``check`` (the output guardrails on a final output a tool of this turn produced); if a tripwire fires,
    withhold the turn's tool outputs as the module says, save the turn, and let the error go on. ``turn``: where the
    turn's run items and its tool output guardrail results start."""
    first = len(loop.output_guardrail_results)
    try:
        await check
    except OutputGuardrailTripwireTriggered as tripwire:
        run = loop.run
        placeholder = blocked_message(run.config, tripwire, agent, loop.wrapper)
        _withhold_guardrail_results(loop.output_guardrail_results, first, tripwire, placeholder)
        items_start, guard_start = turn
        withheld = _withhold_items(run.run_items(), items_start, placeholder)
        _withhold_conversation(loop, withheld, placeholder)
        results = run.tool_output_guardrail_results
        results[guard_start:] = [_withheld_tool_result(r, placeholder) for r in results[guard_start:]]
        await loop.save_turn()
        raise


def blocked_message(
    config: RunConfig, tripwire: OutputGuardrailTripwireTriggered, agent: Agent[Any], wrapper: RunContextWrapper[Any]
) -> str:
    """The placeholder: the configured string, or what the formatter returns; the default when it returns ``None``,
    something other than a non-empty string, or an awaitable (closed unawaited: it runs while the output is being
    withheld, as in the SDK), or raises (logged by type only: its message may quote what was withheld)."""
    configured = config.output_guardrail_blocked_message
    if configured is None:
        return OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT
    if type(configured) is str:
        return configured
    args = OutputGuardrailBlockedMessageArgs(
        default_message=OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT,
        guardrail_name=tripwire.guardrail_result.guardrail.get_name(),
        agent=agent,
        run_context=wrapper,
    )
    try:
        text: Any = configured(args)  # type: ignore[operator]
    except (Exception, asyncio.CancelledError) as exc:
        logger.warning("agents_otel: output_guardrail_blocked_message raised %s; the default text is used",
                       type(exc).__name__)
        return OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT
    if inspect.iscoroutine(text):
        with contextlib.suppress(Exception):  # a coroutine whose cleanup raises: still the default
            text.close()
        text = None
    if text is None:
        return OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT
    if type(text) is not str or not text:
        logger.warning("agents_otel: output_guardrail_blocked_message returned %s, not a non-empty str; the default "
                       "text is used", type(text).__name__)
        return OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT
    return text


def _withhold_guardrail_results(
    results: list[OutputGuardrailResult], first: int, tripwire: OutputGuardrailTripwireTriggered, placeholder: str
) -> None:
    """Every result of this check, and the error's, without the output or the guardrails' ``output_info``."""
    rebuilt: dict[int, OutputGuardrailResult] = {}

    def withheld(result: OutputGuardrailResult) -> OutputGuardrailResult:
        if id(result) not in rebuilt:
            verdict = GuardrailFunctionOutput(output_info=None, tripwire_triggered=result.output.tripwire_triggered)
            rebuilt[id(result)] = OutputGuardrailResult(result.guardrail, placeholder, result.agent, verdict)
        return rebuilt[id(result)]

    results[first:] = [withheld(r) for r in results[first:]]
    tripwire.guardrail_result = withheld(tripwire.guardrail_result)


def _withhold_items(items: list[Any], start: int, placeholder: str) -> set[str]:
    """The turn's function tool outputs in ``items`` replaced by the placeholder; returns their call ids."""
    withheld: set[str] = set()
    for index in range(start, len(items)):
        item = items[index]
        if type(item) is ToolCallOutputItem and not isinstance(item.output, ComputerScreenshot):
            items[index] = dataclasses.replace(item, output=placeholder, custom_data=None)
            withheld.add(item.call.tool_call_id)
    return withheld


def _withhold_conversation(loop: AgentLoop, call_ids: set[str], placeholder: str) -> None:
    """The same outputs in what the next model call would read and in what the session has yet to get (the same
    objects, so each is replaced in both)."""
    conversation = loop.conversation
    replaced: dict[int, FunctionCallOutput] = {}
    history = conversation.history
    for index in range(len(history) - 1, -1, -1):
        item = history[index]
        if type(item) is FunctionCallOutput and item.call_id in call_ids:
            history[index] = replaced[id(item)] = FunctionCallOutput(item.call_id, placeholder)
            call_ids = call_ids - {item.call_id}
            if not call_ids:
                break
    unsaved = conversation.unsaved
    if unsaved is not None:
        unsaved[:] = [replaced.get(id(item), item) for item in unsaved]


def _withheld_tool_result(result: ToolOutputGuardrailResult, placeholder: str) -> ToolOutputGuardrailResult:
    """A tool output guardrail's verdict on a withheld output: its decision kept, what it reported replaced (it may
    quote the output), as in the SDK."""
    kind = result.output.behavior["type"]
    if kind == "reject_content":
        verdict = ToolGuardrailFunctionOutput.reject_content(placeholder, output_info=placeholder)
    elif kind == "raise_exception":
        verdict = ToolGuardrailFunctionOutput.raise_exception(output_info=placeholder)
    else:
        verdict = ToolGuardrailFunctionOutput.allow(output_info=placeholder)
    return ToolOutputGuardrailResult(result.guardrail, verdict)
