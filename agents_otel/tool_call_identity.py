"""Which tool call: the identity every run item and stream event of one call shares, and the agent slot that
identities and run items alike keep outside their dataclass fields.

Its own module because the identity is the one record the hot path builds per call before any item exists (and
``stream_events`` reads it without the run items); ``items`` re-exports all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import ReferenceType, ref

from .conversation_items import ProgramCall


class _AgentSlot:
    """The agent object an item or identity belongs to, kept out of the dataclass fields: it is the application's
    object, so it is neither compared, printed, serialised nor pickled (an unpickled item's ``agent`` is ``None``)."""

    __slots__ = ("_agent",)
    _agent: Any

    @property
    def agent(self) -> Any:
        """The ``Agent`` whose run made this (the SDK's); ``None`` if built by hand, or released and collected."""
        agent = getattr(self, "_agent", None)
        return agent() if type(agent) is ReferenceType else agent

    def release_agent(self) -> None:
        """Hold the agent weakly from now on, as the SDK does (a tool item's is its call identity's, as its pair's)."""
        holder = getattr(self, "call", self)
        if (agent := getattr(holder, "_agent", None)) is not None and type(agent) is not ReferenceType:
            holder._agent = ref(agent)

    def __getstate__(self) -> Any:
        """The fields only: the agent (whose tools hold functions) and the derived ``raw_item`` stay behind."""
        state = object.__getstate__(self)
        if type(state) is tuple and state[1]:
            return (state[0], {k: v for k, v in state[1].items() if k not in _DERIVED_SLOTS})
        return state


_DERIVED_SLOTS = frozenset(("_agent", "_raw"))


class _IdentitySlots(_AgentSlot):
    """A program's call (``ProgrammaticToolCallingTool``), on the identity of that call only: its ``ProgramCall``
    and the tool's declared output schema, so both of the call's items give back the ``caller`` the model wrote (as
    the SDK's do). Outside the dataclass fields, like the agent: a direct call never sets it, and pays nothing."""

    __slots__ = ("_program",)
    _program: tuple[ProgramCall, dict[str, Any] | None]


def mark_program(identity: ToolCallIdentity, call: ProgramCall, schema: dict[str, Any] | None) -> None:
    """``identity`` is a program's ``call`` (its tool declaring ``schema``): set once, before the call's span starts."""
    object.__setattr__(identity, "_program", (call, schema))  # the base's slot, which mypy's slots check misses


def program_of(identity: ToolCallIdentity) -> tuple[ProgramCall, dict[str, Any] | None] | None:
    """The program's call behind ``identity`` and its tool's output schema, or ``None`` for a model's own call."""
    return getattr(identity, "_program", None)


@dataclass(slots=True, kw_only=True)
class ToolCallIdentity(_IdentitySlots):
    """Which tool call, and where it lives in the trace: one record that every item and event of the call shares.
    Why one record: a tool call shows up as two run items and three kinds of stream event, and copying six fields
    (two of them adjacent ``str`` ids) into each by position made a swapped pair invisible. Keyword-only, built once
    when the call's ``execute_tool`` span starts, and read-only after that. ``trace_id``/``span_id`` are hex; all
    zeros when no tracing SDK is installed. ``parent_tool_call_id``: the enclosing call's id (an agent as a tool)."""

    tool_call_id: str
    tool_name: str
    agent_name: str
    trace_id: str = ""
    span_id: str = ""
    parent_tool_call_id: str | None = None

    @property
    def call_id(self) -> str:
        """The OpenAI Agents SDK's name for :attr:`tool_call_id`."""
        return self.tool_call_id


_new = object.__new__


def new_identity(tool_call_id: str, tool_name: str, agent: Any, parent_tool_call_id: str | None) -> ToolCallIdentity:
    """``ToolCallIdentity(...)`` for the runtime's hot path: slot stores instead of the generated keyword-only
    ``__init__``, which costs several times more per call. Equal to the constructor's result (a test checks)."""
    identity: ToolCallIdentity = _new(ToolCallIdentity)
    identity.tool_call_id = tool_call_id
    identity.tool_name = tool_name
    identity.agent_name = agent.name
    identity._agent = agent
    identity.trace_id = ""
    identity.span_id = ""
    identity.parent_tool_call_id = parent_tool_call_id
    return identity


class ToolCallIdentified:
    """The identity of the call, read through: ``item.tool_call_id`` rather than ``item.call.tool_call_id``."""

    __slots__ = ()
    call: ToolCallIdentity

    @property
    def agent(self) -> Any:
        """The ``Agent`` that called the tool (the SDK's ``RunItemBase.agent``)."""
        return self.call.agent

    @property
    def tool_call_id(self) -> str:
        return self.call.tool_call_id

    call_id = tool_call_id  # the OpenAI Agents SDK's name for it

    @property
    def tool_name(self) -> str:
        return self.call.tool_name

    @property
    def agent_name(self) -> str:
        return self.call.agent_name

    @property
    def trace_id(self) -> str:
        return self.call.trace_id

    @property
    def span_id(self) -> str:
        return self.call.span_id

    @property
    def parent_tool_call_id(self) -> str | None:
        return self.call.parent_tool_call_id
