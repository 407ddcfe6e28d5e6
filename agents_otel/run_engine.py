"""A run's setup and its turns: model -> tool calls (concurrently) -> outputs back to the model -> ...

A run starts with its input (and the session's history), a conversation id if it has one, and its hooks; the turns
themselves are in ``agent_loop``. Every agent of the run is an ``invoke_agent {name}`` span; the loop records
nothing about tools itself, because tool lifecycle and progress are derived from each tool call's record in one
place, ``tool_events``. The entry points (``Runner``, ``AgentRunner``) are in ``run``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from opentelemetry import context as context_api
from opentelemetry.trace import NonRecordingSpan, SpanKind, get_current_span, set_span_in_context

from .agent_loop import AgentLoop, run_agent_span
from .computer_run import dispose_resolved_computers, has_computers
from .context_wrapper import RunContextWrapper
from .conversation import Conversation, ServerConversation
from .failed_run import record_failure
from .finished_state import finished_run
from .input_items import RunInput, conversation_items, input_list
from .openai_registration import with_harness
from .response_view import response_views
from .result import RunResult, unbuilt_result
from .run_resume_state import RunState
from .run_runtime import RunRuntime as LiveRun
from .run_setup import requested_trace, session_id, workflow_name
from .sessions import call_session, combine_session_input, session_history, session_wrapper, with_history
from .tool_approvals import PausedRun, mark_resumed
from .tool_use_tracker import tool_users
from .tracing.config import tracing_key_scope
from .tracing.content import capture_content_for
from .tracing.conversation import conversation_scope, with_conversation
from .tracing.ids import requested_trace_parent
from .tracing.provider import resolve_tracer_provider, run_tracer_scope, tracer_for
from .tracing.spans import SpanScope
from .tracing.workflow import workflow_attributes, workflow_span_name

if TYPE_CHECKING:
    from .agent import Agent
    from .event_stream import EventStream
    from .lifecycle import RunHooksBase
    from .run_config import RunConfig
    from .sessions import Session


def new_run(
    config: RunConfig,
    context: Any,
    *,
    stream: EventStream | None,
    forward: LiveRun | None = None,
    parent_tool_call_id: str | None = None,
) -> LiveRun:
    capture = capture_content_for(config)
    if config.trace_id is not None:
        requested_trace_parent(config.trace_id)  # a malformed id fails the run before it does anything
    return LiveRun(
        config=config,
        tracer=tracer_for(resolve_tracer_provider(config)),
        capture_content=capture,
        context=context,
        stream=stream,
        forward=forward,
        parent_tool_call_id=parent_tool_call_id,
    )


async def run_agent(
    agent: Agent[Any],
    input: RunInput | RunState[Any],
    run: LiveRun,
    max_turns: int | None,
    *,
    hooks: RunHooksBase[Any, Any] | None = None,
    session: Session | None = None,
    error_handlers: dict[str, Callable[..., Any]] | None = None,
    server: ServerConversation | None = None,
) -> RunResult:
    """The whole run: the starting agent's ``invoke_agent`` span, and inside it, each agent a handoff passes to.
    Given a ``RunState``, the run that stopped for approvals goes on (``tool_approvals``). ``server``: OpenAI keeps
    the conversation (see ``ServerConversation``); never together with a session."""
    run.hooks = hooks
    config = run.config
    paused = input.resume(agent, session is not None) if isinstance(input, RunState) else None
    wrapper: RunContextWrapper[Any] | None = None  # made here only for a session; else by the AgentLoop
    if paused is not None:
        conversation = paused.conversation
        result_input: RunInput = paused.input
        max_turns = paused.max_turns  # as in the SDK: the limit the run started with, turns counted across resumes
        paused.restore(run)
    else:
        assert not isinstance(input, RunState)
        new_input = conversation_items(input)
        result_input = input
        if session is not None:
            combine = config.session_input_callback
            omit = config.reasoning_item_id_policy == "omit"
            # The run's wrapper, made now: a session that takes ``wrapper=`` gets this one object for every call.
            wrapper = RunContextWrapper(run.context, run.usage, tool_input=run.tool_input)
            scoped = session_wrapper(session, wrapper)
            saved, limited = await session_history(session, config.session_settings, omit, wrapper=scoped)
            if combine is None:
                begin, to_save = with_history(saved, new_input, limited), new_input
            else:
                begin, to_save = await combine_session_input(combine, saved, new_input)
            # The new input is saved before the first turn, as in the SDK: a run that then fails (a model error, a
            # tripwire) still leaves the user's message in the session.
            await call_session(session.add_items, input_list(to_save), wrapper=scoped)
            conversation = Conversation(begin, unsaved=[])
            conversation.new_input = input_list(to_save)
            result_input = input_list(conversation.history)  # as the SDK: the session's history, then this input
        else:
            start = input if isinstance(input, str) else None
            conversation = Conversation(new_input, unsaved=None, start=start, server=server)
    # After the history is read: a lazily started session (``OpenAIConversationsSession``) has its id only then.
    conversation_id = (
        config.conversation_id
        or (server.conversation_id if server is not None else None)  # the OpenAI conversation is the conversation
        or config.group_id
        or session_id(session)
    )
    if conversation_id:
        run.tracer = with_conversation(run.tracer, conversation_id)
    if paused is None or config.reasoning_item_id_policy is not None:  # else: the policy the run stopped with
        conversation.omit_ids = config.reasoning_item_id_policy == "omit"
    loop = AgentLoop(
        run, conversation, max_turns, session, input=result_input, error_handlers=error_handlers, wrapper=wrapper
    )
    token = None
    requested = requested_trace(run)
    if paused is not None:
        first = paused.turn.agent
        loop.turns, loop.wrapper._approvals = paused.turns, paused.decisions
        loop.resume = None if paused.turn.finished else paused.turn  # a finished run's state: the model is called
        loop.used_tools = tool_users(paused)  # the SDK's tool-use tracker, for reset_tool_choice
        loop.pending_input = paused.pending_input or None
        loop.resume_link = paused.paused_span
        if (
            paused.trace_parent is not None
            and not get_current_span().get_span_context().is_valid
            and (requested is None or requested.trace_id == paused.trace_parent.trace_id)
        ):
            # Nobody's span is current: the resumed run continues the stopped run's trace, under its top span.
            token = context_api.attach(set_span_in_context(NonRecordingSpan(paused.trace_parent)))
            loop.top_span = paused.trace_parent
    else:
        first = agent
    if requested is not None and token is None:
        token = context_api.attach(set_span_in_context(NonRecordingSpan(requested)))
    try:
        with conversation_scope(conversation_id), run_tracer_scope(run.tracer), tracing_key_scope(config.tracing):
            top = run.parent_tool_call_id is None
            metadata = with_harness(config.trace_metadata, config.model_provider) if top else None
            workflow = workflow_name(run, metadata)
            if workflow is None:
                await run_agent_span(loop, first)
            else:
                attributes = workflow_attributes(workflow, None, metadata)
                name = workflow_span_name(workflow)
                span = run.tracer.start_span(name, kind=SpanKind.INTERNAL, attributes=attributes)
                if loop.top_span is None:
                    loop.top_span = span.get_span_context()
                if loop.resume_link is not None:
                    mark_resumed(span, loop.resume_link)
                    loop.resume_link = None
                with SpanScope(span):
                    await run_agent_span(loop, first)
    except Exception as exc:
        await record_failure(loop, agent, exc, paused.starting_agent if paused is not None else agent)
        raise
    finally:
        if token is not None:
            context_api.detach(token)
        if has_computers(loop.wrapper):  # the run's ComputerProvider computers end with it
            await dispose_resolved_computers(run_context=loop.wrapper)
    result = unbuilt_result(
        run,
        input=result_input,
        final_output=loop.final_output,
        last_agent=loop.last_agent or agent,
        raw_responses=response_views(loop.responses),
        history=conversation.history,
        usage=loop.usage,
        trace_id=run.trace_id,
        progress_dropped=run.progress_dropped,
        input_guardrail_results=loop.input_guardrail_results,
        output_guardrail_results=loop.output_guardrail_results,
        tool_input_guardrail_results=run.tool_input_guardrail_results,
        tool_output_guardrail_results=run.tool_output_guardrail_results,
        context_wrapper=loop.wrapper,
        max_turns=max_turns,
        interruptions=loop.interruptions,
    )
    starting_agent = paused.starting_agent if paused is not None else agent
    if loop.paused is not None:
        result.__dict__["_paused"] = PausedRun.of(loop, starting_agent)
    else:  # the SDK's to_state() of a finished run: built only if asked for
        result.__dict__["_finished"] = partial(finished_run, loop, starting_agent)
    return result
