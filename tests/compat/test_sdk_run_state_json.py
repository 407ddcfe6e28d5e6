"""Compatibility: a paused run saved as JSON and resumed elsewhere (``RunState.to_json`` / ``to_string``, async
``RunState.from_json`` / ``from_string``), as in the OpenAI Agents SDK.

Names, options (``context_serializer``, ``context_deserializer``, ``context_override``, ``strict_context``) and the
lookup of agents by name from the starting agent's handoffs follow the SDK's src/agents/run_state.py and
tests/test_run_state.py. The JSON format is agents_otel's own. Deliberate differences are marked.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    RunContextWrapper,
    Runner,
    RunState,
    ToolGuardrailFunctionOutput,
    UserError,
    function_tool,
    tool_input_guardrail,
)
from agents_otel.items import FunctionCallOutput, ToolCallOutputItem
from agents_otel.testing import ScriptedModel, assistant_message, function_call

ROOT = Path(__file__).resolve().parents[2]

# The application, as a module of its own: the test imports it, and a fresh interpreter imports it again to resume.
# Its models answer from what they are sent (no script position), as a real model would, so a resume in another
# process gets the same answers.
APP = '''
from typing import Any

from agents_otel import Agent, GuardrailFunctionOutput, RunContextWrapper, function_tool, handoff, input_guardrail
from agents_otel.items import FunctionCallOutput
from agents_otel.testing import ScriptedModel, assistant_message, function_call

ran: list[str] = []


@function_tool(needs_approval=True)
def refund(ctx: RunContextWrapper[Any], order_id: str, amount: float) -> str:
    """Refund an order."""
    ran.append(order_id)
    return f"{ctx.context['user']} refunded {amount} on {order_id}"


@function_tool
def lookup(order_id: str) -> dict[str, str]:
    """Look an order up."""
    return {"order_id": order_id, "status": "shipped"}


@input_guardrail(name="polite")
def polite(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info={"checked": True}, tripwire_triggered=False)


def billing_answers(request: Any) -> list[Any]:
    outputs = {i.call_id: i.output for i in request.input if isinstance(i, FunctionCallOutput)}
    if "c1" in outputs:
        return [assistant_message(f"{outputs['c1']} | {outputs['c0']} | {len(request.input)} items")]
    return [
        function_call("lookup", {"order_id": "A-1"}, call_id="c0"),
        function_call("refund", {"order_id": "A-1", "amount": 20}, call_id="c1"),
    ]


def build() -> Agent[Any]:
    billing = Agent(name="Billing", tools=[refund, lookup], model=ScriptedModel([billing_answers], repeat=True))
    to_billing = [function_call("transfer_to_billing", {}, call_id="h1")]
    triage_model = ScriptedModel([lambda request: to_billing], repeat=True)
    return Agent(name="Triage", handoffs=[handoff(billing)], input_guardrails=[polite], model=triage_model)
'''

RESUME = """
import asyncio, json, sys
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from agents_otel import RunConfig, Runner, RunState
import app


async def main() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    starting = app.build()
    with open(sys.argv[1]) as f:
        state = await RunState.from_string(starting, f.read())
    for item in state.interruptions:
        state.approve(item)
    result = await Runner.run(starting, state, run_config=RunConfig(tracer_provider=provider))
    spans = [
        {
            "name": s.name,
            "trace_id": format(s.context.trace_id, "032x"),
            "parent": format(s.parent.span_id, "016x") if s.parent else None,
            "resumed": (s.attributes or {}).get("agents_otel.run.resumed"),
            "links": [format(link.context.span_id, "016x") for link in s.links],
        }
        for s in exporter.get_finished_spans()
    ]
    print(json.dumps({"final_output": result.final_output, "ran": app.ran, "spans": spans}))


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


def _summary(result: Any) -> dict[str, Any]:
    return {
        "final_output": result.final_output,
        "input": result.input,
        "items": [(type(i).__name__, getattr(i.agent, "name", None)) for i in result.new_items],
        "conversation": result.to_input_list(),
        "usage": (result.usage.requests, result.usage.input_tokens, result.usage.output_tokens),
        "guardrails": [(r.guardrail.get_name(), r.output.output_info) for r in result.input_guardrail_results],
        "context": result.context_wrapper.context,
        "last_agent": result.last_agent.name,
    }


async def test_a_state_from_string_resumes_as_the_state_in_memory_does(app: ModuleType) -> None:
    triage = app.build()
    first = await Runner.run(triage, "refund A-1", context={"user": "ann"})
    assert [i.call_id for i in first.interruptions] == ["c1"]
    text = first.to_state().to_string()

    in_memory = first.to_state()
    in_memory.approve(in_memory.interruptions[0])
    expected = _summary(await Runner.run(triage, in_memory))

    restored = await RunState.from_string(triage, text)
    assert isinstance(restored, RunState)
    (waiting,) = restored.interruptions
    assert (waiting.call_id, waiting.tool_name, waiting.arguments) == ("c1", "refund", first.interruptions[0].arguments)
    assert waiting.agent is triage.handoffs[0]._target  # found by name through the handoff
    restored.approve(waiting)
    resumed = await Runner.run(triage, restored)

    assert _summary(resumed) == expected
    assert resumed.final_output == 'ann refunded 20.0 on A-1 | {"order_id":"A-1","status":"shipped"} | 7 items'
    assert app.ran == ["A-1", "A-1"]
    outputs = [i for i in resumed.new_items if isinstance(i, ToolCallOutputItem)]
    assert outputs[0].output == {"order_id": "A-1", "status": "shipped"}  # JSON data comes back as it was
    handoff_out = next(i for i in resumed.new_items if i.type == "handoff_output_item")
    assert (handoff_out.source_agent, handoff_out.target_agent) == (triage, triage.handoffs[0]._target)
    assert json.loads(text) == first.to_state().to_json()  # to_string is to_json as text


async def test_resume_in_a_fresh_interpreter_finishes_in_the_same_trace(app: ModuleType, tmp_path: Path) -> None:
    tracing = Tracing.new()
    triage = app.build()
    first = await Runner.run(triage, "refund A-1", context={"user": "ann"}, run_config=tracing.config)
    (tmp_path / "state.json").write_text(first.to_state().to_string())
    (tmp_path / "resume.py").write_text(RESUME)
    (paused,) = [s for s in tracing.named("invoke_agent") if (s.attributes or {}).get("gen_ai.agent.name") == "Billing"]
    (top,) = [s for s in tracing.spans() if s.parent is None]

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OTEL_", "AGENTS_OTEL_"))}
    env["AGENTS_OTEL_AUTO_CONFIGURE"] = "false"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])  # this checkout's agents_otel, and app.py
    command = [sys.executable, "resume.py", "state.json"]
    run = functools.partial(subprocess.run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    proc = await asyncio.to_thread(run, command)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)

    in_memory = first.to_state()
    in_memory.approve(in_memory.interruptions[0])
    assert out["final_output"] == (await Runner.run(triage, in_memory)).final_output
    assert out["ran"] == ["A-1"]  # the approved call ran there, once
    spans = out["spans"]
    assert {s["trace_id"] for s in spans} == {format(top.context.trace_id, "032x")}
    (resumed,) = [s for s in spans if s["resumed"]]
    assert resumed["name"] == "invoke_agent Billing"
    assert resumed["parent"] == format(top.context.span_id, "016x")  # under the first run's top span
    assert resumed["links"] == [format(paused.context.span_id, "016x")]  # and linked to the span that stopped
    assert any(s["name"].startswith("execute_tool refund") for s in spans)
    tracing.provider.shutdown()


@function_tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    return f"deleted {path}"


def _ops(*steps: list[Any], name: str = "Ops") -> Agent[Any]:
    return Agent(name=name, tools=[delete_file], model=ScriptedModel(list(steps)))


async def _paused(agent: Agent[Any], context: Any = None) -> RunState[Any]:
    return (await Runner.run(agent, "clean up", context=context)).to_state()


async def test_decisions_made_before_saving_are_kept() -> None:
    agent = _ops(
        [
            function_call("delete_file", {"path": "a"}, call_id="c1"),
            function_call("delete_file", {"path": "b"}, call_id="c2"),
        ],
        [function_call("delete_file", {"path": "c"}, call_id="c3")],
        [assistant_message("done")],
    )
    state = await _paused(agent)
    state.approve(state.interruptions[0])
    state.reject(state.interruptions[1], always_reject=True, rejection_message="not b")
    restored = await RunState.from_json(agent, json.loads(state.to_string()))

    result = await Runner.run(agent, restored)

    assert result.final_output == "done" and result.interruptions == []
    outputs = {i.call_id: i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)}
    assert outputs == {"c1": "deleted a", "c2": "not b", "c3": "not b"}  # always_reject reached the later call


async def test_undecided_calls_stop_the_restored_run_again_and_it_saves_again() -> None:
    agent = _ops([function_call("delete_file", {"path": "a"}, call_id="c1")], [assistant_message("done")])
    restored = await RunState.from_string(agent, (await _paused(agent)).to_string())
    again = await Runner.run(agent, restored)
    assert [i.call_id for i in again.interruptions] == ["c1"]
    state = await RunState.from_string(agent, again.to_state().to_string())
    state.approve(state.interruptions[0])
    result = await Runner.run(agent, state)
    assert result.final_output == "done"
    assert result.usage.requests == 2


async def test_to_json_is_a_copy_of_the_state() -> None:
    agent = _ops([function_call("delete_file", {"path": "a"}, call_id="c1")], [assistant_message("done")])
    state = await _paused(agent)
    data = state.to_json()
    data["conversation"]["history"].clear()
    assert state.to_json()["conversation"]["history"] != []


@pytest.mark.parametrize("version", ["1.17", "agents_otel/3", 1, None])
async def test_an_unknown_schema_version_is_a_user_error(version: Any) -> None:
    agent = _ops([function_call("delete_file", {"path": "a"}, call_id="c1")])
    data = (await _paused(agent)).to_json()
    assert data["$schemaVersion"] == "agents_otel/1"
    if version is None:
        del data["$schemaVersion"]
    else:
        data["$schemaVersion"] = version
    with pytest.raises(UserError, match=r"\$schemaVersion.*reads 'agents_otel/1' and 'agents_otel/2' only"):
        await RunState.from_json(agent, data)


async def test_an_agent_missing_from_the_graph_is_a_user_error_naming_it(app: ModuleType) -> None:
    first = await Runner.run(app.build(), "refund A-1", context={"user": "ann"})
    data = first.to_state().to_json()
    without_billing = Agent(name="Triage")  # same name, but no handoff to Billing
    with pytest.raises(UserError, match=r"names agent 'Billing' \(state\.turn\.agent\).*not reachable from"):
        await RunState.from_json(without_billing, data)
    with pytest.raises(UserError, match=r"is a run of agent 'Triage'.*given agent 'Other'"):
        await RunState.from_json(Agent(name="Other"), data)
    twice = Agent(name="Triage", handoffs=[Agent(name="Billing"), Agent(name="Billing")])
    with pytest.raises(UserError, match="2 different agents reachable from 'Triage' have that name"):
        await RunState.from_json(twice, data)


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("turns", _DELETE, r"state\.turns is missing"),
        ("usage.requests", "1", r"state\.usage\.requests must be an integer"),
        ("had_session", 1, r"state\.had_session must be a boolean"),
        ("turn.pending", [], r"state\.turn\.pending must name calls of the turn"),
        ("turn.turn_start", 99, r"turn_start is past the end"),
        ("conversation.history.0.type", "bogus", r"history\[0\]\.type is not a conversation item type"),
        ("trace.parent.trace_id", "xyz", r"trace\.parent\.trace_id must be 32 lowercase hex digits"),
        ("decisions.calls", {"c9": {"approved": "yes", "message": None}}, r"calls\.c9\.approved must be a boolean"),
        ("turn.handoff_calls", [{"handoff": "transfer_to_x", "call": {}}], r"'transfer_to_x'.*not one of"),
        ("context.value", {"n": float("nan")}, r"context\.value\.n is NaN"),
    ],
)
async def test_a_tampered_or_cut_short_state_is_a_user_error(path: str, value: Any, message: str) -> None:
    agent = _ops([function_call("delete_file", {"path": "a"}, call_id="c1")])
    data = (await _paused(agent, context={})).to_json()
    _set(data, path, value)
    with pytest.raises(UserError, match=message):
        await RunState.from_json(agent, data)


async def test_a_string_that_is_not_json_is_a_user_error_without_its_text() -> None:
    agent = _ops([function_call("delete_file", {"path": "a"}, call_id="c1")])
    text = (await _paused(agent)).to_string()
    with pytest.raises(UserError, match=r"not valid JSON \(line 1, column") as raised:
        await RunState.from_string(agent, "secret" + text)
    assert "secret" not in str(raised.value)
    with pytest.raises(UserError, match="not valid JSON"):
        await RunState.from_string(agent, text.replace('"turns": 1', '"turns": NaN'))
    with pytest.raises(UserError, match="takes the dict to_json"):
        await RunState.from_json(agent, [])  # type: ignore[arg-type]


@dataclass
class Account:
    user: str


class Connection:
    """A context no JSON can hold."""

    def __init__(self, user: str) -> None:
        self.user = user


@function_tool(needs_approval=True)
def whoami(ctx: RunContextWrapper[Any]) -> str:
    """Who is asking."""
    return f"{type(ctx.context).__name__} {ctx.context.user}"


def _whoami_answers(request: Any) -> list[Any]:
    """Stateless, as a real model: a fresh agent (another process) answers the resumed run the same way."""
    if any(isinstance(i, FunctionCallOutput) for i in request.input):
        return [assistant_message("done")]
    return [function_call("whoami", {}, call_id="c1")]


def _whoami_agent() -> Agent[Any]:
    return Agent(name="Ops", tools=[whoami], model=ScriptedModel([_whoami_answers], repeat=True))


async def _resume(agent: Agent[Any], state: RunState[Any]) -> str:
    state.approve(state.interruptions[0])
    result = await Runner.run(agent, state)
    (output,) = [i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    return str(output)


async def test_a_dataclass_context_needs_a_deserializer_to_come_back() -> None:
    """As in the SDK, a dataclass is stored as its dict and ``context_deserializer`` rebuilds it. Deliberate
    difference: without one (or ``context_override``) from_json is a UserError; the SDK warns and resumes with a
    plain dict, which the tools reading ``ctx.context.user`` would then fail on."""
    agent = _whoami_agent()
    data = (await _paused(agent, Account("ann"))).to_json()
    assert data["context"]["value"] == {"user": "ann"}
    with pytest.raises(UserError, match="context_deserializer="):
        await RunState.from_json(agent, data)
    with pytest.raises(UserError, match="context_deserializer raised KeyError"):
        await RunState.from_json(agent, data, context_deserializer=lambda d: d["nope"])
    agent = _whoami_agent()
    rebuilt = await RunState.from_json(agent, data, context_deserializer=lambda d: RunContextWrapper(Account(**d)))
    assert await _resume(agent, rebuilt) == "Account ann"
    agent = _whoami_agent()
    overridden = await RunState.from_json(agent, data, context_override=Account("bob"))
    assert await _resume(agent, overridden) == "Account bob"


async def test_a_context_json_cannot_hold_needs_a_serializer() -> None:
    """Deliberate difference: the SDK stores ``{}`` for such a context (with a warning) and the resumed run has lost
    it; here ``to_json`` is a UserError until a ``context_serializer`` is given."""
    agent = _whoami_agent()
    state = await _paused(agent, Connection("ann"))
    with pytest.raises(UserError, match=r"context is a .*Connection.*context_serializer"):
        state.to_json()
    data = state.to_json(context_serializer=lambda c: {"user": c.user})
    assert data["context"]["serialized_via"] == "context_serializer"
    restored = await RunState.from_json(agent, data, context_deserializer=lambda d: Connection(d["user"]))
    assert await _resume(agent, restored) == "Connection ann"

    with pytest.raises(UserError, match="must return a mapping, got str"):
        state.to_json(context_serializer=lambda c: c.user)  # type: ignore[arg-type,return-value]
    dict_state = await _paused(_whoami_agent(), {"user": "ann", "db": Connection("x")})
    with pytest.raises(UserError, match=r"context\.db is a Connection, not JSON data"):
        dict_state.to_string()


async def test_strict_context_asks_for_a_serializer_for_anything_but_a_mapping() -> None:
    state = await _paused(_whoami_agent(), Account("ann"))
    with pytest.raises(UserError, match="strict_context=True"):
        state.to_json(strict_context=True)
    assert state.to_json(strict_context=True, context_serializer=lambda a: {"user": a.user})["context"]["value"] == {
        "user": "ann"
    }
    with pytest.raises(UserError, match="strict_context must be a bool"):
        state.to_json(strict_context="yes")  # type: ignore[arg-type]


async def test_a_tool_output_json_cannot_hold_comes_back_as_the_text_the_model_read() -> None:
    @function_tool
    def stats() -> set[int]:
        """Numbers."""
        return {3}

    model = ScriptedModel(
        [
            [function_call("stats", {}, call_id="s1"), function_call("delete_file", {"path": "a"}, call_id="c1")],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="Ops", tools=[stats, delete_file], model=model)
    data = (await _paused(agent)).to_json()
    restored = await RunState.from_json(agent, copy.deepcopy(data))
    restored.approve(restored.interruptions[0])
    result = await Runner.run(agent, restored)
    outputs = {i.call_id: i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)}
    assert outputs == {"s1": "[3]", "c1": "deleted a"}
    read = {i.call_id: i.output for i in model.calls[-1].input if isinstance(i, FunctionCallOutput)}
    assert read["s1"] == "[3]"


async def test_tool_guardrail_verdicts_come_back_as_data() -> None:
    """As in the SDK: a restored result's guardrail is a stand-in with the stored name and verdict."""

    @tool_input_guardrail(name="no_secrets")
    def no_secrets(data: Any) -> ToolGuardrailFunctionOutput:
        return ToolGuardrailFunctionOutput.reject_content("no", output_info={"why": "secret"})

    @function_tool(tool_input_guardrails=[no_secrets])
    def read(path: str) -> str:
        """Read a file."""
        return "contents"

    calls = [
        function_call("read", {"path": "k"}, call_id="r1"),
        function_call("delete_file", {"path": "a"}, call_id="c1"),
    ]
    agent = Agent(name="Ops", tools=[read, delete_file], model=ScriptedModel([calls, [assistant_message("done")]]))
    restored = await RunState.from_string(agent, (await _paused(agent)).to_string())
    restored.approve(restored.interruptions[0])
    result = await Runner.run(agent, restored)
    (verdict,) = result.tool_input_guardrail_results
    assert verdict.guardrail.get_name() == "no_secrets"
    assert verdict.output.behavior == {"type": "reject_content", "message": "no"}
    assert verdict.output.output_info == {"why": "secret"}
