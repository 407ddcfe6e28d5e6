"""What the hosted multi-agent beta's items are to this runtime: which agent each is attributed to, which of them are
the run's own (function calls, the root agent's final answer) and which stay the service's (sub-agents' messages,
``agent_message``, ``multi_agent_call``, ``multi_agent_call_output``), and how the latter show in the trace.

Why apart from the model: the model only moves events; what an item *means* is decided here, in one place, and
``get_hosted_agent_metadata`` reads attribution from every form an item takes (a wire dict, an openai item, the
call a tool receives, the tool's context).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace

from ....exceptions import UserError
from ....items import FunctionCall
from ....tracing import attributes as A

ROOT_AGENT = "/root"
HOSTED_ITEM_TYPES = frozenset({"agent_message", "multi_agent_call", "multi_agent_call_output"})
"""The service's orchestration records: never the run's items, never run or sent back by this process."""


@dataclass(frozen=True)
class HostedMultiAgentConfig:
    """``max_concurrent_subagents``: how many sub-agents (the root excluded) may be active at once in the hosted
    tree; ``None`` leaves it to the service."""

    max_concurrent_subagents: int | None = None

    def __post_init__(self) -> None:
        value = self.max_concurrent_subagents
        if value is not None and (type(value) is not int or value <= 0):
            raise ValueError(f"max_concurrent_subagents must be a positive integer or None, got {value!r}")

    def request_config(self) -> dict[str, Any]:
        """The request's ``multi_agent`` field."""
        config: dict[str, Any] = {"enabled": True}
        if self.max_concurrent_subagents is not None:
            config["max_concurrent_subagents"] = self.max_concurrent_subagents
        return config


def hosted_config(config: HostedMultiAgentConfig | Mapping[str, Any] | None) -> HostedMultiAgentConfig:
    if config is None:
        return HostedMultiAgentConfig()
    if isinstance(config, HostedMultiAgentConfig):
        return config
    if isinstance(config, Mapping):
        return HostedMultiAgentConfig(**config)
    raise UserError(f"config must be a HostedMultiAgentConfig or a mapping, got {type(config).__name__}")


@dataclass(frozen=True)
class HostedAgentMetadata:
    """The hosted agent an item or a function call is attributed to (``"/root"``, ``"/root/researcher"``) and the
    item's ``phase`` (``"commentary"``, ``"final_answer"``) when it has one. Observational: route by call id."""

    agent_name: str
    phase: str | None = None


@dataclass(slots=True)
class HostedAgentCall(FunctionCall):
    """A function call a hosted agent made: runs as any call does; ``agent_name`` / ``phase`` say who made it (what
    ``get_hosted_agent_metadata`` reads from the tool's context). A subclass, so runs without the beta pay nothing."""

    agent_name: str | None = field(default=None, compare=False)
    phase: str | None = field(default=None, compare=False)


def get_hosted_agent_metadata(value: object) -> HostedAgentMetadata | None:
    """Who a hosted item or call is attributed to: ``value`` a ``ToolContext`` (its call), a call, a wire item
    (dict) or an openai item; ``None`` when it names no hosted agent."""
    attributes = getattr(value, "__dict__", None)  # a run's ToolContext: its record (tool_call is the SDK's form)
    call = attributes.get("_record") if attributes is not None else None
    if call is None:
        call = getattr(value, "tool_call", None)
    if call is not None:
        value = call
    if isinstance(value, HostedAgentCall):
        return HostedAgentMetadata(value.agent_name, value.phase) if value.agent_name else None
    name = agent_name(value)
    if name is None:
        return None
    phase = _field(value, "phase")
    return HostedAgentMetadata(name, phase if isinstance(phase, str) else None)


def agent_name(item: object) -> str | None:
    agent = _field(item, "agent")
    name = _field(agent, "agent_name") if agent is not None else None
    return name if isinstance(name, str) and name else None


def is_hosted(item: Mapping[str, Any]) -> bool:
    """An item that stays the service's: an orchestration record, or a message that is not the root agent's final
    answer (a sub-agent's report, the root's commentary). A message naming no agent is an ordinary message."""
    kind = item.get("type")
    if kind in HOSTED_ITEM_TYPES:
        return True
    if kind != "message":
        return False
    name = agent_name(item)
    return name is not None and not (name == ROOT_AGENT and item.get("phase") == "final_answer")


def record_on_span(item: Mapping[str, Any]) -> None:
    """One ``agents_otel.hosted_agent.item`` event on the current (``chat``) span per item a hosted agent produced:
    its type, agent, phase, ids and action, no content (there is no span of its own: it ran on the service)."""
    span = trace.get_current_span()
    if not span.is_recording():
        return
    attributes: dict[str, Any] = {A.HOSTED_AGENT_ITEM_TYPE: str(item.get("type"))}
    name = agent_name(item)
    if name is not None:
        attributes[A.HOSTED_AGENT_NAME] = name
    for key, attribute in _EVENT_FIELDS:
        value = item.get(key)
        if isinstance(value, str) and value:
            attributes[attribute] = value
    span.add_event(A.HOSTED_AGENT_ITEM_EVENT, attributes)


_EVENT_FIELDS = (
    ("phase", A.HOSTED_AGENT_PHASE),
    ("action", A.HOSTED_AGENT_ACTION),
    ("id", A.HOSTED_AGENT_ITEM_ID),
    ("call_id", A.GEN_AI_TOOL_CALL_ID),
    ("name", A.GEN_AI_TOOL_NAME),
)


def item_key(item: Mapping[str, Any]) -> tuple[str, str] | None:
    """How an item is recognised again in the response's final ``output`` (it was already a turn's output)."""
    for name in ("id", "call_id"):
        value = item.get(name)
        if isinstance(value, str) and value:
            return str(item.get("type")), value
    return None


def _field(value: object, name: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(name)
    return getattr(value, name, None)


__all__ = ["HostedAgentCall", "HostedAgentMetadata", "HostedMultiAgentConfig", "get_hosted_agent_metadata"]
