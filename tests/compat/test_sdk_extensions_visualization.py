"""``agents.extensions.visualization`` as the SDK's tests pin it down, as ``agents_otel.extensions.visualization``:
the DOT statements (the SDK's shapes and colours, names as ids), tools dotted and MCP servers dashed both ways,
handoffs to agents and to ``handoff()`` objects, cycles that end, names that need escaping or collide kept apart,
``visited``; and ``draw_graph`` without the ``graphviz`` package, a typed ``ImportError`` naming it."""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import pytest

from agents_otel import Agent, Handoff, UserError, function_tool, handoff
from agents_otel.extensions.errors import ExtensionUnavailableError
from agents_otel.extensions.visualization import draw_graph, get_all_edges, get_all_nodes, get_main_graph


class FakeServer:
    name = "MCPServer1"

    async def function_tools(self, convert_schemas_to_strict: bool = False) -> list[Any]:
        return []


def _tool(name: str) -> Any:
    def body() -> str:
        return name

    return function_tool(body, name_override=name)


def _agents() -> Agent[Any]:
    stub = Handoff(
        tool_name="transfer_to_handoff1",
        tool_description="d",
        input_json_schema={},
        on_invoke_handoff=lambda *_: None,  # type: ignore[arg-type, return-value]
        agent_name="Handoff1",
    )
    return Agent("Agent1", tools=[_tool("Tool1"), _tool("Tool2")], handoffs=[stub], mcp_servers=[FakeServer()])


def test_main_graph_statements() -> None:
    dot = get_main_graph(_agents())
    assert dot.startswith("digraph G {") and dot.rstrip().endswith("}")
    for line in ("graph [splines=true];", 'node [fontname="Arial"];', "edge [penwidth=1.5];"):
        assert line in dot
    expected = [
        '"__start__" [label="__start__", shape=ellipse, style=filled, fillcolor=lightblue, width=0.5, height=0.3];',
        '"__end__" [label="__end__", shape=ellipse, style=filled, fillcolor=lightblue, width=0.5, height=0.3];',
        '"Agent1" [label="Agent1", shape=box, style=filled, fillcolor=lightyellow, width=1.5, height=0.8];',
        '"Tool1" [label="Tool1", shape=ellipse, style=filled, fillcolor=lightgreen, width=0.5, height=0.3];',
        '"Tool2" [label="Tool2", shape=ellipse, style=filled, fillcolor=lightgreen, width=0.5, height=0.3];',
        '"MCPServer1" [label="MCPServer1", shape=box, style=filled, fillcolor=lightgrey, width=1, height=0.5];',
        '"Handoff1" [label="Handoff1", shape=box, style="filled,rounded", fillcolor=lightyellow, width=1.5, '
        "height=0.8];",
        '"__start__" -> "Agent1";',
        '"Agent1" -> "Tool1" [style=dotted, penwidth=1.5];',
        '"Tool1" -> "Agent1" [style=dotted, penwidth=1.5];',
        '"Agent1" -> "MCPServer1" [style=dashed, penwidth=1.5];',
        '"MCPServer1" -> "Agent1" [style=dashed, penwidth=1.5];',
        '"Agent1" -> "Handoff1";',
    ]
    for statement in expected:
        assert statement in dot
    assert '"Agent1" -> "__end__";' not in dot  # it hands off instead


def test_nodes_and_edges_alone() -> None:
    agent = _agents()
    nodes, edges = get_all_nodes(agent), get_all_edges(agent)
    assert '"__start__" [label="__start__"' in nodes and "->" not in nodes
    assert '"__start__" -> "Agent1";' in edges and "[label=" not in edges
    child = get_all_nodes(agent, parent=Agent("P"))
    assert "__start__" not in child and '"Tool1" [label="Tool1"' in child


def test_handoffs_to_agents_cycles_and_ends() -> None:
    support = Agent("Support")
    billing = Agent("Billing", handoffs=[support])
    triage = Agent("Triage", handoffs=[billing, handoff(support)])
    support.handoffs.append(triage)  # a cycle
    dot = get_main_graph(triage)
    assert dot.count('[label="Support"') == 1 and dot.count('[label="Billing"') == 1
    assert '"Billing" [label="Billing", shape=box, style="filled,rounded"' in dot
    edges = ['"Triage" -> "Billing";', '"Triage" -> "Support";', '"Billing" -> "Support";', '"Support" -> "Triage";']
    assert all(edge in dot for edge in edges)
    assert '-> "__end__"' not in dot  # every agent hands off: none ends
    assert '"Leaf" -> "__end__";' in get_main_graph(Agent("Leaf"))


def test_colliding_and_special_names_stay_apart_and_escaped() -> None:
    twin_a, twin_b = Agent("Twin"), Agent("Twin")
    root = Agent('Say "hi"\\n\nnow', tools=[_tool("Twin")], handoffs=[twin_a, twin_b, Agent("__end__")])
    dot = get_main_graph(root)
    ids = re.findall(r'^"((?:[^"\\]|\\.)*)" \[label=', dot, re.MULTILINE)
    assert len(ids) == len(set(ids)) == 7  # start, end, root, the tool, two agents called Twin, one called __end__
    assert ids.count("__start__") == 1 and ids.count("__end__") == 1
    assert '[label="Say \\"hi\\"\\\\n\\nnow"' in dot  # quotes, backslashes and the line break escaped
    assert dot.count('[label="Twin"') == 3
    assert "Twin" not in ids and '-> "Twin"' not in dot  # an ambiguous name is never an id


def test_visited_agents_are_not_drawn_again() -> None:
    shared = Agent("Shared", tools=[_tool("t")])
    root = Agent("Root", handoffs=[shared])
    visited = {"Shared"}
    nodes = get_all_nodes(root, visited=visited)
    assert '[label="Shared"' not in nodes and '[label="t"' not in nodes
    assert '"Root" -> "Shared";' in get_all_edges(root, visited={"Shared"})
    assert visited == {"Shared", "Root"}


@pytest.mark.skipif(importlib.util.find_spec("graphviz") is not None, reason="graphviz is installed")
def test_draw_graph_without_graphviz_names_the_package() -> None:
    with pytest.raises(ExtensionUnavailableError, match="'graphviz' package") as caught:
        draw_graph(Agent("A"))
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, UserError)
