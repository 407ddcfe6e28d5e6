"""Compatibility: run input in every form the OpenAI Agents SDK accepts, reaching real models over the wire.

Regression (issue 10): dict input items reached both OpenAI models as an empty input, and crashed content capture
with ``AttributeError: 'dict' object has no attribute 'call_id'``. The wire tests use the official ``openai``
client against the local OpenAI-compatible server in ``tests/fake_openai`` (real HTTP, nothing mocked).
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import ResponseOutputMessage, ResponseOutputText
from support import Tracing

from agents_otel import (
    Agent,
    AssistantMessage,
    FunctionCall,
    FunctionCallOutput,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RawInputItem,
    RunConfig,
    Runner,
    SystemMessage,
    UserError,
    UserMessage,
)
from agents_otel.input_items import conversation_items, input_list
from agents_otel.testing import ScriptedModel, assistant_message

IMAGE = {"type": "input_image", "image_url": "https://example.com/cat.png", "detail": "low"}

SDK_FORMS: list[dict[str, Any]] = [
    {"role": "system", "content": "Be terse."},
    {"role": "developer", "content": [{"type": "input_text", "text": "Use metric units."}]},
    {"role": "user", "content": "hi"},
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "look"}, IMAGE]},
    {
        "type": "message",
        "role": "assistant",
        "id": "msg_1",
        "status": "completed",
        "content": [{"type": "output_text", "text": "Checking.", "annotations": []}],
    },
    {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": '{"q": "x"}', "id": "fc_1"},
    {"type": "function_call_output", "call_id": "c1", "output": "found"},
    {"role": "assistant", "content": "It is found."},
]


def test_every_sdk_input_form_becomes_a_conversation_item() -> None:
    assert conversation_items(SDK_FORMS) == [
        SystemMessage("Be terse."),
        SystemMessage([{"type": "input_text", "text": "Use metric units."}], "developer"),
        UserMessage("hi"),
        UserMessage([{"type": "input_text", "text": "look"}, IMAGE]),
        AssistantMessage("Checking."),
        FunctionCall("lookup", '{"q": "x"}', "c1"),
        FunctionCallOutput("c1", "found"),
        AssistantMessage("It is found."),
    ]


def test_a_string_is_one_user_message_and_items_pass_as_they_are() -> None:
    assert conversation_items("hello") == [UserMessage("hello")]
    own = [UserMessage("a"), FunctionCallOutput("c", "o")]
    assert conversation_items(own) == own


def test_openai_package_objects_are_taken_as_their_dicts() -> None:
    message = ResponseOutputMessage(
        id="m",
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text="from the API", annotations=[])],
    )
    assert conversation_items([message]) == [AssistantMessage("from the API")]


def test_unknown_item_types_pass_through_untouched() -> None:
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "thought"}]}
    reference = {"type": "item_reference", "id": "msg_9"}
    assert conversation_items([reasoning, reference]) == [RawInputItem(reasoning), RawInputItem(reference)]


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ({"role": "tool", "content": "x"}, "role 'tool'"),
        ({"role": "user"}, "content"),
        ({"role": "user", "content": 5}, "content"),
        ({"role": "user", "content": [{"text": "no type"}]}, "without a 'type'"),
        ({"type": "function_call", "name": "f", "arguments": "{}"}, "call_id"),
        ({"type": "function_call_output", "call_id": "c"}, "output"),
        ({"content": "no role"}, "role None"),
        (42, "int"),
        ({"type": "message", "role": "assistant", "content": [{"type": "input_image", "image_url": "u"}]}, "text"),
    ],
)
def test_input_no_model_could_take_is_a_user_error(item: Any, fragment: str) -> None:
    with pytest.raises(UserError, match=fragment):
        conversation_items([item])


def test_a_dict_as_the_whole_input_is_a_user_error() -> None:
    with pytest.raises(UserError, match="list"):
        conversation_items({"role": "user", "content": "hi"})  # type: ignore[arg-type]


def test_to_input_list_round_trips() -> None:
    items = conversation_items(SDK_FORMS)
    assert conversation_items(input_list(items)) == items


async def test_scripted_model_receives_dict_input(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    await Runner.run(Agent(name="A", model=model), SDK_FORMS, run_config=tracing.config)
    assert model.calls[0].input == conversation_items(SDK_FORMS)


async def test_dict_input_with_content_capture_is_traced(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    config = RunConfig(tracer_provider=tracing.provider, capture_content=True)
    await Runner.run(Agent(name="A", model=model), SDK_FORMS, run_config=config)
    (chat,) = tracing.named("chat")
    messages = json.loads(chat.attributes["gen_ai.input.messages"])  # type: ignore[index,arg-type]
    assert [m["role"] for m in messages] == ["system", "developer", "user", "assistant", "tool", "assistant"]
    assert messages[2]["parts"] == [
        {"type": "text", "content": "hi"},
        {"type": "text", "content": "look"},
        {"type": "uri", "modality": "image", "uri": "https://example.com/cat.png"},
    ]
    assert {"type": "tool_call", "id": "c1", "name": "lookup", "arguments": {"q": "x"}} in messages[3]["parts"]



async def test_responses_api_receives_every_form(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="done")
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": []}
    agent = Agent(name="A", model=OpenAIResponsesModel("gpt-test", openai_client=client))
    result = await Runner.run(agent, [*SDK_FORMS, reasoning], run_config=tracing.config)
    assert result.final_output == "done"
    assert fake_openai.last_request.body["input"] == [
        {"role": "system", "content": "Be terse."},
        {"role": "developer", "content": [{"type": "input_text", "text": "Use metric units."}]},
        {"role": "user", "content": "hi"},
        {"role": "user", "content": [{"type": "input_text", "text": "look"}, IMAGE]},
        {"role": "assistant", "content": "Checking."},
        {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": '{"q": "x"}'},
        {"type": "function_call_output", "call_id": "c1", "output": "found"},
        {"role": "assistant", "content": "It is found."},
        reasoning,
    ]


async def test_chat_completions_api_receives_every_form(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="done")
    agent = Agent(name="A", instructions="Agent rules.", model=OpenAIChatCompletionsModel("m", openai_client=client))
    await Runner.run(agent, SDK_FORMS, run_config=tracing.config)
    call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "x"}'}}
    assert fake_openai.last_request.body["messages"] == [
        {"role": "system", "content": "Agent rules."},
        {"role": "system", "content": "Be terse."},
        {"role": "developer", "content": "Use metric units."},
        {"role": "user", "content": "hi"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
            ],
        },
        {"role": "assistant", "content": "Checking.", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "found"},
        {"role": "assistant", "content": "It is found."},
    ]


async def test_chat_completions_refuses_items_it_cannot_send(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    agent = Agent(name="A", model=OpenAIChatCompletionsModel("m", openai_client=client))
    with pytest.raises(UserError, match="web_search_call"):
        await Runner.run(
            agent, [{"type": "web_search_call", "id": "ws", "status": "completed"}], run_config=tracing.config
        )
    assert fake_openai.requests == []


@pytest.mark.parametrize("api", ["responses", "chat"])
async def test_a_conversation_continues_from_to_input_list(
    api: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Rome.")
    fake_openai.enqueue(text="You asked about Rome.")
    model = (
        OpenAIResponsesModel("m", openai_client=client)
        if api == "responses"
        else OpenAIChatCompletionsModel("m", openai_client=client)
    )
    agent = Agent(name="A", model=model)
    first = await Runner.run(agent, [{"role": "user", "content": "Capital of Italy?"}], run_config=tracing.config)
    follow = [*first.to_input_list(), {"role": "user", "content": "What did I ask?"}]
    second = await Runner.run(agent, follow, run_config=tracing.config)
    assert second.final_output == "You asked about Rome."
    body = fake_openai.last_request.body
    sent = body["input"] if api == "responses" else body["messages"]
    assert [m["content"] for m in sent] == ["Capital of Italy?", "Rome.", "What did I ask?"]


async def test_a_session_keeps_every_input_form(tracing: Tracing) -> None:
    # Sessions store the same Responses-format dicts as to_input_list(); every form read back is the same item.
    from agents_otel import SQLiteSession

    session = SQLiteSession("conv-1")
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": []}
    model = ScriptedModel([[assistant_message("first")], [assistant_message("second")]])
    agent = Agent(name="A", model=model)
    await Runner.run(agent, [*SDK_FORMS, reasoning], session=session, run_config=tracing.config)
    await Runner.run(agent, "and now?", session=session, run_config=tracing.config)
    expected = [*conversation_items(SDK_FORMS), RawInputItem(reasoning), AssistantMessage("first")]
    assert model.calls[1].input == [*expected, UserMessage("and now?")]
    assert conversation_items(await session.get_items()) == [
        *expected,
        UserMessage("and now?"),
        AssistantMessage("second"),
    ]
