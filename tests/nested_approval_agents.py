"""The agents-used-as-tools setups the nested-approval tests share (tests/compat/test_sdk_nested_approvals.py runs
them in one process, test_sdk_nested_approvals_json.py through a saved state): a chain of agent tools whose leaf
waits for approval, and one turn whose two agent-tool calls each pause on the same call id. Their tool is
``approval_tools.delete_file`` (``ran`` records what ran)."""

from __future__ import annotations

from typing import Any

from approval_tools import delete_file

from agents_otel import Agent
from agents_otel.input_items import input_list
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def two_deep(leaf_name: str = "Leaf") -> Agent[Any]:
    """``level1`` -> ``level0`` -> the leaf, each calling the next as a tool (call ids ``c1``, ``c0``); the leaf
    asks to delete ``x`` (call id ``leaf``, waits for approval) and then says "leaf done"; each level then answers
    ``d<level>``."""
    agent = Agent(
        name=leaf_name,
        tools=[delete_file],
        model=ScriptedModel(
            [[function_call("delete_file", {"path": "x"}, call_id="leaf")], [assistant_message("leaf done")]]
        ),
    )
    for level in range(2):
        agent = Agent(
            name=f"level{level}",
            tools=[agent.as_tool(f"tool{level}", "Go.")],
            model=ScriptedModel(
                [
                    [function_call(f"tool{level}", {"input": "go"}, call_id=f"c{level}")],
                    [assistant_message(f"d{level}")],
                ]
            ),
        )
    return agent


def _answering_by_conversation(request: Any) -> list[Any]:
    """One script for both nested runs, which go on concurrently: each asks to delete its own input, with call id
    ``same``, and once answered says "<input> done"."""
    items = input_list(request.input)
    which = items[0]["content"]
    if any(i.get("type") == "function_call_output" for i in items):
        return [assistant_message(f"{which} done")]
    return [function_call("delete_file", {"path": which}, call_id="same")]


def two_nested_runs_one_call_id(*between: Any, tools: list[Any] | None = None) -> Agent[Any]:
    """``Outer``, whose one turn asks ``Inner`` (as tool ``ask_inner``) about ``a`` (call ``o1``), makes the calls
    ``between``, and asks it about ``b`` (call ``o2``); both nested runs pause on call id ``same``, with arguments
    ``{"path": "a"}`` / ``{"path": "b"}``. Then it answers "done". ``tools``: the outer agent's other tools."""
    inner = Agent(name="Inner", tools=[delete_file], model=ScriptedModel([_answering_by_conversation], repeat=True))
    calls = [
        function_call("ask_inner", {"input": "a"}, call_id="o1"),
        *between,
        function_call("ask_inner", {"input": "b"}, call_id="o2"),
    ]
    model = ScriptedModel([calls, [assistant_message("done")]])
    return Agent(name="Outer", tools=[inner.as_tool("ask_inner", "Ask."), *(tools or [])], model=model)


__all__ = ["two_deep", "two_nested_runs_one_call_id"]
