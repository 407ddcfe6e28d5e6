"""The ``invoke_agent {name}`` span of one agent run, and the ``gen_ai.invoke_agent.duration`` it measures.

The conventions give the agent span the same request parameters, usage, finish reasons and opt-in content as an
inference span: under content capture it carries the run's input (``gen_ai.input.messages``), the agent's answer
(``gen_ai.output.messages``: the last model response's output), its instructions and tool definitions, so a reader
sees the question and the answer on the root span without opening the model calls. Usage is summed over the run's
model calls; the finish reasons are the last model call's (why the run stopped). The duration metric is recorded
with the span's identity attributes (never the high-cardinality conversation id) and ``error.type``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import Span, SpanKind

from .content_guard import exception_scrub, guard_attributes
from .items import ConversationItem
from .models.interface import Model, ModelResponse, ModelSettings, ToolSpec, Usage
from .tracing import attributes as A
from .tracing.messages import messages_json
from .tracing.operation_attributes import input_content_attributes, request_parameter_attributes, usage_attributes
from .tracing.spans import SpanScope, record_exception_event

if TYPE_CHECKING:
    from .run_runtime import RunRuntime


class AgentSpan:
    """``with AgentSpan(...) as s:`` runs the agent inside its span; call :meth:`finished` before leaving on success."""

    __slots__ = ("_capture", "_identity", "_name", "_run", "_scope", "_scrub", "_started", "span")

    def __init__(
        self,
        run: RunRuntime,
        agent_name: str,
        model: Model,
        settings: ModelSettings,
        instructions: str | None,
        input_items: Sequence[ConversationItem],
        tools: Sequence[ToolSpec],
    ) -> None:
        self._run = run
        self._capture = run.capture_content
        self._identity: dict[str, Any] = {
            A.GEN_AI_OPERATION_NAME: A.OP_INVOKE_AGENT,
            A.GEN_AI_AGENT_NAME: agent_name,
            A.GEN_AI_PROVIDER_NAME: model.provider_name,
            A.GEN_AI_REQUEST_MODEL: model.model_name,
        }
        attributes = {**self._identity, **request_parameter_attributes(settings)}
        if self._capture:
            attributes.update(input_content_attributes(instructions, input_items, tools))
            guard_attributes(run, attributes, agent_name)
        self._started = time.perf_counter()
        self.span: Span = run.tracer.start_span(
            f"{A.OP_INVOKE_AGENT} {agent_name}", kind=SpanKind.INTERNAL, attributes=attributes
        )
        self._scrub = exception_scrub(run, agent_name)
        self._scope = SpanScope(self.span, scrub=self._scrub)
        self._name = agent_name

    def finished(self, last: ModelResponse | None, usage: Usage) -> None:
        """The agent's outcome: its summed usage and, when it called the model, the last call's finish reasons and
        (opt-in) output messages. Also called when the agent failed, so the span shows what it used."""
        attributes = usage_attributes(usage)
        if last is not None and last.finish_reasons:
            attributes[A.GEN_AI_RESPONSE_FINISH_REASONS] = list(last.finish_reasons)
        if last is not None and self._capture:
            attributes[A.GEN_AI_OUTPUT_MESSAGES] = messages_json(last.output)
            guard_attributes(self._run, attributes, self._name)
        self.span.set_attributes(attributes)

    def error_handled(self, kind: str, error: BaseException) -> None:
        """A run error handler was called for ``error``: the error stays on the span as an exception event (scrubbed
        like any other), without ``error.type`` or ERROR status, since the run went on to a final output."""
        self.span.set_attribute(A.ERROR_HANDLER, kind)
        record_exception_event(self.span, error, self._scrub)

    def __enter__(self) -> AgentSpan:
        self._scope.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self._scope.__exit__(exc_type, exc, tb)
        finally:
            self._run.metrics.agent_invoked(self._identity, self._scope.error_type, time.perf_counter() - self._started)


__all__ = ["AgentSpan"]
