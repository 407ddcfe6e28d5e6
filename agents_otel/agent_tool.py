"""An agent used as a tool (``Agent.as_tool``): the ``FunctionTool`` it becomes, and the nested run each call is.

The nested run is a run of its own (its own ``RunState``, items and result) traced as children of the calling
``execute_tool`` span, whose tool events are forwarded to the enclosing run's stream. What it runs under follows the
OpenAI Agents SDK: ``as_tool(run_config=...)`` if given, else the enclosing run's ``RunConfig``; ``hooks``,
``session``, ``previous_response_id`` and ``conversation_id`` are the nested run's own, as if it were started with
``Runner.run(...)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .agent_tool_input import AgentToolInput
from .conversation import server_conversation
from .event_stream import EventStream
from .exceptions import UserError
from .input_items import RunInput
from .items import MessageOutputItem, ToolCallOutputItem
from .lifecycle import validate_run_hooks
from .models.interface import Usage
from .result import AgentToolInvocation
from .run_config import DEFAULT_MAX_TURNS, RunConfig
from .run_engine import run_agent
from .run_resume_state import RunState as ResumeState
from .run_runtime import RunRuntime
from .tool import FunctionTool, GuardedInvoker, NeedsApproval, ToolEnabled, function_tool
from .tool_approvals import NESTED_PAUSED
from .tool_context import ToolContext, tool_call_of
from .tool_errors import ToolErrorFunction
from .tool_origin import ToolOrigin, ToolOriginType, mark_origin, mark_tool_agent
from .tool_use_behavior import runs_llm_again
from .tracing.content import capture_content_for
from .tracing.provider import resolve_tracer_provider, tracer_for

if TYPE_CHECKING:
    from .agent import Agent, OnStream, OutputExtractor
    from .agent_tool_input import StructuredToolInputBuilder
    from .lifecycle import RunHooksBase
    from .result import RunResult
    from .sessions import Session

logger = logging.getLogger("agents_otel.run")  # where these messages were always logged


@dataclass(frozen=True, slots=True)
class NestedRunOptions:
    """What each call's nested run is started with (``as_tool``'s arguments, checked once)."""

    on_stream: OnStream | None = None
    max_turns: int | None = None
    run_config: RunConfig | None = None
    hooks: RunHooksBase[Any, Any] | None = None
    session: Session | None = None
    previous_response_id: str | None = None
    conversation_id: str | None = None
    max_pending: int | None = 1024
    """``on_stream_max_pending_events``: how many events may wait for ``on_stream`` (``None``: any number)."""


class OnStreamBacklogError(RuntimeError):
    """An agent tool's ``on_stream`` callback fell more than ``on_stream_max_pending_events`` events behind its
    inner run: the inner run ends and the call fails (through ``failure_error_function``), as in the SDK."""


def agent_tool(
    agent: Agent[Any],
    *,
    name: str,
    description: str,
    custom_output_extractor: OutputExtractor | None,
    is_enabled: ToolEnabled,
    failure_error_function: ToolErrorFunction | None,
    needs_approval: NeedsApproval,
    options: NestedRunOptions,
    parameters: Any,
    input_builder: StructuredToolInputBuilder | None,
    include_input_schema: bool,
) -> FunctionTool:
    """``agent.as_tool(...)``. Everything that cannot work is an error here, where the tool is made."""
    limit = options.max_pending
    if limit is not None and (type(limit) is not int or limit <= 0):
        raise UserError(f"on_stream_max_pending_events must be a positive integer or None, got {limit!r}")
    if options.run_config is not None and not isinstance(options.run_config, RunConfig):
        raise UserError(f"as_tool run_config must be a RunConfig, got {type(options.run_config).__name__}")
    validate_run_hooks(options.hooks)
    # The session / server-state combinations, checked now against the run_config given (the enclosing run's is
    # only known per call, when they are checked again).
    server_conversation(
        agent, options.run_config or RunConfig(), options.session, options.previous_response_id, False,
        options.conversation_id,
    )

    async def finish(result: RunResult) -> Any:
        if custom_output_extractor is None:
            return default_tool_output(result)
        output = custom_output_extractor(result)
        return await output if inspect.isawaitable(output) else output

    if parameters is None and input_builder is None:

        async def run_agent_tool(ctx: ToolContext[Any], input: str) -> Any:
            result = await run_nested(agent, input, ctx, options)
            return NESTED_PAUSED if result.interruptions else await finish(result)

        tool = function_tool(
            name_override=name,
            description_override=description,
            is_enabled=is_enabled,
            failure_error_function=failure_error_function,
            needs_approval=needs_approval,
        )(run_agent_tool)
        mark_origin(tool, ToolOrigin(ToolOriginType.AGENT_AS_TOOL, agent_name=agent.name, agent_tool_name=name))
        mark_tool_agent(tool, agent)
        return tool

    tool_input = AgentToolInput(name, parameters, input_builder, include_input_schema)

    async def run_structured(ctx: ToolContext[Any] | None, arguments: str) -> Any:
        assert ctx is not None  # takes_context=True: the runtime always passes one
        params, inner_input = await tool_input.run_input(arguments)
        result = await run_nested(agent, inner_input, ctx, options, params)
        return NESTED_PAUSED if result.interruptions else await finish(result)

    tool = FunctionTool(
        name=name,
        description=description,
        params_json_schema=tool_input.params_json_schema,
        on_invoke_tool=GuardedInvoker(run_structured, True),
        is_enabled=is_enabled,
        failure_error_function=failure_error_function,
        needs_approval=needs_approval,
    )
    mark_origin(tool, ToolOrigin(ToolOriginType.AGENT_AS_TOOL, agent_name=agent.name, agent_tool_name=name))
    mark_tool_agent(tool, agent)
    return tool


async def run_nested(
    agent: Agent[Any], input: RunInput, ctx: ToolContext[Any], options: NestedRunOptions, params: Any = None
) -> RunResult:
    """Run ``agent`` inside the tool call ``ctx`` (agent-as-tool). ``params``: the structured arguments of an
    ``as_tool(parameters=...)`` / ``input_builder=`` tool, which every context of the nested run shows as
    ``tool_input`` (``None`` for the plain free-text tool, as in the SDK).

    A nested run that stops for approvals is kept in the enclosing run (``nested_paused``), whose turn then stops
    too; the enclosing run, resumed, calls this tool again with the same call id, and the nested run resumes."""
    outer = tool_call_of(ctx).run
    call = ctx._call_record()
    turns = DEFAULT_MAX_TURNS if options.max_turns is None else options.max_turns
    config = options.run_config or outer.config
    server = server_conversation(
        agent, config, options.session, options.previous_response_id, False, options.conversation_id
    )
    run_input: RunInput | ResumeState[Any] = input
    if outer.nested_resume is not None:
        paused = outer.nested_resume.pop(ctx.tool_call_id, None)
        if paused is not None:  # its usage is in the enclosing run's already: not counted twice
            run_input = ResumeState(dataclasses.replace(paused, usage=Usage()))

    async def start(run: RunRuntime) -> RunResult:
        result = await run_agent(
            agent, run_input, run, turns, hooks=options.hooks, session=options.session, server=server
        )
        result.agent_tool_invocation = AgentToolInvocation(ctx.tool_name, ctx.tool_call_id, ctx.tool_arguments)
        if not runs_llm_again(tool_call_of(ctx).agent.tool_use_behavior):  # its tool results are judged
            if outer.nested_results is None:
                outer.nested_results = {}
            outer.nested_results[ctx.tool_call_id] = result
        paused = result.__dict__.get("_paused")
        if paused is not None:
            if outer.nested_paused is None:
                outer.nested_paused = {}
            outer.nested_paused[ctx.tool_call_id] = paused
        return result

    on_stream = options.on_stream
    if on_stream is None:
        return await start(_nested_run(outer, ctx, options.run_config, params, stream=None))

    stream = EventStream(asyncio.get_running_loop(), config.max_buffered_events)
    nested = _nested_run(outer, ctx, options.run_config, params, stream=stream)
    task = asyncio.get_running_loop().create_task(start(nested))
    task.add_done_callback(lambda _: stream.close())
    failures, limit = 0, options.max_pending
    try:
        while batch := await stream.get_batch():
            for index, event in enumerate(batch):
                arrived = len(stream)
                failures += await _deliver(on_stream, {"event": event, "agent": agent, "tool_call": call}, failures)
                # The backlog builds only while the callback waits and the inner run goes on (the SDK's handler
                # task); a burst a callback that does not wait takes in stride never counts, as there.
                if limit is not None and len(stream) > arrived and len(batch) - index - 1 + len(stream) > limit:
                    raise OnStreamBacklogError(
                        f"Agent tool on_stream backlog exceeded on_stream_max_pending_events={limit}. Use a faster "
                        "handler, increase the limit, or set it to None."
                    )
        return await task
    finally:
        if failures:
            tool_call_of(ctx).span.set_attribute(ON_STREAM_ERRORS, failures)
            if failures > 1:
                logger.warning("as_tool on_stream callback raised %d times in call %s", failures, ctx.tool_call_id)
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def _nested_run(
    outer: RunRuntime, ctx: ToolContext[Any], run_config: RunConfig | None, params: Any, *, stream: EventStream | None
) -> RunRuntime:
    """The nested run's state. Without a ``run_config`` of its own it runs under the enclosing run's, as in the
    SDK. With one, that config decides content capture, and a ``tracer_provider`` or ``tracing_disabled`` of its
    own; otherwise its spans go where the enclosing run's go (children of the ``execute_tool`` span either way)."""
    tracer, capture = outer.tracer, outer.capture_content
    if run_config is not None:
        capture = capture_content_for(run_config)
        if run_config.tracer_provider is not None or run_config.tracing_disabled:
            tracer = tracer_for(resolve_tracer_provider(run_config))
    return RunRuntime(
        config=run_config or outer.config,
        tracer=tracer,
        capture_content=capture,
        context=outer.context,
        stream=stream,
        forward=outer,
        parent_tool_call_id=ctx.tool_call_id,
        usage=outer.usage,
        tool_input=params,
    )


ON_STREAM_ERRORS = "agents_otel.on_stream.errors"
"""Attribute on the agent-as-tool's ``execute_tool`` span: how many events its ``on_stream`` callback raised on."""


async def _deliver(on_stream: Callable[[Any], Any], payload: Any, failed_before: int) -> int:
    """1 if the callback raised, else 0. A callback raising on every event would log thousands of tracebacks per
    call: the first is logged in full, the rest only counted (a summary at the end of the call)."""
    try:
        result = on_stream(payload)
        if result is not None and asyncio.iscoroutine(result):
            await result
    except Exception:
        if not failed_before:
            logger.exception(
                "as_tool on_stream callback raised; the run goes on (further errors of this call are counted)"
            )
        return 1
    return 0


def default_tool_output(result: RunResult) -> Any:
    """What an agent tool answers without a ``custom_output_extractor``, as in the SDK: the inner run's final
    output; when that is empty (``""`` or ``None``), the last non-empty message text or text tool output of the run
    instead, so a worker that answered in a tool call is not read as having said nothing. Not when output
    guardrails checked the final output (SDK 0.23, "preserve guarded final outputs in agent tools"): the
    intermediate items were never checked, and falling back to them would pass on what the guardrail stood for."""
    final = result.final_output
    if (final is not None and not (isinstance(final, str) and final == "")) or result.output_guardrail_results:
        return final
    for item in reversed(result.new_items):
        if isinstance(item, MessageOutputItem) and item.text:
            return item.text
        if isinstance(item, ToolCallOutputItem) and isinstance(item.output, str) and item.output:
            return item.output
    return final
