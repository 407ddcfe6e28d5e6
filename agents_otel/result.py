"""What a run returns: ``RunResult``, and ``RunResultStreaming`` whose events arrive while the run goes on."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .approval_item import ToolApprovalItem
from .context_wrapper import RunContextWrapper
from .event_stream import EventStream
from .exceptions import UserError
from .input_items import RunInput
from .items import ConversationItem, RunItem
from .models.interface import ModelResponse, Usage
from .response_view import response_views
from .result_views import AgentToolInvocation as AgentToolInvocation
from .result_views import RunResultBase as RunResultBase
from .result_views import (
    ToInputListMode,
    failed_input_list,
    final_output_as,
    held,
    input_items,
    last_agent_of,
    last_response_id,
    new_items_of,
    release_items,
    set_last_agent,
    set_new_items,
    streamed_state_error,
    weakly,
)
from .run_resume_state import RunState as ResumeState
from .run_resume_state import new_state
from .stream_events import StreamEvent

if TYPE_CHECKING:
    from .agent import Agent
    from .guardrails import InputGuardrailResult, OutputGuardrailResult
    from .run_runtime import RunRuntime
    from .tool_guardrails import ToolInputGuardrailResult, ToolOutputGuardrailResult


@dataclass
class RunResult(RunResultBase):
    """What a finished run produced, as in the OpenAI Agents SDK, plus where to find it in the trace.

    ``final_output`` is the last agent's answer; ``new_items`` the run items in the order they happened (tool
    calls, tool outputs and messages, each tool item carrying its ``execute_tool`` span's ids); ``history`` the
    whole conversation as the model saw it.
    """

    input: RunInput
    final_output: Any
    last_agent: Agent[Any]
    new_items: list[RunItem] = field(default_factory=list)
    raw_responses: list[ModelResponse] = field(default_factory=list)
    history: list[ConversationItem] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    trace_id: str = ""
    """Hex id of the run's trace (all zeros when no tracing SDK is installed)."""
    progress_dropped: int = 0
    """``send_progress`` calls that arrived after their tool call had ended and were ignored."""
    input_guardrail_results: list[InputGuardrailResult] = field(default_factory=list)
    output_guardrail_results: list[OutputGuardrailResult] = field(default_factory=list)
    tool_input_guardrail_results: list[ToolInputGuardrailResult] = field(default_factory=list)
    tool_output_guardrail_results: list[ToolOutputGuardrailResult] = field(default_factory=list)
    """Every tool guardrail verdict of the run, call by call, in the order they were reached."""
    context_wrapper: RunContextWrapper[Any] | None = field(default=None, compare=False, repr=False)
    """As in the SDK: the run's context and its ``usage`` (the same record as :attr:`usage`). Not pickled or
    compared: the context is the application's object (a database handle, a lock), not part of the outcome."""
    interruptions: list[ToolApprovalItem] = field(default_factory=list)
    """Tool calls waiting for a person's decision: the run stopped before running them (``final_output`` is
    ``None``). Approve or reject each on :meth:`to_state` and pass that state to ``Runner.run`` to go on."""
    agent_tool_invocation: AgentToolInvocation | None = field(default=None, compare=False)
    """The ``Agent.as_tool()`` call this nested run answered; ``None`` for a top-level run."""
    max_turns: int | None = 10
    """The run's turn limit (``Runner.run(max_turns=...)``; a resumed run's, the limit it started with)."""

    def __post_init__(self) -> None:
        if self.context_wrapper is None:
            self.context_wrapper = RunContextWrapper(None, self.usage)

    @property
    def last_response_id(self) -> str | None:
        """The id of the last model response, as in the SDK (``None`` if the model gave none)."""
        return last_response_id(self.raw_responses)

    def final_output_as(self, cls: type[T], raise_if_incorrect_type: bool = False) -> T:  # as in the SDK
        return final_output_as(self.final_output, cls, raise_if_incorrect_type)

    def release_agents(self, *, release_new_items: bool = True) -> None:
        """Hold the agents weakly from now on, as in the SDK: ``last_agent`` (and, ``release_new_items``, each new
        item's ``agent``) stays the agent while the application holds it, ``None`` once it is collected."""
        if release_new_items:
            release_items(self.new_items)
        self.__dict__["last_agent"] = weakly(self.__dict__.get("last_agent"))
        self.__dict__.pop("_finished", None)  # its run holds the agents: a finished run's state is given up

    def __getstate__(self) -> dict[str, Any]:
        """Pickled and copied with its items built (the run that would build them is not part of the result)."""
        self.new_items  # noqa: B018 - builds them
        state = dict(self.__dict__)
        state.pop("_unbuilt", None)
        state.pop("_paused", None)  # a paused run holds the agents and their tools: resumable in this process only
        state.pop("_finished", None)  # as does a finished one (its loop)
        state["context_wrapper"] = None
        state["last_agent"] = self.last_agent  # the agent, or None: a released one is held weakly
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()  # a wrapper around the unpickled usage, without the context that was left behind

    def to_state(self) -> ResumeState[Any]:
        """The run as a ``RunState``, as in the SDK: approve or reject each of :attr:`interruptions` on it, then
        ``Runner.run(agent, state)``. A finished run's state calls the model again with the run's conversation when
        resumed (``finished_state``). Each call makes a new state."""
        paused = self.__dict__.get("_paused") or self.__dict__.get("_finished")
        if paused is None:
            raise UserError("to_state(): this result was pickled, copied, built by hand or released (release_agents())")
        return new_state(paused() if callable(paused) else paused)

    def to_input_list(self, *, mode: ToInputListMode = "preserve_all") -> list[dict[str, Any]]:
        """The whole conversation (the input, then what the run added) as Responses-format dicts, as the SDK
        gives it: ``Runner.run(agent, result.to_input_list() + [{"role": "user", "content": "next"}])``. After a
        handoff rewrote the history, ``mode="normalized"`` is the rewritten one (see ``result_views``)."""
        rewritten = self.__dict__.get("_rewritten", False)
        return input_items(mode, self.input, self.history, self.new_items if rewritten else (), rewritten)


# Properties installed after the dataclass is made, so ``new_items`` / ``last_agent`` stay ordinary fields
# (``__init__``, ``repr``, ``==``, ``dataclasses.fields`` and ``replace`` all see them) read through these.
RunResult.new_items = property(new_items_of, set_new_items)  # type: ignore[assignment]
RunResult.last_agent = property(last_agent_of, set_last_agent)  # type: ignore[assignment]


def unbuilt_result(run: RunRuntime, **fields: Any) -> RunResult:
    """``RunResult(new_items=run.items, **fields)``, whose tool items are built when ``new_items`` is first read."""
    result = RunResult(new_items=run.items, **fields)  # type: ignore[arg-type]
    if run.pending_items:
        result.__dict__["_unbuilt"] = run
    if run.history_rewritten:  # a handoff rewrote the history: to_input_list's modes differ
        result.__dict__["_rewritten"] = True
    return result


T = TypeVar("T")


class RunResultStreaming(RunResultBase):
    """Returned at once by ``Runner.run_streamed``; iterate ``stream_events()`` to drive and watch the run.

    Leaving the iteration early (``break``) leaves the run going to its end, as in the SDK; ``cancel()`` stops it,
    and so does cancelling the task that iterates. Cancelled tools end their spans with ``error.type=cancelled``.
    """

    def __init__(
        self,
        agent: Agent[Any],
        input: RunInput,
        prepare: Callable[[EventStream], RunRuntime],
        execute: Callable[[RunRuntime], Coroutine[Any, Any, RunResult]],
        max_buffered: int,
        max_turns: int | None = 10,
    ) -> None:
        """Built by ``Runner.run_streamed``: ``prepare`` makes the run's state around the event stream (whose loop
        is only known once one runs), ``execute`` runs it."""
        self.input = input
        self.max_turns = max_turns
        """The run's turn limit, as in the SDK."""
        self._starting_agent: Any = agent
        self.final_output: Any = None
        self.usage = Usage()
        self.progress_dropped = 0
        self.is_complete = False
        self.cancelled = False
        self._result: RunResult | None = None
        self._exception: BaseException | None = None
        self._prepare = prepare
        self._execute = execute
        self._max_buffered = max_buffered
        self._stream: EventStream | None = None
        self._task: asyncio.Task[None] | None = None
        self._state: RunRuntime | None = None
        self._cancel_requested = False
        self._views: list[ModelResponse] = []
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # started by the first stream_events() call, inside a loop
        self._ensure_started()

    def _ensure_started(self) -> EventStream:
        if self._stream is None:
            stream = self._stream = EventStream(asyncio.get_running_loop(), self._max_buffered)
            if self._cancel_requested:  # cancel() before anything ran: nothing will, and the stream ends at once
                self.cancelled = self.is_complete = True
                stream.close()
                return stream
            self._state = self._prepare(stream)
            task = self._task = asyncio.get_running_loop().create_task(self._main(self._state, stream))
            task.add_done_callback(self._task_done)
        return self._stream

    def _task_done(self, task: asyncio.Task[None]) -> None:
        """A task cancelled before its first step never runs ``_main`` (nor its ``finally``): end the stream here,
        or ``stream_events()`` would wait forever."""
        if not self.is_complete:
            self.cancelled = True
            self.is_complete = True
            if self._stream is not None:
                self._stream.close()

    async def _main(self, state: RunRuntime, stream: EventStream) -> None:
        try:
            result = await self._execute(state)
            self._result = result
            self.input = result.input  # with a session: its history, then this input (known once the run read it)
            self.final_output = result.final_output
            self.usage = result.usage
            self.progress_dropped = result.progress_dropped
        except asyncio.CancelledError:
            self.cancelled = True
        except BaseException as exc:  # surfaced to the consumer by stream_events()
            self._exception = exc
        finally:
            self.is_complete = True
            stream.close()

    async def stream_events(self) -> AsyncIterator[StreamEvent]:
        """The run's events as they happen; iterating is what starts a run made outside an event loop.

        A consumer that leaves the loop early (``break``) leaves the run going to its end, as in the SDK: its
        session is saved, ``final_output`` set, and iterating ``stream_events()`` again yields the events not read
        yet. ``cancel()`` stops it. If the consuming *task* is cancelled (a server shutting down), the run is
        cancelled with it."""
        stream = self._ensure_started()
        left_early = False
        try:
            while True:
                batch = await stream.get_batch()
                if not batch:
                    break
                for event in batch:
                    yield event
        except GeneratorExit:
            left_early = True
            raise
        finally:
            if not self.is_complete and not left_early:
                self.cancel()
                await self._wait()
        if self._exception is not None:
            raise self._exception

    @property
    def trace_id(self) -> str:
        """Hex id of the run's trace: known from the moment the run's ``invoke_agent`` span starts, i.e. before
        the first stream event, so a UI can link to the trace while the run is still going. "" before that."""
        return self._state.trace_id if self._state is not None else ""

    @property
    def input_guardrail_results(self) -> list[InputGuardrailResult]:
        """Input guardrail verdicts as they complete (also after a tripwire ended the run)."""
        return self._state.input_guardrail_results if self._state is not None else []

    @property
    def output_guardrail_results(self) -> list[OutputGuardrailResult]:
        return self._state.output_guardrail_results if self._state is not None else []

    @property
    def tool_input_guardrail_results(self) -> list[ToolInputGuardrailResult]:
        return self._state.tool_input_guardrail_results if self._state is not None else []

    @property
    def tool_output_guardrail_results(self) -> list[ToolOutputGuardrailResult]:
        return self._state.tool_output_guardrail_results if self._state is not None else []

    @property
    def new_items(self) -> list[RunItem]:
        """The run items so far, growing while the run goes on (all of them once it has ended), as in the SDK."""
        if self._result is not None:
            return self._result.new_items
        return self._state.run_items() if self._state is not None else []

    @property
    def raw_responses(self) -> list[ModelResponse]:
        """The model responses so far, growing while the run goes on, as in the SDK."""
        if self._result is not None:
            return self._result.raw_responses
        views, responses = self._views, self._state.responses if self._state is not None else []
        views.extend(response_views(responses[len(views) :]))  # one view per response, made when first read
        return views

    @property
    def context_wrapper(self) -> RunContextWrapper[Any]:
        """As in the SDK: the run's context and its usage, which grows while the run goes on."""
        if self._result is not None and self._result.context_wrapper is not None:
            return self._result.context_wrapper
        state = self._state
        if state is not None:  # the run's own wrapper once its loop started (its approval decisions are shared)
            return state.wrapper or RunContextWrapper(state.context, state.usage, tool_input=state.tool_input)
        return RunContextWrapper(None, self.usage)

    @property
    def last_response_id(self) -> str | None:
        return last_response_id(self.raw_responses)

    @property
    def agent_tool_invocation(self) -> AgentToolInvocation | None:
        """``None``: a streamed run is a top-level run (a nested ``as_tool`` run gives a :class:`RunResult`)."""
        return self._result.agent_tool_invocation if self._result is not None else None

    @property
    def interruptions(self) -> list[ToolApprovalItem]:
        """Tool calls the run stopped for, once the stream has ended (``[]`` before, and for a run that finished);
        resume with ``Runner.run_streamed(agent, result.to_state())`` after deciding on each."""
        return self._result.interruptions if self._result is not None else []

    def to_state(self) -> ResumeState[Any]:
        """As ``RunResult.to_state()``, once ``stream_events()`` has ended. A failed run's state calls the model again
        from what ``to_input_list()`` holds (its last turn cut to the completed tool calls), as in the SDK."""
        if self._result is None:
            failed = self._state.failed_state if self._state is not None and self.is_complete else None
            if failed is None:
                raise streamed_state_error(failed=self.run_loop_exception is not None)
            return new_state(failed())
        return self._result.to_state()

    @property
    def current_agent(self) -> Agent[Any]:
        """The agent running now (or last, once the run ended): changes at each handoff."""
        state = self._state
        if state is not None and state.current_agent is not None:
            return state.current_agent
        return self._result.last_agent if self._result is not None else held(self._starting_agent)

    @property
    def last_agent(self) -> Agent[Any]:
        """The SDK's name: the agent that produced (or is producing) the final output."""
        return self.current_agent

    def final_output_as(self, cls: type[T], raise_if_incorrect_type: bool = False) -> T:
        return final_output_as(self.final_output, cls, raise_if_incorrect_type)

    def cancel(self, mode: Literal["immediate", "after_turn"] = "immediate") -> None:
        """Stop the run, as in the SDK. ``"immediate"``: now (its running tools end as cancelled; before it
        started, it never starts). ``"after_turn"``: the model call and tool calls under way finish and are saved,
        and the run ends before its next model call. Keep reading ``stream_events()`` to its end either way."""
        if mode not in ("immediate", "after_turn"):
            raise UserError(f"cancel(mode=...) takes 'immediate' or 'after_turn', got {mode!r}")
        if mode == "after_turn" and self._state is not None:
            self._state.stop_after_turn = True
            return
        self._cancel_requested = True
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def ensure_sandbox_cleanup_on_completion(self) -> None:
        """The SDK's hook that makes a streamed run's sandbox cleanup follow its run task. Here that always holds:
        the run's own task ends the sandbox it made (inside the agent span that made it), also when the run fails
        or is cancelled, so there is nothing left to register; calling it is harmless."""

    async def _wait(self) -> None:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._task)

    def to_input_list(self, *, mode: ToInputListMode = "preserve_all") -> list[dict[str, Any]]:
        """As ``RunResult.to_input_list()`` once completed; before, the input alone; after a failure, as in the SDK,
        the input and what the run added (its failed turn cut to its completed calls, ``failed_run``)."""
        if self._result is not None:
            return self._result.to_input_list(mode=mode)
        return failed_input_list(getattr(self._exception, "run_data", None), self.input, mode)

    @property
    def run_loop_task(self) -> asyncio.Task[None] | None:
        """The task running the run (``None`` before ``stream_events()`` started it outside a loop), as in the SDK."""
        return self._task

    @property
    def run_loop_exception(self) -> BaseException | None:
        """What ended the run with an error (also raised by ``stream_events()``), as in the SDK; ``None`` while it
        runs, and for a run that finished or was cancelled."""
        return self._exception if self.is_complete else None

    def release_agents(self, *, release_new_items: bool = True) -> None:
        """As ``RunResult.release_agents()``, once the run has ended (the agents run until then)."""
        if self._result is not None:
            self._result.release_agents(release_new_items=release_new_items)
            self._starting_agent = weakly(self._starting_agent)
            self.__dict__.pop("_prepare", None)  # spent, and they hold the starting agent
            self.__dict__.pop("_execute", None)
            if self._state is not None:
                self._state.current_agent = None
