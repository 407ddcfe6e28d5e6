"""SDK 0.24 "batch OpenAI conversation session writes within the API limit", over the real wire (the official
``openai`` client against the local fake server).

``add_items`` writes in calls of at most 20 items, in order. A write of several calls never lets the client retry
one (a call whose answer was lost may have been saved: the retry would save it twice), stops at the first failure
(the calls before it stay saved, the error is raised), and reads through the same session wait for it to finish.
A one-call write keeps the client's retries.
"""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer

from agents_otel import OpenAIConversationsSession


def messages(count: int) -> list[dict[str, Any]]:
    return [{"role": "user", "content": f"message {i}"} for i in range(count)]


def stored_texts(server: FakeOpenAIServer, conversation_id: str) -> list[str]:
    return ["".join(p.get("text", "") for p in item["content"]) for item in server.conversations[conversation_id]]


def writes(server: FakeOpenAIServer) -> list[int]:
    return [
        len(r.body["items"]) for r in server.requests  # type: ignore[index]
        if r.method == "POST" and r.path.endswith("/items")
    ]


@pytest.mark.parametrize(("count", "sizes"), [(20, [20]), (21, [20, 1]), (41, [20, 20, 1])])
async def test_writes_go_in_calls_of_at_most_twenty_in_order(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, count: int, sizes: list[int]
) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    await session.add_items(messages(count))
    assert writes(fake_openai) == sizes
    assert stored_texts(fake_openai, session.session_id) == [f"message {i}" for i in range(count)]


@pytest.mark.parametrize("lost", [1, 2])
async def test_a_batched_call_whose_answer_was_lost_is_not_retried(fake_openai: FakeOpenAIServer, lost: int) -> None:
    async with fake_openai.client(max_retries=3) as client:
        session = OpenAIConversationsSession(openai_client=client)
        await session.add_items(messages(1))  # the conversation exists
        fake_openai.item_write_failures.extend([0] * (lost - 1) + [500])
        with pytest.raises(openai.InternalServerError):
            await session.add_items(messages(41))
        assert client.max_retries == 3  # the caller's client is left as it was
    assert writes(fake_openai) == [1, *[20] * lost]  # no retry, and nothing after the failed call
    assert len(fake_openai.conversations[session.session_id]) == 1 + 20 * lost  # each saved once


async def test_a_one_call_write_keeps_the_clients_retries(fake_openai: FakeOpenAIServer) -> None:
    async with fake_openai.client(max_retries=2) as client:
        session = OpenAIConversationsSession(openai_client=client)
        await session.add_items(messages(1))
        fake_openai.item_write_failures.append(503)
        await session.add_items(messages(3))  # retried once, and succeeds
    assert writes(fake_openai) == [1, 3, 3]


async def test_a_read_waits_for_a_batched_write(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    await session.add_items(messages(1))
    # gather starts the writer first: it holds the session before the reader asks
    _, seen = await asyncio.gather(session.add_items(messages(45)), session.get_items())
    assert len(seen) == 46  # all of the write, never a part of it
