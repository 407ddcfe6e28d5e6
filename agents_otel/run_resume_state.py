"""The SDK's public ``RunState``: a run stopped for tool approvals, to decide on and resume.

Not to be confused with ``run_state.RunState``, the runtime's internal record of a run while it runs; this one is
what ``result.to_state()`` returns and ``Runner.run(agent, state)`` takes, exported as ``agents_otel.RunState``.
``to_json`` / ``from_json`` (``run_state_json``) let another process resume it, with the SDK's names and options.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from .approval_item import ToolApprovalItem
from .conversation import Conversation, without_ids
from .exceptions import UserError
from .models.interface import Usage
from .pending_input import check_can_add, pending_items
from .run_state_json import state_from_json, state_to_json
from .tool_approvals import PausedRun, Verdict, fork, owner
from .tool_use_tracker import normalized_tool_use, tool_use_snapshot
from .tracing.ids import requested_trace_parent

if TYPE_CHECKING:
    from opentelemetry.trace import SpanContext

    from .agent import Agent
    from .input_items import RunInput

TContext = TypeVar("TContext")

ContextSerializer = Callable[[Any], Mapping[str, Any]]
"""``to_json(context_serializer=...)``: the run's context object -> a JSON-able mapping (the SDK's type)."""
ContextDeserializer = Callable[[Mapping[str, Any]], Any]
"""``from_json(context_deserializer=...)``: that mapping -> the context object (or a ``RunContextWrapper``)."""


class RunState(Generic[TContext]):
    """A run stopped because tool calls wait for a decision (``result.interruptions``), as in the SDK.

    ``approve`` / ``reject`` each waiting call (``always_approve`` / ``always_reject`` decide every later call of
    the same tool in this run too), then ``Runner.run(agent, state)`` (or ``run_streamed``) with the run's starting
    agent: approved calls run, rejected ones answer the model with the rejection message, and the run goes on.
    Calls left undecided stop the resumed run again, before any model call. Each ``to_state()`` is a new
    state: decisions on one do not change another.

    A hosted MCP server's approval request (its ``HostedMCPTool`` has no ``on_approval_request``) is decided the
    same way: the resumed run sends the decision as an ``mcp_approval_response`` (``reject``'s
    ``rejection_message`` as its ``reason``) and calls the model again; ``always_approve`` / ``always_reject``
    then decide that server's later requests for the same tool.
    """

    def __init__(self, paused: PausedRun) -> None:
        """Made by ``result.to_state()``; not built by hand."""
        self._paused = paused

    @property
    def original_input(self) -> RunInput:
        """The stopped run's input (``RunResult.input`` of the resumed run)."""
        return self._paused.input

    @property
    def max_turns(self) -> int | None:
        """The stopped run's turn limit, which its resumed runs keep (turns are counted across them)."""
        return self._paused.max_turns

    @property
    def interruptions(self) -> list[ToolApprovalItem]:
        return list(self._paused.interruptions)

    def get_interruptions(self) -> list[ToolApprovalItem]:
        """The calls waiting for a decision (the SDK's method)."""
        return list(self._paused.interruptions)

    def approve(self, approval_item: ToolApprovalItem, always_approve: bool = False) -> None:
        """Let the call run on resume; ``always_approve``: every later call of this tool in the run too."""
        self._decide(approval_item, "approve", (True, None), always_approve)

    def reject(
        self, approval_item: ToolApprovalItem, always_reject: bool = False, *, rejection_message: str | None = None
    ) -> None:
        """Answer the call with ``rejection_message`` (default: "Tool execution was not approved.") instead of
        running it; ``always_reject``: every later call of this tool in the run too."""
        if rejection_message is not None and not isinstance(rejection_message, str):
            raise UserError(f"rejection_message must be a string, got {type(rejection_message).__name__}")
        self._decide(approval_item, "reject", (False, rejection_message), always_reject)

    def _decide(self, item: ToolApprovalItem, verb: str, verdict: Verdict, always: bool) -> None:
        waiting = self._waiting(item, verb)
        owner(self._paused, waiting).decisions.decide(waiting, verdict, always)  # a nested run's call: its own

    def _waiting(self, item: ToolApprovalItem, verb: str) -> ToolApprovalItem:
        if not isinstance(item, ToolApprovalItem):
            raise UserError(f"RunState.{verb}() takes a ToolApprovalItem from interruptions, got {type(item).__name__}")
        interruptions = self._paused.interruptions
        if any(waiting is item for waiting in interruptions):  # nested runs' calls may share another's call id
            return item
        for waiting in interruptions:
            if (
                waiting.call_id == item.call_id
                and waiting.tool_name == item.tool_name
                and waiting.server_label == item.server_label
            ):
                return waiting
        raise UserError(
            f"RunState.{verb}(): call {item.call_id!r} of tool {item.tool_name!r} is not waiting in this run "
            "(take the items from this state's interruptions)"
        )

    @property
    def pending_input(self) -> list[dict[str, Any]]:
        """A copy of the input ``add_input`` staged for the resumed run's next model call (the SDK's property)."""
        return copy.deepcopy(self._paused.pending_input)

    def add_input(self, input: str | list[Any]) -> None:
        """Stage input for the resumed run: admitted right before its next model call, after the paused turn's
        tool outputs, as in the SDK. A string is a user message; calls add in order; the agent's and the run's
        input guardrails check it on resume. A state whose resumed run may end without another model call (no
        turns left, or a ``tool_use_behavior`` that can make the waiting tool's result the final output) is a
        ``UserError``. Stored by ``to_json``; resuming leaves it on this state, as its decisions are."""
        check_can_add(self._paused)
        self._paused.pending_input.extend(pending_items(input))

    def clear_pending_input(self) -> None:
        """Drop the input ``add_input`` staged."""
        self._paused.pending_input = []

    def get_tool_use_tracker_snapshot(self) -> dict[str, list[str]]:
        """Which agents (by name) have used which tools in the run (a copy), as in the SDK: a resumed run resets
        the ``tool_choice`` of those agents (``reset_tool_choice``) at their next model call."""
        return tool_use_snapshot(self._paused)

    def set_tool_use_tracker_snapshot(self, snapshot: Mapping[str, Sequence[str]] | None) -> None:
        """Replace that record (``None`` / empty: no agent has used a tool); stored by ``to_json``."""
        self._paused.tool_use = normalized_tool_use(snapshot)

    def set_reasoning_item_id_policy(self, policy: Literal["preserve", "omit"] | None) -> None:
        """How the resumed run sends reasoning items' ids (``"omit"``: without them), as ``RunConfig(
        reasoning_item_id_policy=...)`` would, which still wins when the resumed run's config sets one."""
        if policy not in ("preserve", "omit", None):
            raise UserError(f"set_reasoning_item_id_policy() takes 'preserve', 'omit' or None, got {policy!r}")
        conversation = copy.copy(self._paused.conversation)  # this state's own: others of the result keep theirs
        conversation.omit_ids = policy == "omit"
        if conversation.omit_ids:  # what the model already said goes back without ids too, as the SDK sends it
            conversation.history = without_ids(conversation.history)
        self._paused.conversation = conversation

    def set_trace(self, trace: Any) -> None:
        """The trace the resumed run continues, as in the SDK: a ``trace()`` (its spans go under it), a trace
        processor's ``Trace`` or anything with a ``trace_id`` of ``trace_`` + 32 hex (the run joins that trace), or
        ``None`` (the resumed run starts a trace of its own). Kept by ``to_json``."""
        self._paused.trace_parent = resumed_trace_parent(trace)

    def to_json(
        self,
        *,
        context_serializer: ContextSerializer | None = None,
        strict_context: bool = False,
        include_tracing_api_key: bool = False,
    ) -> dict[str, Any]:
        """The paused run as JSON data, for ``RunState.from_json`` in this or another process. It holds the
        conversation: store it as you store the conversation itself.

        The context: a mapping is stored as it is; ``context_serializer`` turns any other context into a mapping; a
        pydantic model or a dataclass is stored as its dict (restoring it then needs ``context_deserializer``). Any
        other context, or one that is not JSON data, is a ``UserError`` (``strict_context=True``: anything but a
        mapping needs ``context_serializer``, as in the SDK). ``include_tracing_api_key`` is accepted for SDK code;
        agents_otel keeps no tracing key in a run, so there is none to include.
        """
        _check_flags(strict_context=strict_context, include_tracing_api_key=include_tracing_api_key)
        return state_to_json(self._paused, context_serializer, strict_context)

    def to_string(
        self,
        *,
        context_serializer: ContextSerializer | None = None,
        strict_context: bool = False,
        include_tracing_api_key: bool = False,
    ) -> str:
        """:meth:`to_json` as a JSON string."""
        data = self.to_json(
            context_serializer=context_serializer,
            strict_context=strict_context,
            include_tracing_api_key=include_tracing_api_key,
        )
        return json.dumps(data, indent=2)

    @staticmethod
    async def from_json(
        initial_agent: Agent[Any],
        state_json: dict[str, Any],
        *,
        context_override: Any = None,
        context_deserializer: ContextDeserializer | None = None,
        strict_context: bool = False,
    ) -> RunState[Any]:
        """The state :meth:`to_json` made; agents are found by name from ``initial_agent`` (the agent the run
        started with) through its handoffs, and those of nested runs paused inside agent tools through agent tools
        too. Async, as in the SDK.

        ``context_override`` replaces the stored context (a ``RunContextWrapper`` gives its ``context``);
        ``context_deserializer`` rebuilds it from the stored mapping. A context stored from a pydantic model, a
        dataclass or a ``context_serializer`` needs one of them: a ``UserError`` otherwise (the SDK warns and goes
        on with a plain dict). An unknown ``$schemaVersion``, a missing or mistyped field, or an agent or handoff
        that is not found is a ``UserError``.
        """
        _check_flags(strict_context=strict_context)
        return RunState(state_from_json(initial_agent, state_json, context_override, context_deserializer))

    @staticmethod
    async def from_string(
        initial_agent: Agent[Any],
        state_string: str,
        *,
        context_override: Any = None,
        context_deserializer: ContextDeserializer | None = None,
        strict_context: bool = False,
    ) -> RunState[Any]:
        """:meth:`from_json` from the string :meth:`to_string` made."""
        if not isinstance(state_string, str | bytes | bytearray):
            raise UserError(f"RunState.from_string() takes a string, got {type(state_string).__name__}")
        try:
            data = json.loads(state_string, parse_constant=_no_constant)
        except ValueError as error:  # the position only: the text is the conversation
            where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
            raise UserError(f"RunState.from_string(): the string is not valid JSON{where}") from None
        return await RunState.from_json(
            initial_agent,
            data,
            context_override=context_override,
            context_deserializer=context_deserializer,
            strict_context=strict_context,
        )

    def __repr__(self) -> str:
        paused = self._paused
        calls = ", ".join(f"{i.tool_name}({i.call_id})" for i in paused.interruptions)
        return f"RunState(agent={paused.turn.agent.name!r}, turns={paused.turns}, interruptions=[{calls}])"

    def resume(self, agent: Agent[Any], has_session: bool) -> PausedRun:
        """A copy of the paused run for ``Runner.run`` to continue (the state can be resumed again)."""
        paused = self._paused
        if agent is not paused.starting_agent and agent is not paused.turn.agent:
            raise UserError(
                f"Runner.run was given agent {agent.name!r}, but this RunState is a run of agent "
                f"{paused.starting_agent.name!r}: resume with the agent the run started with"
            )
        if has_session != paused.had_session:
            raise UserError(
                "Resume a RunState with the same session as the run that stopped "
                + ("(it had one)" if paused.had_session else "(it had none)")
            )
        conversation = paused.conversation
        server = conversation.server
        history = Conversation(
            list(conversation.history),
            unsaved=None if conversation.unsaved is None else list(conversation.unsaved),
            server=server.copy() if server is not None else None,  # the resumed calls continue OpenAI's copy
        )
        history.start = conversation.start
        history.omit_ids = conversation.omit_ids
        usage = Usage()
        usage.add(paused.usage)
        return dataclasses.replace(
            paused,
            conversation=history,
            items=list(paused.items),
            responses=list(paused.responses),
            usage=usage,
            decisions=paused.decisions.copy(),
            pending_input=copy.deepcopy(paused.pending_input),
        )

def _check_flags(**flags: Any) -> None:
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise UserError(f"RunState: {name} must be a bool, got {type(value).__name__}")


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def interruption_paths(state: RunState[Any]) -> list[tuple[str, ...]]:
    """Where each of ``state.interruptions`` waits: the call ids of the agent-tool calls whose nested runs hold it,
    outermost first (``()``: the run's own call). What tells apart two nested runs' calls that share a call id, for
    whoever addresses interruptions by id rather than by item (the agent server)."""
    paused = state._paused
    return [_path(paused, item) for item in paused.interruptions]


def _path(paused: PausedRun, item: ToolApprovalItem) -> tuple[str, ...]:
    for call_id, nested in paused.turn.nested.items():
        if any(waiting is item for waiting in nested.interruptions):
            return (call_id, *_path(nested, item))
    return ()


def resumed_trace_parent(trace: Any) -> SpanContext | None:
    """``RunState.set_trace``'s argument as the span context a resumed run starts under."""
    if trace is None:
        return None
    span = getattr(trace, "span", None)  # a trace() block: under its own span, once started
    if span is not None and span.get_span_context().is_valid:
        return span.get_span_context()  # type: ignore[no-any-return]
    trace_id = getattr(trace, "trace_id", None)
    if isinstance(trace_id, str) and len(trace_id) == 32 and trace_id.isalnum():
        trace_id = f"trace_{trace_id}"  # a trace()'s plain hex id
    if not isinstance(trace_id, str) or not trace_id:
        raise UserError(f"RunState.set_trace() takes a trace (one with a trace_id) or None, got {trace!r}")
    return requested_trace_parent(trace_id)


def new_state(paused: PausedRun) -> RunState[Any]:
    """``result.to_state()``: a state of its own, so decisions on one state never reach another."""
    return RunState(fork(paused))


__all__ = ["ContextDeserializer", "ContextSerializer", "RunState", "interruption_paths", "new_state"]
