"""Sessions as the OpenAI Agents SDK pins them down: the ``Session`` protocol and ``SQLiteSession`` (in memory or a
file, the SDK's table layout, ``get_items(limit)``, ``pop_item``, ``clear_session``), a run that loads the history
and saves each turn in Responses-format dicts, and the session id as ``gen_ai.conversation.id`` on every span."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from agents_otel import (
    Agent,
    AssistantMessage,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    RunConfig,
    RunContextWrapper,
    Runner,
    Session,
    SQLiteSession,
    UserMessage,
    function_tool,
    input_guardrail,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


async def test_sqlite_session_basics() -> None:
    session = SQLiteSession("s1")
    assert await session.get_items() == []
    assert await session.pop_item() is None
    items = [{"role": "user", "content": f"m{i}"} for i in range(4)]
    await session.add_items(items)
    assert await session.get_items() == items
    assert await session.get_items(limit=2) == items[2:]  # the latest, oldest first
    assert await session.pop_item() == items[3]
    assert await session.get_items() == items[:3]
    await session.clear_session()
    assert await session.get_items() == []
    assert isinstance(session, Session)


async def test_sessions_in_one_file_are_separate_and_persist(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    a, b = SQLiteSession("a", db), SQLiteSession("b", db)
    await a.add_items([{"role": "user", "content": "for a"}])
    await b.add_items([{"role": "user", "content": "for b"}])
    a.close()
    reopened = SQLiteSession("a", db)
    assert await reopened.get_items() == [{"role": "user", "content": "for a"}]
    # the SDK's layout: another SQLite client (or the SDK's own SQLiteSession) reads the same rows
    rows = sqlite3.connect(db).execute("SELECT session_id, message_data FROM agent_messages ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["a", "b"]


async def test_database_work_runs_off_the_event_loop() -> None:
    threads: list[str] = []
    session = SQLiteSession("t")
    original = session._locked

    def spy(work: Any, *args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(work, *args)

    session._locked = spy  # type: ignore[method-assign]
    await session.add_items([{"role": "user", "content": "x"}])
    await session.get_items()
    assert threads and threading.main_thread().name not in threads


async def test_concurrent_writers_on_one_session_never_lose_items() -> None:
    session = SQLiteSession("c")
    await asyncio.gather(*(session.add_items([{"role": "user", "content": str(i)}]) for i in range(50)))
    assert sorted(int(i["content"]) for i in await session.get_items()) == list(range(50))


async def test_unserialisable_items_fail_at_the_call() -> None:
    with pytest.raises(TypeError):
        await SQLiteSession("x").add_items([{"role": "user", "content": object()}])


@function_tool
def remember(fact: str) -> str:
    return f"noted {fact}"


async def test_a_run_loads_history_and_saves_each_turn_as_responses_items() -> None:
    session = SQLiteSession("conv")
    first = ScriptedModel([[function_call("remember", {"fact": "blue"}, call_id="c1")], [assistant_message("ok")]])
    await Runner.run(Agent("a", model=first, tools=[remember]), "my colour is blue", session=session)
    assert await session.get_items() == [
        {"role": "user", "content": "my colour is blue"},
        {"type": "function_call", "call_id": "c1", "name": "remember", "arguments": '{"fact": "blue"}'},
        {"type": "function_call_output", "call_id": "c1", "output": "noted blue"},
        {
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "ok", "annotations": []}],
        },
    ]
    second = ScriptedModel([[assistant_message("blue")]])
    result = await Runner.run(Agent("a", model=second, tools=[remember]), "what colour?", session=session)
    assert result.final_output == "blue"
    sent = second.calls[0].input
    assert sent[0] == UserMessage("my colour is blue") and sent[-1] == UserMessage("what colour?")
    assert sent[3] == AssistantMessage("ok")
    assert len(await session.get_items()) == 6
    # As in the SDK, the result's input is the session's history, then this run's input
    assert result.input == [*(await session.get_items())[:4], {"role": "user", "content": "what colour?"}]


@pytest.mark.parametrize("streamed", [False, True])
async def test_the_results_input_with_a_session_includes_its_history(streamed: bool) -> None:
    session = SQLiteSession("history")
    await session.add_items([{"role": "user", "content": "earlier"}])
    agent = Agent("a", model=ScriptedModel([[assistant_message("ok")]]))
    if streamed:
        result: Any = Runner.run_streamed(agent, "now", session=session)
        assert result.input == "now"  # before the run has read the session
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "now", session=session)
    assert result.input == [{"role": "user", "content": "earlier"}, {"role": "user", "content": "now"}]
    assert (await Runner.run(Agent("a", model=ScriptedModel([[assistant_message("x")]])), "plain")).input == "plain"


async def test_a_failed_turn_is_not_saved_but_the_input_and_earlier_turns_are() -> None:
    session = SQLiteSession("f")
    model = ScriptedModel([[function_call("remember", {"fact": "x"})], RuntimeError("model down")])
    with pytest.raises(RuntimeError):
        await Runner.run(Agent("a", model=model, tools=[remember]), "hi", session=session)
    types = [i.get("type", i.get("role")) for i in await session.get_items()]
    assert types == ["user", "function_call", "function_call_output"]


@pytest.mark.parametrize("failure", ["model", "tripwire"])
async def test_a_run_that_fails_at_once_keeps_the_users_message_as_in_the_sdk(failure: str) -> None:
    session = SQLiteSession("failed-at-once")

    @input_guardrail
    def block(ctx: RunContextWrapper[Any], agent: Agent[Any], data: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=True)

    if failure == "model":
        agent = Agent("a", model=ScriptedModel([RuntimeError("rate limited")]))
    else:
        agent = Agent("a", model=ScriptedModel([[assistant_message("x")]]), input_guardrails=[block])
    with pytest.raises((RuntimeError, InputGuardrailTripwireTriggered)):
        await Runner.run(agent, "my question", session=session)
    assert await session.get_items() == [{"role": "user", "content": "my question"}]


async def test_pop_item_to_correct_the_last_turn() -> None:
    session = SQLiteSession("p")
    await Runner.run(Agent("a", model=ScriptedModel([[assistant_message("wrong")]])), "q", session=session)
    popped = await session.pop_item()
    assert popped is not None and popped["content"][0]["text"] == "wrong"
    assert await session.get_items() == [{"role": "user", "content": "q"}]


async def test_handoffs_in_a_session_save_what_happened() -> None:
    session = SQLiteSession("h")
    b = Agent("B", model=ScriptedModel([[assistant_message("b here")]]))
    a = Agent("A", model=ScriptedModel([[function_call("transfer_to_b", {}, call_id="h1")]]), handoffs=[b])
    await Runner.run(a, "hi", session=session)
    items = await session.get_items()
    assert [i.get("type", i.get("role")) for i in items] == ["user", "function_call", "function_call_output", "message"]
    assert items[2]["output"] == '{"assistant": "B"}'


@pytest.mark.parametrize("streamed", [False, True])
async def test_session_id_is_the_conversation_id_on_every_span(streamed: bool, tracing: Any) -> None:
    session = SQLiteSession("conversation-42")
    model = ScriptedModel([[function_call("remember", {"fact": "x"})], [assistant_message("done")]])
    agent = Agent("a", model=model, tools=[remember])
    if streamed:
        result = Runner.run_streamed(agent, "hi", session=session, run_config=tracing.config)
        async for _ in result.stream_events():
            pass
    else:
        await Runner.run(agent, "hi", session=session, run_config=tracing.config)
    spans = tracing.spans()
    assert {s.name.split()[0] for s in spans} == {"invoke_agent", "chat", "execute_tool"}
    assert all(s.attributes["gen_ai.conversation.id"] == "conversation-42" for s in spans)


async def test_run_config_conversation_id_without_a_session(tracing: Any) -> None:
    config = RunConfig(tracer_provider=tracing.provider, conversation_id="thread-7")
    await Runner.run(Agent("a", model=ScriptedModel([[assistant_message("x")]])), "hi", run_config=config)
    assert {s.attributes["gen_ai.conversation.id"] for s in tracing.spans()} == {"thread-7"}


async def test_no_conversation_id_by_default(tracing: Any) -> None:
    await Runner.run(Agent("a", model=ScriptedModel([[assistant_message("x")]])), "hi", run_config=tracing.config)
    assert not any("gen_ai.conversation.id" in (s.attributes or {}) for s in tracing.spans())


async def test_agents_used_as_tools_carry_the_conversation_id_too(tracing: Any) -> None:
    inner = Agent("Inner", model=ScriptedModel([[assistant_message("inner answer")]]))
    outer = Agent(
        "Outer",
        tools=[inner.as_tool("ask_inner")],
        model=ScriptedModel([[function_call("ask_inner", {"input": "q"})], [assistant_message("done")]]),
    )
    await Runner.run(outer, "hi", session=SQLiteSession("conv-nested"), run_config=tracing.config)
    spans = tracing.spans()
    assert "invoke_agent Inner" in {s.name for s in spans}
    assert {s.attributes["gen_ai.conversation.id"] for s in spans} == {"conv-nested"}


def test_a_limited_history_keeps_the_outputs_of_calls_made_by_a_program() -> None:
    """A call made by code the model wrote (``ProgramCall``, a ``FunctionCall`` subclass) still pairs its output when
    a history limit cuts the history: only outputs whose call was cut off are left out."""
    from agents_otel.conversation_items import FunctionCall, FunctionCallOutput, ProgramCall
    from agents_otel.session_orphans import without_orphans

    program = ProgramCall("echo", "{}", "call_p", caller={"type": "program", "caller_id": "ci_1"})
    plain = FunctionCall("echo", "{}", "call_f")
    items: list[Any] = [
        FunctionCallOutput("call_gone", "cut off"),
        program,
        FunctionCallOutput("call_p", "from program"),
        plain,
        FunctionCallOutput("call_f", "from model"),
    ]
    kept = without_orphans(items, range(len(items)), outputs=True)
    assert [getattr(i, "call_id", None) for i in kept] == ["call_p", "call_p", "call_f", "call_f"]
