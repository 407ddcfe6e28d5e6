"""Compatibility: the JSON schema and argument handling of function tools, as the OpenAI Agents SDK derives them.

Cases learnt from the SDK's documentation and its function-schema tests (what it feeds in, what it asserts),
written against our API. Where we deliberately differ, the test says so.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field, ValidationError

from agents_otel import RunContextWrapper, ToolContext, UserError, function_tool
from agents_otel.function_schema import function_schema


def props(func: Any) -> dict[str, Any]:
    return function_schema(func).params_json_schema["properties"]  # type: ignore[no-any-return]


def test_no_arguments_gives_an_empty_closed_object() -> None:
    def ping() -> str:
        """Check the service."""
        return "pong"

    schema = function_schema(ping)
    assert schema.description == "Check the service."
    assert schema.params_json_schema["properties"] == {}
    assert schema.params_json_schema["additionalProperties"] is False
    assert not schema.takes_context


def test_docstring_gives_description_and_parameter_descriptions() -> None:
    def add(a: int, b: int = 5) -> int:
        """Add two numbers.

        Args:
            a: The first number.
            b: The second number.
        """
        return a + b

    schema = function_schema(add)
    assert schema.description == "Add two numbers."
    properties = schema.params_json_schema["properties"]
    assert properties["a"] == {"type": "integer", "description": "The first number."}
    assert properties["b"]["description"] == "The second number." and properties["b"]["default"] == 5
    assert schema.params_json_schema["required"] == ["a"]


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx"])
def test_every_docstring_style_is_read(style: str) -> None:
    docs = {
        "google": "Find it.\n\nArgs:\n    query: What to find.\n",
        "numpy": "Find it.\n\nParameters\n----------\nquery : str\n    What to find.\n",
        "sphinx": "Find it.\n\n:param query: What to find.\n",
    }

    def find(query: str) -> str:
        return query

    find.__doc__ = docs[style]
    for schema in (function_schema(find), function_schema(find, docstring_style=style)):  # type: ignore[arg-type]
        assert schema.description == "Find it."
        assert schema.params_json_schema["properties"]["query"]["description"] == "What to find."
    assert function_tool(docstring_style=style)(find).description == "Find it."  # type: ignore[arg-type]


class Color(Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    city: str


def test_nested_models_enums_and_literals() -> None:
    def ship(address: Address, color: Color, speed: Literal["slow", "fast"] = "slow") -> str:
        return f"{address.city} {color.value} {speed}"

    schema = function_schema(ship)
    text = json.dumps(schema.params_json_schema)
    assert "street" in text and '"red"' in text and '"fast"' in text
    parsed = schema.arguments_model.model_validate(
        {"address": {"street": "Main", "city": "Oslo"}, "color": "blue", "speed": "fast"}
    )
    args, kwargs = schema.to_call_args(parsed)
    assert ship(*args, **kwargs) == "Oslo blue fast"
    with pytest.raises(ValidationError):
        schema.arguments_model.model_validate({"address": {"street": "Main", "city": "Oslo"}, "color": "green"})


def test_field_default_keeps_constraints_description_and_requiredness() -> None:
    # Regression (issue 10): Field(...) as a default lost everything and the tool received a FieldInfo object.
    def pick(n: int = Field(..., gt=10, le=100, description="A number above ten.")) -> int:
        return n

    schema = function_schema(pick)
    assert schema.params_json_schema["properties"]["n"] == {
        "type": "integer",
        "exclusiveMinimum": 10,
        "maximum": 100,
        "description": "A number above ten.",
    }
    assert schema.params_json_schema["required"] == ["n"]
    with pytest.raises(ValidationError):
        schema.arguments_model.model_validate({})
    with pytest.raises(ValidationError):
        schema.arguments_model.model_validate({"n": 5})


def test_field_default_with_a_value_is_optional_and_used() -> None:
    def scale(label: str, factor: float = Field(default=5.0, ge=0.0, description="Multiplier.")) -> str:
        return f"{label}:{factor}"

    schema = function_schema(scale)
    factor = schema.params_json_schema["properties"]["factor"]
    assert factor["default"] == 5.0 and factor["minimum"] == 0.0 and factor["description"] == "Multiplier."
    assert schema.params_json_schema["required"] == ["label"]
    args, kwargs = schema.to_call_args(schema.arguments_model.model_validate({"label": "x"}))
    assert scale(*args, **kwargs) == "x:5.0"


def test_field_string_constraints() -> None:
    def code(value: str = Field(..., min_length=3, max_length=5, pattern=r"^[A-Z]+$")) -> str:
        return value

    prop = props(code)["value"]
    assert (prop["minLength"], prop["maxLength"], prop["pattern"]) == (3, 5, "^[A-Z]+$")


def test_annotated_field_keeps_constraints_and_description() -> None:
    def pick(n: Annotated[int, Field(gt=0, description="Positive.")], m: Annotated[int, Field(ge=1)] = 3) -> int:
        return n + m

    schema = function_schema(pick)
    properties = schema.params_json_schema["properties"]
    assert properties["n"] == {"type": "integer", "exclusiveMinimum": 0, "description": "Positive."}
    assert properties["m"]["minimum"] == 1 and properties["m"]["default"] == 3
    assert schema.params_json_schema["required"] == ["n"]


def test_annotated_string_is_the_description_unless_the_docstring_has_one() -> None:
    def greet(name: Annotated[str, "Who to greet."], tone: Annotated[str, "Ignored."] = "warm") -> str:
        """Greet someone.

        Args:
            tone: The tone to use.
        """
        return name + tone

    properties = props(greet)
    assert properties["name"]["description"] == "Who to greet."
    assert properties["tone"]["description"] == "The tone to use."  # the docstring wins, as in the SDK


def test_field_description_merges_with_the_docstring() -> None:
    def measure(size: int = Field(..., gt=0)) -> int:
        """Measure.

        Args:
            size: How big.
        """
        return size

    assert props(measure)["size"] == {"type": "integer", "exclusiveMinimum": 0, "description": "How big."}


def test_varargs_and_kwargs_as_the_sdk_reads_them() -> None:
    def collect(first: int, *rest: int, **named: str) -> str:
        return f"{first}|{list(rest)}|{sorted(named.items())}"

    schema = function_schema(collect, strict_json_schema=False)  # **kwargs cannot be strict (SDK 0.23)
    properties = schema.params_json_schema["properties"]
    assert properties["rest"]["type"] == "array" and properties["rest"]["items"] == {"type": "integer"}
    assert properties["named"]["type"] == "object"
    assert properties["named"]["additionalProperties"] == {"type": "string"}
    parsed = schema.arguments_model.model_validate({"first": 1, "rest": [2, 3], "named": {"b": "x", "a": "y"}})
    args, kwargs = schema.to_call_args(parsed)
    assert collect(*args, **kwargs) == "1|[2, 3]|[('a', 'y'), ('b', 'x')]"


def test_varargs_tuple_and_kwargs_dict_annotations() -> None:
    # As the SDK since 0.23 (PEP 484): the annotation is each value's type, a tuple or dict included.
    def f(*values: tuple[int, ...], **options: dict[str, float]) -> None:
        return None

    properties = function_schema(f, strict_json_schema=False).params_json_schema["properties"]
    assert properties["values"]["items"] == {"type": "array", "items": {"type": "integer"}}
    assert properties["options"]["additionalProperties"] == {
        "type": "object", "additionalProperties": {"type": "number"}
    }


def test_keyword_only_and_positional_only_parameters() -> None:
    def f(a: int, /, b: int, *, c: int) -> str:
        return f"{a}{b}{c}"

    schema = function_schema(f)
    args, kwargs = schema.to_call_args(schema.arguments_model.model_validate({"a": 1, "b": 2, "c": 3}))
    assert f(*args, **kwargs) == "123"


def test_context_parameter_forms() -> None:
    def annotated_tool_context(ctx: ToolContext[Any], x: int) -> int:
        return x

    def annotated_wrapper(wrapper: RunContextWrapper[str], x: int) -> int:
        return x

    def unannotated_ctx(ctx, x: int) -> int:  # type: ignore[no-untyped-def]
        return x

    def unannotated_context(context, x: int) -> int:  # type: ignore[no-untyped-def]
        return x

    for func in (annotated_tool_context, annotated_wrapper, unannotated_ctx, unannotated_context):
        schema = function_schema(func)
        assert schema.takes_context, func.__name__
        assert list(schema.params_json_schema["properties"]) == ["x"], func.__name__


def test_unannotated_first_parameter_with_another_name_is_an_argument() -> None:
    def f(query, limit: int = 3):  # type: ignore[no-untyped-def]
        return query

    schema = function_schema(f)
    assert not schema.takes_context and schema.params_json_schema["required"] == ["query"]


def test_context_in_a_later_position_is_a_user_error() -> None:
    # Regression (issue 10): this leaked a raw pydantic error.
    def f(x: int, ctx: ToolContext[Any]) -> int:
        return x

    def g(x: int, wrapper: RunContextWrapper[Any]) -> int:
        return x

    for func in (f, g):
        with pytest.raises(UserError, match="first parameter"):
            function_tool(func)


class Opaque:
    pass


def test_a_parameter_type_pydantic_cannot_describe_is_a_user_error() -> None:
    def f(thing: Opaque) -> None:
        return None

    with pytest.raises(UserError, match=r"thing|Opaque"):
        function_tool(f)


def test_name_and_description_overrides() -> None:
    def f(x: int) -> int:
        """Original."""
        return x

    tool = function_tool(name_override="renamed", description_override="Better.")(f)
    assert (tool.name, tool.description) == ("renamed", "Better.")


def test_use_docstring_info_false_ignores_the_docstring() -> None:
    def f(x: int) -> int:
        """Secret.

        Args:
            x: Also secret.
        """
        return x

    tool = function_tool(use_docstring_info=False)(f)
    assert tool.description == "" and "description" not in tool.params_json_schema["properties"]["x"]


def test_strict_mode_false_leaves_the_schema_open() -> None:
    def f(x: int, y: int = 2) -> int:
        return x

    assert function_tool(f).params_json_schema["additionalProperties"] is False
    assert "additionalProperties" not in function_tool(strict_mode=False)(f).params_json_schema
    assert function_tool(strict_mode=False)(f).strict_json_schema is False


def test_extra_argument_keys_are_ignored_as_in_the_sdk() -> None:
    # The SDK's argument model ignores keys the function does not take; a strict schema keeps real models from
    # sending them, and ScriptedModel reports them in scripts (see test_compat_scripted_model.py).
    def f(x: int) -> int:
        return x

    schema = function_schema(f)
    args, kwargs = schema.to_call_args(schema.arguments_model.model_validate_json('{"x": 1, "extra": 2}'))
    assert (args, kwargs) == ([], {"x": 1})


def test_callable_object_with_async_call() -> None:
    class Lookup:
        async def __call__(self, key: str) -> str:
            return key.upper()

    tool = function_tool(name_override="lookup")(Lookup())
    assert tool.name == "lookup" and list(tool.params_json_schema["properties"]) == ["key"]
