"""Compatibility: ``agent.as_tool(...)``'s options for the inner run, as in the OpenAI Agents SDK — structured
``parameters`` (the schema the model is offered, validation, the inner input as the SDK builds it),
``input_builder``, ``include_input_schema``, and ``run_config`` / ``hooks`` / ``session`` /
``previous_response_id`` / ``conversation_id`` for the nested run.

Deliberate differences, asserted here: arguments the schema rejects are a ``ToolArgumentsError`` the model is told
about (as for every function tool; the SDK raises ``ModelBehaviorError`` through ``failure_error_function``), and
an ``input_builder`` returning neither a string nor a list is a ``UserError`` naming the tool (the SDK: a
``ModelBehaviorError`` "Agent tool called with invalid input"); both reach the model as tool errors, as in the SDK.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Literal

import pytest
from fake_openai.server import FakeOpenAIServer
from pydantic import BaseModel, Field
from support import Tracing

from agents_otel import (
    Agent,
    AgentToolStreamEvent,
    ModelSettings,
    OpenAIResponsesModel,
    RunConfig,
    RunHooks,
    RunItemStreamEvent,
    Runner,
    SQLiteSession,
    StructuredToolInputBuilderOptions,
    ToolCallOutputItem,
    UserError,
    function_tool,
)
from agents_otel.agent_tool_input import default_tool_input_builder
from agents_otel.testing import ScriptedModel, assistant_message, function_call


class Translation(BaseModel):
    text: str
    target: str


class DescribedTranslation(BaseModel):
    """What to translate."""

    text: str = Field(description="Text to translate")
    target: Literal["en", "fr"] = Field(description="Target language")


class Formal(BaseModel):
    text: str = Field(description="Text to translate")
    formal: bool | None = Field(default=None, description="Use the formal register")


def translator(answer: str = "hello", **kwargs: Any) -> Agent[Any]:
    return Agent(name="Translator", model=ScriptedModel([[assistant_message(answer)]]), **kwargs)


def orchestrator(tool: Any, *calls: Any, check_calls: bool = True) -> tuple[Agent[Any], ScriptedModel]:
    model = ScriptedModel([list(calls), [assistant_message("done")]], check_calls=check_calls)
    return Agent(name="Orchestrator", tools=[tool], model=model), model


def sent_back(model: ScriptedModel, call_id: str) -> str:
    outputs = {i.call_id: i.output for i in model.calls[-1].input if i.type == "function_call_output"}  # type: ignore[union-attr]
    return outputs[call_id]


def inner_input(agent: Agent[Any], call: int = 0) -> list[Any]:
    assert isinstance(agent.model, ScriptedModel)
    return agent.model.calls[call].input


# --- the schema the model is offered ---------------------------------------------------------------------------


def test_parameters_become_the_tools_schema() -> None:
    tool = translator().as_tool("translate", "Translate text.", parameters=Translation)
    assert tool.params_json_schema == {
        "type": "object",
        "properties": {"text": {"type": "string"}, "target": {"type": "string"}},
        "required": ["text", "target"],
        "additionalProperties": False,
    }
    assert tool.strict_json_schema


def test_a_dataclass_works_too_and_other_types_are_refused() -> None:
    @dataclasses.dataclass
    class Query:
        city: str
        days: int

    tool = translator().as_tool("forecast", "Forecast.", parameters=Query)
    assert tool.params_json_schema["required"] == ["city", "days"]
    with pytest.raises(TypeError, match="pydantic model or a dataclass"):
        translator().as_tool("t", "T.", parameters=dict)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="pydantic model or a dataclass"):
        translator().as_tool("t", "T.", parameters=Translation(text="x", target="y"))  # type: ignore[arg-type]


async def test_the_schema_goes_out_strict_on_the_wire(fake_openai: FakeOpenAIServer) -> None:
    """As the SDK sends it: strict, every property required (a ``None`` default is required-and-nullable)."""
    fake_openai.enqueue(text="nothing to translate")
    async with fake_openai.client() as client:
        tools = [
            translator().as_tool("translate", "Translate text.", parameters=DescribedTranslation),
            translator().as_tool("formal", "Translate formally.", parameters=Formal),
        ]
        agent = Agent(name="O", tools=tools, model=OpenAIResponsesModel("gpt-test", openai_client=client))
        await Runner.run(agent, "hi")
    translate, formal = fake_openai.requests[0].body["tools"]
    assert translate["name"] == "translate" and translate["strict"] is True
    assert translate["parameters"]["required"] == ["text", "target"]
    assert translate["parameters"]["properties"]["target"] == {
        "description": "Target language", "enum": ["en", "fr"], "type": "string"
    }
    assert formal["strict"] is True and formal["parameters"]["required"] == ["text", "formal"]


# --- what the inner agent receives ------------------------------------------------------------------------------


async def test_structured_arguments_reach_the_inner_agent_as_json(tracing: Tracing) -> None:
    """No descriptions, no builder: the SDK gives the inner agent the arguments as compact JSON."""
    inner = translator()
    agent, model = orchestrator(
        inner.as_tool("translate", "Translate.", parameters=Translation),
        function_call("translate", {"text": "hola", "target": "en"}, call_id="c1"),
    )
    await Runner.run(agent, "go", run_config=tracing.config)
    assert inner_input(inner)[0].content == '{"text": "hola", "target": "en"}'
    assert sent_back(model, "c1") == "hello"


async def test_described_fields_reach_the_inner_agent_with_a_summary(tracing: Tracing) -> None:
    inner = translator()
    agent, _ = orchestrator(
        inner.as_tool("translate", "Translate.", parameters=DescribedTranslation),
        function_call("translate", {"text": "hola", "target": "en"}),
    )
    await Runner.run(agent, "go", run_config=tracing.config)
    text = inner_input(inner)[0].content
    data = json.dumps({"text": "hola", "target": "en"}, indent=2)
    assert text.endswith(
        f"## Structured Input Data:\n\n```\n{data}\n```\n\n"
        "## Input Schema Summary:\n"
        "Description: What to translate.\n"
        "- text (string, required) - Text to translate\n"
        "- target (string, required) - Target language\n"  # pydantic types a Literal: the type wins, as in the SDK
    )


async def test_a_field_a_summary_cannot_describe_means_plain_json(tracing: Tracing) -> None:
    """As in the SDK: one field beyond a scalar, enum or constant (here ``bool | None``, an ``anyOf``) and there is
    no summary; without one the inner agent gets the compact JSON."""
    inner = translator()
    agent, _ = orchestrator(
        inner.as_tool("translate", "Translate.", parameters=Formal),
        function_call("translate", {"text": "hola", "formal": None}),
    )
    await Runner.run(agent, "go", run_config=tracing.config)
    assert inner_input(inner)[0].content == '{"text": "hola", "formal": null}'


async def test_include_input_schema_shows_the_inner_agent_the_whole_schema(tracing: Tracing) -> None:
    inner = translator()
    tool = inner.as_tool("translate", "Translate.", parameters=Translation, include_input_schema=True)
    agent, _ = orchestrator(tool, function_call("translate", {"text": "hola", "target": "en"}))
    await Runner.run(agent, "go", run_config=tracing.config)
    text = inner_input(inner)[0].content
    assert f"## Input JSON Schema:\n\n```\n{json.dumps(tool.params_json_schema, indent=2)}\n```" in text
    assert '"text": "hola"' in text and "Input Schema Summary" not in text


async def test_include_input_schema_without_parameters_changes_nothing(tracing: Tracing) -> None:
    inner = translator()
    agent, _ = orchestrator(
        inner.as_tool("translate", "Translate.", include_input_schema=True),
        function_call("translate", {"input": "hola"}),
    )
    await Runner.run(agent, "go", run_config=tracing.config)
    assert inner_input(inner)[0].content == "hola"


async def test_a_custom_input_builder_sync_or_async_makes_the_inner_input(tracing: Tracing) -> None:
    seen: list[StructuredToolInputBuilderOptions] = []

    def as_text(options: StructuredToolInputBuilderOptions) -> str:
        seen.append(options)
        return f"Translate {options['params']['text']!r} to {options['params']['target']}."

    async def as_items(options: StructuredToolInputBuilderOptions) -> list[Any]:
        return [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": default_tool_input_builder(options)},
        ]

    first = translator()
    agent, _ = orchestrator(
        first.as_tool("translate", "T.", parameters=Translation, input_builder=as_text),
        function_call("translate", {"text": "hola", "target": "en"}),
    )
    await Runner.run(agent, "go", run_config=tracing.config)
    assert inner_input(first)[0].content == "Translate 'hola' to en."
    assert seen == [{"params": {"text": "hola", "target": "en"}, "summary": None, "json_schema": None}]

    second = translator()
    agent, _ = orchestrator(
        second.as_tool("translate", "T.", parameters=Translation, input_builder=as_items),
        function_call("translate", {"text": "hola", "target": "en"}),
    )
    await Runner.run(agent, "go", run_config=tracing.config)
    items = inner_input(second)
    assert [i.content for i in items[:1]] == ["Be brief."]
    assert '"text": "hola"' in items[1].content


async def test_an_input_builder_without_parameters_gets_the_input_string(tracing: Tracing) -> None:
    inner = translator()
    tool = inner.as_tool("t", "T.", input_builder=lambda o: o["params"]["input"].upper())
    assert list(tool.params_json_schema["properties"]) == ["input"]
    agent, _ = orchestrator(tool, function_call("t", {"input": "hola"}))
    await Runner.run(agent, "go", run_config=tracing.config)
    assert inner_input(inner)[0].content == "HOLA"


async def test_values_reach_the_builder_as_json(tracing: Tracing) -> None:
    """Dates, decimals... arrive as the JSON the model sent (the SDK dumps the validated value in JSON mode)."""
    import datetime

    class When(BaseModel):
        day: datetime.date

    got: list[Any] = []
    tool = translator().as_tool("t", "T.", parameters=When, input_builder=lambda o: got.append(o["params"]) or "x")
    agent, _ = orchestrator(tool, function_call("t", {"day": "2024-02-29"}))
    await Runner.run(agent, "go", run_config=tracing.config)
    assert got == [{"day": "2024-02-29"}]


# --- bad arguments, bad builders -------------------------------------------------------------------------------


async def test_invalid_arguments_are_told_to_the_model(tracing: Tracing) -> None:
    inner = translator()
    agent, model = orchestrator(
        inner.as_tool("translate", "T.", parameters=Translation, failure_error_function=None),
        function_call("translate", {"text": "hola"}, call_id="bad"),
        check_calls=False,
    )
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "done"
    told = sent_back(model, "bad")
    assert told.startswith("Error: Invalid arguments for tool 'translate':") and "target" in told
    assert tracing.tool_span("bad").attributes["error.type"] == "invalid_arguments"  # type: ignore[index]
    assert isinstance(inner.model, ScriptedModel) and inner.model.calls == []  # the inner agent never ran


async def test_a_builder_returning_something_else_is_a_user_error(tracing: Tracing) -> None:
    tool = translator().as_tool("translate", "T.", parameters=Translation, input_builder=lambda o: 42)  # type: ignore[arg-type,return-value]
    agent, model = orchestrator(tool, function_call("translate", {"text": "a", "target": "b"}, call_id="c"))
    await Runner.run(agent, "go", run_config=tracing.config)
    # A tool error like any other: the model reads the fixed failure sentence (SDK 0.23), the span the error.
    assert sent_back(model, "c") == "An error occurred while running the tool."
    assert tracing.tool_span("c").attributes["error.type"] == "agents_otel.exceptions.UserError"  # type: ignore[index]

    strict = translator().as_tool(
        "translate", "T.", parameters=Translation, input_builder=lambda o: 42, failure_error_function=None  # type: ignore[arg-type,return-value]
    )
    agent, _ = orchestrator(strict, function_call("translate", {"text": "a", "target": "b"}))
    with pytest.raises(UserError, match="Tool 'translate': input_builder returned int"):  # our own error, as it is
        await Runner.run(agent, "go", run_config=tracing.config)


def test_a_builder_that_is_not_callable_is_refused_when_the_tool_is_made() -> None:
    with pytest.raises(UserError, match="input_builder must be callable"):
        translator().as_tool("t", "T.", parameters=Translation, input_builder="template")  # type: ignore[arg-type]


# --- the nested run's own settings -----------------------------------------------------------------------------


async def test_without_run_config_the_inner_run_uses_the_outer_one(tracing: Tracing) -> None:
    run_model = ScriptedModel([[function_call("t", {"input": "x"}, call_id="c")], [assistant_message("run model")],
                               [assistant_message("done")]])
    agent = Agent(name="O", tools=[translator("own model").as_tool("t", "T.")])
    await Runner.run(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider, model=run_model))
    outputs = [i.output for i in run_model.calls[-1].input if i.type == "function_call_output"]  # type: ignore[union-attr]
    assert outputs == ["run model"]


async def test_a_run_config_of_its_own_replaces_the_outer_one(tracing: Tracing) -> None:
    """As in the SDK: ``as_tool(run_config=...)`` is the inner run's whole config, not merged with the outer run's;
    the inner spans still go where the outer run's go."""
    own_run_model = ScriptedModel([[assistant_message("from the tool's run config")]])
    outer_run_model = ScriptedModel([[function_call("t", {"input": "x"}, call_id="c")], [assistant_message("done")]])
    inner_config = RunConfig(model=own_run_model, model_settings=ModelSettings(temperature=0.2))
    inner = translator("the agent's own model")
    agent = Agent(name="O", tools=[inner.as_tool("t", "T.", run_config=inner_config)])
    outer_config = RunConfig(
        tracer_provider=tracing.provider, model=outer_run_model, model_settings=ModelSettings(temperature=0.9)
    )
    await Runner.run(agent, "go", run_config=outer_config)
    outputs = [i.output for i in outer_run_model.calls[-1].input if i.type == "function_call_output"]  # type: ignore[union-attr]
    assert outputs == ["from the tool's run config"]
    assert [c.settings.temperature for c in own_run_model.calls] == [0.2]
    tool_span = tracing.tool_span("c")
    (inner_agent_span,) = [s for s in tracing.named("invoke_agent") if s.name.endswith("Translator")]
    assert inner_agent_span.parent is not None and inner_agent_span.parent.span_id == tool_span.context.span_id


def test_run_config_must_be_a_run_config() -> None:
    with pytest.raises(UserError, match="must be a RunConfig"):
        translator().as_tool("t", "T.", run_config={"model": "gpt-4.1"})  # type: ignore[arg-type]


async def test_the_inner_run_keeps_its_session_across_calls(tracing: Tracing) -> None:
    session = SQLiteSession("translator-memory")
    inner = Agent(
        name="Translator", model=ScriptedModel([[assistant_message("first")], [assistant_message("second")]])
    )
    tool = inner.as_tool("t", "T.", session=session)
    model = ScriptedModel(
        [
            [function_call("t", {"input": "one"}, call_id="c1")],
            [function_call("t", {"input": "two"}, call_id="c2")],
            [assistant_message("done")],
        ]
    )
    await Runner.run(Agent(name="O", tools=[tool], model=model), "go", run_config=tracing.config)
    assert [getattr(i, "content", None) for i in inner_input(inner, 1)] == ["one", "first", "two"]
    assert len(await session.get_items()) == 4


async def test_hooks_are_the_inner_runs_own(tracing: Tracing) -> None:
    class Starts(RunHooks[Any]):
        def __init__(self) -> None:
            self.agents: list[str] = []

        async def on_agent_start(self, context: Any, agent: Agent[Any]) -> None:
            self.agents.append(agent.name)

    inner_hooks, outer_hooks = Starts(), Starts()
    agent, _ = orchestrator(translator().as_tool("t", "T.", hooks=inner_hooks), function_call("t", {"input": "x"}))
    await Runner.run(agent, "go", run_config=tracing.config, hooks=outer_hooks)
    assert inner_hooks.agents == ["Translator"] and outer_hooks.agents == ["Orchestrator"]
    with pytest.raises(TypeError, match="RunHooks"):
        translator().as_tool("t", "T.", hooks=object())  # type: ignore[arg-type]


@pytest.mark.parametrize("server", [{"previous_response_id": "resp_1"}, {"conversation_id": "conv_1"}])
async def test_server_side_conversation_state_is_given_to_the_inner_run(tracing: Tracing, server: Any) -> None:
    inner = translator()
    agent, _ = orchestrator(inner.as_tool("t", "T.", **server), function_call("t", {"input": "x"}))
    await Runner.run(agent, "go", run_config=tracing.config)
    assert isinstance(inner.model, ScriptedModel)
    (request,) = inner.model.calls
    assert (request.previous_response_id, request.conversation_id) == (
        server.get("previous_response_id"), server.get("conversation_id")
    )
    assert request.server_managed


def test_a_session_with_server_state_is_refused_when_the_tool_is_made() -> None:
    with pytest.raises(UserError, match="cannot be combined"):
        translator().as_tool("t", "T.", session=SQLiteSession("s"), previous_response_id="resp_1")


# --- streaming is unchanged ------------------------------------------------------------------------------------


async def test_structured_nested_runs_stream_as_before(tracing: Tracing) -> None:
    @function_tool
    def dictionary(word: str) -> str:
        return f"{word}: hello"

    inner = Agent(
        name="Translator",
        tools=[dictionary],
        model=ScriptedModel([[function_call("dictionary", {"word": "hola"}, call_id="ic")], [assistant_message("hi")]]),
    )
    received: list[AgentToolStreamEvent] = []
    tool = inner.as_tool("translate", "T.", parameters=Translation, on_stream=received.append)
    agent, _ = orchestrator(tool, function_call("translate", {"text": "hola", "target": "en"}, call_id="oc"))
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    outputs = [
        e.item
        async for e in result.stream_events()
        if isinstance(e, RunItemStreamEvent) and isinstance(e.item, ToolCallOutputItem)
    ]
    assert {o.call_id: o.parent_tool_call_id for o in outputs} == {"ic": "oc", "oc": None}
    assert result.final_output == "done"
    names = [e["event"].name for e in received if isinstance(e["event"], RunItemStreamEvent)]
    assert names[:2] == ["tool_called", "tool_output"] and all(e["tool_call"].call_id == "oc" for e in received)
