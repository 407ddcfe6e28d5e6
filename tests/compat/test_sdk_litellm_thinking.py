"""Compatibility: the SDK's ``LitellmModel`` sends a thinking model's provider state back with the tool results.

Over the real wire: LiteLLM's own Anthropic and Gemini code talks HTTP to local fakes of those providers' APIs
(``tests/fake_providers``), so each test runs LiteLLM's request building, response parsing and streaming, and
asserts what reached the provider.

- Claude extended thinking with tools: the turn's signed ``thinking`` blocks (and ``redacted_thinking`` ones) must
  come back, first in the assistant turn, with its tool results. As the SDK does: read into the reasoning item (whole
  in ``provider_data``), sent back as LiteLLM's ``thinking_blocks`` when ``ModelSettings.reasoning.effort`` is set and
  the model is a Claude model, only to the model that wrote them.
- Gemini thinking models with function calling: each call comes back with its ``thoughtSignature``. As the SDK does:
  read from LiteLLM's ``provider_specific_fields`` into the call's ``provider_data`` (its id without LiteLLM's
  ``__thought__`` suffix), sent back on the same call; a call of the current turn without one gets
  ``skip_thought_signature_validator``.

Both survive ``RunState`` JSON and ``to_input_list()`` (what a session stores).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from adapter_support import run
from fake_providers import FakeAnthropicServer, FakeGeminiServer
from openai.types.chat import ChatCompletion
from openai.types.shared import Reasoning
from support import Tracing, run_in_mode

from agents_otel import Agent, ModelSettings, Runner, RunState, function_tool
from agents_otel.extensions.models.litellm_model import LitellmModel
from agents_otel.items import FunctionCall, ProviderDataCall, RawInputItem, UserMessage
from agents_otel.models._openai_chat_input import ReasoningReplay, chat_messages
from agents_otel.models.openai_chatcompletions import model_response
from agents_otel.models.openai_responses import responses_input

MODES = ["plain", "streamed"]
CLAUDE = "anthropic/claude-sonnet-4-5"
GEMINI = "gemini/gemini-2.5-flash"
THINKING = {"type": "thinking", "thinking": "The user wants Paris weather.", "signature": "sig-claude-1"}
REDACTED = {"type": "redacted_thinking", "data": "EmwKAhgBEgy3redacted"}
TOOL_USE = {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}}
SIGNATURE = "Q2lRQjRZN3NpZ25hdHVyZQ=="
SKIP = "skip_thought_signature_validator"
EFFORT = ModelSettings(reasoning=Reasoning(effort="low"))


@function_tool
def get_weather(city: str) -> str:
    return f"Sunny in {city}"


@function_tool(needs_approval=True)
def book_trip(city: str) -> str:
    return f"Booked {city}"


@pytest.fixture
def anthropic() -> Any:
    with FakeAnthropicServer() as server:
        yield server


@pytest.fixture
def gemini() -> Any:
    with FakeGeminiServer() as server:
        yield server


def claude(server: FakeAnthropicServer, settings: ModelSettings = EFFORT, **kwargs: Any) -> Agent[Any]:
    model = LitellmModel(CLAUDE, base_url=server.base_url, api_key="sk-ant-test")
    return Agent("A", model=model, model_settings=settings, **{"tools": [get_weather], **kwargs})


def gemini_agent(server: FakeGeminiServer, **kwargs: Any) -> Agent[Any]:
    model = LitellmModel(GEMINI, base_url=server.base_url, api_key="gemini-test")
    return Agent("G", model=model, **{"tools": [get_weather], **kwargs})


def assistant_turn(server: FakeAnthropicServer, request: int = 1) -> list[dict[str, Any]]:
    """The content blocks of the first assistant turn in request ``request`` to the fake Anthropic API."""
    turns = [m for m in server.requests[request].body["messages"] if m["role"] == "assistant"]
    return turns[0]["content"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------------------ Anthropic


@pytest.mark.parametrize("mode", MODES)
async def test_claudes_signed_thinking_blocks_go_back_with_the_tool_results(
    mode: str, anthropic: FakeAnthropicServer, tracing: Tracing
) -> None:
    anthropic.enqueue([THINKING, REDACTED, TOOL_USE])
    anthropic.enqueue([{"type": "text", "text": "Sunny."}])
    result = await run(claude(anthropic), mode, tracing)
    assert result.final_output == "Sunny."
    first = anthropic.requests[0]
    assert first.path == "/v1/messages" and first.body["thinking"]["type"] == "enabled"
    assert first.body.get("stream", False) is (mode == "streamed")
    # The turn as Claude wrote it: the signed block and the redacted one, in order, before the tool use.
    assert assistant_turn(anthropic) == [THINKING, REDACTED, TOOL_USE]
    assert anthropic.requests[1].body["messages"][-1]["content"][0]["type"] == "tool_result"
    # The reasoning item the run shows: the text, the signature, and the blocks whole for the replay.
    assert [i.type for i in result.new_items][:2] == ["reasoning_item", "tool_call_item"]
    raw = result.new_items[0].raw_item
    assert [c.text for c in raw.content] == [THINKING["thinking"]] and raw.encrypted_content == "sig-claude-1"
    blocks = raw.model_dump()["provider_data"]["thinking_blocks"]
    assert [{k: v for k, v in b.items() if k != "index"} for b in blocks] == [THINKING, REDACTED]
    assert raw.model_dump()["provider_data"]["model"] == CLAUDE


async def test_without_reasoning_effort_no_thinking_blocks_go_back(
    anthropic: FakeAnthropicServer, tracing: Tracing
) -> None:
    """The SDK's condition: blocks go back only when ``reasoning.effort`` asks for thinking."""
    anthropic.enqueue([THINKING, TOOL_USE])
    anthropic.enqueue([{"type": "text", "text": "Sunny."}])
    result = await run(claude(anthropic, ModelSettings()), "plain", tracing)
    assert result.new_items[0].type == "reasoning_item"
    assert assistant_turn(anthropic) == [TOOL_USE]


@pytest.mark.parametrize("mode", MODES)
async def test_thinking_blocks_survive_a_run_state_round_trip(mode: str, anthropic: FakeAnthropicServer) -> None:
    """Paused on an approval after the thinking turn, saved as JSON, resumed: the blocks still go back."""
    anthropic.enqueue([THINKING, REDACTED, {**TOOL_USE, "name": "book_trip"}])
    anthropic.enqueue([{"type": "text", "text": "Booked."}])
    agent = claude(anthropic, tools=[book_trip])
    paused = await run_in_mode(agent, mode, "hi")
    state = paused.to_state()
    saved = json.loads(json.dumps(state.to_json()))
    restored = await RunState.from_json(agent, saved)
    restored.approve(restored.get_interruptions()[0])
    result = await Runner.run(agent, restored)
    assert result.final_output == "Booked."
    assert assistant_turn(anthropic) == [THINKING, REDACTED, {**TOOL_USE, "name": "book_trip"}]


async def test_thinking_blocks_go_back_from_a_saved_input_list(anthropic: FakeAnthropicServer) -> None:
    """``to_input_list()`` (what a session stores) keeps the blocks: the next run sends the earlier turn's."""
    anthropic.enqueue([THINKING, TOOL_USE])
    anthropic.enqueue([{"type": "text", "text": "Sunny."}])
    anthropic.enqueue([{"type": "text", "text": "Still sunny."}])
    agent = claude(anthropic)
    first = await Runner.run(agent, "hi")
    saved = json.loads(json.dumps(first.to_input_list()))
    await Runner.run(agent, [*saved, {"role": "user", "content": "and now?"}])
    assert assistant_turn(anthropic, 2) == [THINKING, TOOL_USE]


def test_another_models_blocks_stay_home() -> None:
    """Signatures verify only for the model that made them: another Claude's blocks are not sent, nor any to a
    model that is not Claude; an item of unknown origin (no provider data but the blocks) goes back."""
    item = RawInputItem(
        {"type": "reasoning", "summary": [], "provider_data": {"model": CLAUDE, "thinking_blocks": [THINKING]}}
    )
    call = FunctionCall("get_weather", "{}", "toolu_01")

    def sent(model: str, reasoning: RawInputItem = item) -> dict[str, Any]:
        replay = ReasoningReplay(model, thinking_blocks=True)
        return chat_messages(None, [UserMessage("hi"), reasoning, call], replay)[1]

    assert sent(CLAUDE)["thinking_blocks"] == [THINKING]
    assert "thinking_blocks" not in sent("anthropic/claude-opus-4-1")
    assert "thinking_blocks" not in sent("openai/gpt-5")
    unknown = RawInputItem({"type": "reasoning", "summary": [], "provider_data": {"thinking_blocks": [THINKING]}})
    assert sent("anthropic/claude-opus-4-1", unknown)["thinking_blocks"] == [THINKING]


def test_an_item_without_kept_blocks_has_them_rebuilt_ahead_of_the_content() -> None:
    """A reasoning item stored without ``provider_data`` blocks (as older SDK versions kept it): its text parts and
    newline-joined signatures become thinking blocks ahead of the turn's content, as the SDK rebuilds them."""
    item = RawInputItem(
        {
            "type": "reasoning",
            "summary": [],
            "content": [{"type": "reasoning_text", "text": "one"}, {"type": "reasoning_text", "text": "two"}],
            "encrypted_content": "sig-1\nsig-2",
        }
    )
    replay = ReasoningReplay(CLAUDE, thinking_blocks=True)
    call = FunctionCall("get_weather", "{}", "toolu_01")
    (_, sent) = chat_messages(None, [UserMessage("hi"), item, call], replay)
    assert sent["content"] == [
        {"type": "thinking", "thinking": "one", "signature": "sig-1"},
        {"type": "thinking", "thinking": "two", "signature": "sig-2"},
    ]
    assert sent["tool_calls"][0]["id"] == "toolu_01"


# ------------------------------------------------------------------------------------------------ Gemini


def gemini_turn(server: FakeGeminiServer, request: int = 1) -> list[dict[str, Any]]:
    (turn,) = [c for c in server.requests[request].body["contents"] if c["role"] == "model"]
    return turn["parts"]  # type: ignore[no-any-return]


SIGNED_CALL = {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": SIGNATURE}
UNSIGNED_CALL = {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}}


@pytest.mark.parametrize("mode", MODES)
async def test_geminis_thought_signatures_go_back_on_their_calls(
    mode: str, gemini: FakeGeminiServer, tracing: Tracing
) -> None:
    gemini.enqueue([{"text": "Weather lookups.", "thought": True}, SIGNED_CALL, UNSIGNED_CALL])
    gemini.enqueue([{"text": "Sunny."}])
    result = await run(gemini_agent(gemini), mode, tracing)
    assert result.final_output == "Sunny."
    endpoint = ":streamGenerateContent" if mode == "streamed" else ":generateContent"
    assert gemini.requests[0].path.startswith(f"/models/gemini-2.5-flash{endpoint}")
    # Each call as Gemini wrote it, with its signature; the unsigned one with the SDK's skip marker.
    assert gemini_turn(gemini) == [
        {"function_call": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": SIGNATURE},
        {"function_call": {"name": "get_weather", "args": {"city": "Rome"}}, "thoughtSignature": SKIP},
    ]
    calls = [i for i in result.to_input_list() if i.get("type") == "function_call"]
    assert all("__thought__" not in c["call_id"] for c in calls)  # LiteLLM's id suffix is not the call's id
    assert calls[0]["provider_data"]["thought_signature"] == SIGNATURE
    assert calls[0]["provider_data"]["model"] == GEMINI
    assert "provider_data" not in calls[1]


@pytest.mark.parametrize("mode", MODES)
async def test_thought_signatures_survive_a_run_state_round_trip(mode: str, gemini: FakeGeminiServer) -> None:
    gemini.enqueue([{**SIGNED_CALL, "functionCall": {"name": "book_trip", "args": {"city": "Paris"}}}])
    gemini.enqueue([{"text": "Booked."}])
    agent = gemini_agent(gemini, tools=[book_trip])
    paused = await run_in_mode(agent, mode, "hi")
    saved = json.loads(json.dumps(paused.to_state().to_json()))
    text = json.dumps(saved)  # the signature is kept on the call, not in LiteLLM's id suffix
    assert f'"thought_signature": "{SIGNATURE}"' in text and "__thought__" not in text
    restored = await RunState.from_json(agent, saved)
    restored.approve(restored.get_interruptions()[0])
    assert (await Runner.run(agent, restored)).final_output == "Booked."
    assert gemini_turn(gemini) == [
        {"function_call": {"name": "book_trip", "args": {"city": "Paris"}}, "thoughtSignature": SIGNATURE}
    ]


async def test_thought_signatures_go_back_from_a_saved_input_list(gemini: FakeGeminiServer) -> None:
    """A saved input list that ends in the calls' outputs (a session's turn, resumed): the signature goes back."""
    gemini.enqueue([SIGNED_CALL])
    gemini.enqueue([{"text": "Sunny."}])
    gemini.enqueue([{"text": "Sunny again."}])
    agent = gemini_agent(gemini)
    first = await Runner.run(agent, "hi")
    saved = json.loads(json.dumps(first.to_input_list()))
    cut = saved[: 1 + max(i for i, item in enumerate(saved) if item.get("type") == "function_call_output")]
    (call,) = [item for item in cut if item.get("type") == "function_call"]
    assert call["provider_data"]["thought_signature"] == SIGNATURE and "__thought__" not in call["call_id"]
    assert (await Runner.run(agent, cut)).final_output == "Sunny again."
    assert gemini_turn(gemini, 2)[0]["thoughtSignature"] == SIGNATURE


def test_a_signature_goes_only_to_gemini_in_googles_form() -> None:
    """On the Chat Completions path (Google's OpenAI-compatible endpoint) a call's signature goes back as Google's
    ``extra_content``, to a Gemini model only."""
    call = ProviderDataCall("get_weather", "{}", "call_1", {"thought_signature": SIGNATURE})
    sent = chat_messages(None, [UserMessage("hi"), call], ReasoningReplay("gemini-2.5-pro"))
    assert sent[1]["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": SIGNATURE}}
    other = chat_messages(None, [UserMessage("hi"), call], ReasoningReplay("gpt-4.1"))
    assert "extra_content" not in other[1]["tool_calls"][0]


def test_googles_extra_content_signature_is_read_on_the_chat_completions_path() -> None:
    """Google's OpenAI-compatible endpoint puts the signature in ``extra_content``: read for any model (as the SDK's
    converter does); the Responses API never gets the ``provider_data``."""
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    message = {"role": "assistant", "content": None, "tool_calls": [
        {**call, "extra_content": {"google": {"thought_signature": SIGNATURE}}},
        {**call, "id": "call_2"},
    ]}
    completion = ChatCompletion.model_validate(
        {"id": "c1", "object": "chat.completion", "created": 0, "model": "gemini-2.5-pro",
         "choices": [{"index": 0, "finish_reason": "tool_calls", "message": message}]}
    )
    signed, plain = model_response(completion).output
    assert type(signed) is ProviderDataCall and type(plain) is FunctionCall
    assert signed.provider_data == {"model": "gemini-2.5-pro", "response_id": "c1", "thought_signature": SIGNATURE}
    assert responses_input([signed]) == [
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"}
    ]
