"""Handoffs: an agent passes the conversation to another agent through a ``transfer_to_<agent>`` tool call.

Names and semantics follow the OpenAI Agents SDK: ``Agent(handoffs=[agent | handoff(agent, ...)])``, ``Handoff``,
``HandoffInputData`` and input filters (``agents_otel.handoff_filters``). The model sees each enabled handoff as a
function tool; when it calls one, the run does not execute a tool: it invokes the handoff (``on_handoff`` with the
validated ``input_type`` arguments), records a ``handoff {from} -> {to}`` span, and continues with the new agent on
the (possibly filtered) conversation. When the model asks for several handoffs in one turn the first wins and the
others are answered "Multiple handoffs detected, ignoring this one.", as in the SDK.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pydantic
from pydantic import TypeAdapter

from ..exceptions import ModelBehaviorError, UserError
from ..models._openai_strict_schema import strict_json_schema
from ..models.interface import ToolSpec
from ..validation_text import validation_summary

if TYPE_CHECKING:
    from ..agent import Agent
    from ..context_wrapper import RunContextWrapper
    from ..items import RunItem
    from ..tool_errors import ToolErrorFunction

TContext = TypeVar("TContext")
TAgent = TypeVar("TAgent")
"""The SDK's second type parameter (the agent type a handoff returns), so ``Handoff[Ctx, Agent[Ctx]]`` works."""
THandoffInput = TypeVar("THandoffInput")

logger = logging.getLogger(__name__)

MULTIPLE_HANDOFFS_MESSAGE = "Multiple handoffs detected, ignoring this one."


@dataclass(frozen=True)
class HandoffInputData:
    """What an input filter gets and returns: the conversation as the next agent would see it, in three parts."""

    input_history: str | tuple[Any, ...]
    """The run's original input (a string, or its input items)."""
    pre_handoff_items: tuple[RunItem, ...]
    """Run items created before the turn that handed off."""
    new_items: tuple[RunItem, ...]
    """Run items of the turn that handed off, ending with the handoff call and its output."""
    run_context: RunContextWrapper[Any] | None = None
    input_items: tuple[RunItem, ...] | None = None
    """When set, the next agent reads these instead of ``new_items`` (``new_items`` still go to the session)."""

    def clone(self, **changes: Any) -> HandoffInputData:
        return dataclasses.replace(self, **changes)


HandoffInputFilter = Callable[[HandoffInputData], HandoffInputData | Awaitable[HandoffInputData]]
IsEnabled = bool | Callable[["RunContextWrapper[Any]", "Agent[Any]"], bool | Awaitable[bool]]


@dataclass
class Handoff(Generic[TContext, TAgent]):
    """A handoff as the model sees it (a tool) and as the run performs it (``on_invoke_handoff``)."""

    tool_name: str
    tool_description: str
    input_json_schema: dict[str, Any]
    on_invoke_handoff: Callable[[RunContextWrapper[Any], str], Awaitable[Agent[Any]]]
    """``(context, arguments_json)`` -> the agent that takes over."""
    agent_name: str
    input_filter: HandoffInputFilter | None = None
    nest_handoff_history: bool | None = None
    """This handoff's own ``RunConfig.nest_handoff_history`` (``None``: the run's), in the SDK's field order."""
    strict_json_schema: bool = True
    is_enabled: IsEnabled = True
    _target: Any = dataclasses.field(default=None, init=False, repr=False, compare=False)
    """The agent ``handoff()`` was made for, so a stored ``RunState`` can find it by name from the starting agent
    (``None`` for a ``Handoff`` built by hand: its agent is known only once ``on_invoke_handoff`` runs)."""
    failure_error_function: ToolErrorFunction | None = None
    """What the calling agent reads when ``on_invoke_handoff`` raises (``on_handoff`` included, and invalid
    ``input_type`` arguments), as in SDK 0.25; ``None`` (the default) lets the exception fail the run. Called
    ``(ctx, error)`` (sync or async) with a ``ToolContext`` of the handoff call; what it returns is the call's output
    and the calling agent stays active (its model is called again and may retry or answer). The exception is
    recorded on the ``handoff`` span (through ``RunConfig(redact=)``); the callback's side effects are not undone.
    Not covered: cancellation, an exception of the formatter itself, transfer hooks and input filters (they run
    only after a successful invocation). Runner only: a realtime session's handoff failure still propagates."""

    def __post_init__(self) -> None:
        nest = self.nest_handoff_history
        if nest is not None and not isinstance(nest, bool):
            raise UserError(f"Handoff nest_handoff_history must be True, False or None, got {nest!r}")
        if nest and self.input_filter is not None:
            # The SDK lets the filter win and never nests: a setting that can never take effect is a mistake.
            raise UserError(
                f"Handoff to {self.agent_name!r} has both an input_filter and nest_handoff_history=True; the filter "
                "decides what the next agent reads, so nesting would never happen. Drop one (a filter may call "
                "agents_otel.nest_handoff_history itself)"
            )

    def get_transfer_message(self, agent: Agent[Any]) -> str:
        """The tool output the model reads for the handoff call."""
        return json.dumps({"assistant": agent.name})

    @classmethod
    def default_tool_name(cls, agent: Agent[Any]) -> str:
        return _function_style(f"transfer_to_{agent.name}")

    @classmethod
    def default_tool_description(cls, agent: Agent[Any]) -> str:
        return f"Handoff to the {agent.name} agent to handle the request. {agent.handoff_description or ''}"

    @property
    def spec(self) -> ToolSpec:
        return ToolSpec(self.tool_name, self.tool_description, self.input_json_schema, self.strict_json_schema)


def handoff(
    agent: Agent[TContext],
    tool_name_override: str | None = None,
    tool_description_override: str | None = None,
    on_handoff: Callable[..., Any] | None = None,
    input_type: type[Any] | None = None,
    input_filter: HandoffInputFilter | None = None,
    nest_handoff_history: bool | None = None,
    is_enabled: IsEnabled = True,
    failure_error_function: ToolErrorFunction | None = None,
) -> Handoff[TContext, Agent[TContext]]:
    """A handoff to ``agent``. ``on_handoff(context)`` — or ``on_handoff(context, input)`` with ``input_type``,
    whose JSON schema the model fills in — runs when the model takes the handoff (sync or async).
    ``nest_handoff_history`` overrides ``RunConfig.nest_handoff_history`` for this handoff (``None``: the run's).
    ``failure_error_function``: see ``Handoff.failure_error_function`` (pass ``default_tool_error_function`` for a
    generic message the calling agent reads instead of the run failing)."""
    if input_type is not None and on_handoff is None:
        raise UserError("You must provide on_handoff when input_type is provided")
    adapter: TypeAdapter[Any] | None = None
    schema: dict[str, Any] = {}
    if on_handoff is not None:
        if not callable(on_handoff):
            raise UserError("on_handoff must be callable")
        wanted = 2 if input_type is not None else 1
        if len(inspect.signature(on_handoff).parameters) != wanted:
            raise UserError(
                "on_handoff must take two arguments: context and input"
                if wanted == 2
                else "on_handoff must take one argument: context"
            )
    if input_type is not None:
        adapter = TypeAdapter(input_type)
        strict = strict_json_schema(adapter.json_schema())
        if strict is None:
            raise UserError(f"handoff input_type {input_type!r} cannot be expressed as a strict JSON schema")
        schema = strict

    async def invoke(ctx: RunContextWrapper[Any], arguments: str) -> Agent[Any]:
        if adapter is not None:
            try:
                value = adapter.validate_json(arguments or "")
            except pydantic.ValidationError as exc:
                # the summary, not pydantic's text, and no chained cause: both would echo the raw arguments
                raise ModelBehaviorError(
                    f"Invalid JSON for handoff {agent.name!r}: {validation_summary(exc)}"
                ) from None
            result = on_handoff(ctx, value)  # type: ignore[misc]
        elif on_handoff is not None:
            result = on_handoff(ctx)
        else:
            result = None
        if inspect.isawaitable(result):
            await result
        return agent

    made: Handoff[TContext, Agent[TContext]] = Handoff(
        tool_name=tool_name_override or Handoff.default_tool_name(agent),
        tool_description=tool_description_override or Handoff.default_tool_description(agent),
        input_json_schema=schema,
        on_invoke_handoff=invoke,
        agent_name=agent.name,
        input_filter=input_filter,
        nest_handoff_history=nest_handoff_history,
        is_enabled=is_enabled,
        failure_error_function=failure_error_function,
    )
    made._target = agent
    return made


def as_handoff(target: Agent[Any] | Handoff[Any, Any]) -> Handoff[Any, Any]:
    if isinstance(target, Handoff):
        return target
    # An Agent, recognised by shape: importing agent here would close an import loop (agent -> run -> here).
    if isinstance(getattr(target, "name", None), str) and hasattr(target, "handoff_description"):
        return handoff(target)
    raise UserError(f"handoffs must be Agents or Handoffs, got {type(target).__name__}")


async def enabled_handoffs(agent: Agent[Any], context: RunContextWrapper[Any]) -> list[Handoff[Any, Any]]:
    """The agent's handoffs the model may see this turn (``is_enabled`` evaluated now, as in the SDK)."""
    out: list[Handoff[Any, Any]] = []
    for target in agent.handoffs:
        h = as_handoff(target)
        enabled = h.is_enabled
        if callable(enabled):
            decided = enabled(context, agent)
            if inspect.isawaitable(decided):
                decided = await decided
            enabled = bool(decided)
        if enabled:
            out.append(h)
    return out


def handoffs_by_name(
    handoffs: list[Handoff[Any, Any]], tools: dict[str, Any], collisions: str = "warn"
) -> dict[str, Handoff[Any, Any]]:
    """The turn's handoffs by tool name. A handoff named like a function tool or an earlier handoff would leave
    the model two tools of one name: as in the SDK (``RunConfig.tool_name_collision_policy``), ``"error"`` is a
    ``UserError`` naming the fix; ``"warn"`` logs it and offers only the last handoff of that name (the function
    tool is taken out of ``tools`` for this turn), which is also what a call of that name runs."""
    out: dict[str, Handoff[Any, Any]] = {}
    for h in handoffs:
        name = h.tool_name
        if name in out or name in tools:
            other = f"the handoff to {out[name].agent_name!r}" if name in out else "a function tool"
            message = f"Handoff to {h.agent_name!r} is named {name!r} like {other}"
            if collisions == "error":
                raise UserError(f"{message}; give one of them handoff(..., tool_name_override=...)")
            logger.warning("%s: only the last handoff of that name is offered (rename one)", message)
            tools.pop(name, None)
        out[name] = h
    return out


def _function_style(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", name.replace(" ", "_")).lower()


_HISTORY_NAMES = frozenset({
    "HandoffHistoryMapper", "default_handoff_history_mapper", "get_conversation_history_wrappers",
    "nest_handoff_history", "reset_conversation_history_wrappers", "set_conversation_history_wrappers",
})


def __getattr__(name: str) -> Any:
    """The SDK's ``agents.handoffs`` also exports its history helpers (``nest_handoff_history``, ...); they live in
    ``handoff_history``, which imports this module, so they load on first use."""
    if name in _HISTORY_NAMES:
        from .. import handoff_history

        return getattr(handoff_history, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
