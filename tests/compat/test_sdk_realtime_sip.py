"""SIP calls, as the OpenAI Agents SDK pins them down: ``OpenAIRealtimeSIPModel`` (and any
``OpenAIRealtimeWebSocketModel`` given ``model_config={"call_id": ...}``) attaches a session to a call that came in
over SIP by connecting to ``/v1/realtime?call_id=<id>`` instead of ``?model=<model>``; its first message is the
agent's ``session.update``, which leaves the call's audio formats alone unless the settings name one; a ``call_id``
with a ``model_name`` is a ``UserError``, and so is the SIP model without a ``call_id``.
``build_initial_session_payload`` is the session a ``RealtimeSession`` would send, as the payload accepting the
call takes. Over a real websocket against ``tests/fake_openai/realtime_ws.py``."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from fake_openai import realtime_ws as ev
from fake_openai.realtime_ws import FakeRealtimeServer
from openai.types.realtime import RealtimeSessionCreateRequest
from realtime_support import events_until, realtime_server

from agents_otel import UserError, function_tool
from agents_otel.realtime import (
    OpenAIRealtimeSIPModel,
    OpenAIRealtimeWebSocketModel,
    RealtimeAgent,
    RealtimePlaybackTracker,
    RealtimeRunner,
    openai_realtime,
)

__all__ = ["realtime_server"]

DOC = (Path(__file__).resolve().parents[2] / "docs" / "realtime.md").read_text()

PHONE_LINE = {"audio": {"input": {"format": {"type": "audio/pcmu"}}, "output": {"format": {"type": "audio/pcmu"}}}}
"""The session of a call that came in over SIP: G.711 µ-law both ways."""


@function_tool
def open_ticket(topic: str) -> str:
    return f"ticket about {topic}"


@function_tool(is_enabled=False)
def hidden() -> str:
    return "never offered"


billing = RealtimeAgent("Billing", instructions="You handle billing.")
agent = RealtimeAgent(
    "Receptionist",
    instructions=lambda ctx, a: f"Greet {ctx.context['caller']}.",
    tools=[open_ticket, hidden],
    handoffs=[billing],
)


@pytest.fixture
def api_at_fake_server(realtime_server: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch) -> FakeRealtimeServer:
    """The default Realtime API address pointed at the fake server, so the URL the model builds is the one used."""
    monkeypatch.setattr(openai_realtime, "REALTIME_URL", realtime_server.url.split("?")[0])
    realtime_server.session = PHONE_LINE
    return realtime_server


@pytest.mark.parametrize("model_class", [OpenAIRealtimeSIPModel, OpenAIRealtimeWebSocketModel])
async def test_attaching_to_a_call_connects_by_call_id_and_first_sends_the_agents_session(
    api_at_fake_server: FakeRealtimeServer, model_class: type[OpenAIRealtimeWebSocketModel]
) -> None:
    runner = RealtimeRunner(agent, model=model_class(), config={"model_settings": {"voice": "verse"}})
    session = await runner.run(context={"caller": "Ada"}, model_config={"call_id": "rtc_42", "api_key": "sk-sip"})
    async with session:
        conn = await api_at_fake_server.connection()
        assert conn.path == "/v1/realtime?call_id=rtc_42"  # the call, not ?model=
        assert conn.headers["authorization"] == "Bearer sk-sip"
        await conn.expect("session.update")
        first = conn.received[0]
        assert first["type"] == "session.update"
        update = first["session"]
        assert update["instructions"] == "Greet Ada."
        assert [t["name"] for t in update["tools"]] == ["open_ticket", "transfer_to_billing"]
        # the call's audio formats stay: none is sent unless the settings name one; the other settings go as usual
        assert "format" not in update["audio"]["input"] and "format" not in update["audio"]["output"]
        assert update["audio"]["output"]["voice"] == "verse"
        assert update["audio"]["input"]["turn_detection"] == {"type": "semantic_vad", "interrupt_response": True}
        assert conn.session["audio"]["output"]["format"] == {"type": "audio/pcmu"}  # the server kept the call's
        await session.send_message("hello")
        assert (await conn.expect("conversation.item.create"))["item"]["content"][0]["text"] == "hello"
        await conn.expect("response.create")


async def test_a_handoff_on_a_call_keeps_the_calls_audio_formats_too(api_at_fake_server: FakeRealtimeServer) -> None:
    session = await RealtimeRunner(agent, model=OpenAIRealtimeSIPModel()).run(
        context={"caller": "Ada"}, model_config={"call_id": "rtc_1", "api_key": "k"}
    )
    async with session:
        conn = await api_at_fake_server.connection()
        await conn.expect("session.update")
        await session.update_agent(billing)
        update = (await conn.expect("session.update"))["session"]
        while update.get("instructions") != "You handle billing.":  # the tracing update on session.created first
            update = (await conn.expect("session.update"))["session"]
        assert "format" not in update["audio"]["input"] and "format" not in update["audio"]["output"]


async def test_formats_named_in_the_settings_are_sent_to_the_call(api_at_fake_server: FakeRealtimeServer) -> None:
    settings: Any = {"input_audio_format": "g711_alaw", "audio": {"output": {"format": "g711_alaw"}}}
    session = await RealtimeRunner(agent, model=OpenAIRealtimeSIPModel()).run(
        context={"caller": "Ada"},
        model_config={"call_id": "rtc_1", "api_key": "k", "initial_model_settings": settings},
    )
    async with session:
        conn = await api_at_fake_server.connection()
        update = (await conn.expect("session.update"))["session"]
        assert update["audio"]["input"]["format"] == {"type": "audio/pcma"}
        assert update["audio"]["output"]["format"] == {"type": "audio/pcma"}


async def test_the_calls_own_audio_format_measures_what_was_heard(api_at_fake_server: FakeRealtimeServer) -> None:
    tracker = RealtimePlaybackTracker()
    session = await RealtimeRunner(agent, model=OpenAIRealtimeSIPModel()).run(
        context={"caller": "Ada"}, model_config={"call_id": "rtc_1", "api_key": "k", "playback_tracker": tracker}
    )
    async with session:
        conn = await api_at_fake_server.connection()
        await conn.expect("session.update")
        await conn.send(ev.response_created("r1"))
        await conn.send(ev.audio_delta("r1", "msg_1", b"\xff" * 800))  # 100 ms of 8 kHz G.711 (17 ms as PCM16)
        await events_until(session, lambda e: e.type == "audio")
        tracker.on_play_ms("msg_1", 0, 60)
        await session.interrupt()
        truncate = await conn.expect("conversation.item.truncate")
        assert truncate["audio_end_ms"] == 60  # not cut to the 17 ms a PCM16 reading would make of it


async def test_a_url_given_is_used_as_it_is(realtime_server: FakeRealtimeServer) -> None:
    url = realtime_server.url.split("?")[0] + "?call_id=rtc_custom&region=eu"
    session = await RealtimeRunner(agent, model=OpenAIRealtimeSIPModel()).run(
        context={"caller": "Ada"}, model_config={"call_id": "rtc_9", "url": url, "headers": {"api-key": "azure"}}
    )
    async with session:
        conn = await realtime_server.connection()
        assert conn.path == "/v1/realtime?call_id=rtc_custom&region=eu"
        assert conn.headers["api-key"] == "azure" and "authorization" not in conn.headers


async def test_the_sip_model_needs_a_call_id_and_a_call_takes_no_model_name(
    api_at_fake_server: FakeRealtimeServer,
) -> None:
    with pytest.raises(UserError, match="call_id"):
        await OpenAIRealtimeSIPModel().connect({"api_key": "k", "initial_model_settings": {}})
    with pytest.raises(UserError, match="model_name"):
        await OpenAIRealtimeWebSocketModel().connect(
            {"api_key": "k", "call_id": "rtc_1", "initial_model_settings": {"model_name": "gpt-realtime-mini"}}
        )
    session = await RealtimeRunner(agent, model=OpenAIRealtimeSIPModel()).run(
        context={"caller": "Ada"}, model_config={"api_key": "k"}
    )
    with pytest.raises(UserError, match="call_id"):
        await session.enter()
    assert api_at_fake_server._connections.empty()  # nothing connected


async def test_build_initial_session_payload_is_what_the_session_would_send() -> None:
    payload = await OpenAIRealtimeSIPModel.build_initial_session_payload(
        agent,
        context={"caller": "Grace"},
        model_config={"initial_model_settings": {"voice": "marin"}},
        run_config={"model_settings": {"voice": "verse", "speed": 1.1}},
    )
    assert isinstance(payload, RealtimeSessionCreateRequest)
    sent = payload.model_dump(exclude_none=True)
    assert sent["instructions"] == "Greet Grace."
    assert [t["name"] for t in sent["tools"]] == ["open_ticket", "transfer_to_billing"]  # the disabled tool is not
    assert sent["audio"]["output"]["voice"] == "marin"  # model_config's settings over the run's
    assert sent["audio"]["output"]["speed"] == 1.1
    assert sent["audio"]["output"]["format"] == {"type": "audio/pcm", "rate": 24000}  # the SDK's default, as there


async def test_build_initial_session_payload_overrides_win_and_new_tools_are_filtered() -> None:
    @function_tool
    def lookup_order(order_id: str) -> str:
        return order_id

    payload = await OpenAIRealtimeSIPModel.build_initial_session_payload(
        agent,
        context={"caller": "Grace"},
        overrides={"instructions": "Say hello.", "tools": [lookup_order, hidden], "output_audio_format": "g711_ulaw"},
    )
    sent = payload.model_dump(exclude_none=True)
    assert sent["instructions"] == "Say hello."
    assert [t["name"] for t in sent["tools"]] == ["lookup_order", "transfer_to_billing"]
    assert sent["audio"]["output"]["format"] == {"type": "audio/pcmu"}


async def test_the_docs_example_accepts_then_attaches(
    api_at_fake_server: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/realtime.md's SIP block needs the real API (the docs test only compiles it): here it runs as written,
    the accept call recorded and the Realtime API address pointed at the fake server."""
    import openai

    (block,) = [b for b in re.findall(r"^```python\n(.*?)^```", DOC, re.S | re.M) if "OpenAIRealtimeSIPModel" in b]
    accepted: list[tuple[str, dict[str, Any]]] = []

    class Calls:
        async def accept(self, call_id: str, **body: Any) -> None:
            accepted.append((call_id, body))

    class Client:
        realtime = type("Realtime", (), {"calls": Calls()})()

    monkeypatch.setattr(openai, "AsyncOpenAI", Client)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-docs")
    namespace: dict[str, Any] = {"__name__": "docs_block"}
    exec(compile(block, "realtime.md", "exec"), namespace)
    task = asyncio.create_task(namespace["answer"]("rtc_docs"))
    conn = await api_at_fake_server.connection()
    assert conn.path == "/v1/realtime?call_id=rtc_docs"
    assert (await conn.expect("session.update"))["session"]["instructions"].startswith("Greet the caller")
    await conn.close()  # the caller hangs up: the session's iteration ends
    async with asyncio.timeout(10):
        await task
    ((call_id, body),) = accepted
    assert call_id == "rtc_docs" and body["type"] == "realtime" and body["instructions"].startswith("Greet the caller")
