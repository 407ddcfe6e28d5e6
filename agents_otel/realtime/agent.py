"""``RealtimeAgent``, as the SDK's: an agent for a live voice session — instructions, tools and handoffs — whose
model and model settings belong to the session, not to the agent.

Why its own class and not ``Agent``: one realtime connection serves every agent of the session, so the fields a
model call needs per agent (``model``, ``model_settings``, ``output_type``, ``tool_use_behavior``) have no meaning
here; code written for the SDK passes none of them.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

from ..agent import AgentBase
from ..exceptions import UserError
from ..handoffs import Handoff
from ..lifecycle import AgentHooksBase, RunHooksBase, TContext

if TYPE_CHECKING:
    from ..context_wrapper import RunContextWrapper
    from ..guardrails import OutputGuardrail
    from ..prompts import Prompt

RealtimeAgentHooks = AgentHooksBase[TContext, "RealtimeAgent[TContext]"]
RealtimeRunHooks = RunHooksBase[TContext, "RealtimeAgent[TContext]"]


@dataclass
class RealtimeAgent(AgentBase[TContext], Generic[TContext]):
    instructions: (
        str | Callable[[RunContextWrapper[TContext], RealtimeAgent[TContext]], str | Awaitable[str]] | None
    ) = None
    """The system prompt: a string, or ``(context, agent) -> str`` (sync or async), asked each time the agent
    takes over the session."""
    prompt: Prompt | None = None
    handoffs: list[RealtimeAgent[Any] | Handoff[TContext, RealtimeAgent[Any]]] = field(default_factory=list)
    output_guardrails: list[OutputGuardrail[TContext]] = field(default_factory=list)
    """Judged on what the agent says while it says it (with ``RealtimeRunConfig`` ``output_guardrails``); a trip
    cuts the response off (``RealtimeGuardrailTripped``)."""
    hooks: RealtimeAgentHooks[TContext] | None = None
    """Its ``on_tool_start`` / ``on_tool_end`` run around the agent's tool calls."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"RealtimeAgent name must be a string, got {type(self.name).__name__}")
        if not isinstance(self.tools, list):
            raise TypeError(f"RealtimeAgent tools must be a list, got {type(self.tools).__name__}")
        if not isinstance(self.handoffs, list):
            raise TypeError(f"RealtimeAgent handoffs must be a list, got {type(self.handoffs).__name__}")
        if self.instructions is not None and not isinstance(self.instructions, str) and not callable(self.instructions):
            raise TypeError(
                "RealtimeAgent instructions must be a string, callable, or None, "
                f"got {type(self.instructions).__name__}"
            )

    def clone(self, **kwargs: Any) -> RealtimeAgent[TContext]:
        """A copy with ``kwargs`` changed (shallow: lists not passed are shared with this agent, as in the SDK)."""
        return dataclasses.replace(self, **kwargs)

    async def get_system_prompt(self, run_context: RunContextWrapper[TContext]) -> str | None:
        instructions = self.instructions
        if instructions is None or isinstance(instructions, str):
            return instructions
        result = instructions(run_context, self)
        if inspect.isawaitable(result):
            result = await result
        if not isinstance(result, str):
            raise UserError(
                f"RealtimeAgent {self.name!r}: instructions must return str, got {type(result).__name__}"
            )
        return result


__all__ = ["RealtimeAgent", "RealtimeAgentHooks", "RealtimeRunHooks"]
