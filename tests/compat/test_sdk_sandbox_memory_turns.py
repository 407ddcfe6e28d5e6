"""Compatibility: ``MemoryGenerateConfig(phase_two_max_turns=)`` (SDK 0.23): the turn limit of the phase-two
consolidation run, its own (the application's ``max_turns`` does not apply); running out fails the phase as any
failure does: logged, the selection not recorded, what the agent already wrote kept. Learnt from the SDK's
tests/sandbox/test_memory_generation.py.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from agents_otel import MaxTurnsExceeded, RunConfig, Runner
from agents_otel.sandbox import LocalSnapshotSpec, Manifest, MemoryGenerateConfig, SandboxAgent, SandboxRunConfig
from agents_otel.sandbox.capabilities import Filesystem, Memory, Shell
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@pytest.fixture(autouse=True)
def snapshot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def phase_one() -> ScriptedModel:
    answer = {"rollout_slug": "greeting", "rollout_summary": "# Hello\n", "raw_memory": "- says hello\n"}
    return ScriptedModel([[assistant_message(json.dumps(answer))]])


def phase_two() -> ScriptedModel:
    """A tool turn (writes MEMORY.md), then the answer: two turns."""
    call = function_call("exec_command", json.dumps({"cmd": "printf 'kept\\n' > memories/MEMORY.md"}), call_id="w")
    return ScriptedModel([[call], [assistant_message("consolidated")]])


def test_the_default_and_the_check() -> None:
    assert MemoryGenerateConfig().phase_two_max_turns == 500
    for bad in (0, -1, True, "3"):
        with pytest.raises(ValueError, match="phase_two_max_turns"):
            MemoryGenerateConfig(phase_two_max_turns=bad)  # type: ignore[arg-type]


async def consolidate(tmp_path: Path, turns: int) -> tuple[dict[str, str], ScriptedModel]:
    """The consolidation's model, and the memory files left (name -> text) once the session closed."""
    p2 = phase_two()
    config = MemoryGenerateConfig(phase_one_model=phase_one(), phase_two_model=p2, phase_two_max_turns=turns)
    agent: SandboxAgent[Any] = SandboxAgent(name="Worker", model=ScriptedModel([[assistant_message("done")]]),
                                            capabilities=[Memory(generate=config), Filesystem(), Shell()])
    client = UnixLocalSandboxClient()
    session = await client.create(manifest=Manifest(), snapshot=LocalSnapshotSpec(base_path=tmp_path / "snap"),
                                  options=None)
    await session.start()
    root = Path(session.state.manifest.root)
    result = await Runner.run(agent, "hello", run_config=RunConfig(sandbox=SandboxRunConfig(session=session)),
                              max_turns=1)  # the application's limit: not the consolidation's
    assert result.final_output == "done"
    await session.aclose()
    files = {p.name: p.read_text() for p in (root / "memories").iterdir() if p.is_file()}
    await client.delete(session)
    return files, p2


async def test_two_turns_are_enough_when_allowed(tmp_path: Path) -> None:
    files, p2 = await consolidate(tmp_path, 2)
    assert len(p2.model_calls) == 2
    assert files["MEMORY.md"] == "kept\n" and "phase_two_selection.json" in files


async def test_running_out_fails_the_phase_and_keeps_what_was_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        files, p2 = await consolidate(tmp_path, 1)
    assert len(p2.model_calls) == 1
    assert files["MEMORY.md"] == "kept\n" and "phase_two_selection.json" not in files
    (record,) = [r for r in caplog.records if "sandbox memory phase two" in r.getMessage()]
    assert record.exc_info is not None and isinstance(record.exc_info[1].__cause__, MaxTurnsExceeded)
