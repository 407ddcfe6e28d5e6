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

from . import lifecycle
from .context_wrapper import RunContextWrapper
from .conversation import Conversation
from .event_stream import EventStream
from .exceptions import MaxTurnsExceeded, UserError
from .guardrail_run import InputChecks, check_output
from .handoff_run import perform_handoff
from .handoffs import Handoff, enabled_handoffs
from .items import (
    AssistantMessage,
    ConversationItem,
    FunctionCall,
    HandoffCallItem,
    MessageOutputItem,
    ToolCallOutputItem,
    UserMessage,
)
from .lifecycle import AgentHookContext
from .model_call import call_model
from .models import resolve_model
from .models.interface import Model, ModelRequest, ModelResponse, ModelSettings, Usage
from .output_schema import output_schema_for, schema_spec
from .response_items import from_response_items, to_response_items
from .result import RunResult, RunResultStreaming
from .run_config import RunConfig
from .run_state import RunState
from .stream_events import AgentUpdatedStreamEvent, RunItemStreamEvent
from .tool_context import tool_call_of
from .tool_execution import execute_tool_calls
from .tool_use_behavior import FunctionToolResult, runs_llm_again, tools_to_final_output
from .tracing import attributes as A
from .tracing.content import capture_content_from_env
from .tracing.conversation import with_conversation
from .tracing.ids import trace_id_hex
from .tracing.provider import resolve_tracer_provider, tracer_for
from .tracing.spans import SpanScope

if TYPE_CHECKING:
    from .agent import Agent, OnStream
    from .guardrails import InputGuardrailResult, OutputGuardrailResult
    from .lifecycle import RunHooksBase
    from .sessions import Session
    from .tool import FunctionTool
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
        hooks: RunHooksBase[Any, Any] | None = None,
        run_config: RunConfig | None = None,
        session: Session | None = None,
    ) -> RunResult:
        """Run ``starting_agent`` on ``input`` to its final output.

        ``input`` is the user's message, or a list of conversation items (e.g. ``result.to_input_list()`` of an
        earlier run plus a new message). ``context`` is any object of the application's: tools receive it as
        ``ToolContext.context``. Tool progress is recorded on the trace even though nothing streams.
        """
        hooks = lifecycle.validate_run_hooks(hooks)
        run = _new_run(run_config or RunConfig(), context, stream=None)
        return await run_agent(starting_agent, input, run, max_turns, hooks=hooks, session=session)

    @classmethod
    def run_sync(
        cls,
        starting_agent: Agent[Any],
        input: str | list[ConversationItem],
        *,
        context: Any = None,
        max_turns: int = DEFAULT_MAX_TURNS,
        hooks: RunHooksBase[Any, Any] | None = None,
        run_config: RunConfig | None = None,
        session: Session | None = None,
    ) -> RunResult:
        """:meth:`run` for code without an event loop (scripts, notebooks without one): runs a loop of its own.

        Raises :class:`UserError` when called from a running loop, where it would deadlock; await :meth:`run`.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(
                cls.run(
                    starting_agent,
                    input,
                    context=context,
                    max_turns=max_turns,
                    hooks=hooks,
                    run_config=run_config,
                    session=session,
                )
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
        hooks: RunHooksBase[Any, Any] | None = None,
        run_config: RunConfig | None = None,
        session: Session | None = None,
    ) -> RunResultStreaming:
        """Start the run and return at once; iterate ``result.stream_events()`` to watch it as it happens.

        Events arrive in the order they happened: text deltas, one ``tool_called`` per tool call, its
        ``ToolProgressStreamEvent``s live while it runs, its ``tool_output`` the moment it finishes. Leaving the
        iteration early (or ``result.cancel()``) cancels the run.
        """
        config = run_config or RunConfig()
        hooks = lifecycle.validate_run_hooks(hooks)

        def prepare(stream: EventStream) -> RunState:
            return _new_run(config, context, stream=stream)

        def execute(run: RunState) -> Coroutine[Any, Any, RunResult]:
            return run_agent(starting_agent, input, run, max_turns, hooks=hooks, session=session)

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
    agent: Agent[Any],
    input: str | list[ConversationItem],
    run: RunState,
    max_turns: int,
    *,
    hooks: RunHooksBase[Any, Any] | None = None,
    session: Session | None = None,
) -> RunResult:
    """The whole run: the starting agent's ``invoke_agent`` span, and inside it, each agent a handoff passes to."""
    run.hooks = hooks
    conversation_id = run.config.conversation_id or (session.session_id if session is not None else None)
    if conversation_id:
        run.tracer = with_conversation(run.tracer, conversation_id)
    new_input: list[ConversationItem] = [UserMessage(input)] if isinstance(input, str) else from_response_items(input)
    if session is not None:
        saved = from_response_items(await session.get_items())
        conversation = Conversation([*saved, *new_input], unsaved=list(new_input))
    else:
        start = input if isinstance(input, str) else None
        conversation = Conversation(new_input, unsaved=None, start=start)
    loop = _Loop(run, conversation, max_turns, session)
    await _run_agent_span(loop, agent)
    return RunResult(
        input=input,
        final_output=loop.final_output,
        last_agent=loop.last_agent or agent,
        new_items=run.items,
        raw_responses=loop.responses,
        history=conversation.history,
        usage=loop.usage,
        trace_id=run.trace_id,
        progress_dropped=run.progress_dropped,
        input_guardrail_results=loop.input_guardrail_results,
        output_guardrail_results=loop.output_guardrail_results,
    )


class _Loop:
    """What the agents of one run share: the conversation, turn budget, usage, results so far."""

    def __init__(self, run: RunState, conversation: Conversation, max_turns: int, session: Session | None) -> None:
        self.run = run
        self.conversation = conversation
        self.max_turns = max_turns
        self.session = session
        self.turns = 0
        self.usage = Usage()
        self.wrapper: RunContextWrapper[Any] = RunContextWrapper(run.context, self.usage)
        self.responses: list[ModelResponse] = []
        self.final_output: Any = None
        self.last_agent: Agent[Any] | None = None
        self.input_guardrail_results: list[InputGuardrailResult] = []
        self.output_guardrail_results: list[OutputGuardrailResult] = []

    async def save_turn(self) -> None:
        """Append what the turn added to the session (nothing to do without one)."""
        if self.session is not None:
            items = self.conversation.take_unsaved()
            if items:
                await self.session.add_items(to_response_items(items))


async def _run_agent_span(loop: _Loop, agent: Agent[Any]) -> None:
    run = loop.run
    model = resolve_model(agent.model, run.config.model)
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
    if not run.trace_id:
        run.trace_id = trace_id_hex(span.get_span_context().trace_id)
    usage = Usage()
    with SpanScope(span):
        try:
            next_agent = await _run_turns(loop, agent, model, usage)
        finally:
            span.set_attributes(
                {A.GEN_AI_USAGE_INPUT_TOKENS: usage.input_tokens, A.GEN_AI_USAGE_OUTPUT_TOKENS: usage.output_tokens}
            )
        if next_agent is not None:  # handed off: the next agent's span is a child of this one
            await _run_agent_span(loop, next_agent)


async def _run_turns(loop: _Loop, agent: Agent[Any], model: Model, usage: Usage) -> Agent[Any] | None:
    """This agent's turns until a final output (returns ``None``) or a handoff (returns the next agent)."""
    run = loop.run
    conversation = loop.conversation
    hooks = run.hooks
    hooked = hooks is not None or agent.hooks is not None
    settings = (run.config.model_settings or ModelSettings()).resolve(agent.model_settings)
    schema = output_schema_for(agent) if agent.output_type is not None else None
    schema_spec_ = schema_spec(schema) if schema is not None else None
    tools = {t.name: t for t in agent.tools}
    first_turn = loop.turns == 0
    run.current_agent = loop.last_agent = agent
    run.emit(AgentUpdatedStreamEvent(agent))
    if hooked:
        await lifecycle.agent_start(hooks, AgentHookContext(run.context, loop.usage, list(conversation.history)), agent)
    guardrails = [*agent.input_guardrails, *(run.config.input_guardrails or ())] if first_turn else []
    if guardrails:
        checks = InputChecks(run, loop.wrapper, agent, loop.conversation.start, loop.input_guardrail_results)
        sequential = [g for g in guardrails if not g.run_in_parallel]
        if sequential:
            await checks.run(sequential)
        guardrails = [g for g in guardrails if g.run_in_parallel]
    while True:
        if loop.turns >= loop.max_turns:
            raise MaxTurnsExceeded(loop.max_turns)
        loop.turns += 1
        handoffs = {h.tool_name: h for h in await enabled_handoffs(agent, loop.wrapper)} if agent.handoffs else {}
        specs = [t.spec for t in agent.tools]
        if handoffs:
            specs += [h.spec for h in handoffs.values()]
        request = ModelRequest(agent.instructions, list(conversation.history), specs, settings, schema_spec_)
        if hooked:
            await lifecycle.llm_start(hooks, loop.wrapper, agent, request.system_instructions, request.input)
        if guardrails:
            response = await checks.alongside(guardrails, call_model(model, request, run, agent.name))
            guardrails = []
        else:
            response = await call_model(model, request, run, agent.name)
        loop.responses.append(response)
        usage.add(response.usage)
        loop.usage.add(response.usage)
        if hooked:
            await lifecycle.llm_end(hooks, loop.wrapper, agent, response)
        turn_start = len(run.items)
        calls: list[FunctionCall] = []
        handoff_calls: list[tuple[Handoff[Any], FunctionCall]] = []
        text: str | None = None
        for out in response.output:
            conversation.add(out)
            if isinstance(out, FunctionCall):
                chosen = handoffs.get(out.name) if handoffs else None
                if chosen is None:
                    calls.append(out)
                else:
                    handoff_calls.append((chosen, out))
                    item = HandoffCallItem(out.call_id, out.name, out.arguments, agent.name)
                    run.items.append(item)
                    run.emit(RunItemStreamEvent("handoff_requested", item))
            elif isinstance(out, AssistantMessage):
                text = out.content
                message = MessageOutputItem(out.content, agent.name)
                run.items.append(message)
                run.emit(RunItemStreamEvent("message_output_created", message))
        if calls:
            conversation.extend(await execute_tool_calls(run, agent, calls, tools))
            if not handoff_calls and not runs_llm_again(agent.tool_use_behavior):
                decided = await tools_to_final_output(
                    agent.tool_use_behavior, loop.wrapper, _tool_results(run, calls, tools, turn_start)
                )
                if decided.is_final_output:
                    await _finish(loop, agent, decided.final_output)
                    return None
        if handoff_calls:
            ignored = [c for _, c in handoff_calls[1:]]
            next_agent = await perform_handoff(
                run, conversation, loop.wrapper, agent, handoff_calls[0], ignored, turn_start
            )
            await loop.save_turn()
            return next_agent
        if not calls:
            raw = text if text is not None else ""
            await _finish(loop, agent, schema.validate_json(raw) if schema is not None else raw)
            return None
        await loop.save_turn()


async def _finish(loop: _Loop, agent: Agent[Any], output: Any) -> None:
    """The final output: output guardrails, ``on_agent_end`` hooks, the last turn saved."""
    run = loop.run
    guardrails = [*agent.output_guardrails, *(run.config.output_guardrails or ())]
    if guardrails:
        await check_output(run, loop.wrapper, agent, guardrails, output, loop.output_guardrail_results)
    if run.hooks is not None or agent.hooks is not None:
        ctx = AgentHookContext(run.context, loop.usage, list(loop.conversation.history))
        await lifecycle.agent_end(run.hooks, ctx, agent, output)
    loop.final_output = output
    await loop.save_turn()


def _tool_results(
    run: RunState, calls: list[FunctionCall], tools: dict[str, FunctionTool], turn_start: int
) -> list[FunctionToolResult]:
    """The turn's tool outputs as the SDK's ``FunctionToolResult``s, in the model's call order (only built when
    the agent's ``tool_use_behavior`` is not the default)."""
    outputs = {item.call_id: item for item in run.items[turn_start:] if isinstance(item, ToolCallOutputItem)}
    results: list[FunctionToolResult] = []
    for call in calls:
        item = outputs.get(call.call_id)
        tool = tools.get(call.name)
        if item is not None and tool is not None:
            results.append(FunctionToolResult(tool=tool, output=item.output, run_item=item))
    return results


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
