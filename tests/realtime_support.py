"""What the realtime tests share: a fake Realtime API server fixture and a bounded way to read a session's events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fake_openai.realtime_ws import FakeRealtimeServer

from agents_otel.realtime import RealtimeSession

WAIT = 10.0


@pytest.fixture
async def realtime_server() -> AsyncIterator[FakeRealtimeServer]:
    server = await FakeRealtimeServer().start()
    try:
        yield server
    finally:
        await server.stop()


async def events_until(session: RealtimeSession, done: Callable[[Any], bool]) -> list[Any]:
    """The session's events up to and including the first one ``done`` accepts (a guard fails a hang)."""
    seen: list[Any] = []
    async with asyncio.timeout(WAIT):
        async for event in session:
            seen.append(event)
            if done(event):
                return seen
    return seen


def of_type(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.type == kind]


async def settled(session: RealtimeSession) -> None:
    """Every task the session started (tool calls, guardrail checks) has finished: what they send has been sent."""
    async with asyncio.timeout(WAIT):
        while session._tasks:
            await asyncio.wait(set(session._tasks))
