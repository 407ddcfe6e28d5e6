"""``agents.extensions.experimental.codex``: Codex threads and ``codex_tool`` on the real Codex CLI.

Every turn here runs the real ``codex exec --experimental-json`` (npm ``@openai/codex``, pinned in tests/codex and
installed by ``make codex-cli``) against the fake OpenAI server: the CLI's own model requests, its command execution,
its thread store and resume, its JSONL events. No stand-in executable is used: the real CLI runs offline here (see
tests/codex_support.py for how it is pointed at the fake server).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from codex_support import CodexSetup, codex_setup, removed
from fake_openai.script import StreamGate
from fake_openai.server import FakeOpenAIServer
from support import Tracing

from agents_otel import Agent, Runner, ToolProgressStreamEvent
from agents_otel.extensions.experimental.codex import (
    Codex,
    CommandExecutionItem,
    ErrorItem,
    ItemStartedEvent,
    ThreadStartedEvent,
    TurnCompletedEvent,
    TurnOptions,
    Usage,
    codex_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.attributes import PROGRESS_DATA, PROGRESS_EVENT

ECHO = ("exec_command", {"cmd": "echo codex-was-here", "tty": False})


@pytest.fixture
def setup(tmp_path: Path, fake_openai: FakeOpenAIServer) -> CodexSetup:
    return codex_setup(tmp_path, fake_openai.base_url)


def inputs_of(request_body: Any) -> str:
    return json.dumps(request_body["input"])


async def test_a_thread_runs_a_command_and_resumes_by_id(setup: CodexSetup, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[ECHO])
    fake_openai.enqueue("It printed codex-was-here")
    thread = setup.codex().start_thread(setup.thread_options())
    assert thread.id is None
    turn = await thread.run("run echo")

    assert thread.id  # from thread.started
    (command,) = [item for item in turn.items if isinstance(item, CommandExecutionItem)]
    assert command.aggregated_output == "codex-was-here\n" and command.exit_code == 0 and command.status == "completed"
    assert command["command"].endswith("'echo codex-was-here'")  # read like the CLI's dict, as in the SDK
    assert turn.final_response == "It printed codex-was-here"
    assert isinstance(turn.usage, Usage) and turn.usage.output_tokens > 0
    assert any(isinstance(item, ErrorItem) for item in turn.items)  # the CLI's "model metadata" warning, kept

    # A second Codex resumes the thread by id: the CLI sends the first turn's history with the new prompt.
    fake_openai.enqueue("Second answer")
    resumed = setup.codex().resume_thread(thread.id, setup.thread_options())
    again = await resumed.run([{"type": "text", "text": "and"}, {"type": "text", "text": "again"}])
    assert again.final_response == "Second answer" and resumed.id == thread.id
    sent = inputs_of(fake_openai.requests[-1].body)
    assert "run echo" in sent and "codex-was-here" in sent and "and\\n\\nagain" in sent


async def test_run_streamed_yields_the_clis_events_in_order(setup: CodexSetup, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[ECHO])
    fake_openai.enqueue("done")
    thread = setup.codex().start_thread(setup.thread_options())
    streamed = await thread.run_streamed("run echo")
    events = [event async for event in streamed.events]

    assert isinstance(events[0], ThreadStartedEvent) and events[0].thread_id == thread.id
    kinds = [(e.type, getattr(e, "item", None) and e.item.type) for e in events if e.type != "item.completed"
             or e.item.type != "error"]
    assert kinds == [
        ("thread.started", None), ("turn.started", None),
        ("item.started", "command_execution"), ("item.completed", "command_execution"),
        ("item.completed", "agent_message"), ("turn.completed", None),
    ]
    started = next(e for e in events if isinstance(e, ItemStartedEvent))
    assert isinstance(started.item, CommandExecutionItem) and started.item.status == "in_progress"
    assert isinstance(events[-1], TurnCompletedEvent) and events[-1].usage is not None


async def test_a_failing_cli_raises_with_its_stderr(setup: CodexSetup) -> None:
    options = {**setup.thread_options(), "working_directory": str(setup.workdir / "missing")}
    with pytest.raises(RuntimeError, match=r"Codex exec exited with code 1: (?s:.*)No such file or directory"):
        await setup.codex().start_thread(options).run("hi")


async def test_a_failed_turn_is_an_error_with_the_models_message(
    setup: CodexSetup, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.enqueue_error(400, "the fake model refuses")
    with pytest.raises(RuntimeError, match="the fake model refuses"):
        await setup.codex().start_thread(setup.thread_options()).run("hi")


async def test_the_output_schema_file_is_given_to_the_cli_and_removed(
    setup: CodexSetup, fake_openai: FakeOpenAIServer
) -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"],
              "additionalProperties": False}
    gate = StreamGate()
    fake_openai.enqueue(['{"answer": ', '"42"}'], gate=gate)
    thread = setup.codex().start_thread(setup.thread_options())
    task = asyncio.create_task(thread.run("answer", TurnOptions(output_schema=schema)))
    await gate.wait_paused()
    path, written = setup.output_schema_file()
    assert written == schema  # while the turn runs
    gate.open()
    turn = await task
    assert json.loads(turn.final_response) == {"answer": "42"}
    assert "answer" in json.dumps(fake_openai.requests[-1].body.get("text"))  # the CLI sent it as the format
    assert removed(path)


async def test_cancelling_a_turn_kills_the_cli_and_removes_the_schema_file(
    setup: CodexSetup, fake_openai: FakeOpenAIServer
) -> None:
    gate = StreamGate()
    fake_openai.enqueue(["never ", "finished"], gate=gate)
    thread = setup.codex().start_thread(setup.thread_options())
    task = asyncio.create_task(thread.run("wait", TurnOptions(output_schema={"type": "object", "properties": {}})))
    await gate.wait_paused()
    pids = setup.processes()
    assert pids  # the CLI (the npm launcher and its native binary) is running
    path, _ = setup.output_schema_file()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert setup.processes() == []  # the whole process group was killed and reaped
    assert removed(path)
    gate.open()


async def test_a_signal_terminates_the_turn(setup: CodexSetup, fake_openai: FakeOpenAIServer) -> None:
    gate = StreamGate()
    fake_openai.enqueue(["never ", "finished"], gate=gate)
    signal = asyncio.Event()
    task = asyncio.create_task(setup.codex().start_thread(setup.thread_options()).run("x", TurnOptions(signal=signal)))
    await gate.wait_paused()
    signal.set()
    with pytest.raises(RuntimeError, match="Codex exec exited with code"):
        await task
    assert setup.processes() == []
    gate.open()


async def test_base_url_and_api_key_reach_the_cli(setup: CodexSetup, fake_openai: FakeOpenAIServer) -> None:
    # No provider in config.toml: the CLI's own OpenAI provider, at base_url (it warms its connection with one
    # request first, then sends the turn: two answers).
    (setup.home / "config.toml").write_text("")
    fake_openai.enqueue("warm-up")
    fake_openai.enqueue("through base_url")
    env = {k: v for k, v in setup.env.items() if k != "CODEX_API_KEY"}
    codex = Codex(codex_path_override=setup.cli, env=env, base_url=fake_openai.base_url, api_key="sk-from-options")
    turn = await codex.start_thread({**setup.thread_options(), "model": "gpt-test"}).run("hi")
    assert turn.final_response == "through base_url"
    assert fake_openai.requests[-1].headers["authorization"] == "Bearer sk-from-options"


async def test_codex_tool_reports_codex_items_as_progress_on_its_span(
    setup: CodexSetup, fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue(tool_calls=[ECHO])
    fake_openai.enqueue("Codex says done")
    tool = codex_tool(codex=setup.codex(), **_tool_thread_options(setup))
    call = function_call("codex", {"inputs": [{"type": "text", "text": "run echo"}], "thread_id": None}, call_id="c1")
    model = ScriptedModel([[call], [assistant_message("finished")]])
    result = await Runner.run(Agent(name="A", tools=[tool], model=model), "go", run_config=tracing.config)

    assert result.final_output == "finished"
    output = json.loads(model.calls[1].input[-1].output)
    assert output["response"] == "Codex says done" and output["thread_id"] and output["usage"]["output_tokens"] > 0
    span = tracing.tool_span("c1")
    records = [json.loads(str(e.attributes[PROGRESS_DATA])) for e in span.events if e.name == PROGRESS_EVENT]
    steps = [(r["type"], r["item"]["type"]) for r in records if r["item"]["type"] != "error"]
    assert steps == [("item.started", "command_execution"), ("item.completed", "command_execution"),
                     ("item.completed", "agent_message")]
    assert all(r["thread_id"] == output["thread_id"] for r in records)
    assert records[-1]["item"]["text"] == "Codex says done"
    assert result.context_wrapper.usage.requests == 3  # two model calls of the run, plus Codex's turn


async def test_codex_tool_progress_streams_live_and_on_stream_sees_every_event(
    setup: CodexSetup, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.enqueue(tool_calls=[ECHO])
    fake_openai.enqueue("streamed done")
    seen: list[str] = []
    tool = codex_tool(codex=setup.codex(), on_stream=lambda e: seen.append(e.event.type), span_data_max_chars=30,
                      **_tool_thread_options(setup))
    call = function_call("codex", {"inputs": [{"type": "text", "text": "run echo"}], "thread_id": None}, call_id="c2")
    agent = Agent(name="A", tools=[tool], model=ScriptedModel([[call], [assistant_message("ok")]]))
    streamed = Runner.run_streamed(agent, "go")
    progress = [e for e in [e async for e in streamed.stream_events()] if isinstance(e, ToolProgressStreamEvent)]

    assert [p.sequence for p in progress] == list(range(1, len(progress) + 1))
    assert all(p.tool_call_id == "c2" for p in progress)
    completed = [p.data["item"] for p in progress if p.data["type"] == "item.completed"]
    command = next(item for item in completed if item["type"] == "command_execution")
    assert command["command"].endswith("chars]") and len(command["command"]) == 30  # span_data_max_chars
    assert seen[0] == "thread.started" and seen[-1] == "turn.completed" and "item.started" in seen


async def test_codex_tool_keeps_the_thread_in_the_run_context(setup: CodexSetup, fake_openai: FakeOpenAIServer) -> None:
    tool = codex_tool(codex=setup.codex(), use_run_context_thread_id=True, **_tool_thread_options(setup))
    assert "thread_id" not in tool.params_json_schema["properties"]
    context: dict[str, Any] = {}
    for answer in ("first", "second"):
        fake_openai.enqueue(answer)
        call = function_call("codex", {"inputs": [{"type": "text", "text": f"say {answer}"}]}, call_id=answer)
        agent = Agent(name="A", tools=[tool], model=ScriptedModel([[call], [assistant_message("ok")]]))
        await Runner.run(agent, "go", context=context)
        if answer == "first":
            first_id = context["codex_thread_id"]
    assert context["codex_thread_id"] == first_id
    assert "say first" in inputs_of(fake_openai.requests[-1].body)  # the second call resumed the first's thread


async def test_a_failed_codex_turn_is_told_to_the_model(setup: CodexSetup, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue_error(400, "codex backend says no")
    tool = codex_tool(codex=setup.codex(), **_tool_thread_options(setup))
    call = function_call("codex", {"inputs": [{"type": "text", "text": "x"}], "thread_id": None}, call_id="c3")
    model = ScriptedModel([[call], [assistant_message("sorry")]])
    await Runner.run(Agent(name="A", tools=[tool], model=model), "go")
    told = model.calls[1].input[-1].output
    # The default failure message is a fixed sentence (SDK 0.23): the Codex error stays off the model's input.
    assert told == "An error occurred while running the tool."


def _tool_thread_options(setup: CodexSetup) -> dict[str, Any]:
    options = setup.thread_options()
    return {"working_directory": options["working_directory"], "skip_git_repo_check": True,
            "sandbox_mode": "danger-full-access", "default_thread_options": {"approval_policy": "never"}}


async def test_an_idle_turn_is_ended_and_its_cli_killed(setup: CodexSetup, fake_openai: FakeOpenAIServer) -> None:
    gate = StreamGate()
    fake_openai.enqueue(["never ", "finished"], gate=gate)
    thread = setup.codex().start_thread(setup.thread_options())
    with pytest.raises(RuntimeError, match=r"Codex stream idle for 1\.0 seconds"):
        await thread.run("x", TurnOptions(idle_timeout_seconds=1.0))  # the gate never opens: no event comes
    assert setup.processes() == []
    gate.open()


async def test_persist_session_continues_one_thread_across_calls(
    setup: CodexSetup, fake_openai: FakeOpenAIServer
) -> None:
    tool = codex_tool(codex=setup.codex(), persist_session=True, **_tool_thread_options(setup))
    first = function_call("codex", {"inputs": [{"type": "text", "text": "remember 7"}], "thread_id": None}, call_id="a")
    second = function_call("codex", {"inputs": [{"type": "text", "text": "recall"}], "thread_id": None}, call_id="b")
    model = ScriptedModel([[first], [second], [assistant_message("ok")]])
    fake_openai.enqueue("noted")
    fake_openai.enqueue("it was 7")
    await Runner.run(Agent(name="A", tools=[tool], model=model), "go")
    outputs = [json.loads(model.calls[i].input[-1].output) for i in (1, 2)]
    assert outputs[0]["thread_id"] == outputs[1]["thread_id"] and outputs[1]["response"] == "it was 7"
    assert "remember 7" in inputs_of(fake_openai.requests[-1].body)


async def test_the_run_context_keeps_the_thread_id_of_a_failed_turn(
    setup: CodexSetup, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.enqueue_error(400, "fails after the thread started")
    tool = codex_tool(codex=setup.codex(), use_run_context_thread_id=True, **_tool_thread_options(setup))
    call = function_call("codex", {"inputs": [{"type": "text", "text": "x"}]}, call_id="f")
    context: dict[str, Any] = {}
    agent = Agent(name="A", tools=[tool], model=ScriptedModel([[call], [assistant_message("ok")]]))
    await Runner.run(agent, "go", context=context)
    assert context["codex_thread_id"]  # the thread exists (thread.started came first): a later call resumes it
