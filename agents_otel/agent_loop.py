"""The turns of a run, agent by agent: each agent's ``invoke_agent`` span, its model calls and tool calls, and the
handoffs that pass the conversation on.

One ``AgentLoop`` is shared by every agent of a run (turn budget, usage, guardrail results, the conversation). An
agent that hands off starts the next agent's span inside its own, so a chain of handoffs nests in the trace, each
agent's turns directly under its own span. Hooks, guardrails, handoffs and ``tool_use_behavior`` only cost
something when the agent or run uses them.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from . import lifecycle
from .agent_span import AgentSpan
from .approval_item import ToolApprovalItem
from .blocked_output import withhold_on_trip
from .computer_run import ComputerTurn, offered_tools
from .context_wrapper import RunContextWrapper
from .conversation import Conversation, check_server_managed, without_ids
from .exceptions import MaxTurnsExceeded, ModelBehaviorError, ModelRefusalError, StoppedAfterTurn
from .failed_run import OpenTurn
from .guardrail_run import InputChecks, check_output
from .handoff_run import perform_handoff
from .handoffs import Handoff, enabled_handoffs, handoffs_by_name
from .hosted_mcp_run import answer_approvals
from .input_items import input_list
from .items import FunctionCall, MessageOutputItem
from .lifecycle import AgentHookContext
from .local_tool_run import declared_specs
from .model_answer import read_answer
from .model_call import call_model
from .model_input_filter import filter_request
from .models import resolve_model
from .models.implied_settings import agent_settings
from .models.interface import Model, ModelRequest, ModelResponse, RequestSources, Usage
from .output_schema import output_schema_for, schema_spec
from .pending_input import admit_pending_input
from .response_view import response_view
from .run_error_handlers import recover
from .sandbox_run import SandboxSlot, sandbox_scope
from .session_compaction import compact_after_turn, is_openai_responses_compaction_aware_session
from .sessions import call_session, session_wrapper
from .stand_in_calls import answers
from .stream_events import AgentUpdatedStreamEvent, RunItemStreamEvent
from .tool import FunctionTool
from .tool_approvals import PausedTurn, gate_calls, has_gated_tools, mark_resumed, pause, take_nested
from .tool_execution import execute_tool_calls
from .tool_guardrail_run import check_before_approval
from .tool_use_behavior import runs_llm_again, tool_results, tools_to_final_output
from .tracing.ids import trace_id_hex

if TYPE_CHECKING:
    from collections.abc import Callable

    from opentelemetry.trace import SpanContext

    from .agent import Agent
    from .guardrails import InputGuardrailResult, OutputGuardrailResult
    from .input_items import RunInput
    from .run_runtime import RunRuntime
    from .sessions import Session


class AgentLoop:
    """What the agents of one run share: the conversation, turn budget, usage, results so far."""

    def __init__(
        self,
        run: RunRuntime,
        conversation: Conversation,
        max_turns: int | None,
        session: Session | None,
        *,
        input: RunInput = "",
        error_handlers: dict[str, Callable[..., Any]] | None = None,
        wrapper: RunContextWrapper[Any] | None = None,
    ) -> None:
        self.run = run
        self.conversation = conversation
        self.input = input
        """The run's input as ``RunResult.input`` has it (a run error handler's ``RunErrorData.input``)."""
        self.error_handlers = error_handlers
        """``Runner.run(error_handlers=...)``, checked; ``None`` when the run has none."""
        self.max_turns = max_turns
        """``None``: no limit, as in the SDK."""
        self.session = session
        self.compacting = session if is_openai_responses_compaction_aware_session(session) else None
        """The session, when it compacts its history after turns (``session_compaction``)."""
        self.turns = 0
        self.usage = run.usage  # the one usage record every RunContextWrapper / ToolContext of the run shows
        self.wrapper: RunContextWrapper[Any] = (
            wrapper if wrapper is not None else RunContextWrapper(run.context, self.usage, tool_input=run.tool_input)
        )
        run.wrapper = self.wrapper  # what a ToolContext shares approval decisions and ``turn_input`` with
        self.session_wrapper = session_wrapper(session, self.wrapper) if session is not None else None
        """The wrapper each session call gets: ``None`` for a session that does not take one (``sessions``)."""
        self.responses: list[ModelResponse] = run.responses
        self.final_output: Any = None
        self.last_agent: Agent[Any] | None = None
        self.used_tools: set[int] = set()
        """``id()`` of each agent whose model has called a tool or handoff in this run: their ``tool_choice`` is
        reset (``Agent.reset_tool_choice``)."""
        self.input_guardrail_results: list[InputGuardrailResult] = run.input_guardrail_results
        self.output_guardrail_results: list[OutputGuardrailResult] = run.output_guardrail_results
        self.resume: PausedTurn | None = None
        """A resumed run's paused turn: its first step finishes that turn instead of calling the model."""
        self.paused: PausedTurn | None = None
        """Set when the run stopped for approvals (``interruptions`` holds the waiting calls)."""
        self.interruptions: list[ToolApprovalItem] = []
        self.paused_span: SpanContext | None = None
        self.top_span: SpanContext | None = None
        """The run's top span (workflow or first agent): where a resumed run's spans start, same trace."""
        self.resume_link: SpanContext | None = None
        """A resumed run's paused ``invoke_agent`` span: its first span links to it, then this is cleared."""
        self.pending_input: list[dict[str, Any]] | None = None
        """Input added to the resumed ``RunState``: admitted before the next model call (``pending_input``)."""
        self.sandbox: SandboxSlot | None = None  # the run's sandbox, once a SandboxAgent ran (``sandbox_run``)
        self.open_turn: OpenTurn | None = None
        """The fresh turn whose calls ran and that is not saved yet: cut to its completed calls if the run fails."""

    async def save_turn(self) -> None:
        """Append what the turn added to the session (nothing to do without one)."""
        self.open_turn = None
        if self.run.local_answers is not None:  # the turn's local calls were answered: their items are in it
            self.run.local_answers = None
        if self.session is not None:
            items = self.conversation.take_unsaved()
            if items:
                await call_session(self.session.add_items, input_list(items), wrapper=self.session_wrapper)
                if self.compacting is not None:
                    await compact_after_turn(self, self.compacting, items)


async def run_agent_span(loop: AgentLoop, agent: Agent[Any]) -> None:
    run = loop.run
    model = resolve_model(run.config.model, agent.model, run.config.model_provider)
    # the run's set fields win, over the agent's or (when it set none) its model's implied ones, as in the SDK
    settings, _ = agent_settings(agent, run.config.model, model, run.config.model_settings)
    # Dynamic instructions are recorded per model call (chat spans), not called once more for the agent span.
    instructions = agent.instructions if isinstance(agent.instructions, str) else None
    agent_span = AgentSpan(
        run,
        agent.name,
        model,
        settings,
        instructions,
        loop.conversation.history,
        [t.spec for t in agent.tools if isinstance(t, FunctionTool)],
    )
    if not run.trace_id:
        run.trace_id = trace_id_hex(agent_span.span.get_span_context().trace_id)
    if loop.top_span is None:
        loop.top_span = agent_span.span.get_span_context()
    if loop.resume_link is not None:
        mark_resumed(agent_span.span, loop.resume_link)
        loop.resume_link = None
    usage = Usage()
    called_before = len(loop.responses)
    with agent_span:
        async with sandbox_scope(loop, agent):  # a no-op unless RunConfig.sandbox is set: checked per agent span
            try:
                next_agent = await _run_turns(loop, agent, model, usage, agent_span)
            finally:
                agent_span.finished(loop.responses[-1] if len(loop.responses) > called_before else None, usage)
            if next_agent is not None:  # handed off: the next agent's span is a child of this one
                await run_agent_span(loop, next_agent)


async def _run_turns(
    loop: AgentLoop, agent: Agent[Any], model: Model, usage: Usage, span: AgentSpan
) -> Agent[Any] | None:
    """This agent's turns until a final output (returns ``None``) or a handoff (returns the next agent)."""
    run = loop.run
    config = run.config
    conversation = loop.conversation
    hooks = run.hooks
    hooked = hooks is not None or agent.hooks is not None
    settings, implied = agent_settings(agent, config.model, model, config.model_settings)
    schema = output_schema_for(agent) if agent.output_type is not None else None
    schema_spec_ = schema_spec(schema) if schema is not None else None
    first_turn = loop.turns == 0
    server = conversation.server
    if server is not None:
        check_server_managed(agent, run.config)
    run.current_agent = loop.last_agent = agent
    run.emit(AgentUpdatedStreamEvent(agent))
    loop.wrapper.turn_input = turn_input = input_list(conversation.history)  # the SDK's, per agent turn
    if hooked and loop.resume is None:  # a resumed run goes on with an agent that has started
        await lifecycle.agent_start(hooks, hook_context(loop, turn_input), agent)
    guardrails = [*agent.input_guardrails, *(run.config.input_guardrails or ())] if first_turn else []
    if guardrails:
        checks = InputChecks(run, loop.wrapper, agent, loop.conversation.start, loop.input_guardrail_results)
        sequential = [g for g in guardrails if not g.run_in_parallel]
        if sequential:
            await checks.run(sequential)
        guardrails = [g for g in guardrails if g.run_in_parallel]
    calls: list[FunctionCall]
    handoff_calls: list[tuple[Handoff[Any, Any], FunctionCall]]
    text: str | None
    approvals: list[dict[str, Any]] | None  # a hosted MCP server's approval requests in the model's answer
    mcp_waiting: list[dict[str, Any]]  # those of them that wait for a person
    while True:
        resumed = loop.resume
        mcp_waiting = []
        computer: ComputerTurn | None = None  # the answer's computer calls, if it has any
        if resumed is not None:  # a run resumed from a RunRuntime: finish the paused turn, no model call
            loop.resume = None
            tools, hosted = await agent.turn_tools(loop.wrapper)
            response, calls, handoff_calls = resumed.response, resumed.calls, resumed.handoff_calls
            turn_start, text, refusal, approvals = resumed.turn_start, None, "", resumed.mcp_pending or None
            to_run, stand_ins = resumed.pending, True  # answers() tells a resumed turn's stand-in calls apart
            waiting = frozenset(c.call_id for c in to_run)
            nested = resumed.nested or None  # agent-tool calls that resume their paused nested run
            if nested is not None:
                run.nested_resume = dict(nested)
                to_run = [c for c in calls if c.call_id in waiting or c.call_id in nested]
            if approvals:  # the person's decisions answer them; the model is called again with the answers
                mcp_waiting = await answer_approvals(loop, agent, span.span, hosted, approvals)
        else:
            if run.stop_after_turn:  # cancel(mode="after_turn"): the turn before this one has ended and been saved
                raise StoppedAfterTurn("the run was cancelled after its turn")
            if loop.max_turns is not None and loop.turns >= loop.max_turns:
                error = MaxTurnsExceeded(loop.max_turns)
                recovered = await recover(loop, agent, "max_turns", error, span, loop.responses)
                if recovered is None:
                    raise error
                await _finish(loop, agent, recovered.output, recovered.item)
                return None
            loop.turns += 1
            if loop.pending_input is not None:  # RunRuntime.add_input(...) before this resumed run
                await admit_pending_input(loop, agent)
            if settings.tool_choice is not None and agent.reset_tool_choice and id(agent) in loop.used_tools:
                # The SDK's guard against a loop of forced tool calls: once the agent has used a tool, its model
                # chooses freely (``tool_choice="required"`` would otherwise call tools until max_turns).
                settings = dataclasses.replace(settings, tool_choice=None)
            # Asked every turn, as the SDK does: tools appended during the run, is_enabled, MCP servers' tools,
            # dynamic instructions.
            tools, hosted = await agent.turn_tools(loop.wrapper)
            if hosted:  # a ComputerTool is offered with the run's computer (its display size goes in the request)
                hosted = await offered_tools(hosted, loop.wrapper)
            instructions = await agent.get_system_prompt(loop.wrapper)
            handoffs = (
                handoffs_by_name(await enabled_handoffs(agent, loop.wrapper), tools, config.tool_name_collision_policy)
                if agent.handoffs
                else {}
            )
            specs = [t.spec for t in tools.values()] if not hosted else declared_specs(tools, hosted)
            if handoffs:
                specs += [h.spec for h in handoffs.values()]
            prompt = await agent.get_prompt(loop.wrapper) if agent.prompt is not None else None
            # implied reasoning / verbosity that this call's request would contradict are left out (SDK 0.25)
            sent = settings if not implied else model._request_settings(
                settings, prompt=prompt, has_tools=bool(specs or hosted), implied=implied
            )
            request = ModelRequest(
                instructions, conversation.request_input(), specs, sent, schema_spec_, prompt, hosted_tools=hosted
            )
            request.sources = RequestSources(tools, handoffs, schema)
            if server is not None:
                request.previous_response_id = server.previous_response_id
                request.conversation_id = server.conversation_id
                request.server_managed = True
            if run.config.call_model_input_filter is not None:  # the SDK's place: after the prompt, before on_llm_start
                request = await filter_request(run.config.call_model_input_filter, request, agent, run.context)
            if hooked:
                input_items = input_list(request.input)  # the SDK's Responses-format dicts
                await lifecycle.llm_start(hooks, loop.wrapper, agent, request.system_instructions, input_items)
            if guardrails:
                response = await checks.alongside(guardrails, call_model(model, request, run, agent.name))
                guardrails = []
            else:
                response = await call_model(model, request, run, agent.name)
            loop.responses.append(response)
            usage.add(response.usage)
            loop.usage.add(response.usage)
            if hooked:
                await lifecycle.llm_end(hooks, loop.wrapper, agent, response_view(response))
            turn_start = len(run.items)
            # one call per turn, not one per item; RunConfig(reasoning_item_id_policy="omit"): reasoning without ids
            conversation.extend(response.output if not conversation.omit_ids else without_ids(response.output))
            if server is not None:
                server.answered(response.response_id, len(conversation.history))
            answer = read_answer(response, loop, agent, tools, handoffs, hosted)
            calls, handoff_calls, text, refusal = answer.calls, answer.handoff_calls, answer.text, answer.refusal
            approvals, stand_ins, computer = answer.approvals, answer.stand_ins, answer.computer
            if approvals:  # decided before functions run: a turn that pauses for tool approvals keeps the answers
                mcp_waiting = await answer_approvals(loop, agent, span.span, hosted, approvals)
            if calls or handoff_calls:
                loop.used_tools.add(id(agent))
            if calls or handoff_calls or computer is not None:
                loop.open_turn = OpenTurn(
                    calls, turn_start, len(conversation.history) - len(response.output), stand_ins, tools
                )
            to_run, waiting, nested = calls, frozenset(), None
        pending: list[FunctionCall] = []
        guard_start = len(run.tool_output_guardrail_results)  # this turn's, withheld if its tool output is rejected
        if calls:
            if waiting or nested is not None or has_gated_tools(tools.values(), loop.wrapper._approvals):
                decisions = loop.wrapper._run_decisions()  # the run's approval decisions (``context_wrapper``)
                gate = await gate_calls(decisions, loop.wrapper, to_run, tools, waiting, agent.name, nested)
                if gate.pending and run.config.tool_execution is not None:
                    await check_before_approval(run, agent, gate, to_run, tools, decisions, waiting)
                if gate.run_now:
                    outputs = await execute_tool_calls(run, agent, gate.run_now, tools, gate.verdicts, stand_ins)
                    if run.nested_paused is not None:  # an agent tool's nested run stopped for approvals
                        outputs = take_nested(run, outputs)
                    conversation.extend(answers(outputs, calls, tools) if stand_ins else outputs)
                pending = gate.pending
            elif to_run:  # a resumed turn runs only the calls that waited (none: it waited for MCP approvals)
                outputs = await execute_tool_calls(run, agent, to_run, tools, None, stand_ins)
                if run.nested_paused is not None:
                    outputs = take_nested(run, outputs)
                conversation.extend(answers(outputs, calls, tools) if stand_ins else outputs)
            nested = run.nested_paused
            run.nested_paused = run.nested_resume = None
        if computer is not None:  # run after the turn's function calls, as in the SDK
            await computer.run(conversation)
        if pending or mcp_waiting or nested:  # one pause for the turn's calls, MCP requests and nested runs
            loop.wrapper._run_decisions()  # a paused run keeps them (``PausedRun.decisions``)
            paused = PausedTurn(
                agent, response, calls, handoff_calls, turn_start, pending, mcp_waiting, nested or {}
            )
            pause(loop, agent, span, paused)
            return None
        if calls and not handoff_calls and not runs_llm_again(agent.tool_use_behavior):
            decided = await tools_to_final_output(
                agent.tool_use_behavior, loop.wrapper, tool_results(run, calls, tools, turn_start)
            )
            if decided.is_final_output:
                output = decided.final_output
                if agent.output_type is None or agent.output_type is str:
                    output = str(output)  # as the SDK does: a run without an output type ends in text
                await _finish(loop, agent, output, tool_turn=(turn_start, guard_start))
                return None
        if handoff_calls:
            ignored = [c for _, c in handoff_calls[1:]]
            next_agent = await perform_handoff(
                run, conversation, loop.wrapper, agent, handoff_calls[0], ignored, turn_start
            )
            await loop.save_turn()
            if next_agent is not None:
                return next_agent
            continue  # its failure_error_function answered the call: this agent's model reads the answer
        if not calls and not approvals and computer is None:  # approval answers go to the model: it calls next
            if refusal:  # as the SDK: a refusal ends the run whatever the output type, unless a handler answers
                refused = ModelRefusalError(refusal)
                recovered = await recover(loop, agent, "model_refusal", refused, span, [response])
                if recovered is None:
                    raise refused
                await _finish(loop, agent, recovered.output, recovered.item)
                return None
            raw = text if text is not None else ""
            if schema is None:
                await _finish(loop, agent, raw)
                return None
            fallback: MessageOutputItem | None = None
            try:
                output = schema.validate_json(raw)
            except ModelBehaviorError as error:
                recovered = await recover(loop, agent, "invalid_final_output", error, span, [response])
                if recovered is None:
                    raise
                output, fallback = recovered.output, recovered.item
            await _finish(loop, agent, output, fallback)
            return None
        await loop.save_turn()


async def _finish(
    loop: AgentLoop, agent: Agent[Any], output: Any, message: MessageOutputItem | None = None, *,
    tool_turn: tuple[int, int] | None = None,
) -> None:
    """The final output: output guardrails, ``on_agent_end`` hooks, the last turn saved. ``message``: a run error
    handler's output as an assistant message, recorded once the guardrails let the output through (a rejected
    fallback is never shown or saved). ``tool_turn``: the output is a tool's, whose rejection ``blocked_output``
    withholds (where the turn's items and tool output guardrail results start)."""
    run = loop.run
    guardrails = [*agent.output_guardrails, *(run.config.output_guardrails or ())]
    if guardrails:
        check = check_output(run, loop.wrapper, agent, guardrails, output, loop.output_guardrail_results)
        await (check if tool_turn is None else withhold_on_trip(loop, agent, check, tool_turn))
    if message is not None:
        run.items.append(message)
        loop.conversation.add(message.conversation_item())
        run.emit(RunItemStreamEvent("message_output_created", message))
    if run.hooks is not None or agent.hooks is not None:
        await lifecycle.agent_end(run.hooks, hook_context(loop, input_list(loop.conversation.history)), agent, output)
    loop.final_output = output
    await loop.save_turn()


def hook_context(loop: AgentLoop, turn_input: list[Any]) -> AgentHookContext[Any]:
    """``on_agent_start`` / ``on_agent_end``'s context: it shares the run's approval decisions, as in the SDK."""
    ctx = AgentHookContext(loop.run.context, loop.usage, turn_input, tool_input=loop.run.tool_input)
    ctx._approvals_from = loop.wrapper
    return ctx
