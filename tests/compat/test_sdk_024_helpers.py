"""Compatibility (SDK 0.23/0.24): ``ItemHelpers`` for declared tool outputs and program callers, the structured tool
outputs' validator name, and ``Trace.export()`` / ``to_json()``.

Learnt from the SDK's items.py (``tool_call_output_item``, ``copy_tool_call_caller``), tool.py
(``check_at_least_one_required_field``) and tracing/traces.py; the cases are our own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pydantic
import pytest
from openai.types.responses import ResponseFunctionToolCall

from agents_otel import ItemHelpers, ToolOutputFileContent, ToolOutputImage, UserError
from agents_otel.items import FunctionCall, ProgramCall


class Weather(pydantic.BaseModel):
    city: str
    degrees: float = pydantic.Field(alias="temp")


def _call(call_id: str = "c1") -> ResponseFunctionToolCall:
    return ResponseFunctionToolCall(type="function_call", call_id=call_id, name="weather", arguments="{}")


def test_an_output_type_adapter_validates_and_dumps_compact_json() -> None:
    adapter = pydantic.TypeAdapter(Weather)
    item = ItemHelpers.tool_call_output_item(_call(), {"city": "Oslo", "temp": 3}, output_type_adapter=adapter)
    assert item == {"type": "function_call_output", "call_id": "c1", "output": '{"city":"Oslo","temp":3.0}'}
    from_text = ItemHelpers.tool_call_output_item(_call(), '{"city": "Å", "temp": 1}', output_type_adapter=adapter)
    assert from_text["output"] == '{"city":"Å","temp":1.0}'  # by alias, and not ASCII-escaped
    with pytest.raises(UserError, match="does not match its declared output schema"):
        ItemHelpers.tool_call_output_item(_call(), {"city": "Oslo"}, output_type_adapter=adapter)
    with pytest.raises(UserError, match="JSON object"):
        ItemHelpers.tool_call_output_item(_call(), [1], output_type_adapter=pydantic.TypeAdapter(list[int]))


def test_an_output_json_schema_asks_for_a_json_object() -> None:
    schema = {"type": "object"}
    item = ItemHelpers.tool_call_output_item(_call(), {"a": [1, 2]}, output_json_schema=schema)
    assert item["output"] == '{"a":[1,2]}'
    assert ItemHelpers.tool_call_output_item(_call(), '{"b": 1}', output_json_schema=schema)["output"] == '{"b":1}'
    for bad in ("not json", "[1]", 5):
        with pytest.raises(UserError, match="requires a JSON object"):
            ItemHelpers.tool_call_output_item(_call(), bad, output_json_schema=schema)


def test_without_a_declared_output_the_conversion_is_unchanged() -> None:
    item = ItemHelpers.tool_call_output_item({"call_id": "c2", "type": "function_call"}, 42)
    assert item == {"type": "function_call_output", "call_id": "c2", "output": "42"}
    image = ItemHelpers.tool_call_output_item(_call(), ToolOutputImage(image_url="https://x/img.png"))
    assert image["output"][0]["type"] == "input_image"


def test_a_program_callers_answer_carries_its_caller() -> None:
    caller = {"type": "program", "caller_id": "prog_1"}
    item = ItemHelpers.tool_call_output_item(ProgramCall("weather", "{}", "c3", caller=caller), "ok")
    assert item["caller"] == caller and item["output"] == "ok"
    assert "caller" not in ItemHelpers.tool_call_output_item(FunctionCall("weather", "{}", "c4"), "ok")
    from_dict = ItemHelpers.tool_call_output_item({"call_id": "c5", "caller": caller}, "ok")
    assert from_dict["caller"] == caller


def test_copy_tool_call_caller_dumps_models_and_leaves_plain_calls_alone() -> None:
    class Caller(pydantic.BaseModel):
        type: str
        caller_id: str
        note: str | None = None

    target: dict[str, Any] = {"type": "function_call_output", "call_id": "c1", "output": "x"}
    got = ItemHelpers.copy_tool_call_caller({"caller": Caller(type="program", caller_id="p")}, target)
    assert got is target and target["caller"] == {"type": "program", "caller_id": "p"}  # exclude_none
    plain: dict[str, Any] = {"call_id": "c1"}
    assert ItemHelpers.copy_tool_call_caller(_call(), plain) == {"call_id": "c1"}


def test_the_structured_outputs_validator_has_the_sdks_name() -> None:
    assert callable(ToolOutputImage.check_at_least_one_required_field)
    assert callable(ToolOutputFileContent.check_at_least_one_required_field)
    with pytest.raises(pydantic.ValidationError):
        ToolOutputImage()
    with pytest.raises(pydantic.ValidationError):
        ToolOutputFileContent(filename="a.txt")
    assert ToolOutputFileContent(file_id="f1").file_id == "f1"


def test_trace_export_and_to_json() -> None:
    """``trace()`` uses the global provider, so this runs in a fresh interpreter."""
    script = textwrap.dedent(
        """
        import json
        from opentelemetry import trace as otel
        from opentelemetry.sdk.trace import TracerProvider
        from agents_otel import trace

        otel.set_tracer_provider(TracerProvider())
        workflow = trace("Nightly", group_id="g1", metadata={"team": "ops"}, tracing={"api_key": "sk-trace"})
        before = workflow.export()
        with workflow:
            out = [workflow.trace_id, workflow.export(), workflow.to_json(),
                   workflow.to_json(include_tracing_api_key=True), workflow.tracing_api_key]
        with trace("Off", disabled=True) as off:
            disabled = off.export()
        print(json.dumps({"before": before, "out": out, "disabled": disabled}))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTS_OTEL_"))}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["before"] is None and report["disabled"] is None  # no id before it starts, none when disabled
    hex_id, exported, plain, keyed, key = report["out"]
    assert len(hex_id) == 32
    assert exported == {
        "object": "trace", "id": f"trace_{hex_id}", "workflow_name": "Nightly", "group_id": "g1",
        "metadata": {"team": "ops"},
    }
    assert plain == exported  # the key only when asked
    assert keyed == {**exported, "tracing_api_key": "sk-trace"} and key == "sk-trace"
