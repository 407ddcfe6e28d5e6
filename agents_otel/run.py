"""``Runner`` and a run's setup: model -> tool calls (concurrently) -> outputs back to the model -> ...

A run starts with its input (and the session's history), a conversation id if it has one, and its hooks; the turns
themselves are in ``agent_loop``. Every agent of the run is an ``invoke_agent {name}`` span; the loop records
nothing about tools itself, because tool lifecycle and progress are derived from each tool call's record in one
place, ``tool_events``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from opentelemetry import context as context_api
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, get_current_span, set_span_in_context

from . import lifecycle
from .agent_loop import AgentLoop, run_agent_span
from .computer_run import dispose_resolved_computers, has_computers
from .context_wrapper import RunContextWrapper
from .conversation import Conversation, ServerConversation, server_conversation
from .event_stream import EventStream
from .exceptions import AgentsOtelError, RunErrorDetails
from .input_items import RunInput, conversation_items, input_list
from .model_input_filter import CallModelData as CallModelData  # SDK programs import these from agents.run too
from .model_input_filter import CallModelInputFilter as CallModelInputFilter
from .model_input_filter import ModelInputData as ModelInputData
from .openai_registration import with_harness
from .result import RunResult, RunResultStreaming, unbuilt_result
from .run_config import RunConfig
from .run_error_handlers import RunErrorHandlers, check_error_handlers
from .run_resume_state import RunState as ResumeState
from .run_state import RunState
from .sessions import call_session, combine_session_input, session_history, session_wrapper
from .sync_loop import run_on_default_loop
from .tool_approvals import PausedRun, mark_resumed
from .tool_errors import ToolErrorFormatter as ToolErrorFormatter  # as in the SDK's agents.run
from .tool_errors import ToolErrorFormatterArgs as ToolErrorFormatterArgs
from .tracing.config import tracing_key_scope
from .tracing.content import capture_content_for
from .tracing.conversation import conversation_scope, with_conversation
from .tracing.ids import requested_trace_parent, trace_id_hex
from .tracing.provider import resolve_tracer_provider, run_tracer_scope, tracer_for
from .tracing.spans import SpanScope
from .tracing.workflow import workflow_attributes, workflow_span_name

if TYPE_CHECKING:
    from .agent import Agent
    from .lifecycle import RunHooksBase
    from .sessions import Session

DEFAULT_MAX_TURNS = 10

logger = logging.getLogger(__name__)


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
        input: RunInput | ResumeState[Any],
        *,
        context: Any = None,
        max_turns: int | None = DEFAULT_MAX_TURNS,
        hooks: RunHooksBase[Any, Any] | None = None,
        run_config: RunConfig | None = None,
        session: Session | None = None,
        error_handlers: RunErrorHandlers[Any] | None = None,
        previous_response_id: str | None = None,
        auto_previous_response_id: bool = False,
        conversation_id: str | None = None,
    ) -> RunResult:
        """Run ``starting_agent`` on ``input`` to its final output.

        ``input`` is the user's message, or a list of conversation items (e.g. ``result.to_input_list()`` of an
        earlier run plus a new message), or the ``RunState`` of a run that stopped for tool approvals
        (``result.to_state()`` with each interruption approved or rejected), which it resumes. ``context`` is any
        object of the application's: tools receive it as ``ToolContext.context``. Tool progress is recorded on the
        trace even though nothing streams.
        ``error_handlers`` (``max_turns``, ``invalid_final_output``) turn those errors into a final output: see
        ``run_error_handlers``.

        ``previous_response_id`` (continue from a stored response, e.g. an earlier run's ``last_response_id``),
        ``auto_previous_response_id`` (chain this run's own responses) and ``conversation_id`` (an OpenAI
        conversation) let OpenAI keep the conversation: each model call sends only what the server has not seen.
        They need the Responses API, and cannot be combined with a ``session``.
        """
        config = run_config or RunConfig()
        hooks = lifecycle.validate_run_hooks(hooks)
        handlers = check_error_handlers(error_handlers)
        server = server_conversation(
            starting_agent, config, session, previous_response_id, auto_previous_response_id, conversation_id
        )
        run = _new_run(config, context, stream=None)
        return await run_agent(
            starting_agent, input, run, max_turns, hooks=hooks, session=session, error_handlers=handlers, server=server
        )

    @classmethod
    def run_sync(
        cls,
        starting_agent: Agent[Any],
        input: RunInput | ResumeState[Any],
        *,
        context: Any = None,
        max_turns: int | None = DEFAULT_MAX_TURNS,
        hooks: RunHooksBase[Any, Any] | None = None,
        run_config: RunConfig | None = None,
        session: Session | None = None,
        error_handlers: RunErrorHandlers[Any] | None = None,
        previous_response_id: str | None = None,
        auto_previous_response_id: bool = False,
        conversation_id: str | None = None,
    ) -> RunResult:
        """:meth:`run` for code without an event loop (scripts, notebooks without one), on the thread's default
        loop as in the SDK (see ``sync_loop``).

        Raises :class:`UserError` when called from a running loop, where it would deadlock; await :meth:`run`.
        """
        return run_on_default_loop(
            cls.run(
                starting_agent,
                input,
                context=context,
                max_turns=max_turns,
                hooks=hooks,
                run_config=run_config,
                session=session,
                error_handlers=error_handlers,
                previous_response_id=previous_response_id,
                auto_previous_response_id=auto_previous_response_id,
                conversation_id=conversation_id,
            )
        )

    @classmethod
    def run_streamed(
        cls,
        starting_agent: Agent[Any],
        input: RunInput | ResumeState[Any],
        context: Any = None,  # positional up to run_config, as the SDK's run_streamed takes them
        max_turns: int | None = DEFAULT_MAX_TURNS,
        hooks: RunHooksBase[Any, Any] | None = None,
        run_config: RunConfig | None = None,
        previous_response_id: str | None = None,  # positional too, in the SDK's order
        auto_previous_response_id: bool = False,
        conversation_id: str | None = None,
        session: Session | None = None,
        *,
        error_handlers: RunErrorHandlers[Any] | None = None,
    ) -> RunResultStreaming:
        """Start the run and return at once; iterate ``result.stream_events()`` to watch it as it happens.

        Events arrive in the order they happened: text deltas, one ``tool_called`` per tool call, its
        ``ToolProgressStreamEvent``s live while it runs, its ``tool_output`` the moment it finishes. Leaving the
        iteration early (or ``result.cancel()``) cancels the run.
        """
        config = run_config or RunConfig()
        hooks = lifecycle.validate_run_hooks(hooks)
        handlers = check_error_handlers(error_handlers)
        server = server_conversation(
            starting_agent, config, session, previous_response_id, auto_previous_response_id, conversation_id
        )

        def prepare(stream: EventStream) -> RunState:
            return _new_run(config, context, stream=stream)

        def execute(run: RunState) -> Coroutine[Any, Any, RunResult]:
            return run_agent(
                starting_agent,
                input,
                run,
                max_turns,
                hooks=hooks,
                session=session,
                error_handlers=handlers,
                server=server,
            )

        shown = input.original_input if isinstance(input, ResumeState) else input
        return RunResultStreaming(starting_agent, shown, prepare, execute, config.max_buffered_events)


def _new_run(
    config: RunConfig,
    context: Any,
    *,
    stream: EventStream | None,
    forward: RunState | None = None,
    parent_tool_call_id: str | None = None,
) -> RunState:
    capture = capture_content_for(config)
    if config.trace_id is not None:
        requested_trace_parent(config.trace_id)  # a malformed id fails the run before it does anything
    return RunState(
        config=config,
        tracer=tracer_for(resolve_tracer_provider(config)),
        capture_content=capture,
        context=context,
        stream=stream,
        forward=forward,
        parent_tool_call_id=parent_tool_call_id,
    )


def _session_id(session: Session | None) -> str | None:
    """The session's id, or ``None`` for a session that has none yet, as the SDK reads it (a resumed run given an
    ``OpenAIConversationsSession`` it has not used: its ``session_id`` raises ``ValueError`` until first use)."""
    if session is None:
        return None
    try:
        return session.session_id
    except ValueError:
        return None


async def run_agent(
    agent: Agent[Any],
    input: RunInput | ResumeState[Any],
    run: RunState,
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
    paused = input.resume(agent, session is not None) if isinstance(input, ResumeState) else None
    wrapper: RunContextWrapper[Any] | None = None  # made here only for a session; else by the AgentLoop
    if paused is not None:
        conversation = paused.conversation
        result_input: RunInput = paused.input
        max_turns = paused.max_turns  # as in the SDK: the limit the run started with, turns counted across resumes
        paused.restore(run)
    else:
        assert not isinstance(input, ResumeState)
        new_input = conversation_items(input)
        result_input = input
        if session is not None:
            combine = config.session_input_callback
            omit = config.reasoning_item_id_policy == "omit"
            # The run's wrapper, made now: a session that takes ``wrapper=`` gets this one object for every call.
            wrapper = RunContextWrapper(run.context, run.usage, tool_input=run.tool_input)
            scoped = session_wrapper(session, wrapper)
            saved = await session_history(session, config.session_settings, omit, trim=combine is None, wrapper=scoped)
            if combine is None:
                begin, to_save = [*saved, *new_input], new_input
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
        or _session_id(session)
    )
    if conversation_id:
        run.tracer = with_conversation(run.tracer, conversation_id)
    if paused is None or config.reasoning_item_id_policy is not None:  # else: the policy the run stopped with
        conversation.omit_ids = config.reasoning_item_id_policy == "omit"
    loop = AgentLoop(
        run, conversation, max_turns, session, input=result_input, error_handlers=error_handlers, wrapper=wrapper
    )
    token = None
    requested = _requested_trace(run)
    if paused is not None:
        first = paused.turn.agent
        loop.turns, loop.resume, loop.decisions = paused.turns, paused.turn, paused.decisions
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
            metadata = with_harness(config.trace_metadata) if run.parent_tool_call_id is None else None
            workflow = _workflow_name(run, metadata)
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
    except AgentsOtelError as exc:
        exc.run_data = _error_details(loop, agent)
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
        raw_responses=loop.responses,
        history=conversation.history,
        usage=loop.usage,
        trace_id=run.trace_id,
        progress_dropped=run.progress_dropped,
        input_guardrail_results=loop.input_guardrail_results,
        output_guardrail_results=loop.output_guardrail_results,
        tool_input_guardrail_results=run.tool_input_guardrail_results,
        tool_output_guardrail_results=run.tool_output_guardrail_results,
        context_wrapper=loop.wrapper,
        interruptions=loop.interruptions,
    )
    if loop.paused is not None:
        result.__dict__["_paused"] = PausedRun.of(loop, paused.starting_agent if paused is not None else agent)
    return result


def _error_details(loop: AgentLoop, agent: Agent[Any]) -> RunErrorDetails:
    """What the failed run had done, for ``error.run_data`` (built only when a run fails)."""
    run = loop.run
    return RunErrorDetails(
        input=loop.input,
        new_items=list(run.run_items()),
        raw_responses=list(loop.responses),
        last_agent=loop.last_agent or agent,
        context_wrapper=loop.wrapper,
        input_guardrail_results=list(loop.input_guardrail_results),
        output_guardrail_results=list(loop.output_guardrail_results),
        tool_input_guardrail_results=list(run.tool_input_guardrail_results),
        tool_output_guardrail_results=list(run.tool_output_guardrail_results),
    )


def _requested_trace(run: RunState) -> SpanContext | None:
    """The remote parent that puts a top-level run in ``RunConfig.trace_id``'s trace, when nothing is current (a run
    inside a current span joins its trace, as an SDK run inside ``trace()`` does); the id is checked either way."""
    trace_id = run.config.trace_id
    if trace_id is None:
        return None
    requested = requested_trace_parent(trace_id)
    current = get_current_span().get_span_context()
    if run.parent_tool_call_id is not None or not current.is_valid:
        return requested if run.parent_tool_call_id is None else None
    if current.trace_id != requested.trace_id:
        logger.warning(
            "agents_otel: RunConfig.trace_id %s not used: the run joins the current span's trace %s, as an SDK run "
            "inside trace() does", trace_id, trace_id_hex(current.trace_id),
        )
    return None


DEFAULT_WORKFLOW_NAME = "Agent workflow"
"""The SDK's default ``workflow_name``, for a run given ``trace_metadata`` without one."""


def _workflow_name(run: RunState, metadata: dict[str, Any] | None) -> str | None:
    """The name of the run's ``invoke_workflow`` span, if it has one: a top-level run given ``workflow_name`` or
    trace metadata (``trace_metadata``, a harness id: ``metadata``); an agent used as a tool runs inside the outer
    run's spans."""
    config = run.config
    if run.parent_tool_call_id is not None or (config.workflow_name is None and metadata is None):
        return None
    return config.workflow_name or DEFAULT_WORKFLOW_NAME
