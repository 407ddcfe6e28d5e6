"""Compatibility: structured tool outputs as in the OpenAI Agents SDK — a function tool returning ``ToolOutputText``,
``ToolOutputImage``, ``ToolOutputFileContent``, their dict forms (``{"type": "image", ...}``) or a list of them
answers its call with Responses API content parts (``input_text``, ``input_image``, ``input_file``) instead of text.

The conversion cases follow the SDK's tests/test_tool_output_conversion.py (through ``ItemHelpers
.tool_call_output_item``, as there): single objects, dict forms, mixed lists, extra keys ignored, and every
near-miss (no source, unknown shape, one stray entry in a list, an empty list) left as text. Deliberate differences,
asserted here: a value left as text is its JSON, as for any structured return value (the SDK: ``str()``, a Python
repr); and on Chat Completions, whose tool messages take text only, an image or file part is a ``UserError`` (the SDK
drops it, or sends a placeholder when nothing else is left).
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pydantic
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import ResponseFunctionToolCall
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    ItemHelpers,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    RunState,
    ToolCallOutputItem,
    ToolOutputFileContent,
    ToolOutputFileContentDict,
    ToolOutputImage,
    ToolOutputImageDict,
    ToolOutputText,
    ToolOutputTextDict,
    UserError,
    function_tool,
)
from agents_otel.server.event_json import event_to_json
from agents_otel.testing import ScriptedModel, assistant_message, function_call

PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="  # noqa: E501
IMAGE_PART = {"type": "input_image", "image_url": PNG, "detail": "low"}
CALL = ResponseFunctionToolCall(id="fc_1", arguments="{}", call_id="call-1", name="dummy", type="function_call")


def converted(output: Any) -> Any:
    item = ItemHelpers.tool_call_output_item(CALL, output)
    assert (item["type"], item["call_id"]) == ("function_call_output", "call-1")
    return item["output"]


# ---- the conversion, case by case (the SDK's tests/test_tool_output_conversion.py) --------------------------


class FalsyText(ToolOutputText):
    def __bool__(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("output", "parts"),
    [
        (ToolOutputText(text="hello"), [{"type": "input_text", "text": "hello"}]),
        (ToolOutputImage(image_url=PNG), [{"type": "input_image", "image_url": PNG}]),
        (
            ToolOutputImage(file_id="file_123", detail="high"),
            [{"type": "input_image", "file_id": "file_123", "detail": "high"}],
        ),
        (
            ToolOutputFileContent(file_data="ZmFrZQ==", filename="foo.txt"),
            [{"type": "input_file", "file_data": "ZmFrZQ==", "filename": "foo.txt"}],
        ),
        (
            ToolOutputFileContent(file_id="file_456", filename="report.pdf"),
            [{"type": "input_file", "file_id": "file_456", "filename": "report.pdf"}],
        ),
        (
            ToolOutputFileContent(file_url="https://example.com/r.pdf"),
            [{"type": "input_file", "file_url": "https://example.com/r.pdf"}],
        ),
        (
            [
                ToolOutputText(text="a"),
                ToolOutputImage(image_url="http://ex/i.png"),
                ToolOutputFileContent(file_data="Zg=="),
            ],
            [
                {"type": "input_text", "text": "a"},
                {"type": "input_image", "image_url": "http://ex/i.png"},
                {"type": "input_file", "file_data": "Zg=="},
            ],
        ),
        ((ToolOutputText(text="t"),), [{"type": "input_text", "text": "t"}]),  # a tuple, like a list
        ([FalsyText(text="hello")], [{"type": "input_text", "text": "hello"}]),  # kept, however it tests as a bool
        ({"type": "text", "text": "hey"}, [{"type": "input_text", "text": "hey"}]),
        (
            {"type": "image", "image_url": "http://ex/i.png", "detail": "auto"},
            [{"type": "input_image", "image_url": "http://ex/i.png", "detail": "auto"}],
        ),
        ({"type": "image", "file_id": "file_123"}, [{"type": "input_image", "file_id": "file_123"}]),
        (
            {"type": "file", "file_data": "foobar", "filename": "report.pdf"},
            [{"type": "input_file", "file_data": "foobar", "filename": "report.pdf"}],
        ),
        (
            {"type": "file", "file_url": "https://ex/r.pdf", "filename": "r.pdf"},
            [{"type": "input_file", "file_url": "https://ex/r.pdf", "filename": "r.pdf"}],
        ),
        ({"type": "file", "file_id": "file_9"}, [{"type": "input_file", "file_id": "file_9"}]),
        (  # keys the type does not have are ignored
            {"type": "image", "image_url": "http://ex/i.png", "foobar": 213},
            [{"type": "input_image", "image_url": "http://ex/i.png"}],
        ),
        (
            [
                {"type": "text", "text": "hello"},
                {"type": "image", "image_url": "http://ex/i.png"},
                {"type": "file", "file_id": "f"},
            ],
            [
                {"type": "input_text", "text": "hello"},
                {"type": "input_image", "image_url": "http://ex/i.png"},
                {"type": "input_file", "file_id": "f"},
            ],
        ),
        (  # objects and dict forms mixed in one list
            [ToolOutputText(text="see:"), {"type": "image", "image_url": "http://ex/i.png"}],
            [{"type": "input_text", "text": "see:"}, {"type": "input_image", "image_url": "http://ex/i.png"}],
        ),
    ],
)
def test_structured_outputs_become_content_parts(output: Any, parts: list[dict[str, Any]]) -> None:
    assert converted(output) == parts


@pytest.mark.parametrize(
    "output",
    [
        {"type": "text"},
        {"type": "image"},
        {"type": "file"},
        {},
        {"msg": "1234"},
        {"type": "image", "location": "/path/to/img.png"},
        {"type": "file", "path": "/path/to/file.txt"},
        {"type": "text", "text": 5},  # not text
        {"type": "video", "url": "http://ex/v.mp4"},
        {"type": ["image"], "image_url": "http://ex/i.png"},  # an unhashable type: still just data
        [{"msg": "foobar"}],
        [{"type": "text", "text": "hello"}, {"msg": "foobar"}],  # all or nothing
        [ToolOutputText(text="a"), 3],
        [],
        (),
    ],
)
def test_anything_else_stays_text_as_json(output: Any) -> None:
    # Deliberate difference: the SDK's text is str(output) ("{'type': 'text'}"); here it is JSON, as for every
    # structured return value.
    expected = json.dumps(output, separators=(",", ":"), default=lambda model: model.model_dump())
    assert converted(output) == expected


def test_plain_values_are_unchanged() -> None:
    assert converted("hello") == "hello"
    assert converted(None) == ""
    assert converted({"city": "Paris"}) == '{"city":"Paris"}'


def test_an_image_or_file_without_a_source_is_a_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="image_url or file_id"):
        ToolOutputImage()
    with pytest.raises(pydantic.ValidationError, match="file_data, file_url or file_id"):
        ToolOutputFileContent(filename="x.pdf")
    with pytest.raises(pydantic.ValidationError):
        ToolOutputImage(image_url=PNG, detail="huge")  # type: ignore[arg-type]
    assert ToolOutputImage(image_url=PNG).type == "image"
    assert ToolOutputText(text="x").model_dump() == {"type": "text", "text": "x"}


def test_the_dict_forms_are_typed_dicts() -> None:
    text: ToolOutputTextDict = {"type": "text", "text": "a"}
    image: ToolOutputImageDict = {"type": "image", "file_id": "f"}
    file: ToolOutputFileContentDict = {"type": "file", "file_url": "https://ex/r.pdf"}
    assert [p["type"] for p in converted([text, image, file])] == ["input_text", "input_image", "input_file"]


# ---- through a run -------------------------------------------------------------------------------------------


@function_tool
def snapshot(label: str) -> list[ToolOutputText | ToolOutputImage]:
    """Take a snapshot."""
    return [ToolOutputText(text=f"{label}:"), ToolOutputImage(image_url=PNG, detail="low")]


@function_tool
def snapshot_dict() -> ToolOutputImageDict:
    """Take a snapshot as a dict."""
    return {"type": "image", "image_url": PNG, "detail": "low"}


@function_tool
def report() -> ToolOutputFileContent:
    """Attach the report."""
    return ToolOutputFileContent(file_data="JVBERi0=", filename="r.pdf")


def _agent(model: Any, *tools: Any) -> Agent[Any]:
    return Agent("A", tools=list(tools) or [snapshot], model=model)


async def test_the_model_reads_the_parts_and_the_item_keeps_the_value() -> None:
    model = ScriptedModel([[function_call("snapshot", {"label": "now"}, call_id="c1")], [assistant_message("ok")]])
    result = await Runner.run(_agent(model), "look")
    parts = [{"type": "input_text", "text": "now:"}, IMAGE_PART]
    assert model.calls[1].input[-1].output == parts  # type: ignore[union-attr]
    (item,) = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert [type(v) for v in item.output] == [ToolOutputText, ToolOutputImage]  # as returned, as in the SDK
    expected = {"type": "function_call_output", "call_id": "c1", "output": parts}
    assert item.raw_item == expected and item.to_input_item() == expected
    assert expected in result.to_input_list()


async def test_the_dict_form_reaches_the_model_the_same_way() -> None:
    model = ScriptedModel([[function_call("snapshot_dict", {}, call_id="c1")], [assistant_message("ok")]])
    await Runner.run(_agent(model, snapshot_dict), "look")
    assert model.calls[1].input[-1].output == [IMAGE_PART]  # type: ignore[union-attr]


@pytest.mark.parametrize("streamed", [False, True])
async def test_responses_api_gets_the_parts_on_the_wire(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, streamed: bool
) -> None:
    fake_openai.enqueue(tool_calls=[("snapshot", {"label": "now"}, "c1")])
    fake_openai.enqueue(tool_calls=[("report", {}, "c2")])
    fake_openai.enqueue(text="Seen.")
    agent = _agent(wire_model("responses", client), snapshot, report)
    if streamed:
        result: Any = Runner.run_streamed(agent, "look")
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "look")
    assert result.final_output == "Seen."
    sent = fake_openai.requests[2].body["input"]
    outputs = {i["call_id"]: i["output"] for i in sent if i.get("type") == "function_call_output"}
    assert outputs == {
        "c1": [{"type": "input_text", "text": "now:"}, IMAGE_PART],
        "c2": [{"type": "input_file", "file_data": "JVBERi0=", "filename": "r.pdf"}],
    }


async def test_chat_completions_sends_text_parts(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    @function_tool
    def notes() -> list[ToolOutputText]:
        """Read the notes."""
        return [ToolOutputText(text="one"), ToolOutputText(text="two")]

    fake_openai.enqueue(tool_calls=[("notes", {}, "c1")])
    fake_openai.enqueue(text="Read.")
    result = await Runner.run(_agent(wire_model("chat", client), notes), "read")
    assert result.final_output == "Read."
    (tool_message,) = [m for m in fake_openai.requests[1].body["messages"] if m["role"] == "tool"]
    assert tool_message == {
        "role": "tool",
        "tool_call_id": "c1",
        "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
    }


@pytest.mark.parametrize("tool", [snapshot, report], ids=["image", "file"])
async def test_chat_completions_refuses_an_image_or_file_rather_than_drop_it(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tool: Any
) -> None:
    # Deliberate difference: the SDK sends the text parts only (a placeholder when none is left).
    fake_openai.enqueue(tool_calls=[(tool.name, {"label": "x"} if tool is snapshot else {}, "c1")])
    fake_openai.enqueue(text="never")
    with pytest.raises(UserError, match="Chat Completions tool message takes text only; use OpenAIResponsesModel"):
        await Runner.run(_agent(wire_model("chat", client), tool), "look")
    assert len(fake_openai.requests) == 1  # nothing was sent without the image


async def test_traces_and_stream_events_carry_json_never_a_repr(tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("snapshot", {"label": "now"}, call_id="c1")], [assistant_message("ok")]])
    config = RunConfig(tracer_provider=tracing.provider, capture_content=True)
    result = Runner.run_streamed(_agent(model), "look", run_config=config)
    events = [e async for e in result.stream_events()]

    (output_event,) = [e for e in events if isinstance(e, RunItemStreamEvent) and e.name == "tool_output"]
    assert isinstance(output_event.item, ToolCallOutputItem)
    assert isinstance(output_event.item.output[1], ToolOutputImage)
    as_json = event_to_json(output_event)
    assert as_json is not None
    assert as_json["output"] == [
        {"type": "text", "text": "now:"},
        {"type": "image", "image_url": PNG, "file_id": None, "detail": "low"},
    ]

    span_result = tracing.tool_span("c1").attributes["gen_ai.tool.call.result"]  # type: ignore[index]
    assert isinstance(span_result, str) and "ToolOutput" not in span_result
    payload = PNG.partition(",")[2]
    assert json.loads(span_result) == [  # the parts the model read; the inline image as its size only
        {"type": "input_text", "text": "now:"},
        {"type": "input_image", "image_url": f"data:image/png;base64,[{len(payload)} chars omitted]", "detail": "low"},
    ]
    second_chat = tracing.named("chat")[1]
    messages = json.loads(str(second_chat.attributes["gen_ai.input.messages"]))  # type: ignore[index]
    (tool_message,) = [m for m in messages if m["role"] == "tool"]
    assert tool_message["parts"] == [
        {
            "type": "tool_call_response",
            "id": "c1",
            "response": [{"type": "text", "content": "now:"}, {"type": "input_image"}],
        }
    ]
    assert payload not in json.dumps(messages)


async def test_a_saved_run_resumes_with_the_parts() -> None:
    @function_tool(needs_approval=True)
    def publish() -> str:
        """Publish the snapshot."""
        return "published"

    model = ScriptedModel(
        [
            [function_call("snapshot", {"label": "now"}, call_id="c1"), function_call("publish", {}, call_id="c2")],
            [assistant_message("done")],
        ]
    )
    agent = _agent(model, snapshot, publish)
    paused = await Runner.run(agent, "look")
    state = await RunState.from_string(agent, paused.to_state().to_string())
    state.approve(state.interruptions[0])
    result = await Runner.run(agent, state)
    assert result.final_output == "done"
    sent = {i.call_id: i.output for i in model.calls[-1].input if i.type == "function_call_output"}  # type: ignore[union-attr]
    assert sent == {"c1": [{"type": "input_text", "text": "now:"}, IMAGE_PART], "c2": "published"}
    outputs = [i for i in result.new_items if isinstance(i, ToolCallOutputItem) and i.call_id == "c1"]
    assert [o.to_input_item()["output"] for o in outputs] == [[{"type": "input_text", "text": "now:"}, IMAGE_PART]]


async def test_parts_given_as_input_are_a_tool_output_on_either_api(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    history: list[Any] = [
        {"role": "user", "content": "read"},
        {"type": "function_call", "call_id": "c1", "name": "notes", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": [{"type": "input_text", "text": "one"}]},
    ]
    fake_openai.enqueue(text="Read.")
    await Runner.run(Agent("A", model=wire_model("chat", client)), history)
    (tool_message,) = [m for m in fake_openai.requests[0].body["messages"] if m["role"] == "tool"]
    assert tool_message["content"] == [{"type": "text", "text": "one"}]
    fake_openai.enqueue(text="Read.")
    await Runner.run(Agent("A", model=wire_model("responses", client)), history)
    assert fake_openai.requests[1].body["input"][-1] == history[-1]


async def test_the_mcp_server_sends_text_and_inline_images_and_refuses_the_rest() -> None:
    from mcp import Client, types

    from agents_otel.mcp import create_mcp_server

    async with Client(create_mcp_server([snapshot, report])) as session:
        shown = await session.call_tool("snapshot", {"label": "now"})
        refused = await session.call_tool("report", {})
    assert not shown.is_error
    assert shown.content == [
        types.TextContent(type="text", text="now:"),
        types.ImageContent(type="image", data=PNG.partition(",")[2], mime_type="image/png"),
    ]
    assert refused.is_error
    assert refused.content == [
        types.TextContent(
            type="text",
            text="Tool 'report' returned an input_file part that MCP cannot carry here (only text, and images given "
            "inline as a data: URL)",
        )
    ]
