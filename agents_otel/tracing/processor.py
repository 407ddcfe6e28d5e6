"""The runtime's one SpanProcessor: the trace pipeline's span lifecycle reaches a run's live stream through it.

The runtime starts each ``execute_tool`` span of a run with a live stream in a context that carries a listener (its
``ToolCall``) under a private context key; ``on_start`` and ``on_end`` forward to that listener, which hands the
record to ``tool_events`` — the one module that builds tool run items and stream events. This adapter builds
nothing and knows nothing of runs, items or events: it only imports downward, and any object with the two listener
methods can ride on it.

The key stays in the context while the tool body runs: it is how ``current_tool_context()`` finds the running call
(one context for both, rather than a context variable of its own set and reset on every call). Spans the tool body
starts therefore see the same listener; ``span_started`` claims only the first span it is offered (the tool's own)
and declines the rest, so a child span is never mistaken for the tool span.

The same ``on_start`` stamps ``gen_ai.conversation.id`` on spans that other instrumentations start inside a run
that has one (see :mod:`.conversation`): one processor, so each span pays one processor call, not two.

Two facts of the OTel SDK shape the rest:

* No processor hook fires on ``span.add_event``, so progress and stall records do not pass through here;
  ``ToolCall`` hands them to ``tool_events`` itself, right after recording the span event.
* Processors never see spans the sampler dropped, nor any span when no SDK provider is installed. The stream must
  not depend on those decisions, so ``ToolCall`` notices a start or end this processor did not forward and
  reports it itself.

Finding the listener in ``parent_context`` rather than in span attributes means spans of other instrumentations
cost one dict lookup and nothing else.
"""

from __future__ import annotations

from typing import Protocol

from opentelemetry import context as context_api
from opentelemetry.context import Context, create_key
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import SpanContext

from .attributes import GEN_AI_CONVERSATION_ID
from .conversation import CONVERSATION_CONTEXT_KEY

TOOL_CALL_CONTEXT_KEY = create_key("agents_otel.tool_call")
"""Context key under which the runtime passes a span's :class:`SpanLifecycleListener` to ``start_span``; it stays
in the context the tool body runs in (child spans are declined by the listener)."""


class SpanLifecycleListener(Protocol):
    """What the processor forwards a span's start and end to."""

    def span_started(self, span_context: SpanContext) -> bool:
        """``True`` if this span is the listener's own (the first one offered); then ``span_ended`` follows."""
        ...

    def span_ended(self) -> None: ...


class ToolStreamProcessor(SpanProcessor):
    """Forwards tool span starts and ends to the runtime, which turns them into the run's stream events, and stamps
    the conversation id of the run a span starts in.

    Registered once on each SDK ``TracerProvider`` the runtime uses (it exports nothing and never changes
    other processors). Safe to share between providers: its only state is the set of tool spans still open.
    """

    def __init__(self) -> None:
        self._open: dict[int, SpanLifecycleListener] = {}

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        context = parent_context if parent_context is not None else context_api.get_current()
        conversation_id = context.get(CONVERSATION_CONTEXT_KEY)
        if conversation_id is not None and isinstance(conversation_id, str):
            span.set_attribute(GEN_AI_CONVERSATION_ID, conversation_id)
        listener: SpanLifecycleListener | None = context.get(TOOL_CALL_CONTEXT_KEY)  # type: ignore[assignment]
        if listener is None:
            return
        ctx = span.get_span_context()
        if listener.span_started(ctx):
            self._open[ctx.span_id] = listener

    def on_end(self, span: ReadableSpan) -> None:
        ctx = span.context
        if ctx is None or not self._open:
            return
        listener = self._open.pop(ctx.span_id, None)
        if listener is not None:
            listener.span_ended()

    def shutdown(self) -> None:
        self._open.clear()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


STREAM_PROCESSOR = ToolStreamProcessor()
"""The process-wide instance the runtime registers on each TracerProvider it uses."""
