"""Compatibility: ``SandboxRunConfig.concurrency_limits`` and ``archive_limits`` reach the sessions a run uses, as in
the OpenAI Agents SDK (``RunConfig(sandbox=SandboxRunConfig(...))``).

What the SDK does and this runtime must do too: every session the run creates, resumes or is given takes the run's
archive limits (``extract()`` and snapshot hydration refuse what exceeds them) and its concurrency limits (how many
manifest entries, and how many files of one ``LocalDir``, are materialized at once).

Concurrency is observed by counting entries (or file writes) in flight; an entry gives the event loop a few turns
while it is in flight (``_yield_to_loop``: a callback-scheduled future, not a timed wait), which is when an
unbounded materialization would start the others.
"""

from __future__ import annotations

import asyncio
import io
import tarfile
from pathlib import Path
from typing import Any, Literal

import pytest

from agents_otel import RunConfig, Runner
from agents_otel.sandbox import Manifest, SandboxAgent, SandboxRunConfig
from agents_otel.sandbox.capabilities import Capability
from agents_otel.sandbox.entries import BaseEntry, LocalDir
from agents_otel.sandbox.errors import WorkspaceArchiveWriteError
from agents_otel.sandbox.materialization import MaterializedFile
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient, UnixLocalSandboxSession
from agents_otel.sandbox.snapshot import LocalSnapshotSpec
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tool import Tool, function_tool


@pytest.fixture(autouse=True)
def snapshot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


async def _yield_to_loop(turns: int = 5) -> None:
    loop = asyncio.get_running_loop()
    for _ in range(turns):
        future: asyncio.Future[None] = loop.create_future()
        loop.call_soon(future.set_result, None)
        await future


class InFlight:
    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.done = 0

    async def hold(self) -> None:
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await _yield_to_loop()
        finally:
            self.active -= 1
            self.done += 1


ENTRIES = InFlight()


class CountingEntry(BaseEntry):
    """A manifest entry that records how many entries are being applied at once."""

    type: Literal["test_counting_entry"] = "test_counting_entry"

    async def apply(self, session: Any, dest: Path, base_dir: Path) -> list[MaterializedFile]:
        await ENTRIES.hold()
        return []


def _tar(count: int) -> io.BytesIO:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for i in range(count):
            info = tarfile.TarInfo(f"f{i}.txt")
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    out.seek(0)
    return out


class Unpacker(Capability):
    """A capability whose tool extracts a three-member archive in the run's session."""

    type: str = "test_unpacker"

    def tools(self) -> list[Tool]:
        session = self.session

        @function_tool
        async def unpack() -> str:
            """Unpack the archive."""
            try:
                await session.extract("bundle.tar", _tar(3))
            except WorkspaceArchiveWriteError as error:
                return f"refused: {type(error).__name__}: {error.context}"
            return "unpacked"

        return [unpack]


def unpacking_agent() -> SandboxAgent[Any]:
    model = ScriptedModel([[function_call("unpack", "{}", call_id="u1")], [assistant_message("done")]])
    return SandboxAgent(name="Unpacker", instructions="Unpack.", model=model, capabilities=[Unpacker()])


def unpack_output(result: Any) -> str:
    (output,) = [str(i.output) for i in result.new_items if i.type == "tool_call_output_item"]
    return output


@pytest.mark.parametrize("limits", [{"max_members": 2}, {"max_extracted_bytes": 2}, {"max_input_bytes": 100}])
async def test_a_fresh_sessions_extract_honours_the_runs_archive_limits(limits: dict[str, int]) -> None:
    config = SandboxRunConfig(client=UnixLocalSandboxClient(), archive_limits=limits)
    result = await Runner.run(unpacking_agent(), "go", run_config=RunConfig(sandbox=config))
    assert unpack_output(result).startswith("refused: WorkspaceArchiveWriteError")


async def test_without_archive_limits_the_same_archive_is_extracted() -> None:
    config = SandboxRunConfig(client=UnixLocalSandboxClient())
    result = await Runner.run(unpacking_agent(), "go", run_config=RunConfig(sandbox=config))
    assert unpack_output(result) == "unpacked"


async def test_a_live_sessions_extract_honours_the_runs_archive_limits() -> None:
    client = UnixLocalSandboxClient()
    session = await client.create(options=None)
    async with session:
        config = SandboxRunConfig(session=session, archive_limits={"max_members": 2})
        result = await Runner.run(unpacking_agent(), "go", run_config=RunConfig(sandbox=config))
        assert unpack_output(result).startswith("refused: WorkspaceArchiveWriteError")
    await client.delete(session)


async def test_a_resumed_sessions_snapshot_hydration_honours_the_runs_archive_limits(snapshot_home: Path) -> None:
    client = UnixLocalSandboxClient()
    session = await client.create(snapshot=LocalSnapshotSpec(base_path=snapshot_home), options=None)
    await session.start()
    for i in range(3):
        await session.write(Path(f"kept{i}.txt"), io.BytesIO(b"kept"))
    await session.stop()
    state = session.state
    await session.shutdown()
    await client.delete(session)

    agent = SandboxAgent(name="Reader", model=ScriptedModel([[assistant_message("never")]]))
    config = SandboxRunConfig(client=client, session_state=state, archive_limits={"max_members": 2})
    with pytest.raises(WorkspaceArchiveWriteError):
        await Runner.run(agent, "read", run_config=RunConfig(sandbox=config))


@pytest.mark.parametrize(("limit", "peak"), [(2, 2), (1, 1), (None, 6)])
async def test_manifest_entries_are_materialized_at_most_the_limit_at_a_time(limit: int | None, peak: int) -> None:
    ENTRIES.peak = ENTRIES.done = 0
    manifest = Manifest(entries={f"e{i}": CountingEntry() for i in range(6)})
    agent = SandboxAgent(name="W", model=ScriptedModel([[assistant_message("ok")]]), default_manifest=manifest)
    config = SandboxRunConfig(client=UnixLocalSandboxClient(), concurrency_limits={"manifest_entries": limit})
    await Runner.run(agent, "go", run_config=RunConfig(sandbox=config))
    assert (ENTRIES.done, ENTRIES.peak) == (6, peak)


async def test_entries_at_overlapping_destinations_are_applied_in_manifest_order() -> None:
    ENTRIES.peak = ENTRIES.done = 0
    manifest = Manifest(entries={"a": CountingEntry(), "a/b": CountingEntry(), "c": CountingEntry()})
    agent = SandboxAgent(name="W", model=ScriptedModel([[assistant_message("ok")]]), default_manifest=manifest)
    config = SandboxRunConfig(client=UnixLocalSandboxClient(), concurrency_limits={"manifest_entries": None})
    await Runner.run(agent, "go", run_config=RunConfig(sandbox=config))
    assert (ENTRIES.done, ENTRIES.peak) == (3, 2)  # a alone, then a/b beside c


async def test_a_live_sessions_local_dir_copies_at_most_the_limit_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for i in range(8):
        (source / f"f{i}.txt").write_text(str(i))
    monkeypatch.chdir(tmp_path)
    writes = InFlight()
    original = UnixLocalSandboxSession.write

    async def counted_write(self: UnixLocalSandboxSession, path: Path, data: Any, **kwargs: Any) -> None:
        await writes.hold()
        await original(self, path, data, **kwargs)

    monkeypatch.setattr(UnixLocalSandboxSession, "write", counted_write)
    client = UnixLocalSandboxClient()
    session = await client.create(manifest=Manifest(entries={"copy": LocalDir(src=Path("src"))}), options=None)
    config = SandboxRunConfig(session=session, concurrency_limits={"local_dir_files": 3})
    agent = SandboxAgent(name="W", model=ScriptedModel([[assistant_message("ok")]]))
    await Runner.run(agent, "go", run_config=RunConfig(sandbox=config))  # the run starts the session
    try:
        assert writes.done == 8
        assert writes.peak <= 3
        assert sorted(p.name for p in (Path(session.state.manifest.root) / "copy").iterdir()) == [
            f"f{i}.txt" for i in range(8)
        ]
    finally:
        await session.aclose()
        await client.delete(session)


async def test_unix_local_options_exposed_ports_resolve_on_this_machine() -> None:
    from agents_otel.sandbox.errors import ExposedPortUnavailableError
    from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClientOptions
    from agents_otel.sandbox.types import ExposedPortEndpoint

    client = UnixLocalSandboxClient()
    session = await client.create(options=UnixLocalSandboxClientOptions(exposed_ports=(8080,)))
    async with session:
        assert await session.resolve_exposed_port(8080) == ExposedPortEndpoint(host="127.0.0.1", port=8080)
        with pytest.raises(ExposedPortUnavailableError):
            await session.resolve_exposed_port(9090)  # not exposed: still refused
    await client.delete(session)
