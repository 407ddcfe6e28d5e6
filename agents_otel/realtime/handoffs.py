"""``realtime_handoff``, as the SDK's: a handoff between realtime agents (a ``transfer_to_<agent>`` function the
model calls; the session then switches its agent and updates the live session).

Why a wrapper over :func:`agents_otel.handoff`: the tool, the ``on_handoff`` / ``input_type`` validation and the
transfer message are the same; what a realtime handoff cannot have is an ``input_filter`` (the conversation lives
on the server, there is nothing to filter), so it takes none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from ..context_wrapper import RunContextWrapper
from ..exceptions import UserError
from ..handoffs import Handoff, handoff
from ..lifecycle import TContext
from .agent import RealtimeAgent


def realtime_handoff(
    agent: RealtimeAgent[TContext],
    *,
    tool_name_override: str | None = None,
    tool_description_override: str | None = None,
    on_handoff: Callable[..., Any] | None = None,
    input_type: type[Any] | None = None,
    is_enabled: bool | Callable[[RunContextWrapper[Any], RealtimeAgent[Any]], bool | Awaitable[bool]] = True,
) -> Handoff[TContext, RealtimeAgent[TContext]]:
    """A handoff to ``agent``. ``on_handoff(context)`` — or ``on_handoff(context, input)`` with ``input_type`` —
    runs when the model takes it; ``is_enabled`` hides it from the model while false."""
    if not isinstance(agent, RealtimeAgent):
        raise UserError(f"realtime_handoff needs a RealtimeAgent, got {type(agent).__name__}")
    made = handoff(
        cast(Any, agent),
        tool_name_override=tool_name_override,
        tool_description_override=tool_description_override,
        on_handoff=on_handoff,
        input_type=input_type,
        is_enabled=cast(Any, is_enabled),
    )
    return cast("Handoff[TContext, RealtimeAgent[TContext]]", made)


def as_realtime_handoff(target: Any) -> Handoff[Any, Any]:
    """An entry of ``RealtimeAgent.handoffs`` as a ``Handoff``: a ``RealtimeAgent`` is wrapped, a ``Handoff`` kept;
    anything else (a regular ``Agent``) is a ``UserError``: it cannot take over a realtime session."""
    if isinstance(target, Handoff):
        if target.input_filter is not None:
            raise UserError(f"Handoff to {target.agent_name!r}: realtime handoffs take no input_filter")
        return target
    if isinstance(target, RealtimeAgent):
        return realtime_handoff(target)
    raise UserError(f"RealtimeAgent handoffs must be RealtimeAgents or Handoffs, got {type(target).__name__}")


__all__ = ["as_realtime_handoff", "realtime_handoff"]
