"""The agent loop and ``Runner``: model -> tool calls (concurrently) -> outputs back to the model -> ...

Every run is an ``invoke_agent {name}`` span; the loop records nothing about tools itself, because tool
lifecycle and progress are derived from each tool call's record in one place, ``tool_events``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind

from .event_stream import EventStream
from .exceptions import MaxTurnsExceeded, UserError
from .items import AssistantMessage, ConversationItem, FunctionCall, MessageOutputItem, UserMessage
from .model_call import call_model
from .models import resolve_model
from .models.interface import ModelRequest, ModelResponse, ModelSettings, Usage
from .result import RunResult, RunResultStreaming
from .run_config import RunConfig
from .run_state import RunState
from .stream_events import AgentUpdatedStreamEvent, RunItemStreamEvent
from .tool_context import tool_call_of
from .tool_execution import execute_tool_calls
from .tracing import attributes as A
from .tracing.content import capture_content_from_env
from .tracing.ids import trace_id_hex
from .tracing.provider import resolve_tracer_provider, tracer_for
from .tracing.spans import SpanScope

if TYPE_CHECKING:
    from .agent import Agent, OnStream
    from .tool_context import ToolContext

logger = logging.getLogger(__name__)

DEFAULT_MAX_TURNS = 10


class Runner:
    """Runs agents: the OpenAI Agents SDK's entry points, with every run traced as OpenTelemetry spans.

    A run is the loop *model → tool calls (concurrently) → tool outputs back to the model*, until the model answers
    without calling a tool or ``max_turns`` model calls were made (:class:`MaxTurnsExceeded`). The run is an
    ``invoke_agent {agent}`` span, each model call a ``chat {model}`` span and each tool call an
    ``execute_tool {tool}`` span, on ``run_config.tracer_provider`` or the global provider.
    """

    @classmethod
    async def run(
        cls,
        starting_agent: Agent[Any],
        input: str | list[ConversationItem],
        *,
        context: Any = None,
        max_turns: int = DEFAULT_MAX_TURNS,
        run_config: RunConfig | None = None,
    ) -> RunResult:
        """Run ``starting_agent`` on ``input`` to its final output.

        ``input`` is the user's message, or a list of conversation items (e.g. ``result.to_input_list()`` of an
        earlier run plus a new message). ``context`` is any object of the application's: tools receive it as
        ``ToolContext.context``. Tool progress is recorded on the trace even though nothing streams.
        """
        run = _new_run(run_config or RunConfig(), context, stream=None)
        return await run_agent(starting_agent, input, run, max_turns)

    @classmethod
    def run_sync(
        cls,
        starting_agent: Agent[Any],
        input: str | list[ConversationItem],
        *,
        context: Any = None,
        max_turns: int = DEFAULT_MAX_TURNS,
        run_config: RunConfig | None = None,
    ) -> RunResult:
        """:meth:`run` for code without an event loop (scripts, notebooks without one): runs a loop of its own.

        Raises :class:`UserError` when called from a running loop, where it would deadlock; await :meth:`run`.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(
                cls.run(starting_agent, input, context=context, max_turns=max_turns, run_config=run_config)
            )
        raise UserError("Runner.run_sync() cannot be called from a running event loop; await Runner.run() instead")

    @classmethod
    def run_streamed(
        cls,
        starting_agent: Agent[Any],
        input: str | list[ConversationItem],
        *,
        context: Any = None,
        max_turns: int = DEFAULT_MAX_TURNS,
        run_config: RunConfig | None = None,
    ) -> RunResultStreaming:
        """Start the run and return at once; iterate ``result.stream_events()`` to watch it as it happens.

        Events arrive in the order they happened: text deltas, one ``tool_called`` per tool call, its
        ``ToolProgressStreamEvent``s live while it runs, its ``tool_output`` the moment it finishes. Leaving the
        iteration early (or ``result.cancel()``) cancels the run.
        """
        config = run_config or RunConfig()

        def prepare(stream: EventStream) -> RunState:
            return _new_run(config, context, stream=stream)

        def execute(run: RunState) -> Coroutine[Any, Any, RunResult]:
            return run_agent(starting_agent, input, run, max_turns)

        return RunResultStreaming(starting_agent, input, prepare, execute, config.max_buffered_events)


def _new_run(
    config: RunConfig,
    context: Any,
    *,
    stream: EventStream | None,
    forward: RunState | None = None,
    parent_tool_call_id: str | None = None,
) -> RunState:
    capture = config.capture_content if config.capture_content is not None else capture_content_from_env()
    return RunState(
        config=config,
        tracer=tracer_for(resolve_tracer_provider(config.tracer_provider)),
        capture_content=capture,
        context=context,
        stream=stream,
        forward=forward,
        parent_tool_call_id=parent_tool_call_id,
    )


async def run_agent(
    agent: Agent[Any], input: str | list[ConversationItem], run: RunState, max_turns: int
) -> RunResult:
    config = run.config
    model = resolve_model(agent.model, config.model)
    settings = (config.model_settings or ModelSettings()).resolve(agent.model_settings)
    span = run.tracer.start_span(
        f"{A.OP_INVOKE_AGENT} {agent.name}",
        kind=SpanKind.INTERNAL,
        attributes={
            A.GEN_AI_OPERATION_NAME: A.OP_INVOKE_AGENT,
            A.GEN_AI_AGENT_NAME: agent.name,
            A.GEN_AI_PROVIDER_NAME: model.provider_name,
            A.GEN_AI_REQUEST_MODEL: model.model_name,
        },
    )
    if config.conversation_id is not None:
        span.set_attribute(A.GEN_AI_CONVERSATION_ID, config.conversation_id)
    run.trace_id = trace_id_hex(span.get_span_context().trace_id)
    history: list[ConversationItem] = [UserMessage(input)] if isinstance(input, str) else list(input)
    items = run.items
    responses: list[ModelResponse] = []
    usage = Usage()
    tools = {t.name: t for t in agent.tools}
    specs = [t.spec for t in agent.tools]
    with SpanScope(span):
        run.emit(AgentUpdatedStreamEvent(agent))
        for _ in range(max_turns):
            if agent.mcp_servers:  # MCP servers may change their tools between turns
                turn_tools = await agent.get_all_tools()
                tools = {t.name: t for t in turn_tools}
                specs = [t.spec for t in turn_tools]
            request = ModelRequest(agent.instructions, list(history), specs, settings)
            response = await call_model(model, request, run, agent.name)
            responses.append(response)
            usage.add(response.usage)
            calls: list[FunctionCall] = []
            text: str | None = None
            for out in response.output:
                history.append(out)
                if isinstance(out, FunctionCall):
                    calls.append(out)
                elif isinstance(out, AssistantMessage):
                    text = out.content
                    message = MessageOutputItem(out.content, agent.name)
                    items.append(message)
                    run.emit(RunItemStreamEvent("message_output_created", message))
            if not calls:
                final_output = text if text is not None else ""
                break
            history.extend(await execute_tool_calls(run, agent, calls, tools))
        else:
            raise MaxTurnsExceeded(max_turns)
        span.set_attributes(
            {
                A.GEN_AI_USAGE_INPUT_TOKENS: usage.input_tokens,
                A.GEN_AI_USAGE_OUTPUT_TOKENS: usage.output_tokens,
            }
        )
    return RunResult(
        input=input,
        final_output=final_output,
        last_agent=agent,
        new_items=items,
        raw_responses=responses,
        history=history,
        usage=usage,
        trace_id=run.trace_id,
        progress_dropped=run.progress_dropped,
    )


async def run_nested(
    agent: Agent[Any], input: str, ctx: ToolContext[Any], on_stream: OnStream | None, max_turns: int
) -> Any:
    """Run ``agent`` inside the tool call ``ctx`` (agent-as-tool); return its final output."""
    outer = tool_call_of(ctx).run
    call = FunctionCall(ctx.tool_name, ctx.tool_arguments, ctx.tool_call_id)
    if on_stream is None:
        run = _nested_run(outer, ctx, stream=None)
        return (await run_agent(agent, input, run, max_turns)).final_output

    stream = EventStream(asyncio.get_running_loop(), outer.config.max_buffered_events)
    run = _nested_run(outer, ctx, stream=stream)
    task = asyncio.get_running_loop().create_task(run_agent(agent, input, run, max_turns))
    task.add_done_callback(lambda _: stream.close())
    try:
        while batch := await stream.get_batch():
            for event in batch:
                await _deliver(on_stream, {"event": event, "agent": agent, "tool_call": call})
        return (await task).final_output
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def _nested_run(outer: RunState, ctx: ToolContext[Any], *, stream: EventStream | None) -> RunState:
    return RunState(
        config=outer.config,
        tracer=outer.tracer,
        capture_content=outer.capture_content,
        context=outer.context,
        stream=stream,
        forward=outer,
        parent_tool_call_id=ctx.tool_call_id,
    )


async def _deliver(on_stream: OnStream, payload: Any) -> None:
    try:
        result = on_stream(payload)
        if result is not None and asyncio.iscoroutine(result):
            await result
    except Exception:
        logger.exception("as_tool on_stream callback raised; the run goes on")
