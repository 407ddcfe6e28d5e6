"""agents_otel.realtime over a real websocket: ``OpenAIRealtimeWebSocketModel`` talks the OpenAI Realtime API's GA
protocol to the scripted server of ``tests/fake_openai/realtime_ws.py``, as the SDK's ``agents.realtime`` does.

Pinned, as the SDK's realtime tests pin them: the first ``session.update`` carries the agent's instructions
(dynamic ones resolved), its tools and handoffs as functions and the audio settings; a message is
``conversation.item.create`` then ``response.create``; a function call runs the tool and is answered with a
``function_call_output`` item then ``response.create``; a handoff updates the session before it answers; audio goes
in as ``input_audio_buffer.append`` / ``commit`` and comes out as ``audio`` events; an interruption truncates the
answer where playback was; a server error is an ``error`` event and the session goes on; the server closing the
socket ends iteration (normally) or raises (abnormally), never hangs. And the session is OTel spans.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fake_openai import realtime_ws as ev
from fake_openai.realtime_ws import FakeRealtimeServer
from realtime_support import events_until, of_type, realtime_server
from support import Tracing

from agents_otel import ToolContext, function_tool
from agents_otel.realtime import (
    RealtimeAgent,
    RealtimeConnectionClosedError,
    RealtimePlaybackTracker,
    RealtimeRunConfig,
    RealtimeRunner,
    RealtimeSession,
    realtime_handoff,
)

__all__ = ["realtime_server"]

DOC = (Path(__file__).resolve().parents[2] / "docs" / "realtime.md").read_text()

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


@function_tool
def get_weather(ctx: ToolContext[Any], city: str) -> str:
    """Get the weather for a city."""
    ctx.send_progress({"looking_up": city})
    return f"Sunny in {city}"


def instructions(ctx: Any, agent: RealtimeAgent[Any]) -> str:
    return f"You are {agent.name}; the user is {ctx.context['user']}."


billing = RealtimeAgent("Billing", instructions="You handle billing.")
assistant = RealtimeAgent("Assistant", instructions=instructions, tools=[get_weather], handoffs=[billing])


async def open_session(
    server: FakeRealtimeServer, agent: RealtimeAgent[Any] = assistant, config: RealtimeRunConfig | None = None,
    **model_config: Any,
) -> RealtimeSession:
    runner = RealtimeRunner(agent, config=config)
    session = await runner.run(context={"user": "Ada"}, model_config={"url": server.url, "api_key": "sk-test",
                                                                      **model_config})
    return await session.enter()


async def test_the_first_session_update_carries_the_agent_and_a_message_asks_for_a_response(
    realtime_server: FakeRealtimeServer,
) -> None:
    session = await open_session(realtime_server, config={"model_settings": {"voice": "verse"}})
    conn = await realtime_server.connection()
    try:
        assert conn.headers["authorization"] == "Bearer sk-test"
        update = (await conn.expect("session.update"))["session"]
        assert update["type"] == "realtime" and update["model"] == "gpt-realtime"
        assert update["instructions"] == "You are Assistant; the user is Ada."
        tools = {t["name"]: t for t in update["tools"]}
        assert set(tools) == {"get_weather", "transfer_to_billing"}
        assert tools["get_weather"]["type"] == "function"
        assert tools["get_weather"]["parameters"]["properties"]["city"]["type"] == "string"
        assert tools["transfer_to_billing"]["description"].startswith("Handoff to the Billing agent")
        assert update["audio"]["output"] == {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "verse"}
        assert update["audio"]["input"]["turn_detection"] == {"type": "semantic_vad", "interrupt_response": True}
        tracing_update = await conn.expect("session.update")  # after session.created, as the SDK sends it
        assert tracing_update["session"]["tracing"] == "auto"
        await session.send_message("Hello there")
        item = await conn.expect("conversation.item.create")
        assert item["item"] == {"type": "message", "role": "user",
                                "content": [{"type": "input_text", "text": "Hello there"}]}
        await conn.expect("response.create")
    finally:
        await session.close()


async def test_a_tool_call_round_trip_runs_the_tool_and_answers_it(
    realtime_server: FakeRealtimeServer, tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CAPTURE, "true")
    realtime_server.responses = [
        ev.tool_turn("r1", "call_1", "get_weather", {"city": "Paris"}),
        ev.spoken_answer("r2", "msg_2", "It is sunny in Paris.", b"\x00\x01" * 240),
    ]
    session = await open_session(realtime_server, config={"tracer_provider": tracing.provider})
    conn = await realtime_server.connection()
    async with session:
        await session.send_message("Weather in Paris?")
        events = await events_until(session, lambda e: e.type == "agent_end" and e.info.context.usage.requests == 2)
        output = await conn.expect("conversation.item.create")  # the user message
        output = await conn.expect("conversation.item.create")
        assert output["item"] == {"type": "function_call_output", "call_id": "call_1", "output": "Sunny in Paris"}
        types = [e["type"] for e in conn.received]
        first_output = types.index("conversation.item.create", types.index("conversation.item.create") + 1)
        assert types.count("response.create") == 2 and types.index("response.create", first_output) > first_output
    kinds = [e.type for e in events if e.type != "raw_model_event"]
    assert kinds.index("tool_start") < kinds.index("tool_end") < kinds.index("audio")
    (end,) = of_type(events, "tool_end")
    assert end.tool is get_weather and end.output == "Sunny in Paris" and json.loads(end.arguments) == {"city": "Paris"}
    call = next(e for e in events if e.type == "history_added" and e.item.type == "function_call").item
    assert call.call_id == "call_1" and call.name == "get_weather"
    usage = events[-1].info.context.usage
    assert (usage.input_tokens, usage.output_tokens) == (18, 7)

    root = tracing.named("invoke_workflow Realtime Session")[0]
    (agent,) = tracing.named("invoke_agent Assistant")
    tool = tracing.tool_span("call_1")
    assert root.parent is None and agent.parent.span_id == root.context.span_id
    assert tool.parent.span_id == agent.context.span_id and tool.name == "execute_tool get_weather"
    attrs = dict(tool.attributes or {})
    assert attrs["gen_ai.operation.name"] == "execute_tool" and attrs["gen_ai.tool.name"] == "get_weather"
    assert attrs["gen_ai.agent.name"] == "Assistant" and attrs["gen_ai.tool.call.result"] == "Sunny in Paris"
    assert [e.name for e in tool.events] == ["agents_otel.tool.progress"]
    assert dict(agent.attributes or {})["gen_ai.usage.input_tokens"] == 18


async def test_a_handoff_switches_the_agent_and_updates_the_session_first(
    realtime_server: FakeRealtimeServer, tracing: Tracing
) -> None:
    handed: list[str] = []
    triage = RealtimeAgent(
        "Triage", instructions="Route the caller.",
        handoffs=[realtime_handoff(billing, on_handoff=lambda ctx: handed.append(ctx.context["user"]))],
    )
    realtime_server.responses = [
        ev.tool_turn("r1", "call_h", "transfer_to_billing", {}),
        ev.spoken_answer("r2", "msg_2", "Billing here.", b"\x00\x00" * 24),
    ]
    session = await open_session(realtime_server, triage, config={"tracer_provider": tracing.provider})
    conn = await realtime_server.connection()
    async with session:
        await conn.expect("session.update")
        await session.send_message("I was charged twice")
        events = await events_until(session, lambda e: e.type == "agent_end" and e.agent is billing)
        await conn.expect("conversation.item.create")
        update = await conn.expect("session.update")
        while "tracing" in update["session"] and "instructions" not in update["session"]:
            update = await conn.expect("session.update")
        answer = await conn.expect("conversation.item.create")
    assert update["session"]["instructions"] == "You handle billing." and update["session"]["tools"] == []
    assert answer["item"] == {"type": "function_call_output", "call_id": "call_h", "output": '{"assistant": "Billing"}'}
    assert conn.received.index(update) < conn.received.index(answer)
    (handoff,) = of_type(events, "handoff")
    assert handoff.from_agent is triage and handoff.to_agent is billing and handed == ["Ada"]
    assert [e.agent.name for e in of_type(events, "agent_start")] == ["Triage", "Billing"]
    assert tracing.named("execute_tool") == []  # a handoff is not a tool call
    (root,) = tracing.named("invoke_workflow")
    (first,), (second,) = tracing.named("invoke_agent Triage"), tracing.named("invoke_agent Billing")
    (span,) = tracing.named("handoff Triage -> Billing")
    assert first.parent.span_id == second.parent.span_id == root.context.span_id
    assert span.parent.span_id == first.context.span_id


async def test_audio_goes_in_as_buffer_events_and_comes_out_as_audio_events(
    realtime_server: FakeRealtimeServer,
) -> None:
    spoken = bytes(range(256)) * 4
    realtime_server.responses = [ev.spoken_answer("r1", "msg_1", "Hi Ada.", spoken)]
    session = await open_session(realtime_server)
    conn = await realtime_server.connection()
    async with session:
        await session.send_audio(b"\x01\x02" * 50)
        await session.send_audio(b"\x03\x04" * 50, commit=True)
        appended = [await conn.expect("input_audio_buffer.append") for _ in range(2)]
        assert [base64.b64decode(a["audio"]) for a in appended] == [b"\x01\x02" * 50, b"\x03\x04" * 50]
        await conn.expect("input_audio_buffer.commit")
        await conn.send(ev.user_transcript("user_1", "Hello, I am Ada"))
        await session.send_message("and?")
        events = await events_until(session, lambda e: e.type == "agent_end")
    (audio,) = of_type(events, "audio")
    assert audio.audio.data == spoken and audio.item_id == "msg_1" and audio.content_index == 0
    user = next(e.item for e in events if e.type == "history_added" and e.item.role == "user")
    assert user.content[0].text == "Hello, I am Ada"
    history = of_type(events, "history_updated")[-1].history
    said = next(i for i in history if i.item_id == "msg_1")
    assert said.role == "assistant" and said.content[0].transcript == "Hi Ada."


async def test_interrupt_truncates_where_playback_is_and_cancels_when_the_server_would_not(
    realtime_server: FakeRealtimeServer,
) -> None:
    tracker = RealtimePlaybackTracker()
    settings: Any = {"turn_detection": None}
    session = await open_session(realtime_server, config={"model_settings": settings}, playback_tracker=tracker)
    conn = await realtime_server.connection()
    async with session:
        await conn.send(ev.response_created("r1"))
        await conn.send(ev.audio_delta("r1", "msg_1", b"\x00\x00" * 4800))  # 200 ms of 24 kHz PCM16
        await events_until(session, lambda e: e.type == "audio")
        tracker.on_play_bytes("msg_1", 0, b"\x00\x00" * 1200)  # 50 ms heard
        tracker.on_play_ms("msg_1", 0, 25)
        await session.interrupt()
        truncate = await conn.expect("conversation.item.truncate")
        assert truncate == {"type": "conversation.item.truncate", "item_id": "msg_1", "content_index": 0,
                            "audio_end_ms": 75}
        await conn.expect("response.cancel")  # turn detection off: the server does not cancel on its own
        (interrupted,) = of_type(await events_until(session, lambda e: e.type == "audio_interrupted"),
                                 "audio_interrupted")
        assert interrupted.item_id == "msg_1"
        assert tracker.get_state()["current_item_id"] is None


async def test_the_servers_speech_started_interrupts_playback(realtime_server: FakeRealtimeServer) -> None:
    tracker = RealtimePlaybackTracker()
    session = await open_session(realtime_server, playback_tracker=tracker)
    conn = await realtime_server.connection()
    async with session:
        await conn.send(ev.response_created("r1"))
        await conn.send(ev.audio_delta("r1", "msg_1", b"\x00\x00" * 480))
        await events_until(session, lambda e: e.type == "audio")
        tracker.on_play_ms("msg_1", 0, 5)
        await conn.send(ev.speech_started())
        await events_until(session, lambda e: e.type == "audio_interrupted")
        assert (await conn.expect("conversation.item.truncate"))["audio_end_ms"] == 5
    assert conn.sent("response.cancel") == []  # interrupt_response: the server cancels itself


async def test_a_server_error_is_an_event_and_the_session_goes_on(realtime_server: FakeRealtimeServer) -> None:
    session = await open_session(realtime_server)
    conn = await realtime_server.connection()
    async with session:
        await conn.send(ev.error("Invalid value: 'nope'"))
        (error,) = of_type(await events_until(session, lambda e: e.type == "error"), "error")
        assert error.error["message"] == "Invalid value: 'nope'"
        await session.send_message("still there?")
        await conn.expect("response.create")


async def test_the_server_closing_normally_ends_iteration(realtime_server: FakeRealtimeServer) -> None:
    session = await open_session(realtime_server)
    conn = await realtime_server.connection()
    async with session:
        await conn.close()
        events = await events_until(session, lambda e: False)
    raw = [e.data.type for e in of_type(events, "raw_model_event")]
    assert raw[-2:] == ["connection_status", "end_of_stream"]


async def test_the_server_dropping_the_socket_is_an_error_then_raises(realtime_server: FakeRealtimeServer) -> None:
    session = await open_session(realtime_server)
    conn = await realtime_server.connection()
    seen: list[Any] = []
    async with session:
        await conn.close(1011, "internal error")
        with pytest.raises(RealtimeConnectionClosedError, match="closed unexpectedly"):
            await events_until(session, lambda e: seen.append(e) and False)
    (error,) = of_type(seen, "error")
    assert isinstance(error.error["exception"], RealtimeConnectionClosedError)


async def test_an_unknown_tool_is_answered_without_a_new_response(realtime_server: FakeRealtimeServer) -> None:
    realtime_server.responses = [ev.tool_turn("r1", "call_x", "launch_rockets", {})]
    session = await open_session(realtime_server)
    conn = await realtime_server.connection()
    async with session:
        await session.send_message("go")
        events = await events_until(session, lambda e: e.type == "error")
        await conn.expect("conversation.item.create")
        answer = await conn.expect("conversation.item.create")
    assert answer["item"]["output"] == "Tool launch_rockets not found"
    assert of_type(events, "error")[0].error == {"message": "Tool launch_rockets not found"}
    assert len(conn.sent("response.create")) == 1


async def test_a_failing_tool_tells_the_model_and_records_the_error(
    realtime_server: FakeRealtimeServer, tracing: Tracing
) -> None:
    @function_tool
    def flaky() -> str:
        """Fails."""
        raise RuntimeError("backend down")

    realtime_server.responses = [ev.tool_turn("r1", "call_f", "flaky", {})]
    session = await open_session(realtime_server, RealtimeAgent("A", tools=[flaky]),
                                 config={"tracer_provider": tracing.provider})
    conn = await realtime_server.connection()
    async with session:
        await session.send_message("go")
        await events_until(session, lambda e: e.type == "tool_end")
        await conn.expect("conversation.item.create")
        answer = await conn.expect("conversation.item.create")
    # the exception stays off the wire (SDK 0.23)
    generic = "An error occurred while running the tool."
    assert answer["item"]["output"] == generic
    span = tracing.tool_span("call_f")
    assert dict(span.attributes or {})["error.type"] == "RuntimeError"


async def test_update_agent_sends_the_new_agents_settings(
    realtime_server: FakeRealtimeServer, tracing: Tracing
) -> None:
    session = await open_session(realtime_server, config={"tracer_provider": tracing.provider,
                                                          "tracing_disabled": False})
    conn = await realtime_server.connection()
    async with session:
        await conn.expect("session.update")
        await session.update_agent(billing)
        update = await conn.expect("session.update")
        while "instructions" not in update["session"]:
            update = await conn.expect("session.update")
        assert update["session"]["instructions"] == "You handle billing."
    assert [s.name for s in tracing.named("invoke_agent")] == ["invoke_agent Assistant", "invoke_agent Billing"]


async def test_tracing_disabled_records_no_spans_and_asks_no_server_tracing(
    realtime_server: FakeRealtimeServer, tracing: Tracing
) -> None:
    realtime_server.responses = [ev.tool_turn("r1", "call_1", "get_weather", {"city": "Oslo"})]
    session = await open_session(realtime_server, config={"tracer_provider": tracing.provider,
                                                          "tracing_disabled": True})
    conn = await realtime_server.connection()
    async with session:
        await session.send_message("go")
        await events_until(session, lambda e: e.type == "tool_end")
    assert tracing.spans() == []
    assert all("tracing" not in u["session"] for u in conn.sent("session.update"))


async def test_the_docs_example_runs_against_the_fake_realtime_server(
    realtime_server: FakeRealtimeServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/realtime.md's block needs the real Realtime API (the docs test only compiles it): here it runs as
    written, its model pointed at the fake server, ``asyncio.run`` replaced by awaiting its ``main()``."""
    from agents_otel.realtime import OpenAIRealtimeWebSocketModel

    blocks = re.findall(r"^```python\n(.*?)^```", DOC, re.S | re.M)
    (block,) = [b for b in blocks if "get_weather" in b and "# needs: OPENAI_API_KEY" in b]
    assert block.rstrip().endswith("asyncio.run(main())")
    connect = OpenAIRealtimeWebSocketModel.connect

    async def to_fake(self: OpenAIRealtimeWebSocketModel, options: Any) -> None:
        await connect(self, {**options, "url": realtime_server.url})

    monkeypatch.setattr(OpenAIRealtimeWebSocketModel, "connect", to_fake)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-docs")
    realtime_server.responses = [
        ev.tool_turn("r1", "call_1", "get_weather", {"city": "Paris"}),
        ev.spoken_answer("r2", "msg_2", "It is sunny in Paris.", b"\x00\x00" * 48),
    ]
    namespace: dict[str, Any] = {"__name__": "docs_block"}
    exec(compile(block.rstrip().removesuffix("asyncio.run(main())"), "realtime.md", "exec"), namespace)
    await namespace["main"]()
    conn = await realtime_server.connection()
    assert conn.sent("session.update")[0]["session"]["instructions"].endswith("The caller is Ada.")
    printed = capsys.readouterr().out
    assert "tool: get_weather -> Sunny in Paris" in printed and "It is sunny in Paris." in printed
