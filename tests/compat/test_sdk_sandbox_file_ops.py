"""Compatibility: the session file API of SDK 0.23 / 0.24 — ``mv``, ``same_file``, ``read_bounded``,
``apply_patch``, ``register_persist_workspace_skip_path`` and the account / Docker hooks — on a real
``UnixLocalSandboxClient`` session, and scripted on ``scripted_sandbox_session``.

As in the SDK: ``mv`` renames a file or symlink (the link itself), replacing the destination, and refuses a
directory source before anything moves; ``same_file`` asks the filesystem (a hard link is the same file; with
``follow_symlinks=False`` a symlink never is); ``read_bounded`` returns at most ``max_bytes`` from the start,
``WorkspaceReadNotFoundError`` for a missing file, ``ValueError`` for a bound under 1; ``apply_patch`` takes
operations (or dicts) and answers ``"Done!"``; a registered skip path is left out of the snapshot; none of them
reaches outside the workspace. Learnt from the SDK's tests/sandbox/test_unix_local.py, test_session_file_ops.py
and tests/testing/test_sandbox_doubles.py.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agents_otel import UserError
from agents_otel.local_tools import ApplyPatchOperation
from agents_otel.sandbox import Manifest, User
from agents_otel.sandbox.entries import File
from agents_otel.sandbox.errors import ExecNonZeroError, InvalidManifestPathError, WorkspaceReadNotFoundError
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.sandbox.session import SandboxSession
from agents_otel.testing import scripted_sandbox_session


@pytest.fixture
async def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SandboxSession]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    client = UnixLocalSandboxClient()
    live = await client.create(manifest=Manifest(entries={"a.txt": File(content=b"alpha")}), options=None)
    async with live:
        yield live
    await client.delete(live)


def root(session: SandboxSession) -> Path:
    return Path(session.state.manifest.root)


async def test_mv_renames_a_file_and_replaces_the_destination(session: SandboxSession) -> None:
    (root(session) / "b.txt").write_bytes(b"old")
    await session.mv("a.txt", "b.txt")
    assert not (root(session) / "a.txt").exists() and (root(session) / "b.txt").read_bytes() == b"alpha"


async def test_mv_moves_a_symlink_itself_and_refuses_a_directory(session: SandboxSession) -> None:
    os.symlink("a.txt", root(session) / "link")
    await session.mv("link", "moved")
    assert os.readlink(root(session) / "moved") == "a.txt" and (root(session) / "a.txt").exists()
    (root(session) / "dir").mkdir()
    with pytest.raises(ExecNonZeroError):
        await session.mv("dir", "elsewhere")
    assert (root(session) / "dir").is_dir() and not (root(session) / "elsewhere").exists()
    (root(session) / "target").mkdir()
    with pytest.raises(ExecNonZeroError):  # a directory at the destination: never moved into it
        await session.mv("a.txt", "target")
    assert (root(session) / "a.txt").exists() and not (root(session) / "target" / "a.txt").exists()


async def test_file_ops_never_leave_the_workspace(session: SandboxSession, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root(session) / "escape")
    for attempt in (session.mv("a.txt", "../stolen.txt"), session.mv("a.txt", "escape/stolen.txt"),
                    session.same_file("a.txt", "/etc/passwd")):  # fmt: skip
        with pytest.raises(InvalidManifestPathError):
            await attempt
    assert list(outside.iterdir()) == [] and (root(session) / "a.txt").exists()


async def test_same_file_asks_the_filesystem(session: SandboxSession) -> None:
    os.link(root(session) / "a.txt", root(session) / "hard.txt")
    os.symlink("a.txt", root(session) / "soft")
    (root(session) / "c.txt").write_bytes(b"alpha")
    assert await session.same_file("a.txt", "hard.txt") is True
    assert await session.same_file("a.txt", "c.txt") is False  # equal bytes, another file
    assert await session.same_file("soft", "a.txt") is True
    assert await session.same_file("soft", "a.txt", follow_symlinks=False) is False
    assert await session.same_file("a.txt", "missing.txt") is False


async def test_read_bounded_reads_a_prefix(session: SandboxSession) -> None:
    assert await session.read_bounded(Path("a.txt"), max_bytes=3) == b"alp"
    assert await session.read_bounded(Path("a.txt"), max_bytes=100) == b"alpha"
    with pytest.raises(WorkspaceReadNotFoundError):
        await session.read_bounded(Path("missing.txt"), max_bytes=3)
    for bad in (0, -1):
        with pytest.raises(ValueError, match="max_bytes"):
            await session.read_bounded(Path("a.txt"), max_bytes=bad)


async def test_apply_patch_takes_operations_and_dicts(session: SandboxSession) -> None:
    done = await session.apply_patch([
        ApplyPatchOperation(type="create_file", path="new.txt", diff="+hello\n"),
        {"type": "update_file", "path": "a.txt", "diff": "@@\n-alpha\n+beta\n"},
    ])
    assert done == "Done!"
    assert (root(session) / "new.txt").read_text() == "hello\n" and (root(session) / "a.txt").read_text() == "beta"
    assert await session.apply_patch({"type": "delete_file", "path": "new.txt"}) == "Done!"
    assert not (root(session) / "new.txt").exists()
    with pytest.raises(InvalidManifestPathError):  # every path checked before any change
        await session.apply_patch([{"type": "delete_file", "path": "a.txt"}, {"type": "delete_file", "path": "../x"}])
    assert (root(session) / "a.txt").exists()
    with pytest.raises(UserError, match="needs a diff"):
        await session.apply_patch({"type": "create_file", "path": "x.txt"})
    with pytest.raises(UserError, match="v4a"):
        await session.apply_patch([], patch_format="unified")  # type: ignore[arg-type]


async def test_a_registered_skip_path_is_left_out_of_the_snapshot(session: SandboxSession) -> None:
    (root(session) / "out").mkdir()
    (root(session) / "out" / "events.jsonl").write_text("{}\n")
    assert session.register_persist_workspace_skip_path("out/events.jsonl") == Path("out/events.jsonl")
    with pytest.raises(ValueError, match="concrete"):
        session.register_persist_workspace_skip_path(".")
    archive = await session.persist_workspace()
    with tarfile.open(fileobj=io.BytesIO(archive.read())) as tar:
        names = {name.removeprefix("./") for name in tar.getnames()}
    assert "a.txt" in names and "out/events.jsonl" not in names


async def test_account_and_docker_hooks(session: SandboxSession) -> None:
    assert session.supports_docker_volume_mounts() is False
    await session.provision_manifest_accounts()  # nothing to create
    assert session.should_provision_manifest_accounts_on_resume() is True  # a fresh start kept nothing
    scripted = scripted_sandbox_session(manifest=Manifest(users=[User(name="bot")]))
    with pytest.raises(UserError, match="users or groups"):
        await scripted.provision_manifest_accounts()


async def test_scripted_sessions_script_mv_same_file_and_apply_patch() -> None:
    scripted = scripted_sandbox_session([
        {"method": "mv", "result": None},
        {"method": "same_file", "result": True},
        {"method": "apply_patch", "result": "Done!"},
    ])
    await scripted.mv("a", "b", user="bot")
    assert await scripted.same_file("a", "b", follow_symlinks=False) is True
    assert await scripted.apply_patch({"type": "delete_file", "path": "a"}) == "Done!"
    scripted.assert_complete()
    calls: list[Any] = list(scripted.calls)
    assert [(c.method, c.args) for c in calls] == [("mv", ("a", "b")), ("same_file", ("a", "b")),
                                                   ("apply_patch", ({"type": "delete_file", "path": "a"},))]
    assert calls[0].kwargs["user"] == "bot" and calls[1].kwargs["follow_symlinks"] is False
    assert not hasattr(scripted_sandbox_session([{"method": "exec", "result": None}]), "mv")  # not scripted
