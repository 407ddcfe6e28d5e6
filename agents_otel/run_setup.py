"""What a run works out around its turns, apart from the turns themselves: the trace it joins
(``RunConfig.trace_id``), the name of its ``invoke_workflow`` span, the session's part in its conversation id, and
what the error of a failed run carries (``error.run_data``). Kept out of ``run`` so that module stays the run's
shape: setup, the loop, the result.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanContext, get_current_span

from .exceptions import RunErrorDetails
from .response_view import response_views
from .tracing.ids import requested_trace_parent, trace_id_hex

if TYPE_CHECKING:
    from .agent import Agent
    from .agent_loop import AgentLoop
    from .run_runtime import RunRuntime
    from .sessions import Session

logger = logging.getLogger("agents_otel.run")


def session_id(session: Session | None) -> str | None:
    """The session's id, or ``None`` for a session that has none yet, as the SDK reads it (a resumed run given an
    ``OpenAIConversationsSession`` it has not used: its ``session_id`` raises ``ValueError`` until first use)."""
    if session is None:
        return None
    try:
        return session.session_id
    except ValueError:
        return None


def error_details(loop: AgentLoop, agent: Agent[Any]) -> RunErrorDetails:
    """What the failed run had done, for ``error.run_data`` (built only when a run fails)."""
    run = loop.run
    return RunErrorDetails(
        input=loop.input,
        new_items=list(run.run_items()),
        raw_responses=response_views(loop.responses),
        last_agent=loop.last_agent or agent,
        context_wrapper=loop.wrapper,
        input_guardrail_results=list(loop.input_guardrail_results),
        output_guardrail_results=list(loop.output_guardrail_results),
        tool_input_guardrail_results=list(run.tool_input_guardrail_results),
        tool_output_guardrail_results=list(run.tool_output_guardrail_results),
    )


def requested_trace(run: RunRuntime) -> SpanContext | None:
    """The remote parent that puts a top-level run in ``RunConfig.trace_id``'s trace, when nothing is current (a run
    inside a current span joins its trace, as an SDK run inside ``trace()`` does); the id is checked either way."""
    trace_id = run.config.trace_id
    if trace_id is None:
        return None
    requested = requested_trace_parent(trace_id)
    current = get_current_span().get_span_context()
    if run.parent_tool_call_id is not None or not current.is_valid:
        return requested if run.parent_tool_call_id is None else None
    if current.trace_id != requested.trace_id:
        logger.warning(
            "agents_otel: RunConfig.trace_id %s not used: the run joins the current span's trace %s, as an SDK run "
            "inside trace() does", trace_id, trace_id_hex(current.trace_id),
        )
    return None


DEFAULT_WORKFLOW_NAME = "Agent workflow"
"""The SDK's default ``workflow_name``, for a run given ``trace_metadata`` without one."""


def workflow_name(run: RunRuntime, metadata: dict[str, Any] | None) -> str | None:
    """The name of the run's ``invoke_workflow`` span, if it has one: a top-level run given ``workflow_name`` or
    trace metadata (``trace_metadata``, a harness id: ``metadata``); an agent used as a tool runs inside the outer
    run's spans."""
    config = run.config
    if run.parent_tool_call_id is not None or (config.workflow_name is None and metadata is None):
        return None
    return config.workflow_name or DEFAULT_WORKFLOW_NAME
