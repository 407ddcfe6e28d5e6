"""Compatibility: the SDK's sandbox memory generation (``Memory(generate=...)``, ``agents.sandbox.memory``).

What the SDK does and this runtime must do too: after each run the run's conversation (user, assistant and tool
items; no system or reasoning items) is appended to ``<sessions_dir>/<rollout_id>.jsonl`` (runs of one SDK
``Session`` share a file); nothing is generated until the sandbox session closes; then each rollout goes through one
phase-one model call (its summary and raw memory land in ``rollout_summaries/`` and ``raw_memories/``) and one
phase-two agent consolidates them into ``MEMORY.md`` and ``memory_summary.md``, which a later run's reading
``Memory`` puts in its prompt. A failed phase is logged and the run's result stands. Ours on top: the generation is
a ``sandbox.generate_memory`` span whose model calls are ``chat`` spans, and a failure is a typed
``MemoryGenerationError`` recorded on it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from support import Tracing

from agents_otel import MaxTurnsExceeded, RunConfig, Runner, SQLiteSession, UserError
from agents_otel.sandbox import (
    LocalSnapshotSpec,
    Manifest,
    MemoryGenerateConfig,
    MemoryLayoutConfig,
    SandboxAgent,
    SandboxRunConfig,
)
from agents_otel.sandbox.capabilities import Filesystem, Memory, Shell
from agents_otel.sandbox.entries import File
from agents_otel.sandbox.memory import MemoryGenerationError
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@pytest.fixture(autouse=True)
def snapshot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def phase_one(slug: str = "greeting", summary: str = "# Said hello\n", raw: str = "- the user says hello\n") -> Any:
    answer = {"rollout_slug": slug, "rollout_summary": summary, "raw_memory": raw}
    return ScriptedModel([[assistant_message(json.dumps(answer))]])


def phase_two(memory: str = "entry", summary: str = "Use tabs in Makefiles.") -> ScriptedModel:
    cmd = (
        "cat memories/raw_memories.md && "
        f"printf '{memory}\\n' > memories/MEMORY.md && printf '{summary}\\n' > memories/memory_summary.md"
    )
    call = function_call("exec_command", json.dumps({"cmd": cmd}), call_id="write")
    return ScriptedModel([[call], [assistant_message("consolidated")]])


def memory(p1: ScriptedModel, p2: ScriptedModel, **fields: Any) -> Memory:
    extra = fields.pop("extra_prompt", None)
    config = MemoryGenerateConfig(phase_one_model=p1, phase_two_model=p2, extra_prompt=extra)
    return Memory(generate=config, **fields)


def worker(mem: Memory, answer: str = "done", name: str = "Worker") -> SandboxAgent[Any]:
    model = ScriptedModel([[assistant_message(answer)]])
    return SandboxAgent(name=name, model=model, capabilities=[mem, Filesystem(), Shell()])


def user_text(model: ScriptedModel, call: int = 0) -> str:
    return json.dumps(model.model_calls[call].input)


async def live_session(tmp_path: Path, manifest: Manifest | None = None) -> Any:
    client = UnixLocalSandboxClient()
    snapshot = LocalSnapshotSpec(base_path=tmp_path / "snapshots")
    session = await client.create(manifest=manifest or Manifest(), snapshot=snapshot, options=None)
    await session.start()
    return client, session


async def test_the_run_is_recorded_then_memory_is_generated_when_the_session_closes(
    tmp_path: Path, tracing: Tracing
) -> None:
    p1, p2 = phase_one(), phase_two()
    agent = worker(memory(p1, p2, extra_prompt="Track the user's tooling preferences."))
    client, session = await live_session(tmp_path)
    root = Path(session.state.manifest.root)
    config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(session=session))
    result = await Runner.run(agent, "hello", run_config=config)

    assert result.final_output == "done"
    (rollout,) = (root / "sessions").glob("*.jsonl")
    assert rollout.name.startswith("run-")
    (line,) = rollout.read_text().splitlines()
    segment = json.loads(line)
    assert list(segment)[:4] == ["updated_at", "rollout_id", "input", "generated_items"]
    assert segment["input"] == [{"content": "hello", "role": "user"}]
    assert segment["generated_items"][0]["role"] == "assistant" and segment["final_output"] == "done"
    assert segment["terminal_metadata"]["terminal_state"] == "completed"
    assert (root / "memories" / "MEMORY.md").read_text() == ""  # nothing is generated before the session closes
    assert not p1.model_calls and not tracing.named("sandbox.generate_memory")

    await session.aclose()
    try:
        assert (root / "memories" / "MEMORY.md").read_text() == "entry\n"
        assert (root / "memories" / "memory_summary.md").read_text() == "Use tabs in Makefiles.\n"
        rollout_id = rollout.stem
        raw = (root / "memories" / "raw_memories" / f"{rollout_id}.md").read_text()
        assert f"rollout_id: {rollout_id}\n" in raw and "terminal_state: completed\n" in raw
        assert f"rollout_summary_file: rollout_summaries/{rollout_id}_greeting.md\n" in raw
        summary = (root / "memories" / "rollout_summaries" / f"{rollout_id}_greeting.md").read_text()
        assert summary.startswith(f"session_id: {session.state.session_id}\n") and "# Said hello" in summary
        selection = json.loads((root / "memories" / "phase_two_selection.json").read_text())
        assert [item["rollout_id"] for item in selection["selected"]] == [rollout_id]
    finally:
        await client.delete(session)

    instructions = p1.model_calls[0].system_instructions or ""
    assert "Track the user's tooling preferences." in instructions and "rollout_slug" in instructions
    assert '\\"terminal_state\\": \\"completed\\"' in user_text(p1) and "hello" in user_text(p1)
    assert "[added] rollout_id=" in user_text(p2) and "Track the user's tooling preferences." in user_text(p2)
    assert "the user says hello" in json.dumps(p2.model_calls[1].input)  # it read raw_memories.md

    (generation,) = tracing.named("sandbox.generate_memory")
    attributes = generation.attributes or {}
    assert attributes["agents_otel.sandbox.memory.rollout_count"] == 1
    assert attributes["agents_otel.sandbox.memory.consolidated"] is True
    assert generation.status.is_ok
    phases = {s.name: s for s in tracing.named("invoke_agent sandbox-memory-phase")}
    assert set(phases) == {"invoke_agent sandbox-memory-phase-one", "invoke_agent sandbox-memory-phase-two"}
    for span in phases.values():
        assert span.parent is not None and span.parent.span_id == generation.context.span_id
    chats = [s for s in tracing.named("chat") if s.parent and s.parent.span_id in
             {p.context.span_id for p in phases.values()}]  # fmt: skip
    assert len(chats) == 3  # one phase-one call, two phase-two turns


async def test_a_run_owned_session_generates_at_the_runs_cleanup_and_a_later_run_reads_the_summary(
    tmp_path: Path, tracing: Tracing
) -> None:
    p1, p2 = phase_one(), phase_two(summary="The build uses make.")
    client, session = await live_session(tmp_path)
    state = session.state.model_copy(deep=True)
    await session.shutdown()  # the run resumes this session and owns it: its cleanup closes it
    config = RunConfig(
        tracer_provider=tracing.provider, sandbox=SandboxRunConfig(client=client, session_state=state)
    )
    result = await Runner.run(worker(memory(p1, p2)), "build it", run_config=config)
    assert result.final_output == "done" and len(p1.model_calls) == 1 and len(p2.model_calls) == 2
    (generation,) = tracing.named("sandbox.generate_memory")
    (cleanup,) = tracing.named("sandbox.cleanup unix_local")
    assert generation.parent is not None and generation.parent.span_id == cleanup.context.span_id

    reader_model = ScriptedModel([[assistant_message("ok")]])
    capabilities = [Memory(generate=None), Filesystem(), Shell()]
    reader = SandboxAgent(name="Reader", model=reader_model, capabilities=capabilities)
    again = RunConfig(sandbox=SandboxRunConfig(client=client, session_state=state))
    await Runner.run(reader, "what do you remember?", run_config=again)
    prompt = reader_model.model_calls[0].system_instructions or ""
    assert "## Memory" in prompt and "The build uses make." in prompt


async def test_a_failing_phase_is_a_typed_error_on_the_span_and_the_run_keeps_its_result(
    tmp_path: Path, tracing: Tracing, caplog: pytest.LogCaptureFixture
) -> None:
    garbled = ScriptedModel([[assistant_message("not json")]])
    unused = ScriptedModel([])
    client, session = await live_session(tmp_path)
    config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(session=session))
    result = await Runner.run(worker(memory(garbled, unused)), "hello", run_config=config)
    root = Path(session.state.manifest.root)
    with caplog.at_level(logging.ERROR):
        await session.aclose()  # does not raise
    await client.delete(session)
    assert result.final_output == "done" and not unused.model_calls  # nothing extracted: no consolidation
    (generation,) = tracing.named("sandbox.generate_memory")
    assert not generation.status.is_ok
    assert (generation.attributes or {})["error.type"].endswith("MemoryGenerationError")
    (event,) = [e for e in generation.events if e.name == "exception"]
    assert "phase one (extraction) failed" in str((event.attributes or {})["exception.message"])
    (record,) = [r for r in caplog.records if "sandbox memory phase one" in r.getMessage()]
    assert record.exc_info is not None and isinstance(record.exc_info[1], MemoryGenerationError)
    assert record.exc_info[1].phase == "phase_one" and record.exc_info[1].__cause__ is not None

    # phase two fails: the extraction is kept, the consolidation is not recorded as done
    p1 = phase_one()
    client, session = await live_session(tmp_path)
    root = Path(session.state.manifest.root)
    config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(session=session))
    result = await Runner.run(worker(memory(p1, ScriptedModel([]))), "hello", run_config=config)
    await session.aclose()
    assert result.final_output == "done" and len(list((root / "memories" / "raw_memories").glob("*.md"))) == 1
    assert (root / "memories" / "MEMORY.md").read_text() == ""
    assert not (root / "memories" / "phase_two_selection.json").exists()
    await client.delete(session)
    failed = [s for s in tracing.named("sandbox.generate_memory") if not s.status.is_ok]
    assert len(failed) == 2 and (failed[1].attributes or {})["agents_otel.sandbox.memory.consolidated"] is False


async def test_runs_of_one_session_share_a_rollout_and_generate_none_or_read_none(tmp_path: Path) -> None:
    p1, p2 = phase_one(), phase_two()
    mem = memory(p1, p2)
    client, session = await live_session(tmp_path)
    root = Path(session.state.manifest.root)
    config = RunConfig(sandbox=SandboxRunConfig(session=session))
    chat = SQLiteSession("chat-1")
    await Runner.run(worker(mem, "first done", "First"), "first", session=chat, run_config=config)
    await Runner.run(worker(mem, "second done", "Second"), "second", session=chat, run_config=config)
    (rollout,) = (root / "sessions").glob("*.jsonl")
    assert rollout.name == "chat-1.jsonl"
    segments = [json.loads(line) for line in rollout.read_text().splitlines()]
    assert [s["input"] for s in segments] == [[{"content": "first", "role": "user"}],
                                              [{"content": "second", "role": "user"}]]  # fmt: skip
    await session.aclose()
    await client.delete(session)
    assert len(p1.model_calls) == 1 and '\\"segment_count\\": 2' in user_text(p1)

    # generate=None: reads, records nothing; read=None: generates, reads nothing (and needs no Shell)
    client, session = await live_session(tmp_path)
    root = Path(session.state.manifest.root)
    await session.write(Path("memories/memory_summary.md"), b"Prefer pytest.\n")
    config = RunConfig(sandbox=SandboxRunConfig(session=session))
    reader_model = ScriptedModel([[assistant_message("ok")]])
    reader = SandboxAgent(name="R", model=reader_model, capabilities=[Memory(generate=None), Filesystem(), Shell()])
    await Runner.run(reader, "hi", run_config=config)
    assert "Prefer pytest." in (reader_model.model_calls[0].system_instructions or "")
    assert not (root / "sessions").exists()
    p1, p2 = phase_one(), phase_two()
    writer_model = ScriptedModel([[assistant_message("ok")]])
    writer = SandboxAgent(name="W", model=writer_model, capabilities=[memory(p1, p2, read=None)])
    await Runner.run(writer, "hi", run_config=config)
    assert "Prefer pytest." not in (writer_model.model_calls[0].system_instructions or "")
    await session.aclose()
    assert len(p1.model_calls) == 1 and (root / "memories" / "MEMORY.md").read_text() == "entry\n"
    await client.delete(session)


async def test_clashing_layouts_on_one_session_are_user_errors_before_the_run(tmp_path: Path) -> None:
    client, session = await live_session(tmp_path)
    config = RunConfig(sandbox=SandboxRunConfig(session=session))
    await Runner.run(worker(memory(phase_one(), phase_two())), "hi", run_config=config)
    other_sessions = memory(phase_one(), phase_two(), layout=MemoryLayoutConfig(sessions_dir="other"))
    with pytest.raises(UserError, match="memories_dir='memories'"):
        await Runner.run(worker(other_sessions), "hi", run_config=config)
    with pytest.raises(UserError, match="different Memory generation config"):
        await Runner.run(worker(memory(phase_one(), phase_two())), "hi", run_config=config)
    await session.shutdown()
    await client.delete(session)


async def test_a_failed_streamed_run_is_recorded_without_system_items_and_old_memories_are_forgotten(
    tmp_path: Path,
) -> None:
    old = (
        "rollout_id: old\nupdated_at: 2020-01-01T00:00:00+00:00\nrollout_path: sessions/old.jsonl\n"
        "rollout_summary_file: rollout_summaries/old_x.md\nterminal_state: completed\n\n- an old note\n"
    )
    last = {"selected": [{"rollout_id": "old", "rollout_summary_file": "rollout_summaries/old_x.md"}]}
    seeded = Manifest(entries={
        "memories/raw_memories/old.md": File(content=old.encode()),
        "memories/phase_two_selection.json": File(content=json.dumps(last).encode()),
    })  # fmt: skip
    p1, p2 = phase_one(), phase_two()
    config = MemoryGenerateConfig(phase_one_model=p1, phase_two_model=p2, max_raw_memories_for_consolidation=1)
    model = ScriptedModel([[function_call("exec_command", json.dumps({"cmd": "echo hi"}), call_id="c1")]])
    agent = SandboxAgent(name="Looper", model=model, capabilities=[Memory(generate=config), Filesystem(), Shell()])
    client, session = await live_session(tmp_path, seeded)
    root = Path(session.state.manifest.root)
    input_items = [{"role": "developer", "content": "secret rules"}, {"role": "user", "content": "loop"}]
    streamed = Runner.run_streamed(
        agent, input_items, run_config=RunConfig(sandbox=SandboxRunConfig(session=session)), max_turns=1
    )
    with pytest.raises(MaxTurnsExceeded):
        async for _ in streamed.stream_events():
            pass
    (rollout,) = (root / "sessions").glob("*.jsonl")
    segment = json.loads(rollout.read_text())
    assert segment["input"] == [{"role": "user", "content": "loop"}]  # the developer message is left out
    assert [item["type"] for item in segment["generated_items"]] == ["function_call", "function_call_output"]
    assert segment["terminal_metadata"]["terminal_state"] == "max_turns_exceeded"
    assert "final_output" not in segment
    await session.aclose()
    try:
        assert "the user says hello" in (root / "memories" / "raw_memories.md").read_text()
        assert "an old note" not in (root / "memories" / "raw_memories.md").read_text()  # beyond the limit
    finally:
        await client.delete(session)
    prompt = user_text(p2)
    assert f"[added] rollout_id={rollout.stem}" in prompt and "- rollout_id=old, rollout_summary_file" in prompt
    assert '\\"terminal_state\\": \\"max_turns_exceeded\\"' in user_text(p1)


async def test_with_a_redact_hook_the_failure_log_holds_only_the_redacted_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    leaky = ScriptedModel([[assistant_message(json.dumps({"rollout_slug": "SECRET-SLUG", "rollout_summary": "s",
                                                         "raw_memory": "r"}))]])  # fmt: skip
    client, session = await live_session(tmp_path)
    config = RunConfig(redact=lambda kind, name, value: "[redacted]", sandbox=SandboxRunConfig(session=session))
    await Runner.run(worker(memory(leaky, ScriptedModel([]))), "hello", run_config=config)
    with caplog.at_level(logging.ERROR):
        await session.aclose()
    await client.delete(session)
    (record,) = [r for r in caplog.records if r.name.endswith("memory.manager")]
    assert "SECRET-SLUG" not in record.getMessage() and record.exc_info is None
    assert "[redacted]" in record.getMessage()
