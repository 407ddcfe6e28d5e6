"""Running the tool calls of one model turn: concurrently, each inside its ``execute_tool`` span.

Each call reports its own ``tool_output`` the moment it finishes (its span ends), not when the whole batch does.
Errors become text the model reads; only ``failure_error_function=None`` lets an exception fail the run, and
then the sibling calls are cancelled rather than left running.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from opentelemetry import context as context_api
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind

from . import lifecycle
from .computer import ComputerScreenshot
from .content_guard import exception_scrub, guard_attributes
from .custom_tool import call_custom_data
from .exceptions import (
    AgentsOtelError,
    ToolNotFoundError,
    ToolOutputError,
    UserError,
)
from .items import FunctionCall, FunctionCallOutput, ProgramCall
from .local_tool_run import ItemText, LocalFunction
from .safe_json import holds_iterator
from .tool import FunctionTool, GuardedInvoker, StandInTool
from .tool_approvals import DEFAULT_REJECTION_MESSAGE, NESTED_PAUSED, RESUMED, Verdict, end_paused
from .tool_call import ToolCall
from .tool_call_identity import mark_program
from .tool_errors import format_tool_error, formats_tool_exception, tool_error_output
from .tool_guardrail_run import GuardrailAnswer, check_tool_input, check_tool_output
from .tool_output_types import ToolOutputContent, model_output, parts_trace_json
from .tool_timeouts import supervised, tool_cancelled_error
from .tracing import attributes as A
from .tracing.processor import TOOL_CALL_CONTEXT_KEY
from .tracing.spans import SPAN_KEY, record_error_type, record_outcome

if TYPE_CHECKING:
    from .agent import Agent
    from .run_runtime import RunRuntime


async def execute_tool_calls(
    run: RunRuntime,
    agent: Agent[Any],
    calls: list[FunctionCall],
    tools: dict[str, FunctionTool],
    verdicts: dict[str, Verdict] | None = None,
    stand_ins: bool = False,
) -> list[FunctionCallOutput]:
    """``verdicts``: a person's decision on some of the calls (``tool_approvals``); ``None`` in a turn without.
    ``RunConfig.tool_execution.max_function_tool_concurrency``: at most that many calls in flight, the rest queued
    in the model's order, each started (its span too) as a running one ends. ``stand_ins``: some calls are a
    ``StandInTool``'s (a custom, shell or apply_patch tool): as in the SDK, the calls of one such tool run one
    after another in the model's order (two patches to one file must not race), beside everything else."""
    if len(calls) == 1 and verdicts is None:
        call = calls[0]
        tool = tools.get(call.name)
        found = execute_tool_call(run, agent, call, tool) if tool is not None else _not_found(run, agent, call, tools)
        return [FunctionCallOutput(call.call_id, await found)]
    execution = run.config.tool_execution
    limit = execution.max_function_tool_concurrency if execution is not None else None
    slots = asyncio.Semaphore(limit) if limit is not None and len(calls) > limit else None
    loop = asyncio.get_running_loop()
    batch = _Batch()
    tasks = batch.tasks
    serial: dict[int, asyncio.Semaphore] = {}  # a stand-in tool's turn: its calls one at a time
    for c in calls:
        tool = tools.get(c.name)
        # A keyword argument costs a slower call (and an unpassed keyword-only one a default lookup): only the rare
        # unknown-tool call passes one (the names offered); a call a person decided passes its verdict by position.
        if tool is None:
            coro = _not_found(run, agent, c, tools, batch)
        elif verdicts is None:
            coro = execute_tool_call(run, agent, c, tool, batch)
        else:
            coro = execute_tool_call(run, agent, c, tool, batch, verdicts.get(c.call_id))
        if slots is not None:
            coro = _in_slot(slots, coro)
        if stand_ins and isinstance(tool, StandInTool):  # one such tool's calls run one at a time
            coro = _in_slot(serial.get(id(tool)) or serial.setdefault(id(tool), asyncio.Semaphore(1)), coro)
        tasks.append(_start_task(loop, coro))
        if batch.error is not None:  # a call failed fatally in its first step: start no more
            break
    return await _collect(calls, batch)


async def _in_slot(slots: asyncio.Semaphore, coro: Coroutine[Any, Any, ToolOutputContent]) -> ToolOutputContent:
    """``coro`` once a slot is free. A call raises only when the turn ends (a fatal error, the run cancelled): it
    then keeps its slot, so no queued call starts in the moment before the turn cancels them (a call cancelled
    while queued never starts)."""
    try:
        await slots.acquire()
    except BaseException:
        coro.close()
        raise
    text = await coro
    slots.release()
    return text


async def _collect(calls: list[FunctionCall], batch: _Batch) -> list[FunctionCallOutput]:
    """The turn's outputs in call order. Awaiting the tasks in turn waits no longer than gather() (they all run
    concurrently) and costs less per call; fail-fast comes from _Batch.fail, which a call raising a fatal error uses
    to cancel its siblings."""
    tasks = batch.tasks
    try:
        if batch.error is not None:
            raise batch.error
        return [FunctionCallOutput(c.call_id, await t) for c, t in zip(calls, tasks, strict=True)]
    except BaseException as exc:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        me = asyncio.current_task()
        if batch.error is not None and isinstance(exc, asyncio.CancelledError) and me and not me.cancelling():
            raise batch.error from batch.error.__cause__  # a sibling was cancelled because of this error, not us
        raise


_EAGER_TASKS = sys.version_info >= (3, 12)
"""Python 3.12 can run a new Task's first step at once *in the Task's own context*: a call that never suspends
(most tools) then costs no trip through the event loop. On 3.11 the only way to run it at once is inside the
caller's task, where a tool body's ``asyncio.timeout``, ``TaskGroup`` or any cancel scope would bind to the wrong
task (the reverted 655e313): there each call gets an ordinary Task."""


def _start_task(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, ToolOutputContent]
) -> asyncio.Task[ToolOutputContent]:
    if _EAGER_TASKS:
        return asyncio.Task(coro, loop=loop, eager_start=True)  # type: ignore[call-arg,unused-ignore]
    return loop.create_task(coro)


class _Batch:
    """The tasks of one turn's parallel calls, so the first fatal tool error can cancel the rest at once."""

    __slots__ = ("error", "tasks")

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[ToolOutputContent]] = []
        self.error: BaseException | None = None

    def fail(self, error: BaseException) -> None:
        if self.error is None:
            self.error = error
            current = asyncio.current_task()
            for task in self.tasks:
                if task is not current:
                    task.cancel()


def _not_found(
    run: RunRuntime, agent: Agent[Any], call: FunctionCall, offered: Iterable[str], batch: _Batch | None = None
) -> Coroutine[Any, Any, ToolOutputContent]:
    return execute_tool_call(run, agent, call, None, batch, offered=offered)


async def execute_tool_call(
    run: RunRuntime,
    agent: Agent[Any],
    call: FunctionCall,
    tool: FunctionTool | None,
    batch: _Batch | None = None,
    approval: Verdict | None = None,
    *,
    offered: Iterable[str] = (),
) -> ToolOutputContent:
    """``offered``: the names the model was offered this turn, named to it when ``tool`` is ``None`` (disabled tools
    are not among them). ``approval``: a person's decision on this call; a rejected call never starts, the model
    reads the rejection message (no hooks, no guardrails, as in the SDK)."""
    name = call.name
    record = ToolCall(run, call, agent)
    attributes: dict[str, Any] = {
        A.GEN_AI_OPERATION_NAME: A.OP_EXECUTE_TOOL,
        A.GEN_AI_TOOL_NAME: name,
        A.GEN_AI_TOOL_CALL_ID: call.call_id,
        A.GEN_AI_TOOL_TYPE: "function",
        A.GEN_AI_AGENT_NAME: agent.name,
    }
    if tool is not None and tool.description:
        attributes[A.GEN_AI_TOOL_DESCRIPTION] = tool.description
    elif type(tool) is LocalFunction:  # a shell / apply_patch call (stand-ins have no description): its tool type
        attributes[A.GEN_AI_TOOL_TYPE] = tool.local.type
    if type(call) is ProgramCall:  # made by code the model wrote (ProgrammaticToolCallingTool)
        attributes[A.TOOL_CALLER] = "program"
        attributes[A.TOOL_PROGRAM_CALL_ID] = str(call.caller.get("caller_id", ""))
        mark_program(record.identity, call, tool.output_json_schema if tool is not None else None)  # items' caller
    if run.capture_content:
        attributes[A.GEN_AI_TOOL_CALL_ARGUMENTS] = call.arguments
        guard_attributes(run, attributes, name)
    hooked = tool is not None and (run.hooks is not None or agent.hooks is not None)
    # A tool with guardrails is judged inside its span (their spans nest under it), and its on_tool_start waits for
    # the input verdict, as in the SDK (a call a guardrail answers never starts); ``judging`` marks the awaits whose
    # exceptions fail the run as they are, not as the tool's error told to the model.
    guarded = tool is not None and (tool.tool_input_guardrails or tool.tool_output_guardrails)
    judging = False
    rejection: str | None = None
    if approval is RESUMED:  # an agent tool resuming its paused nested run: it started before it paused
        attributes[A.RUN_RESUMED] = True
    elif approval is not None:
        if type(approval) is GuardrailAnswer:  # answered by an input guardrail before it waited for approval
            attributes[A.TOOL_REJECTED_BY] = approval.guardrail
        else:
            attributes[A.TOOL_APPROVAL] = A.APPROVAL_APPROVED if approval[0] else A.APPROVAL_REJECTED
        if not approval[0]:
            rejection = approval[1]
            if rejection is None:  # as the SDK: the person's own message wins, then the formatter, then the default
                formatter = run.config.tool_error_formatter
                rejection = DEFAULT_REJECTION_MESSAGE
                if formatter is not None:
                    rejection = await format_tool_error(
                        formatter, record.tool_context(), call, "approval_rejected", rejection
                    )
            hooked = guarded = False
    if hooked and not guarded and approval is not RESUMED:
        assert tool is not None
        await lifecycle.tool_start(run.hooks, record.tool_context(), agent, tool)  # before the span: fails the run
    # In a run with a live stream the span starts in a context that carries the call's record, where the span
    # processor finds the listener it forwards the span's start and end to. A run nobody streams has nothing to
    # forward to: its span starts in the plain context and the call reports its own start and end (the path of a
    # span the SDK never saw), a context and two forwards less per call. Either way the body runs with the span
    # current in a context that carries the record (current_tool_context() reads it there), built in one step. The
    # scope is SpanScope's, inline (this runs on every call): the call's held-back progress is settled before
    # record_outcome records an error, and the call ends (reporting tool_output) only after its outcome is on the
    # span.
    parent = context_api.get_current()
    span = run.tracer.start_span(
        f"{A.OP_EXECUTE_TOOL} {name}",
        Context({**parent, TOOL_CALL_CONTEXT_KEY: record}) if run.listening else parent,
        SpanKind.INTERNAL,
        attributes,
    )
    record.start(span)
    token = context_api.attach(Context({**parent, SPAN_KEY: span, TOOL_CALL_CONTEXT_KEY: record}))
    try:
        try:
            if tool is None:
                raise ToolNotFoundError(f"Tool {name!r} not found. Available tools: {sorted(offered)}")
            stall = tool.stall_timeout if tool.stall_timeout is not None else run.config.tool_stall_timeout
            invoke = tool.on_invoke_tool
            if type(invoke) is GuardedInvoker:
                ctx = record.tool_context() if invoke.takes_context else None
                invoke = invoke.raw
            else:
                ctx = record.tool_context()
            if guarded and approval is not RESUMED:
                judging = True
                rejection = await check_tool_input(record, agent, tool)
                if rejection is None and hooked:
                    await lifecycle.tool_start(run.hooks, record.tool_context(), agent, tool)
                judging = False
            if rejection is not None:
                value = rejection  # answered by the guardrail (or a person): the tool never runs
                if type(call) is ProgramCall:
                    call.failed = True
            elif tool.timeout is None and stall is None and tool.idle_timeout is None:
                try:  # _invoke's rule, inline: one coroutine frame less per call
                    value = await invoke(ctx, call.arguments)  # type: ignore[arg-type]
                except asyncio.CancelledError as exc:
                    error = tool_cancelled_error(name, exc)
                    if error is None:
                        raise
                    raise error from exc
            else:
                value = await supervised(run, record, tool, invoke, ctx, call.arguments, stall)
            text: ToolOutputContent
            if type(value) is str:  # most tools: shown as it is
                text = value
            else:
                if value is NESTED_PAUSED:  # an agent tool whose nested run stopped for approvals: no output yet
                    return end_paused(record, span)  # type: ignore[no-any-return]
                if type(value) is ItemText:  # a local call's: the turn's answer gets the item, all else the text
                    text, value = value, str(value)
                    _keep_answer(run, call.call_id, text)
                elif holds_iterator(value):  # never consumed
                    raise ToolOutputError(
                        f"Tool {name!r} returned an iterator ({_iterator_name(value)}): return a list or a string "
                        "instead"
                    )
                else:
                    text = model_output(value)  # text, or a structured output's content parts
            if guarded and rejection is None and tool.tool_output_guardrails:
                judging = True
                judged = await check_tool_output(record, agent, tool, value)
                judging = False
                if judged is not value:
                    value = text = judged
                    if run.local_answers is not None:  # a local call's item no longer says what the model reads
                        run.local_answers.pop(call.call_id, None)
        finally:
            context_api.detach(token)
    except BaseException as exc:
        record.close()  # the held-back last progress event goes on the span before the exception event
        formatter = run.config.tool_error_formatter
        worded = formatter is not None and not judging and formats_tool_exception(tool, exc)
        # an exception the run's formatter words for the model stays out of the trace (as in the SDK): type only
        error_type = record_error_type(span, exc) if worded else record_outcome(span, exc, exception_scrub(run, name))
        if not isinstance(exc, Exception):  # cancelled (or interrupted): the call ends, the cancellation goes on
            record.finish(None, error_type)
            raise
        error_text = None if judging else await tool_error_output(tool, record.tool_context(), exc)
        if worded and error_text is not None and formatter is not None:
            try:
                error_text = await format_tool_error(
                    formatter, record.tool_context(), call, "tool_exception", error_text, exc
                )
            except BaseException as fault:
                record.finish(None, error_type)
                _fail(batch, fault)
                raise
        if tool is None and error_text is not None and run.config.tool_error_formatter is not None:
            try:  # the unknown-tool path only: a known tool's call never gets here with tool None
                error_text = await format_tool_error(
                    run.config.tool_error_formatter, record.tool_context(), call, "tool_not_found", error_text
                )
            except BaseException as fault:
                record.finish(None, error_type)
                _fail(batch, fault)
                raise
        if error_text is not None and tool is not None and tool.tool_output_guardrails:  # what the model would read
            try:
                error_text = await check_tool_output(record, agent, tool, error_text)
            except BaseException as fault:
                record.finish(None, error_type)
                _fail(batch, fault)
                raise
        if error_text is None:
            record.finish(None, error_type)
            # As the SDK: the run fails with the runtime's own errors (and a guardrail's or a hook's) as they are,
            # and with anything else the tool raised as a UserError naming the tool (the tool's exception is its
            # cause, and the span's error).
            fatal = exc if judging or isinstance(exc, AgentsOtelError) else _tool_failed(name, exc)
            _fail(batch, fatal)
            if fatal is exc:
                raise
            raise fatal from exc
        answer = error_text
        if type(error_text) is ItemText:  # a local call's failure: its item goes to the turn's answer only
            _keep_answer(run, call.call_id, error_text)
            error_text = str(error_text)
        record.finish(error_text, error_type)
        if type(call) is ProgramCall:
            call.failed = True
        if hooked:
            await lifecycle.tool_end(run.hooks, record.tool_context(), agent, tool, error_text)  # type: ignore[arg-type]
        return answer
    if run.capture_content:  # a screenshot is recorded as its type and size, never its bytes
        if type(value) is ComputerScreenshot:
            result = value.description
        else:
            result = text if isinstance(text, str) else parts_trace_json(text)
        span.set_attributes(guard_attributes(run, {A.GEN_AI_TOOL_CALL_RESULT: result}, name))
    if tool.custom_data_extractor is not None and rejection is None:
        try:  # before the span ends: the tool_output item carries it when it is made
            record.custom_data = await call_custom_data(tool, record.tool_context(), call, value, text)
        except BaseException as fault:
            record.finish(None, record_outcome(span, fault, exception_scrub(run, name)))
            _fail(batch, fault)
            raise
    record.finish(value, None)
    if hooked and rejection is None:
        await lifecycle.tool_end(run.hooks, record.tool_context(), agent, tool, value)
    return text


def _keep_answer(run: RunRuntime, call_id: str, text: str) -> None:
    """A local call's answer (its text carrying the output item), kept until its turn is saved: if a sibling fails
    the run, ``failed_run`` gives the session this item, which the run item's plain text cannot rebuild."""
    answers = run.local_answers
    if answers is None:
        answers = run.local_answers = {}
    answers[call_id] = text


def _fail(batch: _Batch | None, error: BaseException) -> None:
    if batch is not None and isinstance(error, Exception):
        batch.fail(error)


def _tool_failed(name: str, exc: BaseException) -> UserError:
    error = UserError(f"Error running tool {name}: {exc}")
    error.__cause__ = exc  # also when a sibling's task re-raises it (execute_tool_calls keeps the cause)
    return error


def _iterator_name(value: Any) -> str:
    return type(value).__name__ if isinstance(value, Iterator | AsyncIterator) else f"inside a {type(value).__name__}"
