"""Compatibility: a ``SandboxAgent`` run by ``Runner`` in a real ``UnixLocalSandboxClient`` workspace, as the OpenAI
Agents SDK runs one (``RunConfig(sandbox=SandboxRunConfig(...))``).

What the SDK does and this runtime must do too: the model's ``exec_command`` runs a real process in the session's
workspace and ``apply_patch`` really edits its files; the agent's prompt is the sandbox's around its own
instructions, with the workspace's layout; a session the run created is stopped and deleted when the run ends,
while a live ``session=`` is the caller's and stays; a run paused for approval resumes (from ``RunState`` JSON) on
the same workspace. Ours on top: the session's creation and cleanup are spans under the agent's span, and each
command a ``sandbox.exec`` span under its ``execute_tool`` span, with its exit code.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from support import Tracing

from agents_otel import RunConfig, Runner, RunState
from agents_otel.sandbox import Manifest, SandboxAgent, SandboxRunConfig
from agents_otel.sandbox.capabilities import Shell, ShellToolSet
from agents_otel.sandbox.entries import File
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.stream_events import RunItemStreamEvent
from agents_otel.testing import ScriptedModel, assistant_message, custom_tool_call, function_call

PATCH = """*** Begin Patch
*** Update File: notes.txt
@@
 first line
-second line
+second line, patched
*** Add File: src/new.py
+print("hello")
*** End Patch"""


@pytest.fixture(autouse=True)
def snapshot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Default snapshots (a fresh session persists its workspace there) go to the test's own directory."""
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


def manifest() -> Manifest:
    return Manifest(entries={"notes.txt": File(content=b"first line\nsecond line\n")})


def exec_call(cmd: str, call_id: str) -> Any:
    return function_call("exec_command", json.dumps({"cmd": cmd}), call_id=call_id)


def worker(model: ScriptedModel, **kwargs: Any) -> SandboxAgent[Any]:
    return SandboxAgent(
        name="Worker", instructions="Fix the notes.", model=model, default_manifest=manifest(), **kwargs
    )


def script() -> ScriptedModel:
    return ScriptedModel(
        [
            [exec_call("cat notes.txt", "c1")],
            [custom_tool_call("apply_patch", PATCH, call_id="c2")],
            [exec_call("cat notes.txt src/new.py && pwd", "c3")],
            [assistant_message("patched")],
        ]
    )


def outputs(result: Any) -> dict[str, str]:
    return {i.raw_item["call_id"]: str(i.output) for i in result.new_items if i.type == "tool_call_output_item"}


async def test_the_model_runs_commands_and_patches_files_in_a_fresh_session(tracing: Tracing) -> None:
    model = script()
    config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    result = await Runner.run(worker(model), "fix it", run_config=config)

    assert result.final_output == "patched"
    out = outputs(result)
    assert "Process exited with code 0" in out["c1"] and "first line\nsecond line" in out["c1"]
    assert "Updated notes.txt" in out["c2"] and "Created src/new.py" in out["c2"]
    assert "second line, patched" in out["c3"] and 'print("hello")' in out["c3"]
    workspace = Path(out["c3"].rstrip().splitlines()[-1])
    assert workspace.name.startswith("agents-otel-sandbox-")
    assert not await asyncio.to_thread(workspace.exists)  # the run created the session: it is gone with it

    first = model.model_calls[0]
    prompt = first.system_instructions or ""
    assert "# Agent instructions\n\nFix the notes." in prompt and "notes.txt" in prompt and "# Filesystem" in prompt
    assert {t.name for t in first.tools} == {"exec_command", "write_stdin", "apply_patch", "view_image"}

    (agent_span,) = tracing.named("invoke_agent Worker")
    (created,) = tracing.named("sandbox.create_session unix_local")
    (cleanup,) = tracing.named("sandbox.cleanup unix_local")
    assert created.parent is not None and created.parent.span_id == agent_span.context.span_id
    assert cleanup.parent is not None and cleanup.parent.span_id == agent_span.context.span_id
    execs = tracing.named("sandbox.exec")
    assert len(execs) == 2
    for span, call_id in zip(sorted(execs, key=lambda s: s.start_time or 0), ("c1", "c3"), strict=True):
        assert span.parent is not None and span.parent.span_id == tracing.tool_span(call_id).context.span_id
        assert (span.attributes or {})["process.exit.code"] == 0
    (patch,) = tracing.named("sandbox.apply_patch")
    assert patch.parent is not None and patch.parent.span_id == tracing.tool_span("c2").context.span_id


async def test_a_live_session_is_the_callers_and_keeps_its_files() -> None:
    client = UnixLocalSandboxClient()
    session = await client.create(manifest=manifest(), options=None)
    async with session:
        model = script()
        config = RunConfig(sandbox=SandboxRunConfig(session=session))
        result = await Runner.run(worker(model), "fix it", run_config=config)
        assert result.final_output == "patched"
        notes = await session.read(Path("notes.txt"))
        assert notes.read() == b"first line\nsecond line, patched\n"
        assert (await session.read(Path("src/new.py"))).read() == b'print("hello")\n'
        assert await session.running()  # the run did not stop the caller's session
    await client.delete(session)


async def test_run_streamed_changes_the_workspace_and_streams_the_tool_outputs() -> None:
    client = UnixLocalSandboxClient()
    session = await client.create(manifest=manifest(), options=None)
    async with session:
        config = RunConfig(sandbox=SandboxRunConfig(session=session))
        result = Runner.run_streamed(worker(script()), "fix it", run_config=config)
        names = [e.name async for e in result.stream_events() if isinstance(e, RunItemStreamEvent)]
        assert result.final_output == "patched"
        assert names.count("tool_output") == 3
        assert (await session.read(Path("notes.txt"))).read() == b"first line\nsecond line, patched\n"
    await client.delete(session)


def gated(toolset: ShellToolSet) -> None:
    toolset.exec_command.needs_approval = True


async def test_a_run_paused_for_approval_resumes_from_json_on_the_same_workspace(tracing: Tracing) -> None:
    model = ScriptedModel(
        [
            [custom_tool_call("apply_patch", PATCH, call_id="c1")],
            [exec_call("cat notes.txt src/new.py", "c2")],
            [assistant_message("checked")],
        ]
    )
    agent = worker(model, capabilities=[*worker(model).capabilities[:1], Shell(configure_tools=gated)])
    config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    first = await Runner.run(agent, "fix it", run_config=config)
    assert [i.name for i in first.interruptions] == ["exec_command"]
    stored = json.loads(json.dumps(first.to_state().to_json()))  # what an application would keep between runs
    assert stored["turn"]["sandbox"]["backend_id"] == "unix_local"

    state = await RunState.from_json(agent, stored)
    state.approve(state.get_interruptions()[0])
    second = await Runner.run(agent, state, run_config=config)

    assert second.final_output == "checked"
    out = outputs(second)
    assert "second line, patched" in out["c2"] and 'print("hello")' in out["c2"]  # the first run's edits
    (resumed,) = tracing.named("sandbox.resume_session unix_local")
    assert (resumed.attributes or {})["agents_otel.sandbox.session_id"] == stored["turn"]["sandbox"][
        "sessions_by_agent"
    ]["Worker"]["session_id"]
    assert len(tracing.named("sandbox.create_session")) == 1  # the second run resumed, it created nothing


async def test_session_state_resumes_a_session_an_application_kept(snapshot_home: Path) -> None:
    from agents_otel.sandbox.snapshot import LocalSnapshotSpec

    client = UnixLocalSandboxClient()
    session = await client.create(
        manifest=manifest(), snapshot=LocalSnapshotSpec(base_path=snapshot_home), options=None
    )
    await session.start()
    await session.write(Path("kept.txt"), __import__("io").BytesIO(b"kept by the application\n"))
    await session.stop()
    state = session.state
    await session.shutdown()
    await client.delete(session)

    model = ScriptedModel([[exec_call("cat kept.txt", "c1")], [assistant_message("read")]])
    config = RunConfig(sandbox=SandboxRunConfig(client=client, session_state=state))
    result = await Runner.run(worker(model), "read it", run_config=config)
    assert "kept by the application" in outputs(result)["c1"]


async def test_a_sandbox_agent_without_a_sandbox_is_a_user_error() -> None:
    from agents_otel import UserError

    agent = worker(ScriptedModel([[assistant_message("never")]]))
    with pytest.raises(UserError, match="RunConfig\\(sandbox=SandboxRunConfig"):
        await Runner.run(agent, "hi")


def test_a_sandbox_config_without_client_or_session_is_a_user_error() -> None:
    from agents_otel import UserError

    with pytest.raises(UserError, match="client"):
        SandboxRunConfig()
    with pytest.raises(UserError, match="sandbox must be a SandboxRunConfig"):
        RunConfig(sandbox="unix_local")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="leaves the workspace root"):
        SandboxRunConfig(client=UnixLocalSandboxClient(), cwd="../elsewhere")
    with pytest.raises(ValueError, match="at least 1"):
        SandboxRunConfig(client=UnixLocalSandboxClient(), archive_limits={"max_members": 0})


async def test_a_handoff_to_a_sandbox_agent_gets_its_session_inside_the_run(tracing: Tracing) -> None:
    from agents_otel import Agent

    sandboxed = worker(ScriptedModel([[exec_call("cat notes.txt", "c1")], [assistant_message("read it")]]))
    triage = Agent(
        name="Triage",
        model=ScriptedModel([[function_call("transfer_to_worker", "{}", call_id="h1")]]),
        handoffs=[sandboxed],
    )
    config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    result = await Runner.run(triage, "hi", run_config=config)
    assert result.final_output == "read it" and result.last_agent is sandboxed
    assert "second line" in outputs(result)["c1"]
    (worker_span,) = tracing.named("invoke_agent Worker")
    (created,) = tracing.named("sandbox.create_session")
    (cleaned,) = tracing.named("sandbox.cleanup")
    assert created.parent is not None and created.parent.span_id == worker_span.context.span_id
    assert cleaned.parent is not None and cleaned.parent.span_id == worker_span.context.span_id


def test_a_run_without_a_sandbox_never_loads_the_sandbox_package() -> None:
    import subprocess
    import sys

    code = (
        "import asyncio, sys\n"
        "from agents_otel import Agent, Runner\n"
        "from agents_otel.testing import ScriptedModel, assistant_message\n"
        "agent = Agent(name='A', model=ScriptedModel([[assistant_message('hi')]]))\n"
        "assert asyncio.run(Runner.run(agent, 'x')).final_output == 'hi'\n"
        "print('agents_otel.sandbox' in sys.modules)\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root, env={"PYTHONPATH": root}
    )
    assert done.stdout.strip() == "False"


async def test_a_failed_run_still_removes_the_session_it_created(tracing: Tracing) -> None:
    from agents_otel.testing.steps import ScriptExhaustedError

    model = ScriptedModel([[exec_call("pwd", "c1")]])  # then the script runs out: the run fails
    config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    with pytest.raises(ScriptExhaustedError) as failed:
        await Runner.run(worker(model), "go", run_config=config)
    run_data = failed.value.run_data
    assert run_data is not None
    (answer,) = [i for i in run_data.new_items if i.type == "tool_call_output_item"]
    workspace = Path(str(answer.output).rstrip().splitlines()[-1])
    assert not await asyncio.to_thread(workspace.exists)
    (cleaned,) = tracing.named("sandbox.cleanup")
    assert cleaned.status.is_ok


async def test_a_paused_run_on_a_live_session_resumes_on_it() -> None:
    client = UnixLocalSandboxClient()
    session = await client.create(manifest=manifest(), options=None)
    async with session:
        model = ScriptedModel(
            [
                [custom_tool_call("apply_patch", PATCH, call_id="p")],
                [exec_call("cat src/new.py", "c")],
                [assistant_message("ok")],
            ]
        )
        agent = worker(model, capabilities=[*worker(model).capabilities[:1], Shell(configure_tools=gated)])
        config = RunConfig(sandbox=SandboxRunConfig(session=session))
        first = await Runner.run(agent, "go", run_config=config)
        stored = first.to_state().to_json()
        assert "sandbox" not in stored["turn"]  # the caller's session is not the run's to serialize
        state = await RunState.from_json(agent, stored)
        state.approve(state.get_interruptions()[0])
        second = await Runner.run(agent, state, run_config=config)
        assert 'print("hello")' in outputs(second)["c"]
    await client.delete(session)
