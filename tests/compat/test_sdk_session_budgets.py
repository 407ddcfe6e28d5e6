"""Compatibility: the SDK's opt-in read budgets for sessions (0.23): ``EncryptedSession(max_scan_items=)`` and
``OpenAIResponsesCompactionSession(max_rollback_items=)``, on a real ``SQLiteSession`` that records what it was
asked for.

As in the SDK: ``max_scan_items`` bounds the items one ``get_items`` fetches in all (windows grow by doubling, and
count again); unreadable items (here sealed under another key) do not use up the caller's ``limit`` but do use up
the budget; a read that cannot finish within it is a ``RuntimeError``; a negative limit with a budget is a
``ValueError``; ``None`` keeps the old unbounded reads; the budget must be positive. ``max_rollback_items`` bounds
the whole-history snapshot a compaction replaces: a larger history is a ``ValueError`` before any API call, the
history kept; reads ask for one item over the budget.
Learnt from the SDK's tests/extensions/memory/test_encrypt_session.py and
tests/memory/test_openai_responses_compaction_session.py.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from cryptography.fernet import Fernet
from fake_openai.server import FakeOpenAIServer

from agents_otel import OpenAIResponsesCompactionSession, SQLiteSession
from agents_otel.extensions.memory import EncryptedSession

KEY = Fernet.generate_key().decode()
OTHER_KEY = Fernet.generate_key().decode()


class CountingStore(SQLiteSession):
    """A real SQLite store that records each ``get_items`` limit."""

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id)
        self.limits: list[int | None] = []

    async def get_items(self, limit: int | None = None, **kwargs: Any) -> list[Any]:
        self.limits.append(limit)
        return await super().get_items(limit)


def msg(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


async def store_with(readable: int, unreadable_after: int) -> CountingStore:
    """``readable`` items sealed with KEY, then ``unreadable_after`` sealed with another key (newest last)."""
    store = CountingStore("s")
    await EncryptedSession("s", store, KEY).add_items([msg(f"r{i}") for i in range(readable)])
    await EncryptedSession("s", store, OTHER_KEY).add_items([msg(f"x{i}") for i in range(unreadable_after)])
    store.limits.clear()
    return store


@pytest.mark.parametrize("bad", [0, -1, True, 2.5])
def test_max_scan_items_must_be_positive(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_scan_items"):
        EncryptedSession("s", SQLiteSession("s"), KEY, max_scan_items=bad)


async def test_without_a_budget_reads_are_unbounded() -> None:
    store = await store_with(3, 5)
    session = EncryptedSession("s", store, KEY)
    assert session.max_scan_items is None
    assert [m["content"] for m in await session.get_items()] == ["r0", "r1", "r2"]
    assert store.limits == [None]
    assert [m["content"] for m in await session.get_items(limit=2)] == ["r1", "r2"]
    assert store.limits[1:] == [2, 4, 8]  # doubling past the unreadable items


async def test_a_budget_bounds_the_growing_windows() -> None:
    store = await store_with(3, 5)
    session = EncryptedSession("s", store, KEY, max_scan_items=20)
    assert [m["content"] for m in await session.get_items(limit=2)] == ["r1", "r2"]
    assert store.limits == [2, 4, 8]  # 14 fetched of 20
    store.limits.clear()
    assert [m["content"] for m in await session.get_items()] == ["r0", "r1", "r2"]  # the budget is the window
    assert store.limits == [20]


async def test_an_exhausted_budget_is_a_runtime_error() -> None:
    store = await store_with(2, 6)
    session = EncryptedSession("s", store, KEY, max_scan_items=7)
    with pytest.raises(RuntimeError, match="max_scan_items exhausted"):
        await session.get_items(limit=1)
    assert store.limits == [1, 2, 4]  # 1 + 2 + 4 = 7: the next window would be empty
    store.limits.clear()
    with pytest.raises(RuntimeError, match="max_scan_items"):
        await session.get_items()  # a full first window may be the whole store, and cannot be known to be
    assert store.limits == [7]


async def test_a_negative_limit_with_a_budget_is_a_value_error_and_zero_reads_nothing() -> None:
    store = await store_with(2, 0)
    session = EncryptedSession("s", store, KEY, max_scan_items=5)
    with pytest.raises(ValueError, match="non-negative"):
        await session.get_items(limit=-1)
    assert await session.get_items(limit=0) == [] and store.limits == []


# ---- OpenAIResponsesCompactionSession(max_rollback_items=) ------------------------------------------------------


def history(n: int) -> list[dict[str, Any]]:
    return [{"type": "message", "role": "assistant", "content": f"a{i}"} for i in range(n)]


@pytest.mark.parametrize("bad", [0, -3, False])
def test_max_rollback_items_must_be_positive(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_rollback_items"):
        OpenAIResponsesCompactionSession("s", SQLiteSession("s"), max_rollback_items=bad)


async def test_a_history_over_the_rollback_budget_is_kept_and_nothing_is_sent(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    store = CountingStore("s")
    await store.add_items(history(4))
    session = OpenAIResponsesCompactionSession("s", store, client=client, compaction_mode="input",
                                               max_rollback_items=3)
    store.limits.clear()
    with pytest.raises(ValueError, match="exceeds max_rollback_items"):
        await session.run_compaction({"force": True})
    assert fake_openai.requests_to("/responses/compact") == []
    assert await store.get_items() == history(4)
    assert 4 in store.limits and not any(limit is not None and limit > 4 for limit in store.limits)


async def test_a_history_within_the_rollback_budget_compacts(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    store = CountingStore("s")
    await store.add_items(history(3))
    session = OpenAIResponsesCompactionSession("s", store, client=client, compaction_mode="input",
                                               max_rollback_items=3)
    assert session.max_rollback_items == 3
    await session.run_compaction({"force": True})
    assert len(fake_openai.requests_to("/responses/compact")) == 1
    assert [item["type"] for item in await store.get_items()] == ["compaction"]
