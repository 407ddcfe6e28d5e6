"""Compatibility: the SDK's ``Memory`` sandbox capability, on its read side.

What the SDK does and this runtime must do too: the ``memory_summary.md`` of the memories directory goes into the
agent's prompt (nothing when it is missing or empty), with the directory's path (absolute when the run has a
``cwd``) and whether the agent may fix memories in place (``read.live_update``, which needs ``Filesystem`` and
``Shell``; reading needs ``Shell``); layout paths must stay inside the workspace. Generation:
test_sdk_sandbox_memory_generation.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents_otel import RunConfig, Runner, UserError
from agents_otel.sandbox import Manifest, MemoryLayoutConfig, MemoryReadConfig, SandboxAgent, SandboxRunConfig
from agents_otel.sandbox.capabilities import Filesystem, Memory, Shell
from agents_otel.sandbox.entries import Dir, File
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.testing import ScriptedModel, assistant_message


@pytest.fixture(autouse=True)
def snapshot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


async def prompt_of(memory: Memory, manifest: Manifest, *caps: Any, **sandbox: Any) -> str:
    model = ScriptedModel([[assistant_message("ok")]])
    agent = SandboxAgent(name="W", model=model, capabilities=[memory, *caps], default_manifest=manifest)
    config = RunConfig(sandbox=SandboxRunConfig(client=UnixLocalSandboxClient(), **sandbox))
    await Runner.run(agent, "go", run_config=config)
    return model.model_calls[0].system_instructions or ""


def test_bad_layouts_are_value_errors() -> None:
    assert Memory().generate is not None  # generation is on by default, as in the SDK
    with pytest.raises(ValueError, match="at least one of"):
        Memory(read=None, generate=None)
    for layout in (MemoryLayoutConfig(memories_dir="/abs"), MemoryLayoutConfig(sessions_dir="../up"),
                   MemoryLayoutConfig(memories_dir=".")):  # fmt: skip
        with pytest.raises(ValueError):
            Memory(generate=None, layout=layout)


async def test_the_summary_is_in_the_prompt_of_a_run() -> None:
    summary = {"memories": Dir(children={"memory_summary.md": File(content=b"Use tabs in Makefiles.\n")})}
    prompt = await prompt_of(Memory(generate=None), Manifest(entries=summary), Filesystem(), Shell())
    assert "## Memory" in prompt and "Use tabs in Makefiles." in prompt
    assert "`memories/MEMORY.md`" in prompt and "fix it in place under `memories`" in prompt
    read_only = Memory(generate=None, read=MemoryReadConfig(live_update=False))
    entries = {**summary, "tasks/a": Dir()}
    prompt = await prompt_of(read_only, Manifest(entries=entries), Shell(), cwd="tasks/a")
    assert "read-only" in prompt and "/memories/MEMORY.md`" in prompt and "`memories/MEMORY.md`" not in prompt


async def test_no_summary_no_section_and_the_needed_capabilities_are_checked() -> None:
    assert "## Memory" not in await prompt_of(Memory(generate=None), Manifest(), Filesystem(), Shell())
    empty = Manifest(entries={"memories/memory_summary.md": File(content=b"  \n")})
    assert "## Memory" not in await prompt_of(Memory(generate=None), empty, Filesystem(), Shell())
    with pytest.raises(UserError, match="requires missing capabilities: filesystem"):
        await prompt_of(Memory(generate=None), Manifest(), Shell())
    assert Memory(generate=None, read=MemoryReadConfig(live_update=False)).required_capability_types() == {"shell"}
