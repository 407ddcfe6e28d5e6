"""Human-in-the-loop tool approvals: which calls of a turn wait for a person, and what a paused run keeps.

A tool with ``needs_approval`` (``True``, or a callable asked per call) does not run until someone decides. The
turn's other calls run as usual; then the run stops with the waiting calls as ``result.interruptions``, and
``PausedRun`` keeps what a resumed run needs to finish that same turn (the conversation, the turn's calls and
handoffs, usage, turn count, decisions so far). ``Runner.run(agent, state)`` resumes: approved calls run, rejected
ones answer the model with the rejection message, undecided ones stop the run again before any model call.

Nothing here runs for an agent whose tools have no ``needs_approval``: the turn checks that once per model turn.
"""

from __future__ import annotations

import copy
import inspect
import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .approval_item import ToolApprovalItem
from .content_guard import guard_attributes
from .custom_tool import auto_verdict
from .exceptions import UserError
from .items import FunctionCall, FunctionCallOutput, ToolCallItem
from .tool_decisions import Decisions, Verdict
from .tracing import attributes as A

if TYPE_CHECKING:
    from collections.abc import Iterable

    from opentelemetry.trace import Span, SpanContext

    from .agent import Agent
    from .agent_loop import AgentLoop
    from .agent_span import AgentSpan
    from .context_wrapper import RunContextWrapper
    from .conversation import Conversation
    from .guardrails import InputGuardrailResult, OutputGuardrailResult
    from .handoffs import Handoff
    from .input_items import RunInput
    from .items import RunItem
    from .models.interface import ModelResponse, Usage
    from .run_runtime import RunRuntime
    from .tool import FunctionTool
    from .tool_call import ToolCall
    from .tool_guardrails import ToolInputGuardrailResult, ToolOutputGuardrailResult

DEFAULT_REJECTION_MESSAGE = "Tool execution was not approved."
"""What the model reads for a rejected call when the decision gave no message of its own (the SDK's text)."""

RESUMED: Verdict = tuple([True, None])  # type: ignore[assignment]
"""The verdict given (by identity) to an agent-as-tool call whose nested run paused for approvals: the call runs
again to resume that run, without its ``on_tool_start`` hooks and input guardrails, which ran before it paused."""


class NestedPaused:
    """What an agent-as-tool call returns when its nested run stopped for approvals (``NESTED_PAUSED``): the call
    has no output yet, its nested run waits in the enclosing run's ``RunState.nested_paused``."""

    __slots__ = ()


NESTED_PAUSED: Any = NestedPaused()


def has_gated_tools(tools: Iterable[FunctionTool], decisions: Decisions | None = None) -> bool:
    """Whether any tool offered this turn may need approval, or code in the run decided on calls ahead of the gate
    (``RunContextWrapper.approve_tool`` / ``reject_tool``): asked once per turn, not per call."""
    return bool(decisions) or any(t.needs_approval is not False for t in tools)


def _object_arguments(arguments: str) -> dict[str, Any] | None:
    """The arguments as a JSON object, or ``None`` when a policy cannot safely read them (not JSON, not an object,
    ``NaN``/``Infinity``): such a call needs approval without asking the policy, as in the SDK."""
    if not arguments or not arguments.strip():
        return None

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        parsed = json.loads(arguments, parse_constant=refuse)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


async def needs_approval(tool: FunctionTool, wrapper: RunContextWrapper[Any], call: FunctionCall) -> bool:
    """The tool's ``needs_approval`` for this call. A callable must return a bool: anything else is a
    ``UserError`` (the SDK takes its truthiness, which would let ``None`` from a forgotten ``return`` run the call)."""
    setting = tool.needs_approval
    if isinstance(setting, bool):
        return setting
    if getattr(setting, "raw_input", False):  # a CustomTool's: asked with the raw input, not JSON
        decided = setting(wrapper, call.arguments, call.call_id)  # type: ignore[arg-type]
    else:
        params = _object_arguments(call.arguments)
        if params is None:
            return True
        decided = setting(wrapper, params, call.call_id)
    if inspect.isawaitable(decided):
        decided = await decided
    if not isinstance(decided, bool):
        raise UserError(
            f"Tool {tool.name!r}: needs_approval returned {type(decided).__name__}, expected a bool "
            "(True: the call waits for a decision)"
        )
    return decided


@dataclass
class Gate:
    """One turn's calls, sorted: those that run now (``verdicts`` for those a person decided), those that wait."""

    run_now: list[FunctionCall] = field(default_factory=list)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    pending: list[FunctionCall] = field(default_factory=list)


async def gate_calls(
    decisions: Decisions,
    wrapper: RunContextWrapper[Any],
    calls: list[FunctionCall],
    tools: dict[str, FunctionTool],
    waiting: frozenset[str] = frozenset(),
    agent_name: str = "",
    resumed: dict[str, PausedRun] | None = None,
) -> Gate:
    """Sort ``calls``. A decision already made is used without asking the tool's policy; ``waiting`` (calls that
    stopped the run before) stay waiting until decided, without asking the policy again. ``resumed``: agent-as-tool
    calls whose nested run paused; they passed the gate then, and run now to resume it."""
    gate = Gate()
    for call in calls:
        if resumed and call.call_id in resumed:
            gate.run_now.append(call)
            gate.verdicts[call.call_id] = RESUMED
            continue
        tool = tools.get(call.name)
        verdict = decisions.verdict(agent_name, call.name, call.call_id)
        if tool is None or (tool.needs_approval is False and call.call_id not in waiting):
            gate.run_now.append(call)
            if verdict is not None and not verdict[0] and tool is not None:  # rejected in context, as in the SDK
                gate.verdicts[call.call_id] = verdict
            continue
        if verdict is None and call.call_id not in waiting:
            asked = await needs_approval(tool, wrapper, call)
            verdict = decisions.verdict(agent_name, call.name, call.call_id)  # the policy may decide in context
        else:
            asked = True
        if verdict is not None:
            gate.run_now.append(call)
            gate.verdicts[call.call_id] = verdict
        elif asked:
            auto = await auto_verdict(tool, wrapper, call, agent_name)  # a CustomTool's on_approval decides now
            if auto is None:
                gate.pending.append(call)
            else:
                gate.run_now.append(call)
                gate.verdicts[call.call_id] = auto
        else:
            gate.run_now.append(call)
    return gate


@dataclass
class PausedTurn:
    """The turn a run stopped in: what the model asked for, and which of its calls still wait."""

    agent: Agent[Any]
    response: ModelResponse
    calls: list[FunctionCall]
    handoff_calls: list[tuple[Handoff[Any, Any], FunctionCall]]
    turn_start: int
    """Index in the run's items where the turn's items begin (``tool_use_behavior`` and handoff filters read them)."""
    pending: list[FunctionCall]
    mcp_pending: list[dict[str, Any]] = field(default_factory=list)
    """The turn's hosted MCP approval requests that wait for a person (``mcp_approval_request`` items as they
    came; the conversation holds them already)."""
    nested: dict[str, PausedRun] = field(default_factory=dict)
    """Agent-as-tool calls of the turn (by call id, in call order) whose nested run stopped for approvals: its
    waiting calls are among the run's interruptions; a resumed run resumes each nested run in its call."""
    sandbox: dict[str, Any] | None = None  # the run's sandbox sessions, serialized: a resumed run resumes them
    finished: bool = False
    """The run ended with a final output (``finished_state``): nothing waits, a resumed run calls the model again."""


@dataclass
class PausedRun:
    """What a run that stopped for approvals keeps, for ``result.to_state()`` and the resumed run."""

    starting_agent: Agent[Any]
    turn: PausedTurn
    interruptions: list[ToolApprovalItem]
    conversation: Conversation
    items: list[RunItem]
    """The run items so far, the approval placeholders left out (a resumed run's ``new_items`` start with them)."""
    responses: list[ModelResponse]
    usage: Usage
    turns: int
    max_turns: int | None
    decisions: Decisions
    context: Any
    input: RunInput
    had_session: bool
    input_guardrail_results: list[InputGuardrailResult]
    output_guardrail_results: list[OutputGuardrailResult]
    tool_input_guardrail_results: list[ToolInputGuardrailResult]
    tool_output_guardrail_results: list[ToolOutputGuardrailResult]
    trace_parent: SpanContext | None
    """The span a resumed run's spans start under, so it continues the same trace (the first run's top span)."""
    paused_span: SpanContext | None
    """The ``invoke_agent`` span that stopped: a resumed run's top span links to it."""
    pending_input: list[dict[str, Any]] = field(default_factory=list)
    """Input added with ``RunState.add_input`` that no model call has taken yet (``pending_input``)."""
    tool_use: dict[str, list[str]] | None = None
    """``RunState.set_tool_use_tracker_snapshot``'s: which agents (by name) used which tools; ``None``: read from
    the run's items (``tool_use_snapshot``)."""

    @classmethod
    def of(cls, loop: AgentLoop, starting_agent: Agent[Any], finished: PausedTurn | None = None) -> PausedRun:
        """The paused run of ``loop``, which stopped for approvals (``result.to_state()`` keeps it); or, given its
        ``finished`` turn, the run that finished, as its ``to_state()`` gives it (``finished_state``)."""
        run = loop.run
        if finished is None:
            decisions = loop.wrapper._approvals
            assert loop.paused is not None and decisions is not None
            turn = replace(loop.paused, sandbox=loop.sandbox.state if loop.sandbox is not None else None)
            items = _kept_items(run.run_items(), loop.paused.nested)
            paused_span = loop.paused_span
        else:  # nothing waits; decisions made in context go on with the state, as the SDK's; nothing stopped
            decisions, turn, items, paused_span = loop.wrapper._run_decisions(), finished, list(run.run_items()), None
        made = cls(
            starting_agent=starting_agent,
            turn=turn,
            interruptions=list(loop.interruptions),
            conversation=loop.conversation,
            items=items,
            responses=list(loop.responses),
            usage=loop.usage,
            turns=loop.turns,
            max_turns=loop.max_turns,
            decisions=decisions,
            context=run.context,
            input=loop.input,
            had_session=loop.session is not None,
            input_guardrail_results=list(loop.input_guardrail_results),
            output_guardrail_results=list(loop.output_guardrail_results),
            tool_input_guardrail_results=list(run.tool_input_guardrail_results),
            tool_output_guardrail_results=list(run.tool_output_guardrail_results),
            trace_parent=loop.top_span,  # a resumed run continues the same trace
            paused_span=paused_span,
            pending_input=list(loop.pending_input or ()),  # added input a run that stopped again has not admitted
        )
        if turn.nested:  # a decision through this run's context on a nested run's item goes to that run
            decisions.nested = [(item, owner(made, item).decisions) for item in made.interruptions]
            decisions.nested = [(item, found) for item, found in decisions.nested if found is not decisions]
        return made

    def restore(self, run: RunRuntime) -> None:
        """A resumed run starts with what the stopped one had: its items, responses, usage, guardrail verdicts, and its
        context unless ``Runner.run(..., context=...)`` gives a new one (as in the SDK)."""
        run.items.extend(self.items)
        run.responses.extend(self.responses)
        run.usage.add(self.usage)
        if run.context is None:
            run.context = self.context
        run.input_guardrail_results.extend(self.input_guardrail_results)
        run.output_guardrail_results.extend(self.output_guardrail_results)
        run.tool_input_guardrail_results.extend(self.tool_input_guardrail_results)
        run.tool_output_guardrail_results.extend(self.tool_output_guardrail_results)


def _kept_items(items: list[RunItem], nested: dict[str, PausedRun]) -> list[RunItem]:
    """The items a resumed run starts with: no approval placeholders, and no ``tool_called`` item of an agent-tool
    call whose nested run paused (the resumed run calls it again, which makes that item)."""
    kept = [item for item in items if type(item) is not ToolApprovalItem]
    if nested:
        kept = [item for item in kept if type(item) is not ToolCallItem or item.call.tool_call_id not in nested]
    return kept


def approval_items(
    agent: Agent[Any], pending: list[FunctionCall], mcp_pending: list[dict[str, Any]] | None = None
) -> list[ToolApprovalItem]:
    """The waiting items: hosted MCP requests first, then function calls (the SDK's order)."""
    items = [ToolApprovalItem.for_mcp_request(request, agent.name) for request in mcp_pending or ()]
    items.extend(ToolApprovalItem(call, agent.name) for call in pending)
    for item in items:
        item._agent = agent
    return items


def record_pause(run: RunRuntime, span: Span, agent_name: str, waiting: list[ToolApprovalItem]) -> None:
    """The stopped agent's span says why it ended without an answer: how many calls wait, and one event per call
    (its arguments too when content is captured; a hosted MCP request's server label), so the trace shows the call
    nobody has run yet."""
    span.set_attribute(A.APPROVALS_PENDING, len(waiting))
    for item in waiting:
        attributes: dict[str, Any] = {A.GEN_AI_TOOL_NAME: item.tool_name, A.GEN_AI_TOOL_CALL_ID: item.call_id}
        label = item.server_label
        if label is not None:
            attributes[A.SERVER_TOOL_CALL_SERVER_LABEL] = label
        if run.capture_content:
            attributes[A.GEN_AI_TOOL_CALL_ARGUMENTS] = item.arguments
            guard_attributes(run, attributes, agent_name)
        span.add_event(A.APPROVAL_REQUESTED_EVENT, attributes)


def pause(loop: AgentLoop, agent: Agent[Any], span: AgentSpan, turn: PausedTurn) -> None:
    """Stop the run for approvals: the turn's other calls have run; the waiting ones become ``interruptions``,
    then the waiting calls of each agent-as-tool call whose nested run paused (the SDK's order). In a nested run
    this is the same: its enclosing agent-tool call sees the pause and the enclosing run stops in turn."""
    items = approval_items(agent, turn.pending, turn.mcp_pending)
    record_pause(loop.run, span.span, agent.name, items)
    loop.run.items.extend(items)
    if turn.nested:
        nested = [item for paused in turn.nested.values() for item in paused.interruptions]
        span.span.set_attribute(A.APPROVALS_PENDING, len(items) + len(nested))
        loop.run.items.extend(nested)
        items += nested
    loop.paused = turn
    loop.interruptions = items
    loop.paused_span = span.span.get_span_context()


def take_nested(run: RunRuntime, outputs: list[FunctionCallOutput]) -> list[FunctionCallOutput]:
    """The turn's outputs without those of agent-tool calls whose nested run paused (they have none yet)."""
    return [output for output in outputs if output.output is not NESTED_PAUSED]


def end_paused(record: ToolCall, span: Span) -> Any:
    """End an agent-tool call whose nested run paused: its span flagged, no ``tool_output`` (the resumed run calls
    the tool again, which reports it)."""
    nested = record.run.nested_paused
    waiting = nested.get(record.tool_call_id) if nested else None
    span.set_attribute(A.APPROVALS_PENDING, len(waiting.interruptions) if waiting is not None else 0)
    record.end_reported = True
    record.finish(None, None)
    return NESTED_PAUSED


def owner(paused: PausedRun, item: ToolApprovalItem) -> PausedRun:
    """The run, this one or a nested one, whose decisions ``item`` (one of ``paused.interruptions``) goes to."""
    for nested in paused.turn.nested.values():
        if any(waiting is item for waiting in nested.interruptions):
            return owner(nested, item)
    return paused


def fork(paused: PausedRun) -> PausedRun:
    """``paused`` with decisions (and added input) of its own, nested runs' too, so deciding on one state never
    reaches another."""
    turn = paused.turn
    if turn.nested:
        turn = replace(turn, nested={call_id: fork(nested) for call_id, nested in turn.nested.items()})
    return replace(
        paused,
        turn=turn,
        decisions=paused.decisions.copy(),
        interruptions=list(paused.interruptions),
        pending_input=copy.deepcopy(paused.pending_input),
    )


def mark_resumed(span: Span, paused: SpanContext) -> None:
    """The top span of a resumed run: flagged, and linked to the ``invoke_agent`` span that stopped."""
    span.set_attribute(A.RUN_RESUMED, True)
    span.add_link(paused, {A.LINK_TYPE: A.LINK_RESUMES})


__all__ = [
    "DEFAULT_REJECTION_MESSAGE",
    "NESTED_PAUSED",
    "RESUMED",
    "Decisions",
    "Gate",
    "NestedPaused",
    "PausedRun",
    "PausedTurn",
    "Verdict",
    "approval_items",
    "end_paused",
    "fork",
    "gate_calls",
    "has_gated_tools",
    "mark_resumed",
    "needs_approval",
    "owner",
    "record_pause",
    "take_nested",
]
