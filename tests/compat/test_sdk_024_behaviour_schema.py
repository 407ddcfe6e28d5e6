"""SDK 0.23 / 0.24 function-schema fixes, driven through real runs where the model's arguments matter.

- "reject silently discarded kwargs tool arguments": beside ``**kwargs`` a flat key the function does not take is
  an error told to the model (not dropped), and so is a ``**kwargs`` key naming a parameter (it would replace the
  validated value); ``**kwargs`` cannot be in a strict schema (a ``UserError`` when the tool is made).
- ``*args`` / ``**kwargs`` annotations are each value's type (PEP 484), constraints included; a fixed-length tuple
  for ``*args`` is a ``UserError``.
- "Preserve parameter descriptions in Args-only docstrings".
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import Field

from agents_otel import Agent, Runner, UserError, function_tool
from agents_otel.function_schema import function_schema
from agents_otel.testing import ScriptedModel, assistant_message, function_call

CALLS: list[tuple[Any, ...]] = []


@function_tool(strict_mode=False)
def tag(item: str, *, color: str = "red", **labels: str) -> str:
    CALLS.append((item, color, labels))
    return f"{item}:{color}:{sorted(labels.items())}"


async def told(tool: Any, arguments: dict[str, Any]) -> str:
    calls = [[function_call(tool.name, arguments, call_id="c")], [assistant_message("ok")]]
    model = ScriptedModel(calls, check_calls=False)  # arguments the tool rejects are the point
    await Runner.run(Agent(name="A", model=model, tools=[tool]), "go")
    (output,) = [i.output for i in model.calls[-1].input if getattr(i, "type", None) == "function_call_output"]  # type: ignore[union-attr]
    return output  # type: ignore[no-any-return]


async def test_keyword_arguments_in_their_object_reach_the_function() -> None:
    CALLS.clear()
    assert await told(tag, {"item": "x", "labels": {"size": "L"}}) == "x:red:[('size', 'L')]"
    assert CALLS == [("x", "red", {"size": "L"})]


async def test_a_flat_key_beside_kwargs_is_told_to_the_model_not_dropped() -> None:
    CALLS.clear()
    output = await told(tag, {"item": "x", "size": "L"})
    assert output.startswith("Error: Invalid arguments for tool 'tag'") and "size" in output
    assert CALLS == []  # never called without the argument the model meant


@pytest.mark.parametrize("clash", ["item", "color"])
async def test_a_kwargs_key_naming_a_parameter_is_told_to_the_model(clash: str) -> None:
    CALLS.clear()
    output = await told(tag, {"item": "x", "color": "blue", "labels": {clash: "sneaky"}})
    assert output.startswith("Error: Invalid arguments for tool 'tag'") and repr(clash) in output
    assert CALLS == []


def test_a_kwargs_key_may_name_a_positional_only_parameter_or_args() -> None:
    def f(a: int, /, *rest: int, **kw: Any) -> tuple[int, tuple[int, ...], dict[str, Any]]:
        return a, rest, kw

    schema = function_schema(f, strict_json_schema=False)
    parsed = schema.arguments_model.model_validate({"a": 1, "rest": [2], "kw": {"a": 3, "rest": 4}})
    args, kwargs = schema.to_call_args(parsed)
    assert f(*args, **kwargs) == (1, (2,), {"a": 3, "rest": 4})


def test_kwargs_cannot_be_strict() -> None:
    def f(x: int, **kw: int) -> int:
        return x

    with pytest.raises(UserError, match="strict_mode=False"):
        function_tool(f)
    with pytest.raises(UserError, match="strict"):
        function_schema(f)


def test_a_fixed_length_tuple_for_args_is_a_user_error() -> None:
    def pair(*args: tuple[int, str]) -> int:
        return len(args)

    def empty(*args: tuple[()]) -> int:
        return len(args)

    for func in (pair, empty):
        with pytest.raises(UserError, match=r"tuple\[T, \.\.\.\] or list\[T\]"):
            function_schema(func)


def test_variadic_annotations_are_each_values_type_with_its_constraints() -> None:
    def f(*pairs: tuple[int, ...], **scores: Annotated[int, Field(ge=0, le=10)]) -> None:
        return None

    properties = function_schema(f, strict_json_schema=False).params_json_schema["properties"]
    assert properties["pairs"]["items"] == {"type": "array", "items": {"type": "integer"}}
    assert properties["scores"]["additionalProperties"] == {"type": "integer", "minimum": 0, "maximum": 10}
    assert "minimum" not in properties["scores"]


async def test_constraints_on_args_values_are_checked_before_the_call() -> None:
    seen: list[int] = []

    @function_tool
    def add(*values: Annotated[int, Field(ge=0)]) -> int:
        seen.extend(values)
        return sum(values)

    assert (await told(add, {"values": [1, -2]})).startswith("Error: Invalid arguments for tool 'add'")
    assert seen == []
    assert await told(add, {"values": [1, 2]}) == "3"


def test_an_args_only_docstring_keeps_its_parameter_descriptions() -> None:
    def weather(city: str, units: str) -> str:
        """
        Args:
            city: The city to get
                weather for.
            units: Temperature units to use.
        """
        return f"{city} {units}"

    for style in (None, "google"):
        tool = function_tool(weather, docstring_style=style)
        properties = tool.params_json_schema["properties"]
        assert properties["city"]["description"] == "The city to get\nweather for."
        assert properties["units"]["description"] == "Temperature units to use."
        assert tool.description == ""
