"""Compatibility: a reasoning model's thinking on Chat Completions, as the OpenAI Agents SDK handles it.

A message's ``reasoning_content`` (DeepSeek, vLLM), ``reasoning`` (OpenRouter, Ollama) or ``thinking_blocks``
(Anthropic through LiteLLM) is one ``reasoning`` item before the message and calls: a ``ReasoningItem`` in
``new_items`` whose ``raw_item`` is the SDK's ``ResponseReasoningItem`` (summary, content, ``provider_data``). Streamed,
it comes with the SDK's reasoning events at output index 0, the message and calls after it. On the next request its
text goes back as the SDK sends it: ``reasoning_content`` when ``should_replay_reasoning_content`` (by default:
DeepSeek models only) says so, a ``reasoning`` field's text to the model that wrote it. The ``chat`` span shows the
item as the Responses path does, a ``reasoning`` part. Over the real wire: the official ``openai`` client talking HTTP
to the local fake server. (The event sequences were compared with the SDK 0.24 handler's, chunk for chunk.)
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import ResponseCompletedEvent, ResponseReasoningItem
from support import Tracing

from agents_otel import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RawResponsesStreamEvent,
    ReasoningItem,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    function_tool,
)
from agents_otel.models.reasoning_content_replay import ReasoningContentReplayContext

THOUGHT = "Adding is easy."


@function_tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def chat_agent(client: openai.AsyncOpenAI, model: str = "deepseek-reasoner", hook: Any = None) -> Agent[Any]:
    chat = OpenAIChatCompletionsModel(model, openai_client=client, should_replay_reasoning_content=hook)
    return Agent("A", model=chat, tools=[add])


def script_turns(server: FakeOpenAIServer, field: str = "reasoning_content") -> None:
    """A call after reasoning and a line of text, then the answer."""
    server.enqueue(reasoning=THOUGHT, reasoning_field=field, text="Let me add.", tool_calls=[("add", {"a": 1, "b": 2})])
    server.enqueue(text="3")


def assistant_sent(server: FakeOpenAIServer) -> dict[str, Any]:
    """The first assistant message the last request sent back (the first turn's)."""
    return dict(next(m for m in server.requests[-1].body["messages"] if m["role"] == "assistant"))


def reasoning_of(items: list[Any]) -> ResponseReasoningItem:
    (item,) = [i for i in items if isinstance(i, ReasoningItem)]
    assert item.type == "reasoning_item"
    assert isinstance(item.raw_item, ResponseReasoningItem)
    return item.raw_item


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "streamed"])
async def test_reasoning_content_is_a_reasoning_item_and_goes_back_to_deepseek(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing, stream: bool
) -> None:
    script_turns(fake_openai)
    agent, config = chat_agent(client), RunConfig(tracer_provider=tracing.provider, capture_content=True)
    if stream:
        result: Any = Runner.run_streamed(agent, "1+2?", run_config=config)
        created = [e.item async for e in result.stream_events() if isinstance(e, RunItemStreamEvent)]
        assert [e.type for e in created][:2] == ["reasoning_item", "message_output_item"]
    else:
        result = await Runner.run(agent, "1+2?", run_config=config)

    assert result.final_output == "3"
    assert [i.type for i in result.new_items] == [
        "reasoning_item", "message_output_item", "tool_call_item", "tool_call_output_item", "message_output_item"
    ]
    raw = reasoning_of(result.new_items)
    assert (raw.id, raw.type, [(s.type, s.text) for s in raw.summary]) == (
        "__fake_id__", "reasoning", [("summary_text", THOUGHT)]
    )
    assert raw.content is None and raw.model_dump()["provider_data"] == {
        "model": "deepseek-reasoner", "response_id": "chatcmpl-fake0001"
    }
    # the next request sends it back on the turn's assistant message, as the SDK does for a DeepSeek model
    sent = assistant_sent(fake_openai)
    assert (sent["content"], sent["reasoning_content"]) == ("Let me add.", THOUGHT)
    assert [c["function"]["name"] for c in sent["tool_calls"]] == ["add"]
    # the chat span shows it as the Responses path shows a reasoning item
    first, _ = tracing.named("chat")
    output = json.loads(str((first.attributes or {})["gen_ai.output.messages"]))
    assert [p["type"] for p in output[0]["parts"]] == ["reasoning", "text", "tool_call"]
    # the run's input for a next turn keeps the item as the SDK's to_input_list does
    (kept,) = [i for i in result.to_input_list() if i.get("type") == "reasoning"]
    assert kept["summary"] == [{"text": THOUGHT, "type": "summary_text"}]


async def test_streamed_reasoning_is_the_sdks_event_sequence(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    script_turns(fake_openai)
    result = Runner.run_streamed(chat_agent(client), "1+2?", run_config=tracing.config)
    events = [e.data async for e in result.stream_events() if isinstance(e, RawResponsesStreamEvent)]
    first = events[: next(i for i, e in enumerate(events) if e.type == "response.completed") + 1]

    pieces = ["Adding ", "is ", "easy."]
    assert [(e.type, getattr(e, "output_index", None)) for e in first] == [
        ("response.created", None),
        ("response.output_item.added", 0),
        ("response.reasoning_summary_part.added", 0),
        *[("response.reasoning_summary_text.delta", 0)] * len(pieces),
        ("response.reasoning_summary_part.done", 0),  # the text begins
        ("response.output_item.added", 1),
        ("response.content_part.added", 1),
        *[("response.output_text.delta", 1)] * 3,
        ("response.output_item.added", 2),
        *[("response.function_call_arguments.delta", 2)] * 4,
        ("response.output_item.done", 0),  # the reasoning closes first
        ("response.content_part.done", 1),
        ("response.output_item.done", 2),
        ("response.output_item.done", 1),
        ("response.completed", None),
    ]
    assert [e.sequence_number for e in first] == list(range(len(first)))
    added = first[1].item
    assert isinstance(added, ResponseReasoningItem) and added.summary == []  # as it was announced
    assert [e.delta for e in first if e.type == "response.reasoning_summary_text.delta"] == pieces
    assert {e.summary_index for e in first if "summary" in e.type} == {0}
    done = first[6]
    assert done.part.text == THOUGHT
    completed = first[-1]
    assert isinstance(completed, ResponseCompletedEvent)
    assert [o.type for o in completed.response.output] == ["reasoning", "message", "function_call"]
    streamed = completed.response.output[0]
    assert streamed.model_dump(exclude_unset=True) == reasoning_of(result.new_items).model_dump(exclude_unset=True)
    assert first[-5].item.summary[0].text == THOUGHT  # output_item.done: the whole item


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "streamed"])
async def test_a_reasoning_field_is_reasoning_text_and_goes_back_only_to_its_model(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, stream: bool
) -> None:
    script_turns(fake_openai, field="reasoning")
    agent = chat_agent(client, model="openrouter/some-model")
    if stream:
        result: Any = Runner.run_streamed(agent, "1+2?")
        events = [e.data async for e in result.stream_events() if isinstance(e, RawResponsesStreamEvent)]
        kinds = [e.type for e in events]
        assert kinds[1:3] == ["response.output_item.added", "response.reasoning_text.delta"]
        assert "response.reasoning_summary_part.added" not in kinds
        (text_done,) = [e for e in events if e.type == "response.reasoning_text.done"]
        assert (text_done.text, text_done.output_index, text_done.content_index) == (THOUGHT, 0, 0)
    else:
        result = await Runner.run(agent, "1+2?")
    raw = reasoning_of(result.new_items)
    assert raw.summary == [] and [(c.type, c.text) for c in raw.content or ()] == [("reasoning_text", THOUGHT)]
    assert raw.model_dump()["provider_data"]["_chat_completions_reasoning_field"] == "reasoning"
    sent = assistant_sent(fake_openai)
    assert sent["reasoning"] == THOUGHT and "reasoning_content" not in sent

    # another model is not sent what this one thought
    fake_openai.enqueue(text="4")
    other = chat_agent(client, model="another-model")
    await Runner.run(other, [*result.to_input_list(), {"role": "user", "content": "and 2+2?"}])
    assert "reasoning" not in assistant_sent(fake_openai)


async def test_reasoning_is_not_replayed_to_other_models_by_default(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    script_turns(fake_openai)
    result = await Runner.run(chat_agent(client, model="qwen3"), "1+2?")
    assert isinstance(result.new_items[0], ReasoningItem)
    assert "reasoning_content" not in assistant_sent(fake_openai)


async def test_the_replay_hook_decides_and_sees_what_the_sdk_shows_it(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    seen: list[ReasoningContentReplayContext] = []

    def hook(context: ReasoningContentReplayContext) -> bool:
        seen.append(context)
        return True

    script_turns(fake_openai)
    await Runner.run(chat_agent(client, model="qwen3", hook=hook), "1+2?")
    assert assistant_sent(fake_openai)["reasoning_content"] == THOUGHT
    (context,) = seen
    assert (context.model, context.base_url) == ("qwen3", fake_openai.base_url)  # without the trailing slash
    assert context.reasoning.origin_model == "qwen3"
    assert dict(context.reasoning.provider_data) == {"model": "qwen3", "response_id": "chatcmpl-fake0001"}
    assert context.reasoning.item["summary"] == [{"text": THOUGHT, "type": "summary_text"}]

    script_turns(fake_openai)
    await Runner.run(chat_agent(client, hook=lambda context: False), "1+2?")  # a DeepSeek model, told no
    assert "reasoning_content" not in assistant_sent(fake_openai)


BLOCKS = [
    {"type": "thinking", "thinking": "First this.", "signature": "sig-1"},
    {"type": "redacted_thinking", "data": "opaque"},
    {"type": "thinking", "thinking": "Then that.", "signature": "sig-2"},
]


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "streamed"])
async def test_thinking_blocks_are_kept_whole_on_the_reasoning_item(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, stream: bool
) -> None:
    fake_openai.enqueue(thinking_blocks=BLOCKS, text="Done.")
    agent = Agent("A", model=OpenAIChatCompletionsModel("claude-x", openai_client=client))
    result: Any = Runner.run_streamed(agent, "go") if stream else await Runner.run(agent, "go")
    if stream:
        events = [e.data async for e in result.stream_events() if isinstance(e, RawResponsesStreamEvent)]
        assert [e.type for e in events][:3] == [
            "response.created", "response.output_item.added", "response.output_item.added"
        ]
    raw = reasoning_of(result.new_items)
    assert raw.model_dump()["provider_data"]["thinking_blocks"] == BLOCKS
    if stream:  # the SDK's streamed form: the text joined, the last signature
        assert ([c.text for c in raw.content or ()], raw.encrypted_content) == (["First this.Then that."], "sig-2")
    else:  # a complete message's: a part per block, every signature
        assert [c.text for c in raw.content or ()] == ["First this.", "Then that."]
        assert raw.encrypted_content == "sig-1\nsig-2"
    assert result.final_output == "Done."


CALL_TURN: dict[str, Any] = {"tool_calls": [("add", {"a": 1, "b": 2})]}
OPEN = [("response.created", None), ("response.output_item.added", 0), ("response.reasoning_summary_part.added", 0)]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (  # reasoning, then a call: the call's place is after the reasoning, the part closes as the call begins
            CALL_TURN,
            [
                *OPEN,
                ("response.reasoning_summary_text.delta", 0),
                ("response.reasoning_summary_part.done", 0),
                ("response.output_item.added", 1),
                *[("response.function_call_arguments.delta", 1)] * 4,
                ("response.output_item.done", 0),
                ("response.output_item.done", 1),
                ("response.completed", None),
            ],
        ),
        (  # reasoning alone: the part closes with the item
            {},
            [
                *OPEN,
                ("response.reasoning_summary_text.delta", 0),
                ("response.reasoning_summary_part.done", 0),
                ("response.output_item.done", 0),
                ("response.completed", None),
            ],
        ),
    ],
    ids=["then-a-call", "alone"],
)
async def test_reasoning_before_calls_or_alone_streams_as_the_sdk_streams_it(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, answer: dict[str, Any], expected: list[Any]
) -> None:
    fake_openai.enqueue(reasoning="Hmm.", reasoning_field="reasoning_content", **answer)
    if answer:
        fake_openai.enqueue(text="3")
    result = Runner.run_streamed(chat_agent(client), "1+2?")
    events = [e.data async for e in result.stream_events() if isinstance(e, RawResponsesStreamEvent)]
    first = events[: next(i for i, e in enumerate(events) if e.type == "response.completed") + 1]
    assert [(e.type, getattr(e, "output_index", None)) for e in first] == expected
    output = first[-1].response.output
    assert [o.type for o in output] == ["reasoning", *(["function_call"] if answer else [])]
    assert result.new_items[0].type == "reasoning_item"
    if not answer:  # nothing but reasoning: the run ends there with an empty answer, as the SDK's does
        assert (result.final_output, len(fake_openai.requests)) == ("", 1)


async def test_a_chat_providers_reasoning_is_not_sent_to_the_responses_api(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    script_turns(fake_openai)
    result = await Runner.run(chat_agent(client), "1+2?")
    fake_openai.enqueue(text="4")
    responses = Agent("B", model=OpenAIResponsesModel("gpt-test", openai_client=client))
    await Runner.run(responses, [*result.to_input_list(), {"role": "user", "content": "and 2+2?"}])
    sent = fake_openai.last_request.body["input"]
    assert [i.get("type") for i in sent if i.get("type") == "reasoning"] == []  # as the SDK's Responses model drops it
    assert not any("provider_data" in i or i.get("id") == "__fake_id__" for i in sent)
    assert [i.get("role", i.get("type")) for i in sent] == [
        "user", "assistant", "function_call", "function_call_output", "assistant", "user"
    ]
