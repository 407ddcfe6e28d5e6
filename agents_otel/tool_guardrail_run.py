"""A tool's guardrails inside its call: in list order, each a ``guardrail {name}`` span under the call's
``execute_tool`` span, each verdict kept on the run; the first verdict other than ``allow`` decides.

Why under the tool span: a reader of the trace sees which check let a call through, answered it instead of the
tool (``agents_otel.tool.rejected_by`` on the tool span) or stopped the run, next to the call it judged; a guardrail
that asks a model nests that model call there too. A tripwire is also a ``GuardrailTripwireStreamEvent``, as an
agent's is, so a UI learns which check stopped the run before the error arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from opentelemetry import trace

from .exceptions import ToolInputGuardrailTripwireTriggered, ToolOutputGuardrailTripwireTriggered
from .guardrails import traced_check
from .stream_events import GuardrailTripwireStreamEvent
from .tool_guardrails import (
    ToolGuardrailFunctionOutput,
    ToolInputGuardrail,
    ToolInputGuardrailData,
    ToolInputGuardrailResult,
    ToolOutputGuardrail,
    ToolOutputGuardrailData,
    ToolOutputGuardrailResult,
)
from .tracing import attributes as A

if TYPE_CHECKING:
    from .agent import Agent
    from .tool import FunctionTool
    from .tool_call import ToolCall


def _verdict(output: ToolGuardrailFunctionOutput) -> dict[str, Any]:
    kind = output.behavior["type"]
    return {A.GUARDRAIL_BEHAVIOR: kind, A.GUARDRAIL_TRIPWIRE_TRIGGERED: kind == "raise_exception"}


async def _check(
    call: ToolCall, agent: Agent[Any], kind: Literal["tool_input", "tool_output"], name: str, check: Any
) -> ToolGuardrailFunctionOutput:
    output: ToolGuardrailFunctionOutput = await traced_check(
        call.run.tracer,
        kind,
        name,
        agent.name,
        check,
        _verdict,
        trace.set_span_in_context(call.span),
        {A.GEN_AI_TOOL_NAME: call.tool_name, A.GEN_AI_TOOL_CALL_ID: call.tool_call_id},
    )
    return output


async def _judge(
    call: ToolCall,
    agent: Agent[Any],
    kind: Literal["tool_input", "tool_output"],
    guardrails: Sequence[ToolInputGuardrail[Any] | ToolOutputGuardrail[Any]] | None,
    data: Any,
    results: list[Any],
    result: Callable[[Any, ToolGuardrailFunctionOutput], Any],
    tripwire: Callable[[Any, ToolGuardrailFunctionOutput], Exception],
) -> str | None:
    """Both stages' one rule: each guardrail in order (a copy of the list: one a tool body appends to waits for
    the next call), each verdict kept; ``None`` if all allowed, else the first rejection's message. Raises
    ``tripwire(guardrail, output)`` for ``raise_exception``."""
    for guardrail in list(guardrails or ()):
        name = guardrail.get_name()
        output = await _check(call, agent, kind, name, guardrail.run(data))
        results.append(result(guardrail, output))
        behavior = output.behavior
        if behavior["type"] == "raise_exception":
            call.run.emit(GuardrailTripwireStreamEvent(name, kind, agent.name, output.output_info))
            raise tripwire(guardrail, output)
        if behavior["type"] == "reject_content":
            call.span.set_attribute(A.TOOL_REJECTED_BY, name)
            message: str = behavior["message"]
            return message
    return None


async def check_tool_input(call: ToolCall, agent: Agent[Any], tool: FunctionTool) -> str | None:
    """``None``: every input guardrail allowed the call. Else the message the model gets instead of running the
    tool. Raises ``ToolInputGuardrailTripwireTriggered`` for ``raise_exception``."""
    data = ToolInputGuardrailData(context=call.tool_context(), agent=agent)
    results = call.run.tool_input_guardrail_results
    return await _judge(
        call, agent, "tool_input", tool.tool_input_guardrails, data, results, ToolInputGuardrailResult,
        ToolInputGuardrailTripwireTriggered,
    )


async def check_tool_output(call: ToolCall, agent: Agent[Any], tool: FunctionTool, value: Any) -> Any:
    """``value`` if every output guardrail let it through, else the message that replaces it. Each guardrail
    judges what the call produced (``value``), as in the SDK. Raises ``ToolOutputGuardrailTripwireTriggered``."""
    data = ToolOutputGuardrailData(context=call.tool_context(), agent=agent, output=value)
    results = call.run.tool_output_guardrail_results
    message = await _judge(
        call, agent, "tool_output", tool.tool_output_guardrails, data, results, ToolOutputGuardrailResult,
        ToolOutputGuardrailTripwireTriggered,
    )
    return value if message is None else message
