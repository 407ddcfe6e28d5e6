"""``RunRuntime``: the runtime's record of one run — config, tracer, stream, items, and the link to an enclosing run.

Internal, and named so it is not mistaken for the application-facing ``RunStateWrapper`` (the SDK's callback
record) or pydantic-ai's ``RunRuntime``. Nested runs (an agent used as a tool) get their own ``RunRuntime`` whose
``forward`` points at the enclosing run, so
the tool lifecycle and progress events of inner calls also reach the outer stream, stamped with
``parent_tool_call_id``. ``listening`` is computed once: a run nobody streams pays nothing to build events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import Tracer

from . import tool_events
from .event_stream import EventStream
from .items import RunItem
from .metrics import Instruments, instruments_for
from .models.interface import ModelResponse, Usage
from .stream_events import StreamEvent, ToolProgressStreamEvent
from .tracing.ids import trace_id_hex

if TYPE_CHECKING:
    from .agent import Agent
    from .context_wrapper import RunContextWrapper
    from .guardrails import InputGuardrailResult, OutputGuardrailResult
    from .lifecycle import RunHooksBase
    from .progress_sampling import ProgressSampling
    from .redaction import Redactor
    from .result import RunResult
    from .run_config import RunConfig
    from .stall import StallWatchdog
    from .tool_approvals import PausedRun
    from .tool_call import ToolCall
    from .tool_guardrails import ToolInputGuardrailResult, ToolOutputGuardrailResult


class RunRuntime:
    __slots__ = (
        "_trace_hex",
        "_watchdog",
        "capture_content",
        "chat_span",
        "config",
        "context",
        "current_agent",
        "failed_state",
        "forward",
        "history_rewritten",
        "hooks",
        "input_guardrail_results",
        "items",
        "listening",
        "local_answers",
        "metrics",
        "nested_paused",
        "nested_results",
        "nested_resume",
        "output_guardrail_results",
        "parallel_input_results",
        "parent_tool_call_id",
        "payload_cap",
        "pending_items",
        "progress_dropped",
        "redact",
        "responses",
        "sampling",
        "stop_after_turn",
        "stream",
        "stream_redact",
        "streams",
        "tool_input",
        "tool_input_guardrail_results",
        "tool_output_guardrail_results",
        "trace_id",
        "tracer",
        "usage",
        "wrapper",
    )

    def __init__(
        self,
        *,
        config: RunConfig,
        tracer: Tracer,
        capture_content: bool,
        context: Any = None,
        stream: EventStream | None = None,
        forward: RunRuntime | None = None,
        parent_tool_call_id: str | None = None,
        usage: Usage | None = None,
        tool_input: Any = None,
    ) -> None:
        self.config = config
        self.tool_input = tool_input
        """An agent-as-tool's nested run: the tool call's structured arguments, which its contexts show as
        ``ctx.tool_input`` (``None`` in any other run)."""
        self.tracer = tracer
        self.capture_content = capture_content
        self.context = context
        self.stream = stream
        self.forward: RunRuntime | None = forward if forward is not None and forward.listening else None
        self.parent_tool_call_id = parent_tool_call_id
        self.listening: bool = stream is not None or self.forward is not None
        self.streams: tuple[EventStream, ...] = ((stream,) if stream is not None else ()) + (
            self.forward.streams if self.forward is not None else ()
        )
        """Where tool events go: this run's stream, then every enclosing run's (fixed for the run's life)."""
        self.progress_dropped = 0
        self.trace_id = ""
        """Hex id of the run's trace, set when its ``invoke_agent`` span starts (before any event is emitted)."""
        self.usage = usage if usage is not None else Usage()
        """Tokens used by this run so far: the ``usage`` every ``RunContextWrapper`` / ``ToolContext`` shows. A nested
        run (an agent used as a tool) is given the enclosing run's, as in the SDK: what the inner agent spends is
        part of what the run spent."""
        self.items: list[RunItem | ToolCall] = []
        """Run items in creation order; tool items are appended by ``tool_events``, nowhere else. Read them through
        :meth:`run_items`: a run nobody streams holds placeholders for its tool items until then."""
        self.stop_after_turn = False
        """``RunResultStreaming.cancel(mode="after_turn")``: the run ends before its next model call."""
        self.failed_state: Callable[[], Any] | None = None
        """Once the run failed: builds its ``RunState`` (``failed_run.record_failure``), which a failed streamed
        result's ``to_state()`` gives, as in the SDK."""
        self.responses: list[ModelResponse] = []
        """The model's responses in this run so far (``RunResult.raw_responses``; read live by a streamed run)."""
        self.pending_items = False
        """``items`` holds placeholders (see ``tool_events.materialize``)."""
        # Read on every progress event: copied out of the config once so the hot path does one attribute load.
        self.metrics: Instruments = instruments_for(config.meter_provider)
        self.sampling: ProgressSampling = config.progress_sampling
        self.payload_cap: int = config.max_progress_payload_bytes
        self.redact: Redactor | None = config.redact
        self.stream_redact: Redactor | None = config.redact if config.redact_stream else None
        """The hook for the stream's tool events, or ``None`` when they carry raw values."""
        self._watchdog: StallWatchdog | None = None
        self.hooks: RunHooksBase[Any, Any] | None = None
        """``Runner.run(..., hooks=...)``; tool calls check it (and the agent's hooks) before building a coroutine."""
        self.current_agent: Agent[Any] | None = None
        """The agent running now; changes at each handoff (``RunResultStreaming.current_agent``)."""
        self.input_guardrail_results: list[InputGuardrailResult] = []
        self.output_guardrail_results: list[OutputGuardrailResult] = []
        self.tool_input_guardrail_results: list[ToolInputGuardrailResult] = []
        self.tool_output_guardrail_results: list[ToolOutputGuardrailResult] = []
        """Guardrail verdicts as they complete, so a streamed run that a tripwire ended still reports them."""
        self.parallel_input_results: list[InputGuardrailResult] | None = None
        """While input guardrails run alongside the first model call: their results list (a model attempt
        checks it for a tripwire before it starts); ``None`` otherwise."""
        self._trace_hex: tuple[int, str] = (0, "")
        self.chat_span: Any = None
        self.nested_results: dict[str, RunResult] | None = None
        """Agent-as-tool calls' nested results this turn (by call id), kept only for an agent whose
        ``tool_use_behavior`` judges its tool results (``FunctionToolResult.agent_run_result``)."""
        self.history_rewritten = False
        """A handoff's input filter or nested history rewrote the conversation (``to_input_list``'s modes differ)."""
        self.wrapper: RunContextWrapper[Any] | None = None
        """The run's own ``RunContextWrapper`` (set by its loop): a ``ToolContext`` shares its approval decisions and
        ``turn_input``."""
        self.nested_paused: dict[str, PausedRun] | None = None
        """Agent-as-tool calls of this turn whose nested run stopped for approvals (by call id); read once per turn."""
        self.local_answers: dict[str, str] | None = None
        """The turn's shell / apply_patch / local shell answers so far (by call id): the text carrying the output
        item the model is sent (``local_tool_run.ItemText``), kept only for those calls, so a failed turn can still
        give a completed one's real item (``failed_run``); dropped when the turn is saved."""
        self.nested_resume: dict[str, PausedRun] | None = None
        """A resumed turn's paused nested runs (by agent-tool call id): each call takes its own and resumes it."""
        """The last model call's ``chat`` span (ended): where its hosted tool calls are recorded."""

    def run_items(self) -> list[RunItem]:
        """The run items so far, each tool item built (``RunResult.new_items`` is this list)."""
        if self.pending_items:
            self.pending_items = False
            return tool_events.materialize(self.items)
        return self.items  # type: ignore[return-value]

    def trace_id_hex(self, trace_id: int) -> str:
        """``trace_id`` as hex, formatted once per run: every tool span of a run shares the run's trace."""
        cached_id, cached_hex = self._trace_hex
        if trace_id != cached_id:
            cached_hex = trace_id_hex(trace_id)
            self._trace_hex = (trace_id, cached_hex)
        return cached_hex

    def watchdog(self) -> StallWatchdog:
        """This run's stall watchdog, created by the first call that needs one (most runs never do)."""
        if self._watchdog is None:
            from .stall import StallWatchdog

            self._watchdog = StallWatchdog()
        return self._watchdog

    def emit(self, event: StreamEvent) -> None:
        """An event of this run only (model deltas, messages, agent updates)."""
        if self.stream is not None:
            self.stream.put(event)

    def emit_tool_event(self, event: StreamEvent) -> None:
        """A tool lifecycle event: this run's stream and every enclosing run's stream. Called by ``tool_events``
        only, the one module that turns tool call records into events."""
        for stream in self.streams:
            stream.put(event)

    def emit_progress(self, event: ToolProgressStreamEvent) -> None:
        """A progress event, to the same streams as :meth:`emit_tool_event` (coalesced when a consumer lags)."""
        for stream in self.streams:
            stream.put_progress(event)
