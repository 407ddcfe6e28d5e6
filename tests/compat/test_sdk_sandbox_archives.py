"""Compatibility: the SDK's sandbox archives — ``session.extract(path, data)`` writes an archive at ``path`` and
extracts it beside it; ``persist_workspace()`` / ``hydrate_workspace()`` move a whole workspace as a tar stream;
``stop()`` saves it to the session's snapshot (``LocalSnapshotSpec``) and a session whose workspace is gone is
restored from it on ``start()``.

The archive is untrusted input: every limit and rule is a case here that would pass without its check — too many
members, too many bytes in or out, an absolute or ``..`` member name, a hard link, a symlink leading out.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from agents_otel import UserError
from agents_otel.sandbox import File, LocalSnapshotSpec, Manifest, RemoteSnapshotSpec
from agents_otel.sandbox.errors import (
    InvalidCompressionSchemeError,
    InvalidManifestPathError,
    WorkspaceArchiveWriteError,
)
from agents_otel.sandbox.sandboxes import UnixLocalSandboxClient
from agents_otel.sandbox.session import Dependencies, SandboxSession


@dataclass(frozen=True)
class Limits:
    """The fields of the SDK's SandboxArchiveLimits (with its validate())."""

    max_input_bytes: int | None = None
    max_extracted_bytes: int | None = None
    max_members: int | None = None

    def validate(self) -> None:
        if any(limit is not None and limit < 1 for limit in vars(self).values()):
            raise ValueError("archive limits must be at least 1")


def _tar(*members: tuple[str, bytes | None, str | None, bytes]) -> io.BytesIO:
    """A tar of (name, content, link_target, kind) members: kind b'f' file, b'd' dir, b's' symlink, b'h' hard link."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, content, target, kind in members:
            info = tarfile.TarInfo(name)
            if kind == b"d":
                info.type = tarfile.DIRTYPE
            elif kind == b"s":
                info.type, info.linkname = tarfile.SYMTYPE, target or ""
            elif kind == b"h":
                info.type, info.linkname = tarfile.LNKTYPE, target or ""
            else:
                info.size = len(content or b"")
            tar.addfile(info, io.BytesIO(content or b"") if kind == b"f" else None)
    out.seek(0)
    return out


def _file(name: str, content: bytes = b"x") -> tuple[str, bytes | None, str | None, bytes]:
    return (name, content, None, b"f")


def _extracted(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name != "archive.tar") if directory.exists() else []


async def _session(**kwargs: object) -> tuple[UnixLocalSandboxClient, SandboxSession]:
    client = UnixLocalSandboxClient()
    session = await client.create(**kwargs)  # type: ignore[arg-type]
    await session.start()
    return client, session


async def test_extract_writes_the_archive_and_its_members_beside_it() -> None:
    client, session = await _session()
    link = ("link", None, "a.txt", b"s")
    bundle = _tar(_file("a.txt", b"A"), ("sub", None, None, b"d"), _file("sub/b.txt", b"B"), link)
    await session.extract("data/bundle.tar", bundle)
    assert (await session.read(Path("data/a.txt"))).read() == b"A"
    assert (await session.read(Path("data/sub/b.txt"))).read() == b"B"
    assert (await session.read(Path("data/link"))).read() == b"A"
    assert (await session.read(Path("data/bundle.tar"))).read()[:5] == b"a.txt"
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("z/c.txt", b"C")
    zipped.seek(0)
    await session.extract("zips/pack.zip", zipped)
    assert (await session.read(Path("zips/z/c.txt"))).read() == b"C"
    with pytest.raises(InvalidCompressionSchemeError):
        await session.extract("data/unknown.bin", _tar(_file("a.txt")))
    await session.aclose()
    await client.delete(session)


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ([_file("/etc/evil.txt")], "absolute member path"),
        ([_file("../evil.txt")], "member path escapes the destination"),
        ([_file("ok/../../evil.txt")], "member path escapes the destination"),
        ([("link", None, "/etc/passwd", b"s")], "symlink target is absolute"),
        ([("link", None, "../../outside", b"s")], "symlink target escapes the destination"),
        ([_file("a.txt"), ("hard", None, "a.txt", b"h")], "hard links are not extracted"),
    ],
)
async def test_an_archive_cannot_write_outside_its_destination(
    members: list[tuple[str, bytes | None, str | None, bytes]], reason: str
) -> None:
    client, session = await _session()
    root = Path(session.state.manifest.root)
    with pytest.raises(WorkspaceArchiveWriteError) as raised:
        await session.extract("in/archive.tar", _tar(*members))
    assert raised.value.context["reason"] == reason
    names = sorted(p.name for p in (root / "in").iterdir())
    assert names == ["archive.tar"]  # checked as a whole before anything was extracted
    await session.aclose()
    await client.delete(session)


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (Limits(max_members=2), "archive member count exceeds limit"),
        (Limits(max_extracted_bytes=150), "archive extracted size exceeds limit"),
        (Limits(max_input_bytes=1024), "archive input size exceeds limit"),
    ],
)
async def test_archive_limits_are_enforced(limits: Limits, reason: str) -> None:
    client, session = await _session()
    archive = _tar(_file("a", b"x" * 100), _file("b", b"y" * 100), _file("c", b"z"))
    with pytest.raises(WorkspaceArchiveWriteError) as raised:
        await session.extract("in/archive.tar", archive, archive_limits=limits)
    assert raised.value.context["reason"] == reason
    assert not _extracted(Path(session.state.manifest.root) / "in")
    archive.seek(0)
    at_limits = Limits(max_extracted_bytes=201, max_members=3)
    await session.extract("ok/archive.tar", archive, archive_limits=at_limits)
    assert (await session.read(Path("ok/c"))).read() == b"z"
    with pytest.raises(ValueError):
        await session.extract("bad/archive.tar", archive, archive_limits=Limits(max_members=0))
    session._set_archive_limits(limits)  # the session's default applies when the call gives none
    archive.seek(0)
    with pytest.raises(WorkspaceArchiveWriteError):
        await session.extract("again/archive.tar", archive)
    await session.aclose()
    await client.delete(session)


async def test_a_zip_cannot_hide_a_member_path_escape() -> None:
    client, session = await _session()
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("../../escape.txt", b"E")
    zipped.seek(0)
    with pytest.raises(WorkspaceArchiveWriteError):
        await session.extract("in/pack.zip", zipped)
    await session.aclose()
    await client.delete(session)


async def test_the_workspace_persists_to_its_snapshot_and_is_restored_from_it(tmp_path: Path) -> None:
    manifest = Manifest(entries={"a.txt": File(content=b"a"), "tmp.txt": File(content=b"t", ephemeral=True)})
    client, session = await _session(manifest=manifest, snapshot=LocalSnapshotSpec(base_path=tmp_path / "snaps"))
    await session.write(Path("work/b.txt"), io.BytesIO(b"b"))
    await session.exec("ln -s b.txt work/link")
    await session.aclose()  # stop(): the workspace saved as <id>.tar
    assert (tmp_path / "snaps" / f"{session.state.session_id}.tar").is_file()
    state = client.deserialize_session_state(client.serialize_session_state(session.state))
    await client.delete(session)  # the workspace is gone; the snapshot is not
    resumed = await client.resume(state)
    async with resumed:
        assert (await resumed.read(Path("work/b.txt"))).read() == b"b"
        assert (await resumed.read(Path("work/link"))).read() == b"b"
        assert (await resumed.read(Path("tmp.txt"))).read() == b"t"  # ephemeral: not saved, applied again
    await client.delete(resumed)


async def test_hydrate_refuses_a_hostile_workspace_archive() -> None:
    client, session = await _session()
    with pytest.raises(WorkspaceArchiveWriteError):
        await session.hydrate_workspace(_tar(_file("../../outside.txt")))
    # Each target looks inside on its own; through the first link, the second points above the root.
    with pytest.raises(InvalidManifestPathError):
        await session.hydrate_workspace(_tar(("here", None, ".", b"s"), ("here/up", None, "../x", b"s")))
    other_client, other = await _session()
    persisted = await session.persist_workspace()
    await other.hydrate_workspace(persisted)  # an honest archive round-trips
    for s, c in ((session, client), (other, other_client)):
        await s.aclose()
        await c.delete(s)
    shutil.rmtree(Path(session.state.manifest.root), ignore_errors=True)


class _Store:
    """A remote snapshot client, as the SDK's RemoteSnapshot calls it: upload / download / exists by snapshot id."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.closed = False

    async def upload(self, snapshot_id: str, data: io.IOBase) -> None:
        self.blobs[snapshot_id] = data.read()

    def download(self, snapshot_id: str) -> io.IOBase:
        return io.BytesIO(self.blobs[snapshot_id])

    def exists(self, snapshot_id: str) -> bool:
        return snapshot_id in self.blobs

    def close(self) -> None:
        self.closed = True


async def test_a_remote_snapshot_goes_through_the_session_dependencies() -> None:
    stores: list[_Store] = []

    def make_store(_: Dependencies) -> _Store:
        stores.append(_Store())
        return stores[-1]

    template = Dependencies().bind_factory("store", make_store, owns_result=True)
    client = UnixLocalSandboxClient(dependencies=template)
    session = await client.create(snapshot=RemoteSnapshotSpec(client_dependency_key="store"))
    async with session:
        await session.write(Path("kept.txt"), io.BytesIO(b"kept"))
    assert len(stores) == 1 and list(stores[0].blobs) == [str(session.state.session_id)]
    assert stores[0].closed  # the session owned the store its factory made, and closed it
    await client.delete(session)
    shared = _Store()
    shared.blobs = stores[0].blobs
    resumed = await UnixLocalSandboxClient(dependencies=Dependencies.with_values({"store": shared})).resume(
        session.state
    )
    async with resumed:
        assert (await resumed.read(Path("kept.txt"))).read() == b"kept"
    await client.delete(resumed)
    missing = await UnixLocalSandboxClient().create(snapshot=RemoteSnapshotSpec(client_dependency_key="nowhere"))
    with pytest.raises(RuntimeError, match="nowhere"):
        await missing.start()  # no dependencies to find the client in: loud, not an empty workspace
    await UnixLocalSandboxClient().delete(missing)


def test_sandbox_event_instrumentation_is_refused() -> None:
    with pytest.raises(UserError, match="OpenTelemetry"):
        UnixLocalSandboxClient(instrumentation=object())
