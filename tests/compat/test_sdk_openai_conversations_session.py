"""Compatibility: ``OpenAIConversationsSession``, the OpenAI Agents SDK's session kept in an OpenAI conversation.

Over the real wire: the official ``openai`` client against the local fake server, which stores each conversation's
items as the Conversations API does. What the SDK's tests pin down: the conversation is created on first use (not
by the constructor, not by ``add_items([])``), ``session_id`` is a ``ValueError`` before that, ``get_items`` reads
oldest first (the latest ``limit`` when limited, ``limit=0`` without asking), ``pop_item`` deletes the latest item,
``clear_session`` deletes the conversation (and the next use starts a new one), and a run with the session reads
the history and appends its turns.

``add_items`` sends more than 20 items in several calls (the API takes at most 20 per call), as the SDK does since
0.24 (test_sdk_024_behaviour_sessions.py pins the rest of that).
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing

from agents_otel import (
    Agent,
    OpenAIConversationsSession,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    SessionSettings,
    UserError,
    function_tool,
)
from agents_otel.openai_conversations_session import start_openai_conversations_session


def texts(items: list[dict[str, Any]]) -> list[str]:
    """Each message's text (the API stores a message's content as parts), or the item's type."""
    return [
        "".join(part.get("text", "") for part in item["content"])
        if item.get("type", "message") == "message"
        else item["type"]
        for item in items
    ]


def conversation_requests(server: FakeOpenAIServer) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.requests if "/conversations" in r.path]


async def test_the_conversation_is_created_on_first_use_only(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    with pytest.raises(ValueError, match="no conversation yet"):
        _ = session.session_id
    await session.add_items([])
    await session.clear_session()  # nothing to delete
    assert conversation_requests(fake_openai) == []
    await session.add_items([{"role": "user", "content": "hi"}])
    conversation_id = session.session_id
    assert conversation_requests(fake_openai) == [
        ("POST", "/v1/conversations"),
        ("POST", f"/v1/conversations/{conversation_id}/items"),
    ]
    assert fake_openai.requests_to("/v1/conversations")[0].body == {"items": []}


async def test_an_existing_conversation_is_continued(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    conversation_id = await start_openai_conversations_session(client)
    first = OpenAIConversationsSession(conversation_id=conversation_id, openai_client=client)
    assert first.session_id == conversation_id
    await first.add_items([{"role": "user", "content": "one"}])
    again = OpenAIConversationsSession(conversation_id=conversation_id, openai_client=client)
    assert texts(await again.get_items()) == ["one"]
    assert len(fake_openai.requests_to("/v1/conversations")) == 1  # only the explicit start


async def test_items_read_oldest_first_and_limited_to_the_latest(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    await session.add_items([{"role": "user", "content": f"m{i}"} for i in range(130)])  # several create calls
    creates = [r for r in fake_openai.requests if r.method == "POST" and r.path.endswith("/items")]
    assert [len(r.body["items"]) for r in creates] == [20] * 6 + [10]
    every = await session.get_items()
    assert texts(every) == [f"m{i}" for i in range(130)]  # more than one page, in order
    assert all(item["id"] and item["role"] == "user" for item in every)
    assert texts(await session.get_items(limit=3)) == ["m127", "m128", "m129"]
    assert texts(await session.get_items(limit=120)) == [f"m{i}" for i in range(10, 130)]  # a limit above a page
    before = len(fake_openai.requests)
    assert await session.get_items(limit=0) == []
    assert len(fake_openai.requests) == before  # limit=0 asks nothing (the API refuses it)


async def test_session_settings_limit_is_the_default(client: openai.AsyncOpenAI) -> None:
    session = OpenAIConversationsSession(openai_client=client, session_settings={"limit": 2})
    assert session.session_settings == SessionSettings(limit=2)
    await session.add_items([{"role": "user", "content": c} for c in "abcd"])
    assert texts(await session.get_items()) == ["c", "d"]
    assert texts(await session.get_items(limit=3)) == ["b", "c", "d"]  # an explicit limit wins
    with pytest.raises(UserError, match="unknown SessionSettings"):
        OpenAIConversationsSession(openai_client=client, session_settings={"limt": 2})


async def test_pop_item_deletes_the_latest(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    assert await session.pop_item() is None
    await session.add_items([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}])
    popped = await session.pop_item()
    assert popped is not None and texts([popped]) == ["a"] and popped["role"] == "assistant"
    assert texts(await session.get_items()) == ["q"]
    assert fake_openai.requests[-2].method == "DELETE"
    assert fake_openai.requests[-2].path.endswith(f"/items/{popped['id']}")


async def test_clear_session_deletes_the_conversation(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    await session.add_items([{"role": "user", "content": "q"}])
    old = session.session_id
    await session.clear_session()
    assert old not in fake_openai.conversations
    with pytest.raises(ValueError):
        _ = session.session_id
    assert await session.get_items() == []  # a new, empty conversation
    assert session.session_id != old


async def test_a_failed_delete_keeps_the_id_to_retry(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    session = OpenAIConversationsSession(conversation_id="conv_gone", openai_client=client)
    with pytest.raises(openai.NotFoundError):
        await session.clear_session()
    assert session.session_id == "conv_gone"


async def test_two_runs_share_the_history_over_the_wire(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    @function_tool
    def lookup(city: str) -> str:
        return f"{city}: sunny"

    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny in Paris.")
    fake_openai.enqueue(text="You asked about Paris.")
    agent = Agent("A", tools=[lookup], model=OpenAIResponsesModel("gpt-test", openai_client=client))
    session = OpenAIConversationsSession(openai_client=client)

    first = await Runner.run(agent, "Weather in Paris?", session=session, run_config=tracing.config)
    assert first.final_output == "Sunny in Paris."
    stored = fake_openai.conversations[session.session_id]
    assert [item["type"] for item in stored] == ["message", "function_call", "function_call_output", "message"]

    second = await Runner.run(agent, "What did I ask?", session=session, run_config=tracing.config)
    assert second.final_output == "You asked about Paris."
    sent = fake_openai.requests_to("/responses")[-1].body["input"]
    assert [item.get("type", "message") for item in sent] == [
        "message", "function_call", "function_call_output", "message", "message",
    ]
    assert sent[0]["content"][0]["text"] == "Weather in Paris?"
    assert sent[2]["call_id"] == "c1" and sent[2]["output"] == "Paris: sunny"
    assert sent[-1]["content"] in ("What did I ask?", [{"type": "input_text", "text": "What did I ask?"}])
    assert len(fake_openai.conversations[session.session_id]) == 6
    # The conversation's id is the run's conversation id, on every span (known once the history was read).
    spans = tracing.spans()
    assert spans and {s.attributes.get("gen_ai.conversation.id") for s in spans} == {session.session_id}


async def test_a_run_limit_reads_the_latest_items(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    await session.add_items([{"role": "user", "content": c} for c in ("old", "older answer", "recent")])
    fake_openai.enqueue(text="ok")
    agent = Agent("A", model=OpenAIResponsesModel("gpt-test", openai_client=client))
    await Runner.run(agent, "now", session=session, run_config=RunConfig(session_settings=SessionSettings(limit=1)))
    sent = fake_openai.requests_to("/responses")[-1].body["input"]
    assert [texts([i])[0] if isinstance(i.get("content"), list) else i["content"] for i in sent] == ["recent", "now"]
