"""The OpenAI Agents SDK's ``trace()`` as an OpenTelemetry span (the span functions, ``custom_span()`` included,
are :mod:`.sdk_spans`).

Why: SDK programs group several runs into one trace with ``with trace("Joke workflow"):``. Here a trace is an
``invoke_workflow {name}`` span (the GenAI conventions' span for "a coordinated process composed of multiple
agents"), current while it is open, so every run inside it — each an ``invoke_agent`` span — becomes its child and
the whole workflow is one trace in any OTLP backend. ``group_id`` (the SDK's id linking the traces of one
conversation) becomes ``gen_ai.conversation.id`` on the workflow span and on every span started inside it;
``metadata`` becomes ``agents_otel.workflow.metadata.<key>`` attributes.

The spans go where the enclosing run's spans go, else to the global provider (configured by default, as for a run
without ``RunConfig.tracer_provider``); ``set_tracing_disabled(True)`` and ``disabled=True`` make them record
nothing. ``trace_id="trace_<32 hex>"`` is honoured by starting the workflow span under a remote parent carrying that
id (:func:`.ids.requested_trace_parent`): OpenTelemetry's id generator cannot be told an id through its public API.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from opentelemetry import context as context_api
from opentelemetry import trace as trace_api
from opentelemetry.context import Context
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind

from ..run_config_tracing import TracingConfig, checked_tracing_config
from ..safe_json import dumps
from .attributes import GEN_AI_CONVERSATION_ID, GEN_AI_OPERATION_NAME, GEN_AI_WORKFLOW_NAME, OP_INVOKE_WORKFLOW
from .config import TRACING_KEY_CONTEXT_KEY
from .conversation import CONVERSATION_CONTEXT_KEY
from .ids import requested_trace_parent, trace_id_hex
from .provider import application_tracer
from .spans import record_outcome

WORKFLOW_METADATA_PREFIX = "agents_otel.workflow.metadata."
CUSTOM_DATA_PREFIX = "agents_otel.custom."
OPEN_TRACE_KEY = context_api.create_key("agents_otel.open_trace")
"""Context key of the :class:`Trace` handle a ``with trace(...)`` block made current (``get_current_trace()``)."""


class _OpenSpan:
    """A span the caller opens and closes (``start``/``finish``, or ``with``), current in between if asked."""

    def __init__(
        self,
        name: str,
        attributes: dict[str, Any],
        disabled: bool,
        group_id: str | None = None,
        remote_parent: SpanContext | None = None,
        tracing_key: str | None = None,
    ) -> None:
        self.name = name
        self._tracing_key = tracing_key
        self.disabled = disabled
        self._attributes = attributes
        self._group_id = group_id
        self._remote_parent = remote_parent
        self._span: Span | None = None
        self._token: object | None = None
        self._ended = False

    def start(self, mark_as_current: bool = False) -> None:
        if self._span is not None:
            return
        parent: Context | None = None
        if self._remote_parent is not None:  # a trace id the program chose: the span joins that trace
            parent = trace_api.set_span_in_context(NonRecordingSpan(self._remote_parent))
        if self._tracing_key:  # trace(tracing={"api_key": ...}): the bridge gives it to this trace's SDK objects
            parent = context_api.set_value(TRACING_KEY_CONTEXT_KEY, self._tracing_key, parent)
        self._span = application_tracer(self.disabled).start_span(
            self.name, parent, SpanKind.INTERNAL, self._attributes
        )
        if mark_as_current:
            context = trace_api.set_span_in_context(self._span)
            if self._group_id:
                context = context_api.set_value(CONVERSATION_CONTEXT_KEY, self._group_id, context)
            if self._tracing_key:  # also for the spans inside, when this span is not on a provider the bridge is on
                context = context_api.set_value(TRACING_KEY_CONTEXT_KEY, self._tracing_key, context)
            if isinstance(self, Trace):
                context = context_api.set_value(OPEN_TRACE_KEY, self, context)
            self._token = context_api.attach(context)

    def finish(self, reset_current: bool = False) -> None:
        if self._token is not None and reset_current:
            context_api.detach(self._token)  # type: ignore[arg-type]
            self._token = None
        if self._span is not None and not self._ended:
            self._ended = True
            self._span.end()

    def __enter__(self) -> _OpenSpan:
        self.start(mark_as_current=True)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is not None and self._span is not None:
            record_outcome(self._span, exc)
        self.finish(reset_current=True)

    @property
    def span(self) -> Span:
        """The OpenTelemetry span (non-recording before ``start`` or when disabled)."""
        return self._span if self._span is not None else trace_api.INVALID_SPAN


class Trace(_OpenSpan):
    """What ``trace()`` returns: use it as ``with trace(...):``, or ``start(mark_as_current=True)`` and
    ``finish(reset_current=True)``, as in the SDK."""

    def __init__(
        self,
        workflow_name: str,
        group_id: str | None,
        metadata: dict[str, Any] | None,
        disabled: bool,
        remote_parent: SpanContext | None = None,
        tracing_key: str | None = None,
    ) -> None:
        super().__init__(
            workflow_span_name(workflow_name), workflow_attributes(workflow_name, group_id, metadata), disabled,
            group_id, remote_parent, tracing_key,
        )
        self.workflow_name = workflow_name
        self.group_id = group_id
        self.metadata = metadata

    @property
    def trace_id(self) -> str:
        """The trace's hex id once started ("" before, or when tracing is disabled)."""
        context = self.span.get_span_context()
        return trace_id_hex(context.trace_id) if context.is_valid else ""

    @property
    def tracing_api_key(self) -> str | None:
        """``trace(tracing={"api_key": ...})``'s key (``None``: none given)."""
        return self._tracing_key

    def export(self) -> dict[str, Any] | None:
        """The SDK's JSON shape of a trace, with the id trace processors see for it (``trace_`` + the hex id);
        ``None`` while it has no id (not started, or tracing disabled), as the SDK's no-op trace gives."""
        hex_id = self.trace_id
        if not hex_id:
            return None
        return {
            "object": "trace", "id": f"trace_{hex_id}", "workflow_name": self.workflow_name,
            "group_id": self.group_id, "metadata": self.metadata,
        }

    def to_json(self, *, include_tracing_api_key: bool = False) -> dict[str, Any] | None:
        """:meth:`export`, with the tracing key only when asked (so a key is never persisted by accident)."""
        payload = self.export()
        if payload is not None and include_tracing_api_key and self._tracing_key:
            payload["tracing_api_key"] = self._tracing_key
        return payload


def trace(
    workflow_name: str,
    trace_id: str | None = None,
    group_id: str | None = None,
    metadata: dict[str, Any] | None = None,
    tracing: TracingConfig | None = None,
    disabled: bool = False,
) -> Trace:
    """One trace for everything inside it, as the SDK's ``trace()``: an ``invoke_workflow {workflow_name}`` span.
    ``trace_id`` (``trace_`` + 32 lowercase hex, else a ``UserError``) makes it a span of that trace, under a
    parent that is never exported (see :func:`.ids.requested_trace_parent`). ``tracing={"api_key": ...}``: the key
    a registered ``BackendSpanExporter`` uploads this trace with (checked as ``RunConfig(tracing=...)`` is)."""
    remote_parent = requested_trace_parent(trace_id) if trace_id is not None else None
    checked = checked_tracing_config(tracing, "trace()")
    key = checked.get("api_key") if checked else None
    return Trace(workflow_name, group_id, metadata, disabled, remote_parent, key)


def workflow_span_name(workflow_name: str) -> str:
    return f"{OP_INVOKE_WORKFLOW} {workflow_name}"


def workflow_attributes(workflow_name: str, group_id: str | None, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The ``invoke_workflow`` span's attributes, for ``trace()`` and for a run given ``RunConfig.workflow_name``."""
    attributes: dict[str, Any] = {GEN_AI_OPERATION_NAME: OP_INVOKE_WORKFLOW, GEN_AI_WORKFLOW_NAME: workflow_name}
    if group_id:
        attributes[GEN_AI_CONVERSATION_ID] = group_id
    for key, value in (metadata or {}).items():
        attributes[WORKFLOW_METADATA_PREFIX + str(key)] = attribute_value(value)
    return attributes


def attribute_value(value: Any) -> str | bool | int | float:
    """A value an OpenTelemetry attribute can hold: primitives as they are, anything else as JSON text."""
    if isinstance(value, str | bool | int | float):
        return value
    return dumps(value)
