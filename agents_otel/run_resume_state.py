"""The SDK's public ``RunState``: a run stopped for tool approvals, to decide on and resume.

Not to be confused with ``run_state.RunState``, the runtime's internal record of a run while it runs; this one is
what ``result.to_state()`` returns and ``Runner.run(agent, state)`` takes, exported as ``agents_otel.RunState``.
It lives in memory only: the SDK's JSON form (``to_json`` / ``from_json``) is not implemented and says so.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar

from .approval_item import ToolApprovalItem
from .conversation import Conversation
from .exceptions import UserError
from .models.interface import Usage
from .tool_approvals import PausedRun

if TYPE_CHECKING:
    from .agent import Agent
    from .input_items import RunInput

TContext = TypeVar("TContext")

_NO_SERIALIZATION = (
    "RunState.{} is not supported by agents_otel yet: a paused run lives in memory only. Keep the RunState (or "
    "the result) in your process and resume with Runner.run(agent, state)."
)


class RunState(Generic[TContext]):
    """A run stopped because tool calls wait for a decision (``result.interruptions``), as in the SDK.

    ``approve`` / ``reject`` each waiting call (``always_approve`` / ``always_reject`` decide every later call of
    the same tool in this run too), then ``Runner.run(agent, state)`` (or ``run_streamed``) with the run's starting
    agent: approved calls run, rejected ones answer the model with the rejection message, and the run goes on.
    Calls left undecided stop the resumed run again, before any model call. Each ``to_state()`` is a new
    state: decisions on one do not change another.
    """

    def __init__(self, paused: PausedRun) -> None:
        """Made by ``result.to_state()``; not built by hand."""
        self._paused = paused

    @property
    def original_input(self) -> RunInput:
        """The stopped run's input (``RunResult.input`` of the resumed run)."""
        return self._paused.input

    @property
    def interruptions(self) -> list[ToolApprovalItem]:
        return list(self._paused.interruptions)

    def get_interruptions(self) -> list[ToolApprovalItem]:
        """The calls waiting for a decision (the SDK's method)."""
        return list(self._paused.interruptions)

    def approve(self, approval_item: ToolApprovalItem, always_approve: bool = False) -> None:
        """Let the call run on resume; ``always_approve``: every later call of this tool in the run too."""
        name = self._waiting(approval_item, "approve")
        decisions = self._paused.decisions
        decisions.calls[approval_item.call_id] = (True, None)
        if always_approve:
            decisions.tools[name] = (True, None)

    def reject(
        self, approval_item: ToolApprovalItem, always_reject: bool = False, *, rejection_message: str | None = None
    ) -> None:
        """Answer the call with ``rejection_message`` (default: "Tool execution was not approved.") instead of
        running it; ``always_reject``: every later call of this tool in the run too."""
        if rejection_message is not None and not isinstance(rejection_message, str):
            raise UserError(f"rejection_message must be a string, got {type(rejection_message).__name__}")
        name = self._waiting(approval_item, "reject")
        decisions = self._paused.decisions
        decisions.calls[approval_item.call_id] = (False, rejection_message)
        if always_reject:
            decisions.tools[name] = (False, rejection_message)

    def _waiting(self, item: ToolApprovalItem, verb: str) -> str:
        if not isinstance(item, ToolApprovalItem):
            raise UserError(f"RunState.{verb}() takes a ToolApprovalItem from interruptions, got {type(item).__name__}")
        for waiting in self._paused.interruptions:
            if waiting is item or (waiting.call_id == item.call_id and waiting.tool_name == item.tool_name):
                return waiting.tool_name
        raise UserError(
            f"RunState.{verb}(): call {item.call_id!r} of tool {item.tool_name!r} is not waiting in this run "
            "(take the items from this state's interruptions)"
        )

    def to_json(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise UserError(_NO_SERIALIZATION.format("to_json()"))

    def to_string(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise UserError(_NO_SERIALIZATION.format("to_string()"))

    @staticmethod
    def from_json(*args: Any, **kwargs: Any) -> NoReturn:
        raise UserError(_NO_SERIALIZATION.format("from_json()"))

    @staticmethod
    def from_string(*args: Any, **kwargs: Any) -> NoReturn:
        raise UserError(_NO_SERIALIZATION.format("from_string()"))

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
        history = Conversation(
            list(conversation.history), unsaved=None if conversation.unsaved is None else list(conversation.unsaved)
        )
        history.start = conversation.start
        usage = Usage()
        usage.add(paused.usage)
        return dataclasses.replace(
            paused,
            conversation=history,
            items=list(paused.items),
            responses=list(paused.responses),
            usage=usage,
            decisions=paused.decisions.copy(),
        )

def new_state(paused: PausedRun) -> RunState[Any]:
    """``result.to_state()``: a state of its own, so decisions on one state never reach another."""
    return RunState(
        dataclasses.replace(paused, decisions=paused.decisions.copy(), interruptions=list(paused.interruptions))
    )


__all__ = ["RunState", "new_state"]
