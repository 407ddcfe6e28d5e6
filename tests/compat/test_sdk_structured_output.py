"""Structured output (``Agent(output_type=...)``) as the OpenAI Agents SDK pins it down: which types are wrapped,
what schema the model gets, strict validation, ``ModelBehaviorError`` for a bad answer, ``final_output_as``;
and how it shows in the trace (``gen_ai.output.type``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from agents_otel import (
    Agent,
    AgentOutputSchema,
    AgentOutputSchemaBase,
    ModelBehaviorError,
    Runner,
    UserError,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


class Weather(BaseModel):
    city: str
    celsius: int


@dataclass
class Point:
    x: int
    y: int


class Person(TypedDict):
    name: str
    age: int


def test_plain_text_has_no_schema() -> None:
    schema = AgentOutputSchema(str)
    assert schema.is_plain_text()
    with pytest.raises(UserError):
        schema.json_schema()


def test_pydantic_model_and_typed_dict_are_sent_unwrapped_and_strict() -> None:
    for t in (Weather, Person):
        schema = AgentOutputSchema(t).json_schema()
        assert schema["type"] == "object"
        assert "response" not in schema["properties"]
        assert schema["additionalProperties"] is False
        assert set(schema["required"]) == set(schema["properties"])


@pytest.mark.parametrize("output_type", [list[int], int, Point, list[Weather]])
def test_other_types_are_wrapped_in_a_response_object(output_type: Any) -> None:
    schema = AgentOutputSchema(output_type).json_schema()
    assert schema["type"] == "object"
    assert schema["required"] == ["response"]


def test_wrapped_value_is_unwrapped() -> None:
    assert AgentOutputSchema(list[int]).validate_json('{"response": [1, 2, 3]}') == [1, 2, 3]
    assert AgentOutputSchema(Point).validate_json('{"response": {"x": 1, "y": 2}}') == Point(1, 2)


def test_strict_validation_rejects_coercion_and_lenient_allows_it() -> None:
    with pytest.raises(ModelBehaviorError):
        AgentOutputSchema(Weather).validate_json('{"city": "Oslo", "celsius": "3"}')
    lenient = AgentOutputSchema(Weather, strict_json_schema=False)
    assert lenient.validate_json('{"city": "Oslo", "celsius": "3"}') == Weather(city="Oslo", celsius=3)


def test_bad_json_raises_model_behavior_error() -> None:
    with pytest.raises(ModelBehaviorError):
        AgentOutputSchema(Weather).validate_json("not json")


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_type_strict_mode_cannot_express_fails_when_a_run_starts(streamed: bool) -> None:
    # As in the SDK (and its examples/basic/non_strict_output_type.py): the agent is built, the run refuses it with
    # a UserError before any model call, and the same agent then runs with the non-strict schema.
    class WithDefault(BaseModel):
        pages: int = 8  # strict mode would force the model to choose: refused, not silently changed

    model = ScriptedModel([[assistant_message('{"pages": 3}')]])
    agent = Agent("a", model=model, output_type=WithDefault)
    with pytest.raises(UserError, match="strict_json_schema=False"):
        if streamed:
            async for _ in Runner.run_streamed(agent, "hi").stream_events():
                pass
        else:
            await Runner.run(agent, "hi")
    assert model.calls == []
    agent.output_type = AgentOutputSchema(WithDefault, strict_json_schema=False)
    result = await Runner.run(agent, "hi")
    assert result.final_output == WithDefault(pages=3)


@pytest.mark.parametrize("output_type", [5, "text", [int]])
def test_an_output_type_that_is_not_a_type_fails_when_the_agent_is_built(output_type: Any) -> None:
    with pytest.raises(TypeError, match="output_type must be a type, AgentOutputSchemaBase, or None"):
        Agent("a", output_type=output_type)
    Agent("a", output_type=list[int])  # a generic alias is a type here, as in the SDK
    Agent("a", output_type=None)


class Upper(AgentOutputSchemaBase):
    """A custom schema: anything a type cannot say."""

    def is_plain_text(self) -> bool:
        return False

    def name(self) -> str:
        return "Upper"

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"v": {"type": "string"}},
            "required": ["v"],
            "additionalProperties": False,
        }

    def is_strict_json_schema(self) -> bool:
        return True

    def validate_json(self, json_str: str) -> Any:
        return json.loads(json_str)["v"].upper()


async def test_custom_output_schema_is_sent_and_used() -> None:
    model = ScriptedModel([[assistant_message('{"v": "shout"}')]])
    result = await Runner.run(Agent("a", model=model, output_type=Upper()), "hi")
    assert result.final_output == "SHOUT"
    spec = model.calls[0].output_schema
    assert spec is not None and spec.schema == Upper().json_schema() and spec.name == "final_output"


@pytest.mark.parametrize("streamed", [False, True])
async def test_run_returns_the_validated_value_after_tool_calls(streamed: bool, tracing: Any) -> None:
    @function_tool
    def lookup(city: str) -> int:
        return 21

    model = ScriptedModel(
        [[function_call("lookup", {"city": "Rome"})], [assistant_message('{"city": "Rome", "celsius": 21}')]]
    )
    agent = Agent("forecaster", model=model, tools=[lookup], output_type=Weather)
    if streamed:
        result: Any = Runner.run_streamed(agent, "weather?", run_config=tracing.config)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "weather?", run_config=tracing.config)
    assert result.final_output == Weather(city="Rome", celsius=21)
    assert result.final_output_as(Weather, raise_if_incorrect_type=True).celsius == 21
    assert all(c.output_schema is not None for c in model.calls)  # every turn asks for the schema
    chats = tracing.named("chat")
    assert [s.attributes["gen_ai.output.type"] for s in chats] == ["json", "json"]


async def test_plain_text_agents_mark_text_output(tracing: Any) -> None:
    model = ScriptedModel([[assistant_message("hello")]])
    await Runner.run(Agent("a", model=model), "hi", run_config=tracing.config)
    assert model.calls[0].output_schema is None
    (chat,) = tracing.named("chat")
    assert chat.attributes["gen_ai.output.type"] == "text"


@pytest.mark.parametrize("streamed", [False, True])
async def test_invalid_final_output_raises_model_behavior_error_and_is_on_the_agent_span(
    streamed: bool, tracing: Any
) -> None:
    agent = Agent("a", model=ScriptedModel([[assistant_message('{"city": 3}')]]), output_type=Weather)
    with pytest.raises(ModelBehaviorError):
        if streamed:
            result = Runner.run_streamed(agent, "hi", run_config=tracing.config)
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "hi", run_config=tracing.config)
    (span,) = tracing.named("invoke_agent")
    assert span.attributes["error.type"] == "agents_otel.exceptions.ModelBehaviorError"


async def test_final_output_as() -> None:
    result = await Runner.run(Agent("a", model=ScriptedModel([[assistant_message("text")]])), "hi")
    assert result.final_output_as(str) == "text"
    assert result.final_output_as(int) == "text"  # a cast, as in the SDK, unless asked to check
    with pytest.raises(TypeError):
        result.final_output_as(int, raise_if_incorrect_type=True)


async def test_the_final_agents_output_type_applies_after_a_handoff() -> None:
    specialist_model = ScriptedModel([[assistant_message('{"city": "Oslo", "celsius": -2}')]])
    specialist = Agent("Specialist", model=specialist_model, output_type=Weather)
    triage_model = ScriptedModel([[function_call("transfer_to_specialist")]])
    triage = Agent("Triage", model=triage_model, handoffs=[specialist])
    result = await Runner.run(triage, "weather in Oslo?")
    assert result.final_output == Weather(city="Oslo", celsius=-2)
    assert triage_model.calls[0].output_schema is None  # the triage agent answers in text (or hands off)
    assert specialist_model.calls[0].output_schema is not None
