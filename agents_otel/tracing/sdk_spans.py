"""The OpenAI Agents SDK's span functions — ``agent_span()``, ``function_span()``, ``generation_span()``,
``response_span()``, ``handoff_span()``, ``guardrail_span()``, ``mcp_tools_span()``, ``task_span()``,
``turn_span()``, ``custom_span()`` — and
``get_current_span()`` / ``get_current_trace()``, as OpenTelemetry spans.

Why: SDK programs wrap work of their own (a model called by hand, a tool run outside the loop, a routing decision)
in these spans so it shows in the run's trace. Here each one is the span our runtime makes for that kind of work —
``agent_span`` an ``invoke_agent`` span, ``function_span`` an ``execute_tool`` span, ``generation_span`` a ``chat``
span, ... — named and attributed the same way, a child of the current span, so an OTLP backend and the SDK trace
processors (:mod:`.sdk_trace_bridge`, which derives their span data from the attributes) see it like the
runtime's own. The object returned is the SDK's ``Span`` (``with``, or ``start()``/``finish()``, ``span_data``,
``set_error``); its ``span_data`` is written to the span again at ``finish``, so fields the program fills in
while the work runs (a generation's output and usage) are recorded. Content (messages, tool input and output,
tool names) is recorded only under content capture, as for the runtime's spans.

What OpenTelemetry decides is refused rather than ignored: ``span_id=`` (the id generator picks span ids) is a
``UserError``. Spans go where the enclosing run's spans go, else to the global provider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from opentelemetry import context as context_api
from opentelemetry import trace as trace_api
from opentelemetry.context import Context
from opentelemetry.trace import Span as OtelSpan
from opentelemetry.trace import StatusCode

from ..exceptions import UserError
from . import attributes as A
from .content import capture_content_from_env
from .conversation import CONVERSATION_CONTEXT_KEY
from .ids import gen_trace_id, span_id_hex, trace_id_hex
from .provider import application_tracer
from .sdk_span_data import (
    AgentSpanData,
    CustomSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailSpanData,
    HandoffSpanData,
    MCPListToolsSpanData,
    ResponseSpanData,
    SpanData,
    TaskSpanData,
    TurnSpanData,
)
from .sdk_span_shapes import span_shape
from .sdk_trace_bridge import span_data_of
from .sdk_tracing import Span, SpanError
from .sdk_tracing import Trace as TraceView
from .spans import record_outcome
from .workflow import OPEN_TRACE_KEY, Trace

if TYPE_CHECKING:
    from openai.types.responses import Response

TSpanData = TypeVar("TSpanData", bound=SpanData)

_OPEN_SPAN_KEY = context_api.create_key("agents_otel.open_sdk_span")
"""Context key of the span object a ``with agent_span(...)`` (etc.) block made current, so ``get_current_span()``
returns that very object, as in the SDK."""

Parent = Trace | Span[Any] | TraceView | None


class SdkSpan(Span[TSpanData], Generic[TSpanData]):
    """What the span functions return: an OpenTelemetry span with the SDK's ``Span`` interface. Before ``start``
    (and when tracing is disabled) its ids are empty."""

    __slots__ = ("_capture", "_disabled", "_ended", "_otel", "_parent", "_recorded", "_token")

    def __init__(self, span_data: TSpanData, parent: Parent = None, disabled: bool = False) -> None:
        super().__init__("", "", None, span_data)
        self._parent = parent
        self._disabled = disabled
        self._capture = capture_content_from_env()
        self._otel: OtelSpan | None = None
        self._token: object | None = None
        self._ended = False
        self._recorded = False  # whether the OpenTelemetry span recorded when it started

    @classmethod
    def _of_current(cls, otel: OtelSpan, span_data: TSpanData) -> SdkSpan[TSpanData]:
        """A view of a span someone else started (the runtime's): ``start``/``finish`` leave it alone."""
        view = cls(span_data)
        view._otel = otel
        view._recorded = otel.is_recording()
        view._ended = True  # not ours to end
        return view

    @property
    def span(self) -> OtelSpan:
        """The OpenTelemetry span (non-recording before ``start`` or when disabled)."""
        return self._otel if self._otel is not None else trace_api.INVALID_SPAN

    @property
    def trace_id(self) -> str:
        """``trace_`` + the OpenTelemetry trace id; ``""`` for a span that records nothing (disabled, sampled out:
        a no-op span repeats its parent's ids, which would name another span)."""
        return "trace_" + trace_id_hex(self.span.get_span_context().trace_id) if self._recorded else ""

    @property
    def span_id(self) -> str:
        return "span_" + span_id_hex(self.span.get_span_context().span_id) if self._recorded else ""

    @property
    def parent_id(self) -> str | None:
        parent = getattr(self._otel, "parent", None)
        return "span_" + span_id_hex(parent.span_id) if parent is not None and not parent.is_remote else None

    def start(self, mark_as_current: bool = False) -> None:
        if self._otel is not None:
            return
        name, kind, attributes = span_shape(self.span_data, self._capture)
        self._otel = application_tracer(self._disabled).start_span(name, _parent_context(self._parent), kind,
                                                                   attributes)
        self._recorded = self._otel.is_recording()
        self._started_at = _now()
        if mark_as_current:
            context = trace_api.set_span_in_context(self._otel)
            self._token = context_api.attach(context_api.set_value(_OPEN_SPAN_KEY, self, context))

    def finish(self, reset_current: bool = False) -> None:
        if self._token is not None and reset_current:
            context_api.detach(self._token)  # type: ignore[arg-type]
            self._token = None
        if self._otel is None or self._ended:
            return
        self._ended = True
        name, _, attributes = span_shape(self.span_data, self._capture)  # what the program filled in meanwhile
        self._otel.update_name(name)
        self._otel.set_attributes(attributes)
        self._ended_at = _now()
        self._otel.end()

    def set_error(self, error: SpanError) -> None:
        """As in the SDK, and recorded on the OpenTelemetry span: status ERROR with the message, ``error.type``
        from ``error["data"]["error.type"]`` when given, else ``_OTHER``."""
        self._error = error
        otel = self.span
        data = error.get("data") or {}
        error_type = data.get("error.type") if isinstance(data, dict) else None
        otel.set_attribute(A.ERROR_TYPE, error_type if isinstance(error_type, str) else A.ERROR_OTHER)
        otel.set_status(StatusCode.ERROR, str(error.get("message") or "error"))

    def __enter__(self) -> SdkSpan[TSpanData]:
        self.start(mark_as_current=True)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is not None and self._otel is not None and not self._ended:
            error_type = record_outcome(self._otel, exc)
            self._error = SpanError(message=str(exc) or error_type, data={"error.type": error_type})
        self.finish(reset_current=True)

    def export(self) -> dict[str, Any] | None:
        return {
            "object": "trace.span", "id": self.span_id, "trace_id": self.trace_id, "parent_id": self.parent_id,
            "started_at": self._started_at, "ended_at": self._ended_at, "span_data": self.span_data.export(),
            "error": self._error,
        }

    def __repr__(self) -> str:
        return f"Span(span_id={self.span_id!r}, type={self.span_data.type!r}, parent_id={self.parent_id!r})"


CustomSpan = SdkSpan[CustomSpanData]
"""What ``custom_span()`` returns."""


def _parent_context(parent: Parent) -> Context | None:
    """Where the span starts: under the current span (``None``), or under ``parent`` as the SDK's ``parent=``."""
    if parent is None:
        return None
    if isinstance(parent, SdkSpan | Trace):
        return trace_api.set_span_in_context(parent.span)
    current = trace_api.get_current_span().get_span_context()
    if isinstance(parent, Span | TraceView) and current.is_valid and parent.trace_id == "trace_" + trace_id_hex(
        current.trace_id
    ):
        return None  # a snapshot of the current trace (a processor's, get_current_trace()): under the current span
    raise UserError(
        f"parent= must be a trace() handle, a span from a span function or get_current_span(), or the current "
        f"trace; got {type(parent).__name__}"
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _span(data: TSpanData, span_id: str | None, parent: Parent, disabled: bool) -> SdkSpan[TSpanData]:
    if span_id is not None:
        raise UserError(
            "span_id= is not supported: OpenTelemetry's id generator assigns span ids; read span.span_id once started"
        )
    return SdkSpan(data, parent, disabled)


def agent_span(
    name: str,
    handoffs: list[str] | None = None,
    tools: list[str] | None = None,
    output_type: str | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[AgentSpanData]:
    """As in the SDK: an ``invoke_agent {name}`` span."""
    return _span(AgentSpanData(name, handoffs, tools, output_type), span_id, parent, disabled)


def function_span(
    name: str,
    input: str | None = None,
    output: str | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[FunctionSpanData]:
    """As in the SDK: an ``execute_tool {name}`` span (input and output under content capture)."""
    return _span(FunctionSpanData(name, input, output), span_id, parent, disabled)


def generation_span(
    input: Sequence[Mapping[str, Any]] | None = None,
    output: Sequence[Mapping[str, Any]] | None = None,
    model: str | None = None,
    model_config: Mapping[str, Any] | None = None,
    usage: dict[str, Any] | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
    tools: Sequence[Mapping[str, Any]] | None = None,
) -> SdkSpan[GenerationSpanData]:
    """As in the SDK: a ``chat {model}`` CLIENT span (messages and the offered ``tools``, recorded as
    ``gen_ai.tool.definitions``, under content capture)."""
    return _span(GenerationSpanData(input, output, model, model_config, usage, tools), span_id, parent, disabled)


def response_span(
    response: Response | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[ResponseSpanData]:
    """As in the SDK: a ``chat {model}`` CLIENT span with the response's id, model and usage (set ``span_data
    .response`` before ``finish`` when the response arrives inside the span)."""
    return _span(ResponseSpanData(response), span_id, parent, disabled)


def handoff_span(
    from_agent: str | None = None,
    to_agent: str | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[HandoffSpanData]:
    """As in the SDK: a ``handoff {from} -> {to}`` span (renamed at ``finish`` if ``to_agent`` was set later)."""
    return _span(HandoffSpanData(from_agent, to_agent), span_id, parent, disabled)


def guardrail_span(
    name: str,
    triggered: bool = False,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[GuardrailSpanData]:
    """As in the SDK: a ``guardrail {name}`` span with its tripwire."""
    return _span(GuardrailSpanData(name, triggered), span_id, parent, disabled)


def mcp_tools_span(
    server: str | None = None,
    result: list[str] | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[MCPListToolsSpanData]:
    """As in the SDK: an MCP ``tools/list`` CLIENT span (the listed names under content capture)."""
    return _span(MCPListToolsSpanData(server, result), span_id, parent, disabled)


def custom_span(
    name: str,
    data: dict[str, Any] | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[CustomSpanData]:
    """A span of the application's own, as the SDK's ``custom_span()``; ``data`` becomes ``agents_otel.custom.*``."""
    return _span(CustomSpanData(name, data or {}), span_id, parent, disabled)


def task_span(
    name: str,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[TaskSpanData]:
    """As in the SDK: one top-level piece of work, a ``task {name}`` span (``agents_otel.task.name``; usage and
    metadata set on ``span_data`` before ``finish`` are recorded)."""
    return _span(TaskSpanData(name), span_id, parent, disabled)


def turn_span(
    turn: int,
    agent_name: str,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[TurnSpanData]:
    """As in the SDK: one agent-loop turn, a ``turn {agent_name}`` span (``agents_otel.turn.number``,
    ``gen_ai.agent.name``)."""
    return _span(TurnSpanData(turn, agent_name), span_id, parent, disabled)


def get_current_span() -> Span[Any] | None:
    """As in the SDK: the span current here, or ``None`` (none, or only a ``trace()`` workflow, which is the trace).
    The object a ``with agent_span(...)`` block opened is returned as is; any other span (the runtime's
    ``execute_tool`` span inside a tool, ...) as a view whose ``span_data`` is what a trace processor would get and
    whose ``set_error`` marks that span failed."""
    otel = trace_api.get_current_span()
    if not otel.get_span_context().is_valid:
        return None
    opened = context_api.get_value(_OPEN_SPAN_KEY)
    if isinstance(opened, SdkSpan) and opened.span is otel:
        return opened
    attributes = getattr(otel, "attributes", None) or {}
    if attributes.get(A.GEN_AI_OPERATION_NAME) == A.OP_INVOKE_WORKFLOW:
        return None
    return SdkSpan._of_current(otel, span_data_of(str(getattr(otel, "name", "")), attributes))


def get_current_trace() -> TraceView | None:
    """As in the SDK: the trace current here, or ``None``. ``trace_id`` is ``trace_`` + the OpenTelemetry trace id;
    the name, group and metadata are the enclosing ``trace()``'s, else ``Agent workflow`` and the run's
    conversation id."""
    context = trace_api.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    trace_id = "trace_" + trace_id_hex(context.trace_id)
    opened = context_api.get_value(OPEN_TRACE_KEY)
    if isinstance(opened, Trace) and opened.span.get_span_context().trace_id == context.trace_id:
        return TraceView(opened.workflow_name, trace_id, opened.group_id, opened.metadata)
    group_id = context_api.get_value(CONVERSATION_CONTEXT_KEY)
    return TraceView("Agent workflow", trace_id, group_id if isinstance(group_id, str) else None, None)


__all__ = [
    "CustomSpan",
    "agent_span",
    "custom_span",
    "function_span",
    "gen_trace_id",
    "generation_span",
    "get_current_span",
    "get_current_trace",
    "guardrail_span",
    "handoff_span",
    "mcp_tools_span",
    "response_span",
    "task_span",
    "turn_span",
]
