"""The SDK's ``agents.run``: ``Runner``, whose class methods start runs, and the ``AgentRunner`` they call (see
``set_default_agent_runner``), with the names SDK programs import from this path. The run itself (setup, turns,
result) is ``run_engine``'s.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from . import lifecycle
from .context_wrapper import RunContextWrapper as RunContextWrapper  # SDK programs import these from agents.run too
from .conversation import server_conversation
from .exceptions import UserError
from .model_input_filter import CallModelData as CallModelData
from .model_input_filter import CallModelInputFilter as CallModelInputFilter
from .model_input_filter import ModelInputData as ModelInputData
from .result import RunResult, RunResultStreaming
from .run_config import DEFAULT_MAX_TURNS as DEFAULT_MAX_TURNS
from .run_config import OutputGuardrailBlockedMessageArgs as OutputGuardrailBlockedMessageArgs
from .run_config import OutputGuardrailBlockedMessageFormatter as OutputGuardrailBlockedMessageFormatter
from .run_config import ReasoningItemIdPolicy as ReasoningItemIdPolicy
from .run_config import RunConfig as RunConfig
from .run_config import RunOptions as RunOptions
from .run_config import ToolExecutionConfig as ToolExecutionConfig
from .run_config import ToolNameCollisionPolicy as ToolNameCollisionPolicy
from .run_config import ToolNotFoundBehavior as ToolNotFoundBehavior
from .run_engine import new_run, run_agent
from .run_error_handlers import RunErrorHandlers, check_error_handlers
from .run_resume_state import RunState as RunState  # the SDK's agents.run.RunState: a paused run, resumable
from .sync_loop import run_on_default_loop
from .tool_errors import ToolErrorFormatter as ToolErrorFormatter
from .tool_errors import ToolErrorFormatterArgs as ToolErrorFormatterArgs

if TYPE_CHECKING:
    from .agent import Agent
    from .event_stream import EventStream
    from .input_items import RunInput
    from .lifecycle import RunHooksBase
    from .run_runtime import RunRuntime as LiveRun
    from .sessions import Session


class AgentRunner:
    """What ``Runner``'s class methods call, as the SDK's ``AgentRunner`` (experimental there too): an instance of a
    subclass installed with :func:`set_default_agent_runner` handles every run started through ``Runner``, e.g. to
    give every run the same defaults or to wrap each one. Its methods take ``Runner``'s arguments
    (:class:`~agents_otel.run_config.RunOptions`)."""

    async def run(
        self,
        starting_agent: Agent[Any],
        input: RunInput | RunState[Any],
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
        """``Runner.run`` itself (see there)."""
        config = run_config or RunConfig()
        hooks = lifecycle.validate_run_hooks(hooks)
        handlers = check_error_handlers(error_handlers)
        server = server_conversation(
            starting_agent, config, session, previous_response_id, auto_previous_response_id, conversation_id
        )
        run = new_run(config, context, stream=None)
        return await run_agent(
            starting_agent, input, run, max_turns, hooks=hooks, session=session, error_handlers=handlers, server=server
        )

    def run_sync(
        self,
        starting_agent: Agent[Any],
        input: RunInput | RunState[Any],
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
        """``Runner.run_sync`` itself: :meth:`run` on the thread's default loop (see ``sync_loop``)."""
        return run_on_default_loop(
            self.run(
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

    def run_streamed(
        self,
        starting_agent: Agent[Any],
        input: RunInput | RunState[Any],
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
        """``Runner.run_streamed`` itself (see there)."""
        config = run_config or RunConfig()
        hooks = lifecycle.validate_run_hooks(hooks)
        handlers = check_error_handlers(error_handlers)
        server = server_conversation(
            starting_agent, config, session, previous_response_id, auto_previous_response_id, conversation_id
        )

        def prepare(stream: EventStream) -> LiveRun:
            return new_run(config, context, stream=stream)

        def execute(run: LiveRun) -> Coroutine[Any, Any, RunResult]:
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

        if isinstance(input, RunState):  # shown: the stopped run's input and the limit it started with
            return RunResultStreaming(
                starting_agent, input.original_input, prepare, execute, config.max_buffered_events, input.max_turns
            )
        return RunResultStreaming(starting_agent, input, prepare, execute, config.max_buffered_events, max_turns)


class Runner:
    """Runs agents: the OpenAI Agents SDK's entry points, with every run traced as OpenTelemetry spans.

    A run is the loop *model → tool calls (concurrently) → tool outputs back to the model*, until the model answers
    without calling a tool or ``max_turns`` model calls were made (:class:`MaxTurnsExceeded`). The run is an
    ``invoke_agent {agent}`` span, each model call a ``chat {model}`` span and each tool call an
    ``execute_tool {tool}`` span, on ``run_config.tracer_provider`` or the global provider. Each method calls the
    same method of the default :class:`AgentRunner` (``set_default_agent_runner``), as in the SDK.
    """

    @classmethod
    async def run(
        cls,
        starting_agent: Agent[Any],
        input: RunInput | RunState[Any],
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
        return await _default_runner.run(
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

    @classmethod
    def run_sync(
        cls,
        starting_agent: Agent[Any],
        input: RunInput | RunState[Any],
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
        return _default_runner.run_sync(
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

    @classmethod
    def run_streamed(
        cls,
        starting_agent: Agent[Any],
        input: RunInput | RunState[Any],
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
        return _default_runner.run_streamed(
            starting_agent,
            input,
            context=context,
            max_turns=max_turns,
            hooks=hooks,
            run_config=run_config,
            previous_response_id=previous_response_id,
            auto_previous_response_id=auto_previous_response_id,
            conversation_id=conversation_id,
            session=session,
            error_handlers=error_handlers,
        )


_default_runner = AgentRunner()


def set_default_agent_runner(runner: AgentRunner | None) -> None:
    """As in the SDK: ``runner`` handles the runs ``Runner`` starts from now on; ``None`` restores a plain
    :class:`AgentRunner`. Process-wide, for tests and for applications that customise every run in one place."""
    global _default_runner
    if runner is not None and not isinstance(runner, AgentRunner):
        raise UserError(f"set_default_agent_runner takes an AgentRunner or None, got {type(runner).__name__}")
    _default_runner = runner if runner is not None else AgentRunner()


def get_default_agent_runner() -> AgentRunner:
    """The :class:`AgentRunner` that ``Runner``'s class methods call (see :func:`set_default_agent_runner`)."""
    return _default_runner
