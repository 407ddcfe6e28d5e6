"""Agents and handoffs named in a paused run's JSON, found again from the agent the run started with.

Why by name: the JSON is resumed in another process, where the agents are new objects built by the same code. The
run's own agents (those of its items, its paused turn, its guardrail verdicts) are reached through handoffs, as in
the SDK. An agent whose nested run paused inside an agent-tool call (``Agent.as_tool``) is reached through agent
tools as well, at any depth, and is looked for among agents used as tools only, so an agent that merely shares its
name with the starting agent or a handoff target does not make the name ambiguous. A name not found, or held by two
different agents, is a ``UserError`` naming it: resuming the wrong agent would silently run something else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import UserError
from .handoffs import Handoff, as_handoff
from .tool_origin import tool_agent

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .agent import Agent

def agent_lookup(starting_agent: Agent[Any]) -> Callable[[str, str], Agent[Any]]:
    """Agents by name, from the starting agent through handoffs (``Agent`` entries and ``handoff(agent)``)."""
    found = agents_by_name(starting_agent)
    return _resolver(found, starting_agent, "", "through its handoffs (Agent or handoff(agent) entries)")


def agents_by_name(starting_agent: Agent[Any]) -> dict[str, list[Agent[Any]]]:
    """Every agent reachable through handoffs, by name (names may repeat)."""
    found: dict[str, list[Agent[Any]]] = {}
    for agent, _ in _walk(starting_agent, through_tools=False):
        found.setdefault(agent.name, []).append(agent)
    return found


def tool_agent_lookup(starting_agent: Agent[Any]) -> Callable[[str, str], Agent[Any]]:
    """Agents used as tools (``Agent.as_tool``) by name, reachable from the starting agent through handoffs and
    agent tools, at any depth: the agents whose nested runs a paused run may hold."""
    found: dict[str, list[Agent[Any]]] = {}
    for agent, as_tool in _walk(starting_agent, through_tools=True):
        if as_tool:
            found.setdefault(agent.name, []).append(agent)
    return _resolver(
        found, starting_agent, "used as a tool ", "through its handoffs and agent tools (Agent.as_tool, at any depth)"
    )


def reachable_names(starting_agent: Agent[Any]) -> set[str]:
    """The names of every agent reachable from the starting agent through handoffs and agent tools, at any depth:
    the agents a standing decision on a function tool may belong to."""
    return {agent.name for agent, _ in _walk(starting_agent, through_tools=True)}


def _walk(starting_agent: Agent[Any], through_tools: bool) -> Iterator[tuple[Agent[Any], bool]]:
    """Each agent reachable once, breadth first, and whether it was reached as an agent tool (at least once)."""
    seen: dict[int, bool] = {}
    order: list[Agent[Any]] = []
    queue: list[tuple[Agent[Any], bool]] = [(starting_agent, False)]
    while queue:
        agent, as_tool = queue.pop(0)
        if id(agent) in seen:
            seen[id(agent)] = seen[id(agent)] or as_tool
            continue
        seen[id(agent)] = as_tool
        order.append(agent)
        for entry in agent.handoffs:
            target = entry._target if isinstance(entry, Handoff) else entry
            if target is not None:
                queue.append((target, False))
        if through_tools:
            for tool in agent.tools:
                nested = tool_agent(tool)
                if nested is not None:
                    queue.append((nested, True))
    for agent in order:
        yield agent, seen[id(agent)]


def _resolver(
    found: dict[str, list[Agent[Any]]], starting_agent: Agent[Any], kind: str, through: str
) -> Callable[[str, str], Agent[Any]]:
    def agent_of(name: str, path: str) -> Agent[Any]:
        agents = found.get(name, [])
        if len(agents) == 1:
            return agents[0]
        if agents:
            raise UserError(
                f"RunState JSON names agent {name!r} ({path}), and {len(agents)} different agents {kind}reachable "
                f"from {starting_agent.name!r} have that name: give each agent a name of its own"
            )
        raise UserError(
            f"RunState JSON names agent {name!r} ({path}), {'an agent ' + kind if kind else ''}which is not "
            f"reachable from the starting agent {starting_agent.name!r} {through}: pass the agent the run started "
            f"with, with the same {'handoffs and tools' if kind else 'handoffs'}"
        )

    return agent_of


def handoff_of(agent: Agent[Any], tool_name: str, path: str) -> Handoff[Any, Any]:
    """The handoff of ``agent`` that the paused turn asked for, by its tool name."""
    for entry in agent.handoffs:
        handoff = as_handoff(entry)
        if handoff.tool_name == tool_name:
            return handoff
    raise UserError(
        f"RunState JSON: the paused turn of agent {agent.name!r} handed off through {tool_name!r} ({path}), which "
        "is not one of that agent's handoffs"
    )


__all__ = ["agent_lookup", "agents_by_name", "handoff_of", "reachable_names", "tool_agent_lookup"]
