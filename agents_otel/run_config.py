"""Run-wide settings."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypedDict, TypeVar, get_args

from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider

from .exceptions import UserError
from .models.interface import ModelSettings
from .progress_payload import DEFAULT_MAX_PAYLOAD_BYTES
from .progress_sampling import ProgressSampling
from .redaction import Redactor
from .run_config_sandbox import SandboxArchiveLimits as SandboxArchiveLimits
from .run_config_sandbox import SandboxConcurrencyLimits as SandboxConcurrencyLimits
from .run_config_sandbox import SandboxRunConfig
from .run_config_tracing import TracingConfig, checked_tracing_config
from .session_settings import SessionSettings, coerce_session_settings

if TYPE_CHECKING:
    from .agent import Agent
    from .context_wrapper import RunContextWrapper
    from .guardrails import InputGuardrail, OutputGuardrail
    from .handoff_history import HandoffHistoryMapper
    from .handoffs import HandoffInputFilter
    from .lifecycle import RunHooksBase
    from .model_input_filter import CallModelInputFilter
    from .models.interface import Model, ModelProvider
    from .run_error_handlers import RunErrorHandlers
    from .sessions import Session, SessionInputCallback
    from .tool_errors import ToolErrorFormatter

TContext = TypeVar("TContext")

DEFAULT_MAX_TURNS = 10
"""``Runner.run``'s default ``max_turns``, as the SDK's ``agents.run_config.DEFAULT_MAX_TURNS``."""

DEFAULT_MAX_BUFFERED = 1000
"""Default of :attr:`RunConfig.max_buffered_events`."""

ToolNotFoundBehavior = Literal["raise_error", "return_error_to_model"]
ToolNameCollisionPolicy = Literal["warn", "error"]
"""``RunConfig.tool_name_collision_policy``, as the SDK's ``agents.ToolNameCollisionPolicy``."""
ReasoningItemIdPolicy = Literal["preserve", "omit"]
"""``RunConfig.reasoning_item_id_policy``, as the SDK's ``agents.ReasoningItemIdPolicy``."""


OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT = "Output withheld by an output guardrail."
"""What replaces a tool's output an output guardrail rejected (the SDK's text), where the run keeps it: the session,
``new_items``, the conversation. See :attr:`RunConfig.output_guardrail_blocked_message`."""


@dataclass
class OutputGuardrailBlockedMessageArgs(Generic[TContext]):
    """What a ``RunConfig.output_guardrail_blocked_message`` formatter receives, as in the OpenAI Agents SDK: only
    data-free facts about the rejection, never the rejected output nor the guardrail's ``output_info``."""

    default_message: str
    """The text used when the formatter gives none (:data:`OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT`)."""
    guardrail_name: str
    """The output guardrail whose tripwire fired."""
    agent: Agent[Any]
    """The agent whose final output (a tool's output, through its ``tool_use_behavior``) was rejected."""
    run_context: RunContextWrapper[TContext]
    """The run's context wrapper."""


OutputGuardrailBlockedMessageFormatter = Callable[[OutputGuardrailBlockedMessageArgs[Any]], "str | None"]
"""A synchronous function of :class:`OutputGuardrailBlockedMessageArgs` returning the placeholder text (``None``:
the default). Synchronous as in the SDK: it runs while the rejected output is being replaced."""


@dataclass
class ToolExecutionConfig:
    """How the runtime runs a turn's function tool calls (``RunConfig(tool_execution=...)``), as in the OpenAI
    Agents SDK: e.g. a cap on calls in flight, for tools that share a rate-limited API or a connection pool."""

    max_function_tool_concurrency: int | None = None
    """At most this many of one turn's function tool calls run at once; the others start, in the model's order, as
    running ones finish. ``None``: all of them at once (the default). The model's ``parallel_tool_calls`` is
    unaffected."""
    pre_approval_tool_input_guardrails: bool = False
    """``True``: a call that would wait for approval is first judged by its tool's input guardrails, as in the SDK,
    so a call a guardrail answers (``reject_content``) or stops the run for (``raise_exception``) never asks a
    person. A call they allow waits as usual, and is judged again when it runs after approval."""

    def __post_init__(self) -> None:
        limit = self.max_function_tool_concurrency
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise UserError(
                f"tool_execution.max_function_tool_concurrency must be an int or None, got {type(limit).__name__}"
            )
        if limit is not None and limit < 1:
            raise ValueError("tool_execution.max_function_tool_concurrency must be at least 1")
        if not isinstance(self.pre_approval_tool_input_guardrails, bool):
            raise ValueError("tool_execution.pre_approval_tool_input_guardrails must be a bool")


@dataclass
class RunConfig:
    """Settings for one run (``Runner.run(..., run_config=...)``), as in the OpenAI Agents SDK plus tracing knobs."""

    model: str | Model | None = None
    """The model of every agent in the run, overriding each agent's own (as in the OpenAI Agents SDK): one run on
    another model without touching the agents, e.g. an evaluation or a cheaper test run."""
    model_provider: ModelProvider | None = None
    """Where models given by name come from in this run (the SDK's field, second as there): see
    :class:`~agents_otel.ModelProvider`. ``None``: as the SDK's default, a ``MultiProvider()`` (``"openai/gpt-4.1"``
    or ``"gpt-4.1"`` on OpenAI with the default client; another prefix a ``UserError``), without importing openai
    for a run whose models are all objects."""
    model_settings: ModelSettings | None = None
    """Run-wide overrides, as in the OpenAI Agents SDK: each field set here wins over the agent's own setting."""
    tracer_provider: TracerProvider | None = None
    """Where spans go. ``None``: the global provider. The runtime only adds its stream processor to it."""
    capture_content: bool | None = None
    """Record messages, tool arguments and results in spans. ``None``: from
    ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` (off by default, as the conventions ask)."""
    max_buffered_events: int = DEFAULT_MAX_BUFFERED
    """Undelivered stream events before progress of a call starts being coalesced (latest value wins)."""
    meter_provider: MeterProvider | None = None
    """Where metrics go. ``None``: the global MeterProvider (a no-op until the app or the zero-config setup
    installs one)."""
    tool_stall_timeout: float | None = None
    """Seconds without progress after which a running tool call is reported stalled (span event, stream event,
    ``agents_otel.tool.stalls``), for tools that set no ``stall_timeout`` of their own. ``None``: off."""
    idle_timeout_hard_cap: float = 3600.0
    """Seconds: the hard cap of a tool with ``idle_timeout`` but no ``timeout``, so a tool that keeps reporting
    progress forever still ends."""
    max_progress_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES
    """JSON bytes of one progress payload recorded on the span; larger ones are cut and marked
    ``agents_otel.progress.truncated``. The stream always gets the object itself."""
    progress_sampling: ProgressSampling = field(default_factory=ProgressSampling)
    """Which progress events are recorded on the span (first, rate-limited middle, last); see
    :class:`ProgressSampling`. The stream is not sampled."""
    redact: Redactor | None = None
    """``redact(kind, tool_name, value)`` returns what to record instead of the value: in the trace (progress
    payloads, exception messages and, with content capture on, tool arguments / results and chat messages) and, by
    default, in the run's stream. See ``agents_otel.redaction``."""
    redact_stream: bool = True
    """Whether ``redact`` also applies to the stream's tool events (progress data, ``tool_called`` arguments,
    ``tool_output`` output), and so to everything served from it (SSE, AG-UI, AI SDK). ``False``: the stream gets
    raw values, for an application that needs them in process; the trace stays redacted."""
    conversation_id: str | None = None
    """The conversation this run belongs to, recorded as ``gen_ai.conversation.id`` on every span of the run (e.g. a
    UI protocol's thread id), so the runs of one chat can be found together in a trace backend. ``None``: the
    OpenAI conversation of ``Runner.run(..., conversation_id=...)``, else ``group_id``, else the session's id, else
    not set. Only a label: unlike ``Runner.run(conversation_id=...)`` it changes nothing the model is sent."""
    input_guardrails: list[InputGuardrail[Any]] | None = None
    """Checked on the run's input together with the starting agent's own ``input_guardrails``."""
    output_guardrails: list[OutputGuardrail[Any]] | None = None
    """Checked on the final output together with the final agent's own ``output_guardrails``."""
    handoff_input_filter: HandoffInputFilter | None = None
    """The input filter of every handoff that sets none of its own."""
    nest_handoff_history: bool = False
    """As in the OpenAI Agents SDK (an opt-in beta there): at each handoff without an input filter, the next agent
    reads the conversation so far as assistant summary segments (``<CONVERSATION HISTORY>`` ... ) around the
    handing-off turn's messages, instead of the raw transcript; ``handoff(..., nest_handoff_history=)`` overrides it
    per handoff. The session still records every item (see docs/handoffs.md). With server-side
    conversation state it is a ``UserError`` when the run starts (the SDK turns it off with a warning)."""
    handoff_history_mapper: HandoffHistoryMapper | None = None
    """As in the SDK: with ``nest_handoff_history``, ``mapper(transcript)`` (the conversation so far as
    Responses-format dicts, in order) returns exactly what the next agent reads instead of the summary segments;
    anything but a list of valid input items is a ``UserError``."""
    workflow_name: str | None = None
    """As in the OpenAI Agents SDK, the name of the trace the run makes: the run gets an ``invoke_workflow {name}``
    span above its agents (as ``trace()`` makes). Unset (and no ``trace_metadata``): no such span, the starting
    agent's ``invoke_agent`` span is the root."""
    trace_id: str | None = None
    """As in the OpenAI Agents SDK, the id of the trace the run makes (``trace_`` + 32 lowercase hex, as
    ``gen_trace_id()`` makes; else a ``UserError`` when the run starts): the run's top span starts under a remote
    parent carrying that id, which is never exported. A run inside a current span (``trace()``, a request's span)
    joins that span's trace instead, as an SDK run inside ``trace()`` does (logged when the ids differ)."""
    group_id: str | None = None
    """As in the SDK, links the traces of one conversation: the run's ``gen_ai.conversation.id`` when
    ``conversation_id`` is unset."""
    trace_metadata: dict[str, Any] | None = None
    """As in the SDK: attributes of the run's ``invoke_workflow`` span (``agents_otel.workflow.metadata.<key>``);
    setting it makes that span, named ``Agent workflow`` (the SDK's default name) unless ``workflow_name`` is set."""
    trace_include_sensitive_data: bool | None = None
    """The SDK's name for content capture: used when ``capture_content`` is unset."""
    tracing: TracingConfig | None = None
    """As in the OpenAI Agents SDK: ``{"api_key": ...}`` is the key a registered ``BackendSpanExporter`` uploads this
    run's traces with; ``include_task_and_turn_spans=True`` or another key is a ``UserError`` (see
    ``agents_otel.run_config_tracing``)."""
    tracing_disabled: bool = False
    """As in the OpenAI Agents SDK: the run records no spans (see also ``set_tracing_disabled``); its stream, progress
    events and metrics are unchanged."""
    tool_not_found_behavior: ToolNotFoundBehavior = "raise_error"
    """A call to a tool the agent does not have (or has disabled), as in the OpenAI Agents SDK:
    ``"raise_error"`` fails the run with ``ModelBehaviorError`` before the turn's tools run;
    ``"return_error_to_model"`` tells the model (``Error: Tool 'x' not found. Available tools: [...]``, on an
    ``execute_tool`` span with ``error.type=tool_not_found``) and the run goes on; ``tool_error_formatter`` may word
    that message."""
    tool_error_formatter: ToolErrorFormatter | None = None
    """As in the OpenAI Agents SDK: called (sync or async) with a :class:`~agents_otel.ToolErrorFormatterArgs` for each
    call to a tool the agent does not have when ``tool_not_found_behavior="return_error_to_model"``, each rejected
    approval without a message of its own, and (SDK 0.24, ``kind="tool_exception"``, ``args.error``) each exception
    of a function tool that keeps the default ``failure_error_function``: a policy of the tool's own, ``None``
    included, wins, and agents used as tools and timeouts keep theirs. The string it returns is what the model reads,
    ``None`` keeps ``args.default_message``; one that raises is logged and the default used, as in the SDK. An
    exception it words is not recorded on the tool's span (its type is: ``error.type``)."""
    session_input_callback: SessionInputCallback | None = None
    """As in the OpenAI Agents SDK: with a session, ``callback(history, new_input)`` (sync or async, both lists of
    Responses-format dicts) returns the list the run starts from instead of ``history + new_input``; the session
    then gets only the items of that list that are not from its history."""
    call_model_input_filter: CallModelInputFilter | None = None
    """As in the OpenAI Agents SDK: called (sync or async) right before every model call of the run with a
    :class:`~agents_otel.CallModelData` (the call's input as Responses-format dicts and its instructions, the agent,
    the run's context); the :class:`~agents_otel.ModelInputData` it returns is what that call sends, e.g. the
    history trimmed to fit a context window. The run's history, ``to_input_list()`` and the session are unchanged;
    the ``chat`` span records what was sent."""
    tool_execution: ToolExecutionConfig | None = None
    """As in the OpenAI Agents SDK: how function tool calls run (a :class:`ToolExecutionConfig`, or a dict of its
    fields). ``None``: every call of a turn at once."""
    tool_name_collision_policy: ToolNameCollisionPolicy = "warn"
    """As in the OpenAI Agents SDK, a handoff offered under the name of a function tool (or of another handoff) in
    the same turn: ``"warn"`` logs a warning and offers only the handoff (the last one of that name), which is what
    a call of that name runs; ``"error"`` is a ``UserError`` before the model is called. Two function tools with one
    name are a ``ToolNameCollisionError`` either way."""
    reasoning_item_id_policy: ReasoningItemIdPolicy | None = None
    """As in the OpenAI Agents SDK: ``"omit"`` sends a reasoning model's ``reasoning`` items back on the next turn
    without their ``id`` (so do ``to_input_list()``, the session, and the session history a run reads), for
    conversations whose reasoning items the server no longer keeps (``store=False``, expired items). ``None`` /
    ``"preserve"``: as they came. ``result.new_items`` keep the ids either way."""
    session_settings: SessionSettings | None = None
    """As in the OpenAI Agents SDK: overrides the session's own ``session_settings`` field by field (those set
    here win); ``limit`` is how many of the latest history items the run reads. A dict of its fields is taken."""
    sandbox: SandboxRunConfig | None = None
    """Where ``SandboxAgent``s of the run work (``agents_otel.sandbox``); ``None``: the run has no sandbox."""
    output_guardrail_blocked_message: str | OutputGuardrailBlockedMessageFormatter | None = None
    """As in the OpenAI Agents SDK: when an output guardrail rejects a final output that a tool produced
    (``tool_use_behavior="stop_on_first_tool"``, ``StopAtTools``, a function), the run keeps the tool's call with
    this text in place of its output (session, ``new_items``, the error's guardrail result), so a later run knows
    the tool ran without seeing what it returned. A non-empty string, or a synchronous formatter of
    :class:`OutputGuardrailBlockedMessageArgs`; ``None`` (or a formatter that raises or returns anything but a
    non-empty string): :data:`OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT`."""

    def __post_init__(self) -> None:
        _check_blocked_message(self.output_guardrail_blocked_message)
        if self.model_provider is not None and not callable(getattr(self.model_provider, "get_model", None)):
            raise UserError(
                f"RunConfig model_provider must have get_model(model_name) (a ModelProvider), got "
                f"{type(self.model_provider).__name__}"
            )
        if self.call_model_input_filter is not None and not callable(self.call_model_input_filter):
            raise UserError(
                "RunConfig call_model_input_filter must be a function of CallModelData returning ModelInputData, "
                f"got {type(self.call_model_input_filter).__name__}"
            )
        if not isinstance(self.nest_handoff_history, bool):
            raise UserError(f"RunConfig nest_handoff_history must be a bool, got {self.nest_handoff_history!r}")
        if self.nest_handoff_history and self.handoff_input_filter is not None:
            # The SDK lets the filter win at every handoff: the flag could never take effect.
            raise UserError(
                "RunConfig nest_handoff_history=True has no effect with a handoff_input_filter: the filter decides "
                "what the next agent reads at every handoff. Drop one (a filter may call "
                "agents_otel.nest_handoff_history itself)"
            )
        for name in ("tool_error_formatter", "session_input_callback", "handoff_history_mapper"):
            value = getattr(self, name)
            if value is not None and not callable(value):
                raise UserError(f"RunConfig {name} must be a function or None, got {type(value).__name__}")
        if self.tool_name_collision_policy not in get_args(ToolNameCollisionPolicy):
            raise ValueError("tool_name_collision_policy must be either 'warn' or 'error'")
        if self.reasoning_item_id_policy is not None and self.reasoning_item_id_policy not in get_args(
            ReasoningItemIdPolicy
        ):
            raise UserError(
                f"RunConfig reasoning_item_id_policy must be 'preserve', 'omit' or None, got "
                f"{self.reasoning_item_id_policy!r}"
            )
        if self.tracing is not None:
            self.tracing = checked_tracing_config(self.tracing)
        if self.tool_execution is not None and not isinstance(self.tool_execution, ToolExecutionConfig):
            self.tool_execution = _coerce(self.tool_execution, ToolExecutionConfig, "tool_execution")
        if self.session_settings is not None:
            self.session_settings = coerce_session_settings(self.session_settings, "RunConfig session_settings")
        if self.sandbox is not None and not isinstance(self.sandbox, SandboxRunConfig):
            if not isinstance(self.sandbox, dict):
                raise UserError(
                    f"RunConfig sandbox must be a SandboxRunConfig or a dict, got {type(self.sandbox).__name__}"
                )
            self.sandbox = SandboxRunConfig(**self.sandbox)
        if self.tool_not_found_behavior not in get_args(ToolNotFoundBehavior):
            raise UserError(
                f"RunConfig tool_not_found_behavior must be one of {list(get_args(ToolNotFoundBehavior))}, "
                f"got {self.tool_not_found_behavior!r}"
            )


def _check_blocked_message(value: object) -> None:
    """The SDK's rules and error types: an empty string is a ``ValueError``; anything but a built-in string, a
    synchronous callable or ``None`` is a ``TypeError`` (a ``str`` subclass too: its methods could run user code
    while the rejected output is being replaced)."""
    if type(value) is str:
        if not value:
            raise ValueError("output_guardrail_blocked_message must be non-empty")
    elif isinstance(value, str):
        raise TypeError("output_guardrail_blocked_message must be a built-in string, callable, or None")
    elif value is not None and not callable(value):
        raise TypeError(
            f"output_guardrail_blocked_message must be a string, callable, or None, got {type(value).__name__}"
        )
    elif inspect.iscoroutinefunction(value):
        raise TypeError("output_guardrail_blocked_message formatter must be synchronous")


class RunOptions(TypedDict, Generic[TContext], total=False):
    """The keyword arguments of ``Runner.run`` / ``run_sync`` / ``run_streamed`` (and ``AgentRunner``'s), as the
    SDK's ``RunOptions``, all optional: ``Runner.run(agent, input, **options)`` for options built elsewhere."""

    context: TContext | None
    max_turns: int | None
    hooks: RunHooksBase[TContext, Any] | None
    run_config: RunConfig | None
    previous_response_id: str | None
    auto_previous_response_id: bool
    conversation_id: str | None
    session: Session | None
    error_handlers: RunErrorHandlers[TContext] | None


def _coerce(value: Any, cls: type[ToolExecutionConfig], name: str) -> ToolExecutionConfig:
    """A dict of the fields, as the SDK takes it; anything else is a ``UserError`` naming the field."""
    if not isinstance(value, dict):
        raise UserError(f"RunConfig {name} must be a {cls.__name__} or a dict, got {type(value).__name__}")
    try:
        return cls(**value)
    except TypeError as exc:
        raise UserError(f"RunConfig {name}: {exc}") from exc


_ENGINE_NAMES = {
    "CallModelData": "model_input_filter",
    "CallModelInputFilter": "model_input_filter",
    "ModelInputData": "model_input_filter",
    "ToolErrorFormatter": "tool_errors",
    "ToolErrorFormatterArgs": "tool_errors",
}


def __getattr__(name: str) -> Any:
    """The SDK's ``agents.run_config`` also holds the types of ``call_model_input_filter`` and
    ``tool_error_formatter``; here they live with the engine code that calls them (this module is a record, below
    it), so they load on first use. ``_default_trace_include_sensitive_data()``: the content-capture default a run
    uses when neither ``capture_content`` nor ``trace_include_sensitive_data`` is set (the OpenTelemetry variable,
    off by default; see ``tracing.content``)."""
    module = _ENGINE_NAMES.get(name)
    if module == "model_input_filter":
        from . import model_input_filter

        return getattr(model_input_filter, name)
    if module == "tool_errors":
        from . import tool_errors

        return getattr(tool_errors, name)
    if name == "_default_trace_include_sensitive_data":
        from .tracing.content import capture_content_from_env

        return capture_content_from_env
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
