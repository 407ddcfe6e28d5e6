"""Which tool schemas go out in OpenAI strict mode, and how: from real ``@function_tool`` schemas (pure functions,
nothing to mock)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from agents_otel import function_tool
from agents_otel.models._openai_strict_schema import strict_json_schema
from agents_otel.models._openai_tools import function_definition, tool_definitions


class Address(BaseModel):
    street: str
    city: str | None = None


def test_all_required_parameters_are_strict() -> None:
    @function_tool
    def f(city: str, days: int) -> str:
        return ""

    definition = function_definition(f.spec)
    assert definition["strict"] is True
    assert definition["parameters"]["required"] == ["city", "days"]
    assert definition["parameters"]["additionalProperties"] is False


def test_optional_none_default_becomes_required_and_nullable() -> None:
    """The model sends null, the tool gets its default: nothing about the tool's contract changes."""

    @function_tool
    def f(city: str, units: str | None = None) -> str:
        return ""

    definition = function_definition(f.spec)
    assert definition["strict"] is True
    parameters = definition["parameters"]
    assert parameters["required"] == ["city", "units"]
    assert "default" not in parameters["properties"]["units"]
    assert {"type": "null"} in parameters["properties"]["units"]["anyOf"]
    assert f.spec.parameters["required"] == ["city"]  # the tool's own schema is untouched


def test_a_non_null_default_keeps_the_tool_non_strict() -> None:
    @function_tool
    def f(url: str, pages: int = 8) -> str:
        return ""

    definition = function_definition(f.spec)
    assert definition["strict"] is False
    assert definition["parameters"] == f.spec.parameters


def test_strict_mode_off_on_the_tool_is_respected() -> None:
    @function_tool(strict_mode=False)
    def f(city: str) -> str:
        return ""

    assert function_definition(f.spec)["strict"] is False


def test_nested_models_are_closed_in_defs() -> None:
    @function_tool
    def f(address: Address, note: str) -> str:
        return ""

    schema = strict_json_schema(f.spec.parameters)
    assert schema is not None
    address = schema["$defs"]["Address"]
    assert address["additionalProperties"] is False
    assert address["required"] == ["street", "city"]


def test_open_objects_and_unsupported_keywords_are_not_strict() -> None:
    open_object: dict[str, Any] = {
        "type": "object",
        "properties": {"data": {"type": "object", "additionalProperties": True}},
        "required": ["data"],
    }
    one_of: dict[str, Any] = {
        "type": "object",
        "properties": {"x": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
        "required": ["x"],
    }
    assert strict_json_schema(open_object) is None
    assert strict_json_schema(one_of) is None
    assert strict_json_schema({"type": "array"}) is None


def test_no_parameters() -> None:
    @function_tool
    def f() -> str:
        return ""

    assert function_definition(f.spec)["parameters"] == {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }
    assert strict_json_schema({}) == function_definition(f.spec)["parameters"]


def test_ref_with_description_is_inlined() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"home": {"$ref": "#/$defs/Address", "description": "Where they live."}},
        "required": ["home"],
        "$defs": {"Address": {"type": "object", "properties": {"street": {"type": "string"}}, "required": ["street"]}},
    }
    strict = strict_json_schema(schema)
    assert strict is not None
    assert strict["properties"]["home"] == {
        "type": "object",
        "properties": {"street": {"type": "string"}},
        "required": ["street"],
        "additionalProperties": False,
        "description": "Where they live.",
    }


def test_each_api_nests_the_function_its_own_way() -> None:
    @function_tool
    def f(city: str) -> str:
        """Look up."""
        return ""

    (responses,) = tool_definitions([f.spec], "responses")
    (chat,) = tool_definitions([f.spec], "chat")
    assert responses["type"] == chat["type"] == "function"
    assert {k: v for k, v in responses.items() if k != "type"} == chat["function"]
    assert responses["description"] == "Look up."
