"""A tool's guardrails inside its call: in list order, each a ``guardrail {name}`` span under the call's
``execute_tool`` span, each verdict kept on the run; the first verdict other than ``allow`` decides.

Why under the tool span: a reader of the trace sees which check let a call through, answered it instead of the
tool (``agents_otel.tool.rejected_by`` on the tool span) or stopped the run, next to the call it judged; a guardrail
that asks a model nests that model call there too. A tripwire is also a ``GuardrailTripwireStreamEvent``, as an
agent's is, so a UI learns which check stopped the run before the error arrives.

Before approval (``ToolExecutionConfig(pre_approval_tool_input_guardrails=True)``): a call that would wait for a
person is judged first, in the model turn, before any call of the turn runs. Its checks have no ``execute_tool``
span to nest under yet: they nest under the agent's span, flagged ``agents_otel.guardrail.pre_approval`` and
naming the call. A call they reject is answered at once (its ``execute_tool`` span names the guardrail in
``agents_otel.tool.rejected_by``); a call they allow waits, and is judged again when it runs after approval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from opentelemetry import trace
from opentelemetry.trace import INVALID_SPAN

from .exceptions import ToolInputGuardrailTripwireTriggered, ToolOutputGuardrailTripwireTriggered
from .guardrails import traced_check
from .stream_events import GuardrailTripwireStreamEvent
from .tool_call import ToolCall
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
    from .items import FunctionCall
    from .run_runtime import RunRuntime
    from .tool import FunctionTool
    from .tool_approvals import Decisions, Gate, Verdict


def _verdict(output: ToolGuardrailFunctionOutput) -> dict[str, Any]:
    kind = output.behavior["type"]
    return {A.GUARDRAIL_BEHAVIOR: kind, A.GUARDRAIL_TRIPWIRE_TRIGGERED: kind == "raise_exception"}


async def _check(
    call: ToolCall, agent: Agent[Any], kind: Literal["tool_input", "tool_output"], name: str, check: Any
) -> ToolGuardrailFunctionOutput:
    attributes: dict[str, Any] = {A.GEN_AI_TOOL_NAME: call.tool_name, A.GEN_AI_TOOL_CALL_ID: call.tool_call_id}
    span = call.span
    if span is INVALID_SPAN:  # judged before approval: no span of its own yet, the check nests in the current one
        attributes[A.GUARDRAIL_PRE_APPROVAL] = True
        parent = None
    else:
        parent = trace.set_span_in_context(span)
    output: ToolGuardrailFunctionOutput = await traced_check(
        call.run.tracer, kind, name, agent.name, check, _verdict, parent, attributes
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


class GuardrailAnswer(tuple[bool, str | None]):
    """The verdict of a call an input guardrail rejected before it waited for approval: not approved, answered with
    the guardrail's message; ``guardrail`` names it (the call's span says who answered, not that a person did)."""

    guardrail: str

    def __new__(cls, message: str, guardrail: str) -> GuardrailAnswer:
        answer = super().__new__(cls, (False, message))
        answer.guardrail = guardrail
        return answer


async def check_before_approval(
    run: RunRuntime,
    agent: Agent[Any],
    gate: Gate,
    calls: list[FunctionCall],
    tools: dict[str, FunctionTool],
    decisions: Decisions,
    waiting: frozenset[str],
) -> None:
    """``pre_approval_tool_input_guardrails``: judge the gate's waiting calls (``calls`` is the turn's, in the
    model's order) before they wait. A rejected call moves to ``gate.run_now`` with a ``GuardrailAnswer``; a
    decision made while it was judged wins, as in the SDK. A call that waited before (``waiting``) was judged then
    and is not judged again until it runs. Raises ``ToolInputGuardrailTripwireTriggered`` for ``raise_exception``."""
    execution = run.config.tool_execution
    if execution is None or not execution.pre_approval_tool_input_guardrails:
        return
    answered: dict[str, Verdict] = {}
    results = run.tool_input_guardrail_results
    for call in gate.pending:
        tool = tools[call.name]
        if not tool.tool_input_guardrails or call.call_id in waiting:
            continue
        message = await check_tool_input(ToolCall(run, call, agent), agent, tool)
        verdict = decisions.verdict(agent.name, call.name, call.call_id)
        if verdict is None and message is not None:
            verdict = GuardrailAnswer(message, results[-1].guardrail.get_name())
        if verdict is not None:
            answered[call.call_id] = verdict
    if answered:
        gate.pending = [call for call in gate.pending if call.call_id not in answered]
        gate.verdicts.update(answered)
        running = {call.call_id for call in gate.run_now}.union(answered)
        gate.run_now = [call for call in calls if call.call_id in running]
