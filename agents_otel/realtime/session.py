"""``RealtimeSession``, as the SDK's: a live connection to a realtime model — send text and audio in, iterate the
events out — that keeps the conversation's history, runs the agent's tools and performs handoffs.

Why events go through one queue: the transport calls ``on_event`` from its reader task while tools run in tasks
of their own; the application reads everything, in order, from ``async for event in session``. Iteration ends when
the session is closed or the server closes the connection; a transport failure (or a tool failure the tool's
``failure_error_function`` did not turn into text) is yielded as a ``RealtimeError`` and then raised.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from ..context_wrapper import RunContextWrapper
from ..exceptions import UserError
from ..handoffs import Handoff
from ..run_config import RunConfig
from ..run_runtime import RunRuntime
from ..tool import FunctionTool
from ..tracing.content import capture_content_for
from ..tracing.provider import application_tracer, tracer_for
from .agent import RealtimeAgent
from .config import RealtimeRunConfig, RealtimeSessionModelSettings, RealtimeUserInput
from .events import (
    RealtimeAgentEndEvent,
    RealtimeAgentStartEvent,
    RealtimeAudio,
    RealtimeAudioEnd,
    RealtimeAudioInterrupted,
    RealtimeError,
    RealtimeEventInfo,
    RealtimeHistoryAdded,
    RealtimeHistoryUpdated,
    RealtimeInputAudioTimeoutTriggered,
    RealtimeRawModelEvent,
    RealtimeSessionEvent,
)
from .handoffs import as_realtime_handoff
from .history import merged, with_transcript
from .items import AssistantAudio, AssistantMessageItem, RealtimeItem
from .model import RealtimeModel, RealtimeModelConfig, RealtimeModelListener
from .model_events import RealtimeModelEvent
from .model_inputs import (
    RealtimeModelSendAudio,
    RealtimeModelSendInterrupt,
    RealtimeModelSendSessionUpdate,
    RealtimeModelSendUserInput,
)
from .session_approvals import Approvals
from .session_guardrails import OutputChecks
from .session_spans import SessionSpans
from .session_tools import handle_tool_call, run_tool

_END = object()


class RealtimeSession(RealtimeModelListener):
    def __init__(
        self,
        model: RealtimeModel,
        agent: RealtimeAgent[Any],
        context: Any,
        model_config: RealtimeModelConfig | None = None,
        run_config: RealtimeRunConfig | None = None,
    ) -> None:
        self._model = model
        self._current_agent = agent
        self._model_config: RealtimeModelConfig = model_config or {}
        self._run_config: RealtimeRunConfig = run_config or {}
        execution: Any = self._run_config.get("tool_execution") or {}
        pre_approval = execution.get("pre_approval_tool_input_guardrails", False)
        if not isinstance(pre_approval, bool):
            raise UserError(f"tool_execution.pre_approval_tool_input_guardrails must be a bool, got {pre_approval!r}")
        self._approvals = Approvals(pre_approval)
        self._checks = OutputChecks(self, self._run_config)
        self._base_settings: RealtimeSessionModelSettings = {
            **(self._run_config.get("model_settings") or {}),
            **(self._model_config.get("initial_model_settings") or {}),
        }
        config = RunConfig(
            tracing_disabled=bool(self._run_config.get("tracing_disabled", False)),
            tracer_provider=self._run_config.get("tracer_provider"),
            tool_error_formatter=self._run_config.get("tool_error_formatter"),
        )
        provider = self._run_config.get("tracer_provider")
        if config.tracing_disabled or provider is None:
            tracer = application_tracer(config.tracing_disabled)
        else:
            tracer = tracer_for(provider)
        tracing = self._base_settings.get("tracing") or {}
        self._spans = SessionSpans(
            tracer, tracing.get("workflow_name"), tracing.get("group_id"), self._base_settings.get("model_name")
        )
        self._run = RunRuntime(config=config, tracer=self._spans.tracer, capture_content=capture_content_for(config),
                             context=context)
        self._context_wrapper: RunContextWrapper[Any] = RunContextWrapper(context, usage=self._run.usage)
        self._event_info = RealtimeEventInfo(context=self._context_wrapper)
        self._history: list[RealtimeItem] = []
        self._transcripts: dict[str, str] = {}
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._failure: BaseException | None = None
        self._offered: tuple[dict[str, FunctionTool], dict[str, Handoff[Any, Any]]] = ({}, {})
        self._async_tool_calls = bool(self._run_config.get("async_tool_calls", True))
        self._entered = False
        self._closed = False

    @property
    def model(self) -> RealtimeModel:
        """The transport, for listeners of your own or raw client events."""
        return self._model

    async def _settings_for(self, agent: RealtimeAgent[Any]) -> RealtimeSessionModelSettings:
        """The base settings with ``agent``'s instructions, prompt, tools and handoffs; also what a tool call of the
        model will be looked up in from now on."""
        if not isinstance(agent, RealtimeAgent):
            raise TypeError(f"a realtime session runs RealtimeAgents, got {type(agent).__name__}")
        self._checks.for_agent(agent)
        settings: RealtimeSessionModelSettings = dict(self._base_settings)  # type: ignore[assignment]
        if agent.prompt is not None:
            settings["prompt"] = agent.prompt
        settings["instructions"] = await agent.get_system_prompt(self._context_wrapper) or ""
        tools = await agent.get_all_tools(self._context_wrapper)
        handoffs: list[Handoff[Any, Any]] = []
        for target in agent.handoffs:
            h = as_realtime_handoff(target)
            enabled: Any = h.is_enabled
            if callable(enabled):
                enabled = enabled(self._context_wrapper, agent)
                if inspect.isawaitable(enabled):
                    enabled = await enabled
            if enabled:
                handoffs.append(h)
        settings["tools"] = tools
        settings["handoffs"] = handoffs
        if self._run_config.get("tracing_disabled"):
            settings["tracing"] = None
        self._offered = ({t.name: t for t in tools if isinstance(t, FunctionTool)}, {h.tool_name: h for h in handoffs})
        return settings

    async def __aenter__(self) -> RealtimeSession:
        """Connect: the model gets the starting agent's settings in its first ``session.update``."""
        if self._entered:
            return self
        model_config = RealtimeModelConfig(**self._model_config)
        model_config["initial_model_settings"] = await self._settings_for(self._current_agent)
        self._spans.start(self._current_agent.name)
        self._model.add_listener(self)
        try:
            await self._model.connect(model_config)
        except BaseException as exc:
            self._model.remove_listener(self)
            self._spans.end(exc)
            raise
        self._entered = True
        self._put(RealtimeHistoryUpdated(history=self._history, info=self._event_info))
        return self

    async def enter(self) -> RealtimeSession:
        """``async with`` without the block; call :meth:`close` yourself."""
        return await self.__aenter__()

    async def __aexit__(self, *_: Any) -> None:
        await self.close()

    async def __aiter__(self) -> AsyncIterator[RealtimeSessionEvent]:
        while True:
            if self._queue.empty() and self._failure is not None:
                failure = self._failure
                await self.close()
                raise failure
            if self._closed and self._queue.empty():
                return
            event = await self._queue.get()
            if event is _END:
                return
            yield event

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._model.remove_listener(self)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks))
        try:
            await self._model.close()
        finally:
            self._spans.end(self._failure)
            self._queue.put_nowait(_END)

    async def send_message(self, message: RealtimeUserInput) -> None:
        """A user message (text, or a message dict with text and images); the model answers it."""
        await self._model.send_event(RealtimeModelSendUserInput(user_input=message))

    async def send_audio(self, audio: bytes, *, commit: bool = False) -> None:
        """Raw audio in the session's input format; ``commit=True`` ends the user's turn (needed when the
        server's turn detection is off)."""
        await self._model.send_event(RealtimeModelSendAudio(audio=audio, commit=commit))

    async def interrupt(self) -> None:
        """Stop the model's answer: playback is cut where the listener is, the running response cancelled (once),
        tools already running go on. The cancel is sent even when the server's turn detection cancels on its own
        (``interrupt_response``), as in the SDK since 0.25: that is for speech, and a text or button interruption
        brings none."""
        await self._model.send_event(RealtimeModelSendInterrupt(force_response_cancel=True))

    async def update_agent(self, agent: RealtimeAgent[Any]) -> None:
        """Switch to ``agent`` now (its instructions, tools and handoffs go to the model)."""
        settings = await self._settings_for(agent)
        self._spans.switch(agent.name)
        self._current_agent = agent
        await self._model.send_event(RealtimeModelSendSessionUpdate(session_settings=settings))

    async def approve_tool_call(self, call_id: str, *, always: bool = False) -> None:
        """Run a call that waits for approval (``tool_approval_required``); ``always=True`` also lets this
        session's later calls of the tool run without asking."""
        await self._settle(call_id, True, always, None)

    async def reject_tool_call(
        self, call_id: str, *, always: bool = False, rejection_message: str | None = None
    ) -> None:
        """Answer a waiting call without running it: the model reads ``rejection_message`` (else the run config's
        ``tool_error_formatter``'s text, else the default). ``always=True`` rejects the tool's later calls too."""
        await self._settle(call_id, False, always, rejection_message)

    async def _settle(self, call_id: str, approved: bool, always: bool, message: str | None) -> None:
        if self._closed:
            return
        pending = self._approvals.decide(call_id, approved, always, message)
        if pending is None:
            return
        verdict = self._approvals.decisions.calls[call_id]
        call = run_tool(self, pending.agent, pending.tool, pending.event, verdict)
        if self._async_tool_calls:
            self._spawn(call)
        else:
            await call

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Work beside the event stream (a tool call, a guardrail check): cancelled when the session closes; its
        failure fails the session."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _put(self, event: RealtimeSessionEvent) -> None:
        if not self._closed:
            self._queue.put_nowait(event)

    def _fail(self, error: BaseException) -> None:
        """The session cannot go on: say so, then iteration raises ``error``."""
        self._put(RealtimeError(info=self._event_info, error={"message": str(error), "exception": error}))
        if self._failure is None:
            self._failure = error

    async def on_event(self, event: RealtimeModelEvent) -> None:
        if self._closed:
            return
        info = self._event_info
        self._put(RealtimeRawModelEvent(data=event, info=info))
        if event.type == "error":
            self._put(RealtimeError(error=event.error, info=info))
        elif event.type == "function_call":
            call = handle_tool_call(self, event)
            if self._async_tool_calls:
                self._spawn(call)
            else:
                try:
                    await call
                except Exception as exc:
                    self._fail(exc)
        elif event.type == "audio":
            if self._checks.tripped and event.response_id in self._checks.tripped:
                return  # a guardrail cut this response off
            self._put(RealtimeAudio(audio=event, item_id=event.item_id, content_index=event.content_index, info=info))
        elif event.type == "audio_interrupted":
            self._put(RealtimeAudioInterrupted(info=info, item_id=event.item_id, content_index=event.content_index))
        elif event.type == "audio_done":
            self._put(RealtimeAudioEnd(info=info, item_id=event.item_id, content_index=event.content_index))
        elif event.type == "input_audio_transcription_completed":
            self._history, added = with_transcript(self._history, event.item_id, event.transcript)
            self._history_changed(self._history[-1] if added else None)
        elif event.type == "input_audio_timeout_triggered":
            self._put(RealtimeInputAudioTimeoutTriggered(info=info))
        elif event.type == "transcript_delta":
            transcript = self._transcripts[event.item_id] = self._transcripts.get(event.item_id, "") + event.delta
            if self._checks.enabled:
                self._checks.on_delta(event.item_id, event.delta, event.response_id, audio=True)
            item = AssistantMessageItem(item_id=event.item_id, content=[AssistantAudio(transcript=transcript)])
            self._history = merged(self._history, item, self._transcripts)
        elif event.type == "output_text_delta":
            if self._checks.enabled:
                self._checks.on_delta(event.item_id, event.delta, event.response_id, audio=False)
        elif event.type == "item_updated":
            incoming = event.item
            is_new = all(item.item_id != incoming.item_id for item in self._history)
            self._history = merged(self._history, incoming, self._transcripts)
            self._history_changed(next(i for i in self._history if i.item_id == incoming.item_id) if is_new else None)
        elif event.type == "item_deleted":
            self._history = [item for item in self._history if item.item_id != event.item_id]
            self._history_changed(None)
        elif event.type == "turn_started":
            self._checks.turn_started(event.response_id)
            self._put(RealtimeAgentStartEvent(agent=self._current_agent, info=info))
        elif event.type == "usage":
            self._run.usage.add(event.usage)
            self._spans.add_usage(event.usage)
        elif event.type == "turn_ended":
            self._checks.turn_ended(event.response_id)
            self._transcripts.clear()
            self._put(RealtimeAgentEndEvent(agent=self._current_agent, info=info))
        elif event.type == "exception":
            self._fail(event.exception)
        elif event.type == "end_of_stream":
            self._queue.put_nowait(_END)

    def _history_changed(self, added: RealtimeItem | None) -> None:
        if added is not None:
            self._put(RealtimeHistoryAdded(item=added, info=self._event_info))
        else:
            self._put(RealtimeHistoryUpdated(history=self._history, info=self._event_info))

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None and not self._closed:
            self._fail(error)


__all__ = ["RealtimeSession"]
