"""Compatibility: the tools and capabilities a ``SandboxAgent`` gets (``exec_command``, ``apply_patch``,
``view_image``; ``Shell``, ``Filesystem``, ``Capability``), each driven by a ``ScriptedModel`` run on a live
``UnixLocalSandboxClient`` session, as the SDK's ``tests/sandbox/capabilities`` pin their behaviour.

What the SDK does and this runtime must do too: a command past its ``yield_time_ms`` is an answer the model reads
(``Command timed out``), long output is cut to ``max_output_tokens`` with the original size said; ``workdir`` and
``SandboxRunConfig.cwd`` move where commands and relative paths start; a patch that would leave the workspace
changes nothing and tells the model why; ``view_image`` returns the image, or says what is wrong; ``configure_tools``
can gate a tool behind approval; a capability's ``instructions`` join the prompt and its ``process_manifest`` the
fresh session's workspace. Ours on top: the command line is on the ``sandbox.exec`` span only under content
capture, through the run's ``redact`` hook; one ``SandboxAgent`` in two runs at once is a ``UserError``.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from support import Tracing

from agents_otel import RunConfig, Runner, UserError, redact_keys
from agents_otel.sandbox import Capability, Manifest, SandboxAgent, SandboxRunConfig
from agents_otel.sandbox.capabilities import Filesystem, FilesystemToolSet, Shell
from agents_otel.sandbox.entries import File
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.sandbox.session.sandbox_session import SandboxSession
from agents_otel.testing import ModelStep, ScriptedModel, assistant_message, custom_tool_call, function_call

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture(autouse=True)
def snapshot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
async def session() -> AsyncIterator[SandboxSession]:
    client = UnixLocalSandboxClient()
    live = await client.create(
        manifest=Manifest(entries={"a.txt": File(content=b"alpha\n"), "pic.png": File(content=PNG)}), options=None
    )
    async with live:
        yield live
    await client.delete(live)


def run_tools(*steps: Any, **agent: Any) -> tuple[SandboxAgent[Any], ScriptedModel]:
    model = ScriptedModel([[step] for step in steps] + [[assistant_message("done")]])
    return SandboxAgent(name="Worker", model=model, **agent), model


def exec_call(call_id: str, **arguments: Any) -> Any:
    return function_call("exec_command", json.dumps(arguments), call_id=call_id)


def outputs(result: Any) -> dict[str, Any]:
    return {i.raw_item["call_id"]: i.output for i in result.new_items if i.type == "tool_call_output_item"}


async def read(session: SandboxSession, path: str) -> bytes:
    data: bytes = (await session.read(Path(path))).read()
    return data


def process_id(output: str) -> int:
    (line,) = [line for line in output.splitlines() if line.startswith("Process running with session ID ")]
    return int(line.rsplit(" ", 1)[1])


def answering_previous(call_id: str, **arguments: Any) -> ModelStep:
    """A ``write_stdin`` call to the process the previous ``exec_command`` answer left running."""

    def respond(call: Any) -> list[Any]:
        previous = str(call.input[-1]["output"])
        args = {"session_id": process_id(previous), **arguments}
        return [function_call("write_stdin", json.dumps(args), call_id=call_id)]

    return ModelStep.respond(respond)


async def test_a_command_still_running_is_polled_and_typed_into_with_write_stdin(
    session: SandboxSession, tracing: Tracing
) -> None:
    model = ScriptedModel(
        [
            [exec_call("cat", cmd="read line; echo got $line", tty=True, yield_time_ms=250)],
            answering_previous("typed", chars="hello\n", yield_time_ms=2000),
            [function_call("write_stdin", json.dumps({"session_id": 999999}), call_id="gone")],
            [assistant_message("done")],
        ]
    )
    agent = SandboxAgent(name="Worker", model=model, capabilities=[Shell()])
    config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(session=session))
    result = await Runner.run(agent, "go", run_config=config)
    out = outputs(result)
    assert "Process running with session ID" in out["cat"]
    assert "got hello" in out["typed"] and "Process exited with code 0" in out["typed"]
    assert "write_stdin failed" in out["gone"]
    started = [s for s in tracing.named("sandbox.exec")]
    assert (started[0].attributes or {})["agents_otel.sandbox.process_id"] == process_id(out["cat"])
    (typed, _gone) = sorted(tracing.named("sandbox.write_stdin"), key=lambda s: s.start_time or 0)
    assert (typed.attributes or {})["process.exit.code"] == 0
    assert typed.parent is not None and typed.parent.span_id == tracing.tool_span("typed").context.span_id


async def test_exec_command_cuts_output_reports_failure_and_runs_in_workdir(session: SandboxSession) -> None:
    agent, _ = run_tools(
        exec_call("long", cmd="seq 1 2000", max_output_tokens=10),
        exec_call("fail", cmd="mkdir -p sub && cd sub && echo here > f && exit 3"),
        exec_call("wd", cmd="cat f && pwd", workdir="sub"),
    )
    result = await Runner.run(agent, "go", run_config=RunConfig(sandbox=SandboxRunConfig(session=session)))
    out = outputs(result)
    assert "Original token count:" in out["long"] and "tokens truncated" in out["long"]
    assert len(out["long"]) < 200 and "\n1\n" in out["long"] and out["long"].rstrip().endswith("2000")
    assert "Process exited with code 3" in out["fail"]
    assert "here" in out["wd"] and out["wd"].rstrip().endswith("/sub")


async def test_cwd_moves_relative_paths_and_a_missing_cwd_is_a_user_error(session: SandboxSession) -> None:
    await session.mkdir(Path("pkg"), parents=True)
    patch = "*** Begin Patch\n*** Add File: mod.py\n+x = 1\n*** End Patch"
    agent, model = run_tools(custom_tool_call("apply_patch", patch, call_id="p"), exec_call("c", cmd="pwd"))
    config = RunConfig(sandbox=SandboxRunConfig(session=session, cwd="pkg"))
    result = await Runner.run(agent, "go", run_config=config)
    assert await read(session, "pkg/mod.py") == b"x = 1\n"
    assert outputs(result)["c"].rstrip().endswith("/pkg")
    assert "Your working directory is" in (model.model_calls[0].system_instructions or "")

    missing = RunConfig(sandbox=SandboxRunConfig(session=session, cwd="nowhere"))
    with pytest.raises(UserError, match="`nowhere` does not exist"):
        await Runner.run(run_tools()[0], "go", run_config=missing)


async def test_a_patch_leaving_the_workspace_changes_nothing(session: SandboxSession) -> None:
    patch = (
        "*** Begin Patch\n*** Update File: a.txt\n@@\n-alpha\n+beta\n"
        "*** Add File: ../escaped.txt\n+out\n*** End Patch"
    )
    bad_diff = "*** Begin Patch\n*** Update File: a.txt\n@@\n-gamma\n+delta\n*** End Patch"
    agent, _ = run_tools(
        custom_tool_call("apply_patch", patch, call_id="escape"),
        custom_tool_call("apply_patch", bad_diff, call_id="nofit"),
        custom_tool_call("apply_patch", "no envelope", call_id="garbled"),
    )
    result = await Runner.run(agent, "go", run_config=RunConfig(sandbox=SandboxRunConfig(session=session)))
    out = outputs(result)
    assert await read(session, "a.txt") == b"alpha\n"  # the first file was not changed either
    assert "must not escape the workspace root: ../escaped.txt" in str(out["escape"])
    assert "Invalid Context" in str(out["nofit"])
    assert "Begin Patch" in str(out["garbled"])
    root = Path(session.state.manifest.root)
    assert not await asyncio.to_thread((root.parent / "escaped.txt").exists)


async def test_view_image_shows_an_image_and_explains_what_is_not_one(session: SandboxSession) -> None:
    agent, model = run_tools(
        function_call("view_image", json.dumps({"path": "pic.png"}), call_id="img"),
        function_call("view_image", json.dumps({"path": "a.txt"}), call_id="txt"),
        function_call("view_image", json.dumps({"path": "none.png"}), call_id="none"),
    )
    result = await Runner.run(agent, "look", run_config=RunConfig(sandbox=SandboxRunConfig(session=session)))
    out = outputs(result)
    assert "data:image/png;base64," in json.dumps(model.model_calls[1].input[-1], default=str)
    assert "not a supported image" in str(out["txt"]) and "was not found" in str(out["none"])


def gate_patches(toolset: FilesystemToolSet) -> None:
    toolset.apply_patch.operation_needs_approval = lambda ctx, operation, call_id: operation.path.endswith(".lock")


async def test_configure_tools_gates_apply_patch_per_operation(session: SandboxSession) -> None:
    free = "*** Begin Patch\n*** Add File: free.txt\n+ok\n*** End Patch"
    locked = "*** Begin Patch\n*** Add File: deps.lock\n+pinned\n*** End Patch"
    model = ScriptedModel(
        [[custom_tool_call("apply_patch", free, call_id="f")], [custom_tool_call("apply_patch", locked, call_id="l")]]
    )
    agent = SandboxAgent(name="Worker", model=model, capabilities=[Filesystem(configure_tools=gate_patches), Shell()])
    result = await Runner.run(agent, "go", run_config=RunConfig(sandbox=SandboxRunConfig(session=session)))
    assert [i.call_id for i in result.interruptions] == ["l"]
    assert await read(session, "free.txt") == b"ok\n"
    assert not await asyncio.to_thread((Path(session.state.manifest.root) / "deps.lock").exists)


class Notes(Capability):
    """A capability of an application's own: a prompt fragment and a file in every fresh workspace."""

    type: str = "notes"
    seen: list[str] = []

    async def instructions(self, manifest: Manifest) -> str | None:
        return "Keep NOTES.md up to date."

    def process_manifest(self, manifest: Manifest) -> Manifest:
        self.seen.append("processed")
        entries = {**manifest.entries, "NOTES.md": File(content=b"# notes\n")}
        return manifest.model_copy(update={"entries": entries})


async def test_a_custom_capability_adds_its_prompt_and_its_files_to_a_fresh_session() -> None:
    notes = Notes()
    agent, model = run_tools(exec_call("c", cmd="cat NOTES.md"), capabilities=[notes, Shell()])
    config = RunConfig(sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    result = await Runner.run(agent, "go", run_config=config)
    assert "# notes" in outputs(result)["c"]
    prompt = model.model_calls[0].system_instructions or ""
    assert "Keep NOTES.md up to date." in prompt and "# Sandbox capability instructions" in prompt
    assert notes.seen == []  # the run worked on its own copy of the capability
    assert {t.name for t in model.model_calls[0].tools} == {"exec_command", "write_stdin"}


async def test_a_live_session_refuses_a_capability_that_changes_the_manifest(session: SandboxSession) -> None:
    agent, _ = run_tools(capabilities=[Notes(), Shell()])
    with pytest.raises(UserError, match=r"live SandboxRunConfig\.session"):
        await Runner.run(agent, "go", run_config=RunConfig(sandbox=SandboxRunConfig(session=session)))


async def test_the_command_is_on_the_exec_span_only_under_capture_and_redacted(
    session: SandboxSession, tracing: Tracing
) -> None:
    def config(**kwargs: Any) -> RunConfig:
        return RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(session=session), **kwargs)

    agent, _ = run_tools(exec_call("c1", cmd="echo password=hunter2"))
    await Runner.run(agent, "go", run_config=config(capture_content=False))
    agent, _ = run_tools(exec_call("c2", cmd="echo password=hunter2"))
    await Runner.run(agent, "go", run_config=config(capture_content=True, redact=redact_keys({"password"})))
    first, second = sorted(tracing.named("sandbox.exec"), key=lambda s: s.start_time or 0)
    assert "agents_otel.sandbox.command" not in (first.attributes or {})
    command = (second.attributes or {})["agents_otel.sandbox.command"]
    assert isinstance(command, str) and command.startswith("echo password=") and "hunter2" not in command


async def test_one_sandbox_agent_in_two_runs_at_once_is_a_user_error(session: SandboxSession) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    class Wait(Capability):
        type: str = "wait"

        async def instructions(self, manifest: Manifest) -> str | None:
            started.set()
            await release.wait()
            return None

    model = ScriptedModel([[assistant_message("one")], [assistant_message("two")]])
    agent = SandboxAgent(name="Worker", model=model, capabilities=[Wait()])
    config = RunConfig(sandbox=SandboxRunConfig(session=session))
    first = asyncio.create_task(Runner.run(agent, "go", run_config=config))
    await started.wait()
    with pytest.raises(UserError, match="two runs at once"):
        await Runner.run(agent, "go", run_config=config)
    release.set()
    assert (await first).final_output == "one"
    assert (await Runner.run(agent, "again", run_config=config)).final_output == "two"  # released at the end


def test_a_bad_capabilities_list_or_base_instructions_is_refused() -> None:
    with pytest.raises(UserError, match="list of Capability"):
        SandboxAgent(name="A", capabilities=["shell"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="base_instructions"):
        SandboxAgent(name="A", base_instructions=42)  # type: ignore[arg-type]


async def test_without_interactive_processes_a_slow_command_times_out_and_write_stdin_is_not_offered(
    session: SandboxSession, monkeypatch: pytest.MonkeyPatch, tracing: Tracing
) -> None:
    monkeypatch.setattr(session._inner, "supports_pty", lambda: False)  # as a backend without PTY support
    agent, model = run_tools(exec_call("slow", cmd="sleep 5", yield_time_ms=100), capabilities=[Shell()])
    config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(session=session))
    result = await Runner.run(agent, "go", run_config=config)
    out = outputs(result)["slow"]
    assert "Command timed out after 0.100 seconds." in out and "Process exited" not in out
    assert {t.name for t in model.model_calls[0].tools} == {"exec_command"}
    (span,) = tracing.named("sandbox.exec")
    assert (span.attributes or {})["agents_otel.sandbox.timed_out"] is True


def test_the_default_capabilities_are_the_sdks_each_a_fresh_object() -> None:
    """``Capabilities.default()`` is the SDK's list, ``Filesystem``, ``Shell`` and ``Compaction``, in that order; each
    call makes new objects, so one agent's capabilities never leak into another's."""
    from agents_otel.sandbox.capabilities import Capabilities, Compaction, Filesystem, Shell

    first, second = Capabilities.default(), Capabilities.default()
    assert [type(c) for c in first] == [Filesystem, Shell, Compaction]
    assert all(a is not b for a, b in zip(first, second, strict=True))
