"""Compatibility: a run paused inside an agent used as a tool (``Agent.as_tool``), saved as JSON and resumed, as in
the OpenAI Agents SDK (its tests/test_hitl_error_scenarios.py nested continuation after ``from_json``, and
tests/test_run_state.py recursive nesting with decisions before or after the restore).

The nested runs are stored inside the paused turn, at any depth; on the way back their agents are found by name
through agent tools. The JSON format is agents_otel's own: a state holding nested runs is ``agents_otel/2``, which a
reader of ``agents_otel/1`` refuses rather than resume without them. Deliberate differences are marked.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from approval_tools import delete_file, ran
from nested_approval_agents import two_deep, two_nested_runs_one_call_id

from agents_otel import Agent, Runner, RunState, UserError
from agents_otel.items import FunctionCallOutput, ToolCallOutputItem
from agents_otel.testing import ScriptedModel, assistant_message, function_call

ROOT = Path(__file__).resolve().parents[2]

# Three agents, each calling the next as a tool; the leaf's tool needs approval and reads the run's context. Their
# models answer from what they are sent, so a resume in another interpreter gets the same answers.
APP = '''
from typing import Any

from agents_otel import Agent, RunContextWrapper, function_tool
from agents_otel.items import FunctionCallOutput
from agents_otel.testing import ScriptedModel, assistant_message, function_call

ran: list[str] = []


@function_tool(needs_approval=True)
def delete_file(ctx: RunContextWrapper[Any], path: str) -> str:
    """Delete a file."""
    ran.append(path)
    return f"{ctx.context['user']} deleted {path}"


def answering(tool: str, arguments: dict[str, Any], call_id: str, name: str) -> ScriptedModel:
    def step(request: Any) -> list[Any]:
        outputs = {i.call_id: i.output for i in request.input if isinstance(i, FunctionCallOutput)}
        if call_id in outputs:
            return [assistant_message(f"{name}: {outputs[call_id]}")]
        return [function_call(tool, arguments, call_id=call_id)]

    return ScriptedModel([step], repeat=True)


def build() -> Agent[Any]:
    leaf = Agent(name="Leaf", tools=[delete_file], model=answering("delete_file", {"path": "a"}, "leaf-1", "leaf"))
    middle = Agent(
        name="Middle",
        tools=[leaf.as_tool("ask_leaf", "Ask the leaf.")],
        model=answering("ask_leaf", {"input": "go"}, "mid-1", "middle"),
    )
    return Agent(
        name="Top",
        tools=[middle.as_tool("ask_middle", "Ask the middle.")],
        model=answering("ask_middle", {"input": "go"}, "top-1", "top"),
    )
'''

RESUME = """
import asyncio, json, sys
from agents_otel import Runner, RunState
import app


async def main() -> None:
    top = app.build()
    with open(sys.argv[1]) as f:
        state = await RunState.from_string(top, f.read())
    (item,) = state.interruptions
    if sys.argv[2] == "approve":
        state.approve(item)
    else:
        state.reject(item, rejection_message="no, keep it")
    result = await Runner.run(top, state)
    print(json.dumps({"waiting": [item.agent.name, item.call_id], "final_output": result.final_output,
                      "interruptions": len(result.interruptions), "ran": app.ran}))


asyncio.run(main())
"""


@pytest.fixture
def app(tmp_path: Path) -> ModuleType:
    (tmp_path / "app.py").write_text(APP)
    spec = importlib.util.spec_from_file_location(f"app_{tmp_path.name}", tmp_path / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_a_pause_two_agent_tools_deep_resumes_in_a_fresh_interpreter(
    app: ModuleType, tmp_path: Path, decision: str
) -> None:
    first = await Runner.run(app.build(), "start", context={"user": "ann"})
    (waiting,) = first.interruptions
    assert (waiting.agent.name, waiting.call_id) == ("Leaf", "leaf-1")
    (tmp_path / "state.json").write_text(first.to_state().to_string())
    (tmp_path / "resume.py").write_text(RESUME)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OTEL_", "AGENTS_OTEL_"))}
    env["AGENTS_OTEL_AUTO_CONFIGURE"] = "false"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])  # this checkout's agents_otel, and app.py
    run = functools.partial(subprocess.run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    proc = await asyncio.to_thread(run, [sys.executable, "resume.py", "state.json", decision])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)

    assert out["waiting"] == ["Leaf", "leaf-1"]
    assert out["interruptions"] == 0
    if decision == "approve":  # the leaf's tool ran there, once, with the context the first run had
        assert out["ran"] == ["a"]
        assert out["final_output"] == "top: middle: leaf: ann deleted a"
    else:
        assert out["ran"] == []
        assert out["final_output"] == "top: middle: leaf: no, keep it"
    assert app.ran == []  # nothing ran in this process


@pytest.fixture(autouse=True)
def _clear() -> None:
    ran.clear()


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("timing", ["before_saving", "after_restoring"])
@pytest.mark.parametrize("approve", [True, False])
async def test_a_decision_reaches_the_nested_tool_before_or_after_the_restore(
    approve: bool, timing: str, streamed: bool
) -> None:
    top = two_deep()
    state = (await Runner.run(top, "start")).to_state()

    def decide(state: RunState[Any]) -> None:
        (item,) = state.interruptions
        if approve:
            state.approve(item)
        else:
            state.reject(item, rejection_message="no")

    if timing == "before_saving":
        decide(state)
    data = state.to_json()
    assert data["$schemaVersion"] == "agents_otel/2"
    restored = await RunState.from_json(top, data)
    assert restored.to_json() == data  # nothing lost or added on the way
    (waiting,) = restored.interruptions
    assert waiting.agent.name == "Leaf" and waiting.call_id == "leaf"
    if timing == "after_restoring":
        decide(restored)

    if streamed:
        result: Any = Runner.run_streamed(top, restored)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(top, restored)

    assert result.final_output == "d1" and result.interruptions == []
    leaf_agent = waiting.agent
    told = [i for i in leaf_agent.model.calls[-1].input if isinstance(i, FunctionCallOutput)]  # type: ignore[union-attr]
    assert [(i.call_id, i.output) for i in told] == [("leaf", "deleted x" if approve else "no")]


async def test_several_nested_runs_of_one_turn_come_back_each_with_its_own_decision() -> None:
    outer = two_nested_runs_one_call_id()
    first = await Runner.run(outer, "go")
    restored = await RunState.from_string(outer, first.to_state().to_string())
    assert [(i.call_id, i.arguments) for i in restored.interruptions] == [
        ("same", '{"path": "a"}'),
        ("same", '{"path": "b"}'),
    ]
    restored.approve(restored.interruptions[0])
    restored.reject(restored.interruptions[1])  # the same call id in the other nested run: its own decision

    result = await Runner.run(outer, restored)

    assert result.final_output == "done"
    outputs = {i.call_id: i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)}
    assert outputs == {"o1": "a done", "o2": "b done"}
    assert ran == ["delete a"]  # the rejected call with the same id did not run
    told = {i.call_id: i.output for i in outer.model.calls[1].input if isinstance(i, FunctionCallOutput)}  # type: ignore[union-attr]
    assert told == outputs


async def test_a_nested_agent_shares_its_name_with_the_starting_agent_without_ambiguity() -> None:
    # Nested agents are looked for among agents used as tools only, so this graph (two agents named "Helper", one
    # the starting agent, one its tool) comes back; the SDK keeps the first agent of a name, here the wrong one.
    inner = Agent(
        name="Helper",
        tools=[delete_file],
        model=ScriptedModel([[function_call("delete_file", {"path": "x"}, call_id="i1")], [assistant_message("ok")]]),
    )
    outer = Agent(
        name="Helper",
        tools=[inner.as_tool("ask", "Ask.")],
        model=ScriptedModel([[function_call("ask", {"input": "q"}, call_id="o1")], [assistant_message("done")]]),
    )
    data = (await Runner.run(outer, "go")).to_state().to_json()
    restored = await RunState.from_json(outer, data)
    (waiting,) = restored.interruptions
    assert waiting.agent is inner
    restored.approve(waiting)
    assert (await Runner.run(outer, restored)).final_output == "done"


async def test_a_nested_agent_missing_or_ambiguous_is_a_user_error_naming_it() -> None:
    data = (await Runner.run(two_deep(), "start")).to_state().to_json()
    where = r"state\.turn\.nested\[0\]\.state\.turn\.nested\[0\]\.state\.starting_agent"
    with pytest.raises(UserError, match=rf"names agent 'Leaf' \({where}\).*used as a tool.*not reachable from"):
        await RunState.from_json(two_deep(leaf_name="Renamed"), data)

    level0 = two_deep().tools[0]
    twice = Agent(name="level1", tools=[level0, Agent(name="level0").as_tool("other", "Other.")])
    with pytest.raises(UserError, match=r"names agent 'level0'.*2 different agents used as a tool reachable"):
        await RunState.from_json(twice, data)


async def test_a_reader_of_version_1_is_never_given_nested_runs() -> None:
    data = (await Runner.run(two_deep(), "start")).to_state().to_json()
    data["$schemaVersion"] = "agents_otel/1"
    with pytest.raises(UserError, match=r"state\.turn\.nested is written under \$schemaVersion 'agents_otel/2' only"):
        await RunState.from_json(two_deep(), data)


async def test_a_nested_entry_must_name_a_call_of_the_turn() -> None:
    top = two_deep()
    data = (await Runner.run(top, "start")).to_state().to_json()
    data["turn"]["nested"][0]["call_id"] = "nope"
    with pytest.raises(UserError, match=r"state\.turn\.nested\[0\]\.call_id must name a call of the turn"):
        await RunState.from_json(top, data)
