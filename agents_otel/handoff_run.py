"""Performing a handoff the model asked for: inside a ``handoff {from} -> {to}`` span, in the SDK's order.

``on_handoff`` runs (the ``input_type`` arguments validated), the call's output (``{"assistant": "<name>"}``) joins
the conversation as a ``handoff_occured`` run item, the ``on_handoff`` hooks run, and the input filter (if any)
rewrites what the next agent reads, or else, with ``nest_handoff_history``, the conversation is nested into summary
segments (``agents_otel.handoff.history_nested`` on the span says so). The next agent's ``invoke_agent`` span starts
after this span ends, as a child of the agent span that handed off, so a chain of handoffs reads top-down in a trace
viewer.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import Span, SpanKind

from . import lifecycle, tool_events
from .content_guard import exception_scrub
from .conversation import Conversation, from_run_items, input_history_items, without_ids
from .exceptions import UserError
from .handoff_history import nest_handoff_history
from .handoffs import MULTIPLE_HANDOFFS_MESSAGE, Handoff, HandoffInputData
from .input_items import input_list
from .items import FunctionCall, FunctionCallOutput, HandoffOutputItem, RunItem
from .stream_events import RunItemStreamEvent
from .tool_context import ToolContext
from .tracing import attributes as A
from .tracing.spans import Scrub, SpanScope, record_error

if TYPE_CHECKING:
    from .agent import Agent
    from .context_wrapper import RunContextWrapper
    from .run_runtime import RunRuntime
    from .tool_errors import ToolErrorFunction


async def perform_handoff(
    run: RunRuntime,
    conversation: Conversation,
    wrapper: RunContextWrapper[Any],
    agent: Agent[Any],
    chosen: tuple[Handoff[Any, Any], FunctionCall],
    ignored: list[FunctionCall],
    turn_start: int,
) -> Agent[Any] | None:
    """Hand the conversation from ``agent`` to the chosen handoff's agent; returns that agent, or ``None`` when the
    invocation failed and the handoff's ``failure_error_function`` answered the call instead (``agent`` goes on).

    ``turn_start`` is the index in ``run.items`` where this turn's items begin (the filter's ``new_items``).
    """
    handoff, call = chosen
    for other in ignored:  # the model asked for several: the first wins, as in the SDK
        conversation.add(FunctionCallOutput(other.call_id, MULTIPLE_HANDOFFS_MESSAGE))
        tool_events.refused(run, other, agent, MULTIPLE_HANDOFFS_MESSAGE)
    span = run.tracer.start_span(
        f"handoff {agent.name} -> {handoff.agent_name}",
        kind=SpanKind.INTERNAL,
        attributes={
            A.GEN_AI_AGENT_NAME: agent.name,
            A.HANDOFF_FROM_AGENT: agent.name,
            A.HANDOFF_TO_AGENT: handoff.agent_name,
            A.GEN_AI_TOOL_NAME: call.name,
            A.GEN_AI_TOOL_CALL_ID: call.call_id,
        },
    )
    scrub = exception_scrub(run, call.name)
    with SpanScope(span, scrub=scrub):
        recovery = handoff.failure_error_function
        if recovery is None:
            new_agent = await handoff.on_invoke_handoff(wrapper, call.arguments)
        else:
            try:
                new_agent = await handoff.on_invoke_handoff(wrapper, call.arguments)
            except Exception as error:
                await _recover(run, conversation, wrapper, agent, recovery, call, error, span, scrub)
                return None
        span.set_attribute(A.HANDOFF_TO_AGENT, new_agent.name)
        message = handoff.get_transfer_message(new_agent)
        conversation.add(FunctionCallOutput(call.call_id, message))
        item = HandoffOutputItem(call.call_id, call.name, message, agent, new_agent, agent.name)
        run.items.append(item)
        run.emit(RunItemStreamEvent("handoff_occured", item))
        if run.hooks is not None or agent.hooks is not None:
            await lifecycle.handoff_hooks(run.hooks, wrapper, agent, new_agent)
        config = run.config
        input_filter = handoff.input_filter if handoff.input_filter is not None else config.handoff_input_filter
        nest = handoff.nest_handoff_history
        if nest is None:
            nest = config.nest_handoff_history
        if input_filter is not None:
            if handoff.nest_handoff_history:  # its own True with its own filter already failed when it was built
                raise UserError(
                    f"Handoff to {new_agent.name!r} has nest_handoff_history=True but an input filter "
                    f"({'RunConfig.handoff_input_filter' if handoff.input_filter is None else 'its own'}) decides "
                    "what the next agent reads, so nesting would never happen; drop one (a filter may call "
                    "agents_otel.nest_handoff_history itself)"
                )
            if conversation.server is not None:  # the server's copy of the conversation cannot be rewritten
                raise UserError(
                    f"Handoff to {new_agent.name!r} has an input filter, which cannot be combined with "
                    "conversation_id, previous_response_id or auto_previous_response_id: OpenAI keeps the "
                    "conversation and the next agent would read it unfiltered"
                )
            await _filter(input_filter, conversation, wrapper, run.run_items(), turn_start)
            run.history_rewritten = True
        elif nest:
            if conversation.server is not None:  # only a handoff's own True gets here: the run's fails at start
                raise UserError(
                    f"Handoff to {new_agent.name!r} has nest_handoff_history=True, which cannot be combined with "
                    "conversation_id, previous_response_id or auto_previous_response_id: OpenAI keeps the "
                    "conversation and the next agent would read it whole"
                )
            data = _input_data(conversation, wrapper, run.run_items(), turn_start)
            _rewrite(conversation, nest_handoff_history(data, history_mapper=config.handoff_history_mapper))
            run.history_rewritten = True
            span.set_attribute(A.HANDOFF_HISTORY_NESTED, True)
    return new_agent


async def _recover(
    run: RunRuntime,
    conversation: Conversation,
    wrapper: RunContextWrapper[Any],
    agent: Agent[Any],
    function: ToolErrorFunction,
    call: FunctionCall,
    error: Exception,
    span: Span,
    scrub: Scrub | None,
) -> None:
    """A failed invocation is no transfer: the exception on the span (as a tool's handled failure is), the
    formatter's text as the call's output. Neither hooks nor filters run. The formatter's own exception (a
    deliberate re-raise included) leaves the span and fails the run."""
    error_type = record_error(span, error, scrub=scrub)
    ctx = ToolContext.from_agent_context(wrapper, call.call_id, call, agent, run_config=run.config)
    text = function(ctx, error)
    if inspect.isawaitable(text):
        text = await text
    output = text if isinstance(text, str) else str(text)
    conversation.add(FunctionCallOutput(call.call_id, output))
    tool_events.handoff_failed(run, call, agent, output, error_type, span.get_span_context())


def _input_data(
    conversation: Conversation, wrapper: RunContextWrapper[Any], items: list[RunItem], start: int
) -> HandoffInputData:
    return HandoffInputData(
        input_history=history if isinstance(history := conversation.start, str) else tuple(input_list(history)),
        pre_handoff_items=tuple(items[:start]),
        new_items=tuple(items[start:]),
        run_context=wrapper,
    )


def _rewrite(conversation: Conversation, data: HandoffInputData) -> None:
    """The next agent reads ``data``; the session still gets what happened (``Conversation.unsaved``)."""
    read_next = data.input_items if data.input_items is not None else data.new_items
    rebuilt = [
        *input_history_items(data.input_history),
        *from_run_items(data.pre_handoff_items),
        *from_run_items(read_next),
    ]
    conversation.history[:] = without_ids(rebuilt) if conversation.omit_ids else rebuilt


async def _filter(
    input_filter: Any, conversation: Conversation, wrapper: RunContextWrapper[Any], items: list[RunItem], start: int
) -> None:
    if not callable(input_filter):
        raise UserError(f"Invalid handoff input filter: {input_filter!r}")
    filtered = input_filter(_input_data(conversation, wrapper, items, start))
    if inspect.isawaitable(filtered):
        filtered = await filtered
    if not isinstance(filtered, HandoffInputData):
        raise UserError(f"A handoff input filter must return HandoffInputData, got {type(filtered).__name__}")
    _rewrite(conversation, filtered)
