"""``gen_ai.conversation.id`` on every span of a run, stamped in one place: the tracer the run uses.

The run's tracer is wrapped only when the run has a conversation id (``RunConfig.conversation_id``, or the id of
the session it runs in), so runs without one pay nothing, and every span site — agent, model call, tool call,
guardrail, handoff, nested agents-as-tools — gets the attribute without knowing about it. Spans that other
instrumentations start inside the run get it from the runtime's span processor
(:class:`~agents_otel.tracing.processor.ToolStreamProcessor`), which reads the id the run carries in its context
(:func:`conversation_scope`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as context_api
from opentelemetry.context import Context, create_key
from opentelemetry.trace import Link, Span, SpanKind, Tracer
from opentelemetry.util._decorator import _agnosticcontextmanager

from .attributes import GEN_AI_CONVERSATION_ID


class ConversationTracer(Tracer):
    """A tracer that adds ``gen_ai.conversation.id`` to each span it starts."""

    def __init__(self, tracer: Tracer, conversation_id: str) -> None:
        self._tracer = tracer
        self.conversation_id = conversation_id

    def _stamped(self, attributes: Mapping[str, Any] | None) -> dict[str, Any]:
        out = dict(attributes) if attributes else {}
        out[GEN_AI_CONVERSATION_ID] = self.conversation_id
        return out

    def start_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, Any] | None = None,
        links: Sequence[Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> Span:
        return self._tracer.start_span(
            name, context, kind, self._stamped(attributes), links, start_time, record_exception,
            set_status_on_exception,
        )

    @_agnosticcontextmanager  # what the OTel API's own tracers use, so the override keeps their type
    def start_as_current_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, Any] | None = None,
        links: Sequence[Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[Span]:
        with self._tracer.start_as_current_span(
            name, context, kind, self._stamped(attributes), links, start_time, record_exception,
            set_status_on_exception, end_on_exit,
        ) as span:
            yield span


def with_conversation(tracer: Tracer, conversation_id: str | None) -> Tracer:
    if not conversation_id:
        return tracer
    if isinstance(tracer, ConversationTracer):
        tracer = tracer._tracer
    return ConversationTracer(tracer, conversation_id)


CONVERSATION_CONTEXT_KEY = create_key("agents_otel.conversation_id")
"""Context key under which a run carries its conversation id while it runs (see :func:`conversation_scope`)."""


@contextmanager
def conversation_scope(conversation_id: str | None) -> Iterator[None]:
    """Carry ``conversation_id`` in the context for the duration of a run, so the runtime's span processor can
    stamp spans that other instrumentations start inside it (HTTP clients, the application's own spans)."""
    if not conversation_id:
        yield
        return
    token = context_api.attach(context_api.set_value(CONVERSATION_CONTEXT_KEY, conversation_id))
    try:
        yield
    finally:
        context_api.detach(token)
