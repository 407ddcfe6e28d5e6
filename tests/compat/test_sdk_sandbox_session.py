"""Compatibility: the SDK's sandbox sessions — ``UnixLocalSandboxClient().create(manifest=...)`` gives a session whose
workspace holds the manifest's entries, where ``exec`` runs commands and ``read`` / ``write`` / ``ls`` / ``mkdir`` /
``rm`` work on files, closed with ``async with`` / ``aclose()`` and removed with ``client.delete()``.

Real parts only: real subprocesses, real files under a temp directory. The security cases are each written to fail
without their guard: ``..`` and absolute paths, a symlink leading out of the workspace, a command past its timeout
(its whole process group killed, a grandchild included), a host source with a symlink leading out, and the event
loop kept free while a command runs.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from agents_otel.sandbox import Dir, File, LocalDir, LocalFile, Manifest, SandboxPathGrant
from agents_otel.sandbox.errors import (
    ExecTimeoutError,
    ExecTransportError,
    InvalidManifestPathError,
    LocalDirReadError,
    LocalFileReadError,
    WorkspaceArchiveWriteError,
    WorkspaceReadNotFoundError,
    WorkspaceWriteTypeError,
)
from agents_otel.sandbox.sandboxes import (
    UnixLocalSandboxClient,
    UnixLocalSandboxSession,
    UnixLocalSandboxSessionState,
)
from agents_otel.sandbox.session import SandboxSession


def _exists(path: str | Path) -> bool:
    return Path(path).exists()


async def _session(manifest: Manifest | None = None) -> tuple[UnixLocalSandboxClient, SandboxSession]:
    client = UnixLocalSandboxClient()
    return client, await client.create(manifest=manifest)


async def test_a_session_starts_with_the_manifest_and_runs_commands_in_it() -> None:
    manifest = Manifest(
        entries={"repo": Dir(children={"README.md": File(content=b"hello\n")}), "notes.txt": File(content=b"n")},
        environment={"GREETING": "hi"},
    )
    client, session = await _session(manifest)
    root = Path(session.state.manifest.root)
    assert root != Path("/workspace")  # the default root means a fresh directory of the client's own
    async with session:
        result = await session.exec("cat repo/README.md && echo $GREETING && pwd")
        assert result.ok()
        assert result.stdout.decode().splitlines() == ["hello", "hi", str(root)]
        failed = await session.exec("exit 3")
        assert (failed.ok(), failed.exit_code) == (False, 3)
        unquoted = await session.exec("printf", "%s", "a b; echo injected", shell=False)
        assert unquoted.stdout == b"a b; echo injected"
    assert _exists(root)  # closing the session keeps the workspace; delete() removes what the client made
    await client.delete(session)
    assert not _exists(root)


async def test_files_read_write_ls_mkdir_rm() -> None:
    client, session = await _session()
    async with session:
        await session.write(Path("dir/a.txt"), io.BytesIO(b"A"))
        assert (await session.read(Path("dir/a.txt"))).read() == b"A"
        await session.mkdir("dir/sub/deeper", parents=True)
        listed = {Path(entry.path).name: entry for entry in await session.ls("dir")}
        assert sorted(listed) == ["a.txt", "sub"]
        assert listed["sub"].is_dir() and not listed["a.txt"].is_dir() and listed["a.txt"].size == 1
        await session.rm("dir/a.txt")
        with pytest.raises(WorkspaceReadNotFoundError):
            await session.read(Path("dir/a.txt"))
        await session.rm("dir", recursive=True)
        assert await session.ls(".") == []
        with pytest.raises(WorkspaceWriteTypeError):
            await session.write(Path("t.txt"), io.StringIO("text"))  # type: ignore[arg-type]
    await client.delete(session)


@pytest.mark.parametrize("path", ["../outside.txt", "a/../../outside.txt", "/etc/passwd"])
async def test_no_path_leaves_the_workspace(path: str) -> None:
    client, session = await _session()
    async with session:
        with pytest.raises(InvalidManifestPathError):
            await session.read(Path(path))
        with pytest.raises(InvalidManifestPathError):
            await session.write(Path(path), io.BytesIO(b"x"))
        with pytest.raises(InvalidManifestPathError):
            await session.ls(path)
        with pytest.raises(InvalidManifestPathError):
            await session.rm(path, recursive=True)
        with pytest.raises(InvalidManifestPathError):
            await session.mkdir(path, parents=True)
    await client.delete(session)


async def test_a_symlink_does_not_lead_out_of_the_workspace(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    client, session = await _session()
    async with session:
        root = Path(session.state.manifest.root)
        (root / "escape").symlink_to(outside)
        (root / "secret-link").symlink_to(outside / "secret.txt")
        (root / "inside.txt").write_bytes(b"in")
        (root / "inside-link").symlink_to(root / "inside.txt")
        with pytest.raises(InvalidManifestPathError):
            await session.read(Path("escape/secret.txt"))
        with pytest.raises(InvalidManifestPathError):
            await session.read(Path("secret-link"))
        with pytest.raises(InvalidManifestPathError):
            await session.write(Path("escape/new.txt"), io.BytesIO(b"x"))
        with pytest.raises(InvalidManifestPathError):
            await session.ls("escape")
        assert (await session.read(Path("inside-link"))).read() == b"in"  # a link inside the workspace is fine
        await session.rm("secret-link")  # removes the link itself, never what it points at
        assert (outside / "secret.txt").read_bytes() == b"secret"
        assert not (root / "secret-link").is_symlink()
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    await client.delete(session)
    assert outside.is_dir()  # delete() does not follow the workspace's links either


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def test_a_timed_out_command_is_killed_with_its_process_group() -> None:
    client, session = await _session()
    async with session:
        with pytest.raises(ExecTimeoutError) as raised:
            await session.exec("sleep 60 & echo $! > child.pid; wait", timeout=0.5)
        assert raised.value.timeout_s == 0.5 and raised.value.error_code == "exec_timeout"
        child = int((await session.read(Path("child.pid"))).read())
        assert not _alive(child)  # the grandchild too, not only the shell
    await client.delete(session)


async def test_a_running_command_does_not_block_the_event_loop() -> None:
    client, session = await _session()
    async with session:
        # The command waits for a file only this coroutine writes: a blocked loop would never write it.
        waiting = asyncio.create_task(session.exec("while [ ! -f go ]; do sleep 0.01; done; echo done", timeout=30))
        await session.write(Path("go"), io.BytesIO(b""))
        result = await waiting
        assert result.stdout == b"done\n"
    await client.delete(session)


async def test_a_command_that_cannot_start_is_a_transport_error() -> None:
    client, session = await _session()
    async with session:
        with pytest.raises(ExecTransportError):
            await session.exec("no-such-binary-here", shell=False)
    await client.delete(session)


async def test_local_files_and_directories_are_copied_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # host sources are resolved against, and confined to, the working directory
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "mod.py").write_text("x = 1\n")
    (src / "top.txt").write_text("top\n")
    (tmp_path / "single.txt").write_text("single\n")
    manifest = Manifest(entries={"code": LocalDir(src=Path("src")), "one.txt": LocalFile(src=tmp_path / "single.txt")})
    client, session = await _session(manifest)
    async with session:
        assert (await session.read(Path("code/pkg/mod.py"))).read() == b"x = 1\n"
        assert (await session.read(Path("one.txt"))).read() == b"single\n"
        result = await session.exec("ls -R code | sort")
        assert "top.txt" in result.stdout.decode()
    await client.delete(session)


async def test_host_sources_never_lead_out_of_themselves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    (work / "src").mkdir(parents=True)
    monkeypatch.chdir(work)
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")

    async def refused(entry: LocalDir | LocalFile, grants: tuple[SandboxPathGrant, ...] = ()) -> object:
        client, session = await _session(Manifest(entries={"x": entry}, extra_path_grants=grants))
        with pytest.raises((LocalDirReadError, LocalFileReadError)) as raised:
            await session.start()
        await client.delete(session)
        return raised.value.context.get("reason")

    assert await refused(LocalFile(src=secret)) == "outside_base_dir"  # not under the working directory
    assert await refused(LocalFile(src=Path("../secret.txt"))) == "outside_base_dir"
    assert await refused(LocalDir(src=tmp_path)) == "outside_base_dir"
    (work / "src" / "link").symlink_to(secret)
    assert await refused(LocalDir(src=Path("src"))) == "symlink_escapes_source"  # a link inside leading out
    (work / "file-link").symlink_to(secret)
    assert await refused(LocalFile(src=Path("file-link"))) == "symlink_not_supported"
    (work / "dir-link").symlink_to(tmp_path)
    assert await refused(LocalFile(src=Path("dir-link/secret.txt"))) == "symlink_not_supported"
    client, session = await _session(  # a path grant opens a host source outside the working directory
        Manifest(entries={"s.txt": LocalFile(src=secret)}, extra_path_grants=(SandboxPathGrant(path=str(tmp_path)),))
    )
    async with session:
        assert (await session.read(Path("s.txt"))).read() == b"secret"
    await client.delete(session)


@pytest.mark.parametrize("key", ["../x.txt", "/etc/x.txt"])
async def test_a_manifest_entry_cannot_land_outside_the_workspace(key: str) -> None:
    client, session = await _session(Manifest(entries={key: File(content=b"x")}))
    with pytest.raises(InvalidManifestPathError):
        await session.start()
    await client.delete(session)


async def test_an_existing_root_is_used_and_kept(tmp_path: Path) -> None:
    client, session = await _session(Manifest(root=str(tmp_path / "ws"), entries={"a.txt": File(content=b"a")}))
    async with session:
        assert (await session.exec("cat a.txt")).stdout == b"a"
    await client.delete(session)
    assert (tmp_path / "ws" / "a.txt").read_bytes() == b"a"  # not the client's directory: delete() leaves it


def test_the_manifest_round_trips_through_json_and_describes_itself() -> None:
    manifest = Manifest(
        entries={"repo": Dir(description="the code", children={"main.py": File(content=b"print(1)")})},
        environment={"A": "1"},
    )
    again = Manifest.model_validate(json.loads(manifest.model_dump_json()))
    assert again == manifest
    assert isinstance(again.entries["repo"], Dir)
    text = manifest.describe(depth=None)
    assert "/workspace/repo — the code" in text and "/workspace/repo/main.py" in text
    assert "main.py" not in manifest.describe(depth=1)


async def test_the_session_state_round_trips_and_resumes_on_the_same_workspace() -> None:
    client, session = await _session(Manifest(entries={"a.txt": File(content=b"a")}))
    async with session:
        await session.write(Path("b.txt"), io.BytesIO(b"b"))
    payload = json.loads(json.dumps(client.serialize_session_state(session.state)))
    state = client.deserialize_session_state(payload)
    assert isinstance(state, UnixLocalSandboxSessionState) and state.session_id == session.state.session_id
    resumed = await client.resume(state)
    async with resumed:
        assert (await resumed.read(Path("b.txt"))).read() == b"b"  # the same workspace, not re-created
    await client.delete(resumed)
    assert not _exists(state.manifest.root)


async def test_a_non_positive_timeout_is_refused() -> None:
    client, session = await _session()
    async with session:
        with pytest.raises(ValueError):
            await session.exec("true", timeout=0)
    await client.delete(session)


async def test_an_endless_writer_is_killed_not_buffered_forever() -> None:
    client, session = await _session()
    async with session:
        inner = session._inner
        assert isinstance(inner, UnixLocalSandboxSession)
        inner.max_output_bytes = 1 << 20
        with pytest.raises(ExecTransportError, match="more than 1048576 bytes"):
            await session.exec("yes")  # no timeout: without the bound this never returns
        assert (await session.exec("head -c 1000 /dev/zero")).stdout == bytes(1000)
        inner.max_output_bytes = 10  # below one read's chunk
        with pytest.raises(ExecTransportError):
            await session.exec("yes")
        inner.max_output_bytes = 64 << 20
        with pytest.raises(ExecTimeoutError):  # a chatty command past its timeout is reaped, its pipes drained
            await session.exec("while :; do echo y; done", timeout=0.5)
    await client.delete(session)


async def test_the_local_backend_refuses_manifest_accounts_and_reports_running() -> None:
    from agents_otel.sandbox import User

    client, session = await _session(Manifest(users=[User(name="agent")]))
    with pytest.raises(ValueError, match="users or groups"):
        await session.start()  # creating accounts would change this machine's
    await client.delete(session)
    client, session = await _session()
    assert not await session.running()
    async with session:
        assert await session.running()
    assert not await session.running()
    await client.delete(session)


async def test_path_grants_open_exactly_what_they_name(tmp_path: Path) -> None:
    shared, readonly, other = tmp_path / "shared", tmp_path / "readonly", tmp_path / "other"
    for directory in (shared, readonly, other):
        directory.mkdir()
        (directory / "f.txt").write_bytes(directory.name.encode())
    grants = (SandboxPathGrant(path=str(shared)), SandboxPathGrant(path=str(readonly), read_only=True))
    client, session = await _session(Manifest(extra_path_grants=grants))
    async with session:
        assert (await session.read(shared / "f.txt")).read() == b"shared"
        await session.write(shared / "new.txt", io.BytesIO(b"n"))
        assert (await session.read(readonly / "f.txt")).read() == b"readonly"
        with pytest.raises(WorkspaceArchiveWriteError):
            await session.write(readonly / "f.txt", io.BytesIO(b"overwritten"))
        with pytest.raises(WorkspaceArchiveWriteError):
            await session.rm(readonly / "f.txt")
        with pytest.raises(InvalidManifestPathError):
            await session.read(other / "f.txt")
        with pytest.raises(InvalidManifestPathError):  # a grant opens its absolute path, not '..' from the root
            await session.read(Path("..") / shared.name / "f.txt")
    assert (readonly / "f.txt").read_bytes() == b"readonly"
    await client.delete(session)
    with pytest.raises(TypeError):
        await client.create(options={"type": "docker"})  # type: ignore[arg-type]
