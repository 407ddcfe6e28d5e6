"""W1 on LangGraph: the prebuilt ToolNode running K parallel calls of a trivial async tool. No tracing.

LangGraph has no OpenTelemetry instrumentation of its own (its traces go to LangSmith), so this side runs untraced
and says so in the table: it pays no span cost at all, which flatters it. The graph is the usual agent loop — a
model node (a plain function answering turn 1 with K tool calls and turn 2 with "done"), ``ToolNode`` and
``tools_condition``. Runs in its own venv (``make bench``); prints one JSON line for run.py (see peer_common.py).
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from peer_common import main


@tool
async def echo(x: int) -> str:
    """Return a short string."""
    return f"ok {x}"


def _graph(k: int) -> Any:
    def model(state: MessagesState) -> dict[str, Any]:
        if not any(isinstance(m, ToolMessage) for m in state["messages"]):
            calls = [{"name": "echo", "args": {"x": i}, "id": f"call_{i}", "type": "tool_call"} for i in range(k)]
            return {"messages": [AIMessage(content="", tool_calls=calls)]}
        return {"messages": [AIMessage(content="done")]}

    graph = StateGraph(MessagesState)
    graph.add_node("model", model)
    graph.add_node("tools", ToolNode([echo]))
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "model")
    return graph.compile()


_GRAPHS: dict[int, Any] = {}


async def run_k(k: int) -> Any:
    graph = _GRAPHS.get(k) or _GRAPHS.setdefault(k, _graph(k))
    return await graph.ainvoke({"messages": [("user", "go")]})


def outputs(state: Any) -> list[str]:
    if state["messages"][-1].content != "done":
        raise AssertionError("no final answer")
    return [str(m.content) for m in state["messages"] if isinstance(m, ToolMessage)]


if __name__ == "__main__":
    main("langgraph", "langgraph", run_k, outputs, "none (LangGraph has no OTel instrumentation)")
