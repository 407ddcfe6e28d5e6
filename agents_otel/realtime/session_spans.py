"""A realtime session as OpenTelemetry spans.

The tree: ``invoke_workflow {workflow_name}`` for the whole session (the GenAI conventions' span for a process of
several agents; the name is ``tracing.workflow_name``, else ``Realtime Session``), under it one
``invoke_agent {agent}`` span per stretch of the session an agent held (from the session's start or the handoff that
brought it in, to the next handoff or the end), and under each agent span its ``execute_tool {tool}`` spans and the
``handoff {from} -> {to}`` span that ended it. Agent spans are siblings, not nested as a run's handoffs are: a
conversation may pass back and forth for an hour, and a chain of nested spans would grow with every handoff.
A group id (``tracing.group_id``) is ``gen_ai.conversation.id`` on every span.

Why spans are started here and never per audio chunk: audio arrives every few milliseconds; the trace records who
held the conversation, what they ran, and the tokens each response used.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import context as context_api
from opentelemetry import trace as trace_api
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Tracer

from ..models.interface import Usage
from ..tracing import attributes as A
from ..tracing.conversation import CONVERSATION_CONTEXT_KEY, ConversationTracer
from ..tracing.spans import record_outcome

DEFAULT_WORKFLOW_NAME = "Realtime Session"


class SessionSpans:
    def __init__(self, tracer: Tracer, workflow_name: str | None, group_id: str | None, model_name: str | None):
        self.tracer: Tracer = ConversationTracer(tracer, group_id) if group_id else tracer
        self._group_id = group_id
        self._workflow_name = workflow_name or DEFAULT_WORKFLOW_NAME
        self._model_name = model_name
        self._session: Span | None = None
        self._agent: Span | None = None
        self._usage = Usage()
        self.context: Context = context_api.get_current()
        """Where the current agent's tool calls start their spans (its span current)."""

    def start(self, agent_name: str) -> None:
        attributes: dict[str, Any] = {
            A.GEN_AI_OPERATION_NAME: A.OP_INVOKE_WORKFLOW,
            A.GEN_AI_WORKFLOW_NAME: self._workflow_name,
        }
        if self._model_name:
            attributes[A.GEN_AI_REQUEST_MODEL] = self._model_name
        self._session = self.tracer.start_span(
            f"{A.OP_INVOKE_WORKFLOW} {self._workflow_name}", context_api.get_current(), SpanKind.INTERNAL, attributes
        )
        self._start_agent(agent_name)

    def _start_agent(self, agent_name: str) -> None:
        assert self._session is not None
        attributes: dict[str, Any] = {A.GEN_AI_OPERATION_NAME: A.OP_INVOKE_AGENT, A.GEN_AI_AGENT_NAME: agent_name}
        if self._model_name:
            attributes[A.GEN_AI_REQUEST_MODEL] = self._model_name
        parent = trace_api.set_span_in_context(self._session)
        self._agent = self.tracer.start_span(f"{A.OP_INVOKE_AGENT} {agent_name}", parent, SpanKind.INTERNAL, attributes)
        self._usage = Usage()
        context = trace_api.set_span_in_context(self._agent)
        if self._group_id:
            context = context_api.set_value(CONVERSATION_CONTEXT_KEY, self._group_id, context)
        self.context = context

    def add_usage(self, usage: Usage) -> None:
        self._usage.add(usage)

    def _end_agent(self, error: BaseException | None = None) -> None:
        span, self._agent = self._agent, None
        if span is None:
            return
        if self._usage.requests:
            span.set_attributes(
                {A.GEN_AI_USAGE_INPUT_TOKENS: self._usage.input_tokens,
                 A.GEN_AI_USAGE_OUTPUT_TOKENS: self._usage.output_tokens}
            )
        if error is not None:
            record_outcome(span, error)
        span.end()

    def handoff(self, from_agent: str, to_agent: str) -> None:
        """A ``handoff`` span under the agent handing off, which then ends; the next agent's span starts."""
        if self._agent is None:
            return
        attributes = {A.HANDOFF_FROM_AGENT: from_agent, A.HANDOFF_TO_AGENT: to_agent, A.GEN_AI_AGENT_NAME: from_agent}
        self.tracer.start_span(f"handoff {from_agent} -> {to_agent}", self.context, SpanKind.INTERNAL, attributes).end()
        self._end_agent()
        self._start_agent(to_agent)

    def switch(self, to_agent: str) -> None:
        """``session.update_agent``: the next agent's span starts, without a handoff."""
        if self._agent is not None:
            self._end_agent()
            self._start_agent(to_agent)

    def end(self, error: BaseException | None = None) -> None:
        self._end_agent(error)
        span, self._session = self._session, None
        if span is not None:
            if error is not None:
                record_outcome(span, error)
            span.end()


__all__ = ["DEFAULT_WORKFLOW_NAME", "SessionSpans"]
