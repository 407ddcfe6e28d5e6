"""Compatibility: the OpenAI Agents SDK's programmatic tool calling (``ProgrammaticToolCallingTool``).

What the SDK pins down (tests/test_programmatic_tool_calling.py): a ``function_call`` whose ``caller`` is a
``program`` runs like any call and is answered by a ``function_call_output`` with the same ``caller``; a tool's
``output_json_schema`` (declared, or inferred from the return annotation of a tool programs may call) goes out as
``output_schema`` and makes a program's result a JSON object, an error ``{"error": ...}``;
``tool_choice="programmatic_tool_calling"`` forces the program, once; a program's call without the tool, without a
parent program, after its program finished, or to a tool that only allows direct calls (and a direct call to a tool
only programs may call) is a ``ModelBehaviorError``; Chat Completions refuses all of it. Ours on top: the call's
``execute_tool`` span says ``agents_otel.tool.caller = "program"``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Annotated, Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from pydantic import BaseModel
from support import Tracing, wire_model
from typing_extensions import TypedDict

from agents_otel import (
    Agent,
    ModelBehaviorError,
    ModelSettings,
    ProgrammaticToolCallingTool,
    RunConfig,
    Runner,
    RunState,
    ToolCallItem,
    ToolCallOutputItem,
    ToolGuardrailFunctionOutput,
    UserError,
    function_tool,
    tool_input_guardrail,
)
from agents_otel.items import RawInputItem
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing import attributes as A

PROGRAM = "call_program"
CALLER = {"type": "program", "caller_id": PROGRAM}


class Inventory(BaseModel):
    sku: str
    available_units: int


def program_item(call_id: str = PROGRAM) -> dict[str, Any]:
    return {"type": "program", "id": f"pg_{call_id}", "call_id": call_id, "code": "lookup()", "fingerprint": "f"}


def program_call(call_id: str = "call_lookup", name: str = "lookup", caller_id: str = PROGRAM) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": f"fc_{call_id}",
        "call_id": call_id,
        "name": name,
        "arguments": '{"sku": "A-1"}',
        "caller": {"type": "program", "caller_id": caller_id},
        "status": "completed",
    }


def program_done(call_id: str = PROGRAM, status: str = "completed") -> dict[str, Any]:
    return {"type": "program_output", "id": f"po_{call_id}", "call_id": call_id, "result": "42", "status": status}


@function_tool(allowed_callers=["programmatic"])
def lookup(sku: str) -> Inventory:
    """Units in stock."""
    return Inventory(sku=sku, available_units=42)


def scripted(*turns: list[Any], tools: list[Any] | None = None, **kwargs: Any) -> tuple[Agent[Any], ScriptedModel]:
    model = ScriptedModel([[RawInputItem(i) if isinstance(i, dict) else i for i in turn] for turn in turns])
    agent = Agent("inventory", model=model, tools=tools or [ProgrammaticToolCallingTool(), lookup], **kwargs)
    return agent, model


def answers(result: Any) -> list[dict[str, Any]]:
    return [i for i in result.to_input_list() if i.get("type") == "function_call_output"]


# ---- over the wire -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_program_call_runs_and_its_output_carries_the_caller(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing, streamed: bool
) -> None:
    fake_openai.enqueue(hosted_calls=[program_item(), program_call()])
    fake_openai.enqueue(text="42 units", hosted_calls=[program_done()])
    agent = Agent(
        "inventory",
        model=wire_model("responses", client),
        tools=[ProgrammaticToolCallingTool(), lookup],
        model_settings=ModelSettings(tool_choice="programmatic_tool_calling"),
    )
    config = RunConfig(tracer_provider=tracing.provider)
    if streamed:
        run = Runner.run_streamed(agent, "stock?", run_config=config)
        events = [e async for e in run.stream_events()]
        called = [e.item for e in events if getattr(e, "name", None) == "tool_called"]
        assert [getattr(i.raw_item, "type", None) or i.raw_item["type"] for i in called] == [
            "program", "function_call", "program_output"
        ]
        final = run.final_output
    else:
        final = (await Runner.run(agent, "stock?", run_config=config)).final_output
    assert final == "42 units"

    first, second = (r.body for r in fake_openai.requests_to("/v1/responses"))
    assert first["tools"] == [
        {
            "type": "function",
            "name": "lookup",
            "description": "Units in stock.",
            "parameters": first["tools"][0]["parameters"],
            "strict": True,
            "allowed_callers": ["programmatic"],
            "output_schema": {
                "type": "object",
                "title": "Inventory",
                "properties": {
                    "sku": {"title": "Sku", "type": "string"},
                    "available_units": {"title": "Available Units", "type": "integer"},
                },
                "required": ["sku", "available_units"],
                "additionalProperties": False,
            },
        },
        {"type": "programmatic_tool_calling"},
    ]
    assert first["tool_choice"] == {"type": "programmatic_tool_calling"}
    assert "tool_choice" not in second  # once a tool was used the model chooses freely (reset_tool_choice)
    sent = second["input"]
    assert [i.get("type") for i in sent[1:]] == ["program", "function_call", "function_call_output"]
    assert sent[2]["caller"] == CALLER  # the call goes back as it came
    assert sent[3] == {
        "type": "function_call_output",
        "call_id": "call_lookup",
        "output": '{"sku":"A-1","available_units":42}',
        "caller": CALLER,
    }

    span = tracing.tool_span("call_lookup")
    assert span.name == "execute_tool lookup"
    assert span.attributes is not None
    assert span.attributes[A.TOOL_CALLER] == "program"
    assert span.attributes[A.TOOL_PROGRAM_CALL_ID] == PROGRAM
    assert span.attributes[A.GEN_AI_TOOL_TYPE] == "function"


async def test_chat_completions_refuses_programmatic_tool_calling(client: openai.AsyncOpenAI) -> None:
    settings = ModelSettings(tool_choice="programmatic_tool_calling")
    forced = Agent("A", model=wire_model("chat", client), model_settings=settings)
    with pytest.raises(UserError, match="programmatic_tool_calling"):
        await Runner.run(forced, "go")

    @function_tool(output_json_schema={"type": "object", "properties": {}})
    def schemed() -> dict[str, Any]:
        return {}

    with pytest.raises(UserError, match="output_json_schema"):
        await Runner.run(Agent("A", model=wire_model("chat", client), tools=[schemed]), "go")


async def test_forcing_programmatic_tool_calling_needs_the_tool(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    settings = ModelSettings(tool_choice="programmatic_tool_calling")
    tool = function_tool(lambda: "x", name_override="plain")
    agent = Agent("A", model=wire_model("responses", client), tools=[tool], model_settings=settings)
    with pytest.raises(UserError, match="ProgrammaticToolCallingTool"):
        await Runner.run(agent, "go")
    assert fake_openai.requests_to("/v1/responses") == []


# ---- what the model may and may not do ------------------------------------------------------------------------------


@function_tool
def direct_only(sku: str) -> str:
    return sku


@pytest.mark.parametrize(
    ("turn", "tools", "message"),
    [
        ([program_item(), program_call()], [lookup], "without a programmatic_tool_calling tool"),
        ([program_item()], [lookup], "without a programmatic_tool_calling tool"),
        ([program_call()], None, "does not match a parent program"),
        ([program_call(), program_item()], None, "does not match a parent program"),  # the child before its parent
        ([program_item(), program_done(), program_call()], None, "already completed"),
        ([program_item(), program_call(name="direct_only")], [ProgrammaticToolCallingTool(), direct_only], "only"),
        ([function_call("lookup", {"sku": "A-1"})], None, "caller direct, but the tool allows only"),
        ([program_done()], None, "does not match a parent program"),
        ([{**program_item(), "call_id": ""}], None, "valid call_id"),
        ([program_item(), {**program_done(), "status": "running"}], None, "valid status"),
    ],
)
async def test_a_misplaced_program_item_is_a_model_behavior_error(
    turn: list[Any], tools: list[Any] | None, message: str
) -> None:
    ran: list[str] = []

    @function_tool(allowed_callers=["programmatic"], name_override="lookup")
    def spy(sku: str) -> Inventory:
        ran.append(sku)
        return Inventory(sku=sku, available_units=1)

    tools = [t if t is not lookup else spy for t in tools] if tools is not None else None
    agent, _ = scripted(turn, [assistant_message("done")], tools=tools or [ProgrammaticToolCallingTool(), spy])
    with pytest.raises(ModelBehaviorError, match=message):
        await Runner.run(agent, "go")
    assert ran == []  # checked before anything runs


async def test_a_program_started_in_an_earlier_turn_keeps_calling() -> None:
    agent, _ = scripted(
        [program_item(), program_call("c1")],
        [program_call("c2")],
        [program_done(), assistant_message("done")],
    )
    result = await Runner.run(agent, "go")
    assert result.final_output == "done"
    assert [a["call_id"] for a in answers(result)] == ["c1", "c2"]
    assert all(a["caller"] == CALLER for a in answers(result))
    sent = [i.get("type") for i in result.to_input_list()]
    assert sent[1:] == ["program", "function_call", "function_call_output", "function_call", "function_call_output",
                        "program_output", "message"]


# ---- what the program reads ---------------------------------------------------------------------------------------


async def test_errors_and_rejections_reach_the_program_as_an_error_object() -> None:
    @tool_input_guardrail
    def blocked(data: Any) -> ToolGuardrailFunctionOutput:
        return ToolGuardrailFunctionOutput.reject_content("lookup blocked")

    @function_tool(allowed_callers=["programmatic"], tool_input_guardrails=[blocked])
    def guarded(sku: str) -> Inventory:
        raise AssertionError("never runs")

    @function_tool(allowed_callers=["programmatic"])
    def broken(sku: str) -> Inventory:
        raise RuntimeError(f"no stock data for {sku}")

    @function_tool(allowed_callers=["programmatic"])
    def wrong(sku: str) -> Inventory:
        return {"sku": sku, "available_units": "many"}  # type: ignore[return-value]

    agent, _ = scripted(
        [program_item(), program_call("g", "guarded"), program_call("b", "broken"), program_call("w", "wrong")],
        [program_done(), assistant_message("done")],
        tools=[ProgrammaticToolCallingTool(), guarded, broken, wrong],
    )
    result = await Runner.run(agent, "go")
    by_id = {a["call_id"]: a for a in answers(result)}
    assert json.loads(by_id["g"]["output"]) == {"error": "lookup blocked"}
    # the fixed sentence (SDK 0.23)
    generic = "An error occurred while running the tool."
    assert json.loads(by_id["b"]["output"])["error"] == generic
    assert json.loads(by_id["w"]["output"])["error"] == "An error occurred while running the tool."
    assert all(a["caller"] == CALLER for a in by_id.values())
    outputs = {i.call_id: i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)}
    assert outputs["g"] == "lookup blocked"  # the run item keeps the text itself


async def test_without_a_schema_the_program_reads_the_output_as_it_is() -> None:
    @function_tool(allowed_callers=["programmatic"])
    def untyped(sku: str) -> str:
        return f"{sku}: plenty"

    agent, _ = scripted(
        [program_item(), program_call(name="untyped")],
        [program_done(), assistant_message("done")],
        tools=[ProgrammaticToolCallingTool(), untyped],
    )
    (answer,) = answers(await Runner.run(agent, "go"))
    assert answer["output"] == "A-1: plenty" and answer["caller"] == CALLER
    assert untyped.output_json_schema is None


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_programs_run_items_give_back_the_caller_as_the_sdks_do(streamed: bool) -> None:
    """The SDK's ``tool_called`` item of a program's call is the model's ``function_call`` as it came (``id``,
    ``caller``), and its ``tool_output`` item the answer the program read (``caller``, the JSON object): so
    ``new_items``' input items, and what a handoff filter or a failed run's record keeps, say what the model saw."""

    @function_tool(allowed_callers=["programmatic"])
    def broken(sku: str) -> Inventory:
        raise RuntimeError("no data")

    agent, _ = scripted(
        [program_item(), program_call(), program_call("b", "broken")],
        [program_done(), assistant_message("done")],
        tools=[ProgrammaticToolCallingTool(), lookup, broken],
    )
    if streamed:
        run = Runner.run_streamed(agent, "go")
        streamed_items = [e.item async for e in run.stream_events() if getattr(e, "name", "") == "tool_output"]
        new_items = run.new_items
        assert {i.call_id: i.to_input_item() for i in streamed_items if i.call_id in ("call_lookup", "b")} == {
            i.call_id: i.to_input_item() for i in new_items if isinstance(i, ToolCallOutputItem)
        }
    else:
        new_items = (await Runner.run(agent, "go")).new_items
    calls = {i.call_id: i for i in new_items if isinstance(i, ToolCallItem) and i.call_id in ("call_lookup", "b")}
    assert calls["call_lookup"].to_input_item() == program_call()
    assert calls["b"].to_input_item() == program_call("b", "broken")
    raw = calls["call_lookup"].raw_item
    assert raw.type == "function_call" and raw.caller is not None and raw.caller.caller_id == PROGRAM
    assert raw.id == "fc_call_lookup"
    outputs = {i.call_id: i for i in new_items if isinstance(i, ToolCallOutputItem)}
    assert outputs["call_lookup"].to_input_item() == {
        "type": "function_call_output", "call_id": "call_lookup", "output": '{"sku":"A-1","available_units":42}',
        "caller": CALLER,
    }
    failed = outputs["b"].to_input_item()
    assert failed["caller"] == CALLER
    assert json.loads(failed["output"]) == {"error": "An error occurred while running the tool."}
    assert outputs["b"].raw_item == failed


async def test_a_programs_calls_run_concurrently() -> None:
    started: list[str] = []
    both = asyncio.Event()

    @function_tool(allowed_callers=["programmatic"])
    async def slow(sku: str) -> str:
        started.append(sku)
        if len(started) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), 5)  # returns only once the other call has started too
        return sku

    first, second = program_call("c1", "slow"), {**program_call("c2", "slow"), "arguments": '{"sku": "B-2"}'}
    agent, _ = scripted(
        [program_item(), first, second], [program_done(), assistant_message("done")],
        tools=[ProgrammaticToolCallingTool(), slow],
    )
    result = await Runner.run(agent, "go")
    assert sorted(started) == ["A-1", "B-2"]
    assert [(a["call_id"], a["output"]) for a in answers(result)] == [("c1", "A-1"), ("c2", "B-2")]


async def test_a_paused_program_call_is_answered_with_its_caller_after_resuming() -> None:
    @function_tool(allowed_callers=["programmatic"], needs_approval=True)
    def gated(sku: str) -> Inventory:
        return Inventory(sku=sku, available_units=7)

    agent, _ = scripted(
        [program_item(), program_call(name="gated")],
        [program_done(), assistant_message("done")],
        tools=[ProgrammaticToolCallingTool(), gated],
    )
    paused = await Runner.run(agent, "go")
    state = await RunState.from_json(agent, paused.to_state().to_json())
    state.approve(state.get_interruptions()[0])
    result = await Runner.run(agent, state)
    (answer,) = answers(result)
    assert answer == {
        "type": "function_call_output",
        "call_id": "call_lookup",
        "output": '{"sku":"A-1","available_units":7}',
        "caller": CALLER,
    }


# ---- declaring the output ------------------------------------------------------------------------------------------


class InventoryDict(TypedDict):
    sku: str
    available_units: int


@dataclass
class InventoryData:
    sku: str
    available_units: int


def test_the_output_schema_is_inferred_only_for_tools_programs_may_call() -> None:
    def typed_dict() -> InventoryDict:
        return {"sku": "A-1", "available_units": 1}

    def data() -> InventoryData:
        return InventoryData("A-1", 1)

    for func in (typed_dict, data):
        tool = function_tool(allowed_callers=["programmatic"])(func)
        assert tool.output_json_schema is not None
        assert tool.output_json_schema["required"] == ["sku", "available_units"]
        assert tool.output_json_schema["additionalProperties"] is False
        assert function_tool(func).output_json_schema is None  # direct only: nothing declared

    def annotated() -> Annotated[str, "units"]:
        return "1"

    assert function_tool(allowed_callers=["programmatic"])(annotated).output_json_schema is None

    def loose() -> list[int]:
        return [1]

    with pytest.raises(UserError, match="strict JSON object schema"):
        function_tool(allowed_callers=["programmatic"])(loose)
    override = function_tool(allowed_callers=["programmatic"], output_type=Inventory)(loose)
    assert override.output_json_schema is not None and override.output_json_schema["title"] == "Inventory"


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "array", "items": {"type": "string"}},
        {"type": "object", "properties": {"n": {"type": "integer"}}, "required": []},  # an optional field
        "not a schema",
    ],
)
def test_a_declared_output_schema_must_be_a_strict_object(schema: Any) -> None:
    with pytest.raises(UserError, match="output_json_schema"):
        function_tool(output_json_schema=schema)(lambda: {})


def test_output_type_and_output_json_schema_exclude_each_other() -> None:
    with pytest.raises(UserError, match="cannot both"):
        function_tool(output_type=Inventory, output_json_schema={"type": "object", "properties": {}})(lambda: {})
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    tool = function_tool(output_json_schema=schema)(lambda: {})
    assert tool.output_json_schema == {**schema, "additionalProperties": False}  # closed, as strict mode wants
    assert schema == {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}  # a copy
