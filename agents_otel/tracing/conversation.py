"""``gen_ai.conversation.id`` on every span of a run, stamped in one place: the tracer the run uses.

The run's tracer is wrapped only when the run has a conversation id (``RunConfig.conversation_id``, or the id of
the session it runs in), so runs without one pay nothing, and every span site — agent, model call, tool call,
guardrail, handoff, nested agents-as-tools — gets the attribute without knowing about it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from opentelemetry.context import Context
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
