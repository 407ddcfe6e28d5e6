"""The SDK's ``agents.extensions.visualization``: an agent, its tools, MCP servers and handoffs as a Graphviz graph.

``get_main_graph`` writes the DOT source itself, so it needs no package; only ``draw_graph``, which hands the
source to the ``graphviz`` package to render, does (``pip install graphviz`` and Graphviz's ``dot``). Without it
``draw_graph`` raises ``ExtensionUnavailableError`` naming the package.

The graph has the SDK's shapes and colours (``__start__`` and ``__end__`` ellipses, agents yellow boxes, tools
green ellipses, MCP servers grey boxes; tools dotted both ways, MCP servers dashed, handoffs plain arrows, an agent
without handoffs to ``__end__``). A node's id is its name when that is unambiguous, as in the SDK, so graphs
compare the same; two nodes with one name (two tools called ``search``, an agent named ``__end__``) get generated
ids instead, so they stay two nodes. Agents are followed by identity, so cycles of handoffs end.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..agent import Agent
from ..handoffs import Handoff
from .errors import ExtensionUnavailableError

_START = '"__start__" [label="__start__", shape=ellipse, style=filled, fillcolor=lightblue, width=0.5, height=0.3];'
_END = '"__end__" [label="__end__", shape=ellipse, style=filled, fillcolor=lightblue, width=0.5, height=0.3];'
_STYLE = {
    "root": "shape=box, style=filled, fillcolor=lightyellow, width=1.5, height=0.8",
    "agent": 'shape=box, style="filled,rounded", fillcolor=lightyellow, width=1.5, height=0.8',
    "tool": "shape=ellipse, style=filled, fillcolor=lightgreen, width=0.5, height=0.3",
    "mcp": "shape=box, style=filled, fillcolor=lightgrey, width=1, height=0.5",
}


def _quote(text: str) -> str:
    """``text`` inside a DOT double-quoted string: backslashes first, then quotes and line breaks."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


@dataclass
class _Graph:
    """Every node reachable from one agent, in the order it is met, with the id each is drawn under."""

    skip_names: frozenset[str]
    """Agents with these names are not drawn again (``visited``): edges still point at them."""
    nodes: list[tuple[str, int, str]] = field(default_factory=list)
    """``(kind, id(object), label)`` for each node drawn."""
    agents: list[Agent[Any]] = field(default_factory=list)
    """The agents to draw, each once, in the order met."""
    ids: dict[tuple[str, int], str] = field(default_factory=dict)

    def walk(self, agent: Agent[Any]) -> None:
        if any(seen is agent for seen in self.agents):
            return
        self.agents.append(agent)
        if agent.name in self.skip_names:
            self.ids[("agent", id(agent))] = agent.name
            return
        self.nodes.append(("agent", id(agent), agent.name))
        for tool in agent.tools:
            self.nodes.append(("tool", id(tool), str(getattr(tool, "name", type(tool).__name__))))
        for server in agent.mcp_servers:
            self.nodes.append(("mcp", id(server), str(getattr(server, "name", type(server).__name__))))
        for target in agent.handoffs:
            found = _handoff_agent(target)
            if found is not None:
                self.walk(found)
            elif isinstance(target, Handoff):
                self.nodes.append(("handoff", id(target), target.agent_name))

    def assign_ids(self) -> None:
        counts = Counter(_quote(label) for _, _, label in self.nodes)
        taken = {"__start__", "__end__", *(_quote(name) for name in self.ids.values())}
        labels = set(counts)
        serial = 0
        for kind, key, label in self.nodes:
            if (kind, key) in self.ids:
                continue
            node_id = label
            if counts[_quote(label)] > 1 or _quote(label) in taken:
                while True:  # a generated id that no name in the graph spells
                    node_id = f"__{kind}_{serial}__"
                    serial += 1
                    if node_id not in labels and node_id not in taken:
                        break
            taken.add(_quote(node_id))
            self.ids[(kind, key)] = node_id

    def id_of(self, kind: str, thing: object) -> str:
        return _quote(self.ids[(kind, id(thing))])


def _handoff_agent(target: Any) -> Agent[Any] | None:
    if isinstance(target, Agent):
        return target
    found = getattr(target, "_target", None) if isinstance(target, Handoff) else None
    return found if isinstance(found, Agent) else None  # a Handoff built by hand: its agent is unknown


def _graph(agent: Agent[Any], visited: set[str] | None) -> _Graph:
    graph = _Graph(skip_names=frozenset(visited or ()))
    graph.walk(agent)
    graph.assign_ids()
    return graph


def _nodes(graph: _Graph, root: bool) -> str:
    parts = [_START, _END] if root else []
    kinds = {"handoff": "agent"}
    first = id(graph.agents[0])
    for kind, key, label in graph.nodes:
        style = _STYLE["root" if root and kind == "agent" and key == first else kinds.get(kind, kind)]
        parts.append(f'"{_quote(graph.ids[(kind, key)])}" [label="{_quote(label)}", {style}];')
    return "\n".join(parts)


def _edges(graph: _Graph, root: bool) -> str:
    parts = [f'"__start__" -> "{graph.id_of("agent", graph.agents[0])}";'] if root else []
    for agent in graph.agents:
        if agent.name in graph.skip_names:
            continue
        me = graph.id_of("agent", agent)
        for tool in agent.tools:
            tool_id = graph.id_of("tool", tool)
            parts += [f'"{me}" -> "{tool_id}" [style=dotted, penwidth=1.5];']
            parts += [f'"{tool_id}" -> "{me}" [style=dotted, penwidth=1.5];']
        for server in agent.mcp_servers:
            server_id = graph.id_of("mcp", server)
            parts += [f'"{me}" -> "{server_id}" [style=dashed, penwidth=1.5];']
            parts += [f'"{server_id}" -> "{me}" [style=dashed, penwidth=1.5];']
        for target in agent.handoffs:
            found = _handoff_agent(target)
            parts.append(f'"{me}" -> "{graph.id_of("agent", found) if found else graph.id_of("handoff", target)}";')
        if not agent.handoffs:
            parts.append(f'"{me}" -> "__end__";')
    return "\n".join(parts)


def get_main_graph(agent: Agent[Any]) -> str:
    """The DOT source of ``agent``'s graph: everything it can reach through handoffs."""
    graph = _graph(agent, None)
    header = 'digraph G {\n    graph [splines=true];\n    node [fontname="Arial"];\n    edge [penwidth=1.5];'
    return f"{header}\n{_nodes(graph, True)}\n{_edges(graph, True)}\n}}\n"


def get_all_nodes(agent: Agent[Any], parent: Agent[Any] | None = None, visited: set[str] | None = None) -> str:
    """The node statements of ``agent``'s graph (with ``__start__`` / ``__end__`` when there is no ``parent``);
    agents named in ``visited`` are not drawn, and the names drawn are added to it, as in the SDK."""
    graph = _graph(agent, visited)
    if visited is not None:
        visited.update(a.name for a in graph.agents)
    return _nodes(graph, parent is None)


def get_all_edges(agent: Agent[Any], parent: Agent[Any] | None = None, visited: set[str] | None = None) -> str:
    """The edge statements of ``agent``'s graph (from ``__start__`` when there is no ``parent``)."""
    graph = _graph(agent, visited)
    if visited is not None:
        visited.update(a.name for a in graph.agents)
    return _edges(graph, parent is None)


def draw_graph(agent: Agent[Any], filename: str | None = None) -> Any:
    """The graph as a ``graphviz.Source``; with ``filename``, also rendered to ``filename.png``. Needs the
    ``graphviz`` package."""
    try:
        import graphviz  # type: ignore[import-not-found, unused-ignore]
    except ModuleNotFoundError as exc:
        raise ExtensionUnavailableError(
            "draw_graph needs the 'graphviz' package (pip install graphviz, and Graphviz's dot program); "
            "get_main_graph(agent) gives the DOT source without it"
        ) from exc
    source = graphviz.Source(get_main_graph(agent))
    if filename:
        source.render(filename, format="png", cleanup=True)
    return source


__all__ = ["draw_graph", "get_all_edges", "get_all_nodes", "get_main_graph"]
