"""Compatibility with the OpenAI Agents SDK 0.25.0's "preserve wire aliases when replaying Responses items"
(#5638): an item the openai package parses with a renamed field (``async`` is ``async_`` in Python) goes back to
the API, or into a session, under its wire name; and "trace offered tools on Chat Completions generation spans"
(#5635): a Chat Completions call's ``chat`` span records the offered tools as a Responses call's does; and
"replay ID-less assistant output" / "restore checkpointed assistant text" in Chat Completions (#5419, #5628).

Learnt from the SDK 0.25's ``items.py`` / ``memory/openai_conversations_session.py`` (``model_dump(by_alias=True)``)
and its tests (``test_async_function_call_replay_uses_wire_alias_and_strips_created_by``,
``test_function_call_wire_alias_survives_session_round_trip``); checked over the real wire (the local fake server).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import ResponseCustomToolCall
from support import Tracing

from agents_otel import Agent, CustomTool, OpenAIProvider, RunConfig, Runner, RunState, function_tool
from agents_otel.input_items import conversation_items
from agents_otel.models._openai_chat_input import chat_messages
from agents_otel.models.openai_responses import responses_input


async def test_a_replayed_custom_tool_call_keeps_its_async_wire_name(fake_openai: FakeOpenAIServer) -> None:
    call = {"type": "custom_tool_call", "id": "ctc_1", "call_id": "call_1", "name": "run_sql", "input": "select 1",
            "status": "completed", "async": True}  # fmt: skip
    fake_openai.enqueue(hosted_calls=[call])
    fake_openai.enqueue(text="done")
    provider = OpenAIProvider(base_url=fake_openai.base_url, api_key="sk-test")
    sql = CustomTool("run_sql", "Runs SQL.", lambda ctx, text: "1 row")
    result = await Runner.run(Agent("A", tools=[sql]), "hi", run_config=RunConfig(model_provider=provider))
    assert result.final_output == "done"
    replayed = [i for i in fake_openai.last_request.body["input"] if i.get("type") == "custom_tool_call"]
    assert replayed and replayed[0]["async"] is True and "async_" not in replayed[0]
    assert all("async_" not in item for item in result.to_input_list())
    await provider.aclose()


def test_an_openai_item_given_as_input_keeps_its_wire_names() -> None:
    call = ResponseCustomToolCall.model_validate(
        {"type": "custom_tool_call", "call_id": "call_1", "name": "run_sql", "input": "select 1", "async": True}
    )
    items: Any = conversation_items([{"role": "user", "content": "hi"}, call])
    (sent,) = [i for i in responses_input(items) if i.get("type") == "custom_tool_call"]
    assert sent["async"] is True and "async_" not in sent


# --- offered tools on Chat Completions spans (#5635) -----------------------------------------------------------


@pytest.mark.parametrize("capture", [True, False])
async def test_a_chat_completions_span_records_the_offered_tools_as_a_responses_one_does(
    fake_openai: FakeOpenAIServer, tracing: Tracing, capture: bool
) -> None:
    """Ours already did (the ``chat`` span is built from the request, whatever the API): pinned here."""

    @function_tool
    def lookup_inventory(sku: str) -> str:
        """Look up a product by SKU."""
        return "available"

    definitions = []
    for use_responses in (False, True):
        fake_openai.enqueue(text="ok")
        provider = OpenAIProvider(base_url=fake_openai.base_url, api_key="sk-test", use_responses=use_responses)
        agent = Agent("A", tools=[lookup_inventory], handoffs=[Agent("support")])
        config = RunConfig(model_provider=provider, tracer_provider=tracing.provider, capture_content=capture)
        await Runner.run(agent, "hi", run_config=config)
        await provider.aclose()
        body = fake_openai.last_request.body
        sent = [t["function"]["name"] if "function" in t else t["name"] for t in body["tools"]]
        assert sent == ["lookup_inventory", "transfer_to_support"]
        (chat,) = [s for s in tracing.spans() if s.name.startswith("chat ")]
        tracing.exporter.clear()
        definitions.append((chat.attributes or {}).get("gen_ai.tool.definitions"))
    chat_definitions, responses_definitions = definitions
    assert chat_definitions == responses_definitions
    if not capture:
        assert chat_definitions is None
    else:
        offered = json.loads(str(chat_definitions))
        assert [t["name"] for t in offered] == ["lookup_inventory", "transfer_to_support"]
        assert "sku" in offered[0]["parameters"]["properties"]


# --- assistant text replayed on Chat Completions (#5419, #5628) ------------------------------------------------


async def test_plain_assistant_text_stays_a_message_of_its_own_across_a_checkpoint(
    fake_openai: FakeOpenAIServer,
) -> None:
    @function_tool(needs_approval=True)
    def record_receipt() -> str:
        return "Recorded."

    fake_openai.enqueue(tool_calls=[("record_receipt", {}, "call_1")])
    fake_openai.enqueue(text="Done.")
    fake_openai.enqueue(text="Done.")
    provider = OpenAIProvider(base_url=fake_openai.base_url, api_key="sk-test", use_responses=False)
    config = RunConfig(model_provider=provider)
    agent = Agent("A", tools=[record_receipt])
    history: list[Any] = [{"role": "user", "content": "Record a receipt."},
                          {"role": "assistant", "content": "I will record it."}]  # fmt: skip
    paused = await Runner.run(agent, history, run_config=config)
    original = paused.to_state()
    restored = await RunState.from_string(agent, original.to_string())
    for state in (original, restored):
        state.approve(state.get_interruptions()[0])
        assert (await Runner.run(agent, state, run_config=config)).final_output == "Done."
    await provider.aclose()
    initial, in_memory, round_trip = [r.body["messages"] for r in fake_openai.requests]
    assert initial == history and in_memory[:2] == history  # the text, not joined by the later tool call
    assert in_memory[2]["tool_calls"][0]["id"] == "call_1" and in_memory[3]["tool_call_id"] == "call_1"
    assert round_trip == in_memory


@pytest.mark.parametrize("with_id", [True, False], ids=["with-id", "session-replay"])
def test_assistant_output_with_or_without_its_id_is_joined_by_its_tool_call(with_id: bool) -> None:
    message = {"type": "message", "role": "assistant", "status": "completed",
               "content": [{"type": "output_text", "text": "Checking.", "annotations": []}]}  # fmt: skip
    if with_id:
        message["id"] = "msg_1"
    call = {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}
    messages = chat_messages(None, conversation_items([message, call]))
    assert messages == [{"role": "assistant", "content": "Checking.", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}]  # fmt: skip
