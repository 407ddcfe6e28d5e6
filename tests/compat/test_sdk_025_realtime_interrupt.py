"""Compatibility (SDK 0.25): ``RealtimeSession.interrupt()`` cancels the running response even when the server's
turn detection would cancel on its own.

Learnt from the SDK 0.25 changelog entry "realtime: honor explicit interruption with automatic VAD" (#5427):
``interrupt()`` now forces ``response.cancel`` (``interrupt_response`` cancels on speech, and a text or button
interruption brings none), once per response, and sends none when nothing runs (tests test_openai_realtime.py,
test_session.py). The scenarios are our own, over the websocket to the local fake Realtime server.
"""

from __future__ import annotations

from typing import Any

import pytest
from fake_openai import realtime_ws as ev
from fake_openai.realtime_ws import FakeRealtimeServer
from realtime_support import events_until, realtime_server

from agents_otel.realtime import RealtimeAgent, RealtimeRunner

__all__ = ["realtime_server"]  # the fixture, used by name


@pytest.mark.parametrize("server_cancels", [True, False], ids=["interrupt_response", "no-auto-cancel"])
@pytest.mark.parametrize("running", [True, False], ids=["response-running", "nothing-running"])
async def test_interrupt_cancels_a_running_text_response_once(
    realtime_server: FakeRealtimeServer, server_cancels: bool, running: bool
) -> None:
    settings: Any = {
        "output_modalities": ["text"],
        "turn_detection": {"type": "semantic_vad", "interrupt_response": server_cancels},
    }
    runner = RealtimeRunner(RealtimeAgent("Clerk"), config={"model_settings": settings})
    session = await (await runner.run(model_config={"url": realtime_server.url, "api_key": "sk-test"})).enter()
    conn = await realtime_server.connection()
    async with session:
        await conn.expect("session.update")
        await conn.send(ev.response_created("r1"))
        if not running:
            await conn.send(ev.response_done("r1"))
        await events_until(session, lambda e: e.type == ("agent_start" if running else "agent_end"))
        await session.interrupt()
        await session.interrupt()  # a second press: the response is being cancelled already
        await session.send_message("marker")  # sent after whatever the interruptions sent
        await conn.expect("conversation.item.create")
        assert conn.sent("response.cancel") == ([{"type": "response.cancel"}] if running else [])
