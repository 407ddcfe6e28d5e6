"""The hot path's shortcuts build exactly what the documented constructors build.

Why: tool calls build their identity, run items and stream events by slot stores, and validate arguments against
the argument model's inner schema, because the generated keyword-only ``__init__`` and the model instance cost
several times more per call. A field added to one of these classes, or a pydantic release that validates the inner
schema differently, must fail here rather than reach users as a half-built item or a changed error message.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any, Literal

import pytest
from pydantic import AfterValidator, BaseModel, Field, ValidationError, model_validator

from agents_otel.agent import Agent
from agents_otel.function_schema import function_schema
from agents_otel.items import (
    ToolCallIdentity,
    ToolCallItem,
    ToolCallOutputItem,
    new_identity,
    new_tool_call_item,
    new_tool_call_output_item,
)
from agents_otel.stream_events import RunItemStreamEvent, new_run_item_event
from agents_otel.tool_arguments import _fields_validator, arguments_parser


def _all_fields(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def test_identity_and_items_equal_their_constructors() -> None:
    agent = Agent(name="bench")
    identity = new_identity("call_1", "search", agent, "outer_1")
    assert identity.agent is agent  # kept beside the fields: neither compared nor serialised
    assert _all_fields(identity) == _all_fields(
        ToolCallIdentity(tool_call_id="call_1", tool_name="search", agent_name="bench", parent_tool_call_id="outer_1")
    )
    assert new_tool_call_item(identity, '{"q": 1}') == ToolCallItem(call=identity, arguments='{"q": 1}')
    for output, error_type in (("ok", None), (None, "ValueError")):
        assert new_tool_call_output_item(identity, output, error_type) == ToolCallOutputItem(
            call=identity, output=output, is_error=error_type is not None, error_type=error_type
        )
    item = new_tool_call_item(identity, "{}")
    assert new_run_item_event("tool_called", item) == RunItemStreamEvent("tool_called", item)


class Point(BaseModel):
    x: int
    y: int = 0


def _tool(
    a: int,
    b: str = "b",
    c: list[float] | None = None,
    d: Point | None = None,
    e: Literal["x", "y"] = "x",
    f: Annotated[int, Field(ge=0)] = 1,
    g: Annotated[str, AfterValidator(str.upper)] = "low",
    h: list[int] | None = None,
    i: Annotated[int | None, Field(frozen=True)] = None,
) -> str:
    return ""


# An extra key ("zz") is ignored, as the OpenAI Agents SDK ignores it (tests/compat/test_compat_function_schema.py).
GOOD = [
    '{"a": 1}',
    '{"a": "2", "b": "x", "c": [1, 2.5]}',
    '{"a": 1, "d": {"x": 3}}',
    '{"a": 1, "e": "y", "f": 4}',
    '{"a": 1, "zz": 2}',
    '{"a": 1, "g": "shout", "h": [1, 2], "i": 3}',
    '{"a": 1, "h": null, "i": null}',
]
BAD = ['{"a": "x"}', "{}", "[1]", "not json", '{"a": 1, "f": -1}', '{"a": 1, "d": {"y": 1}}', '{"a": 1, "h": ["x"]}']


def test_the_fast_path_is_taken_for_a_function_tool() -> None:
    assert _fields_validator(function_schema(_tool).arguments_model) is not None


@pytest.mark.parametrize("arguments", GOOD)
def test_valid_arguments_give_the_model_fields(arguments: str) -> None:
    model = function_schema(_tool).arguments_model
    assert arguments_parser(model)(arguments) == dict(model.model_validate_json(arguments).__dict__)


@pytest.mark.parametrize("arguments", BAD)
def test_invalid_arguments_raise_the_model_error(arguments: str) -> None:
    model = function_schema(_tool).arguments_model
    with pytest.raises(ValidationError) as expected:
        model.model_validate_json(arguments)
    with pytest.raises(ValidationError) as got:
        arguments_parser(model)(arguments)
    assert str(got.value) == str(expected.value)
    assert got.value.errors() == expected.value.errors()


class WithValidator(BaseModel):
    a: int

    @model_validator(mode="after")
    def double(self) -> WithValidator:
        self.a *= 2
        return self


def test_a_model_with_validators_keeps_its_own_validator() -> None:
    assert _fields_validator(WithValidator) is None
    assert arguments_parser(WithValidator)(json.dumps({"a": 2})) == {"a": 4}


def test_the_runtime_tool_context_equals_the_constructed_one() -> None:
    from agents_otel.items import FunctionCall
    from agents_otel.models.interface import Usage
    from agents_otel.tool_context import ToolContext

    class Record:  # what for_call reads of a ToolCall
        identity = new_identity("call_1", "search", Agent(name="bench"), None)
        arguments = '{"q": 1}'

    usage, call = Usage(), FunctionCall("search", '{"q": 1}', "call_1")
    fast = ToolContext.for_call(Record, "agent", {"app": 1}, usage, call)  # type: ignore[arg-type]
    built = ToolContext(
        {"app": 1},
        usage,
        tool_name="search",
        tool_call_id="call_1",
        tool_arguments='{"q": 1}',
        tool_call=call,
        agent="agent",  # type: ignore[arg-type]
    )
    built._call = Record  # type: ignore[assignment]
    # The one difference: the runtime's keeps its record and shows the SDK's type; a hand-made one what it was given.
    fast_vars, built_vars = dict(vars(fast)), dict(vars(built))
    assert fast_vars.pop("_record") is call and built_vars.pop("_given_tool_call") is call
    assert fast_vars == built_vars
    assert fast.tool_call.call_id == "call_1" and type(fast.tool_call).__name__ == "ResponseFunctionToolCall"
    assert fast._call_record() is call and built.tool_call is call
    assert fast.progress_sent == [] and fast.progress_sent is not built.progress_sent
