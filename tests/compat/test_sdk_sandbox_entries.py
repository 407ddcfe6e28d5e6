"""Compatibility: the SDK's manifest entries beyond files — ``GitRepo`` (cloned with the ``git`` CLI; here from a
local repository, an extension: ``host=""``, since this machine has no network), the mount entries and the Docker
client (not built: a loud ``ImportError`` / ``MountConfigError``, never a workspace silently missing its data), the
memory configuration records and ``SandboxWorkspaceScope``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

import pytest

from agents_otel._sdk_paths import SDKNameNotSupportedError
from agents_otel.sandbox import (
    GitRepo,
    Manifest,
    MemoryGenerateConfig,
    MemoryReadConfig,
    SandboxWorkspaceScope,
)
from agents_otel.sandbox.errors import GitCloneError, GitSubpathError, MountConfigError
from agents_otel.sandbox.sandboxes import UnixLocalSandboxClient


def _git(cwd: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
           "HOME": str(cwd), "PATH": "/usr/bin:/bin"}  # fmt: skip
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def _exists(path: Path) -> bool:
    return path.exists()


@pytest.fixture
def local_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    monkeypatch.chdir(tmp_path)  # a local repository must lie under the working directory (or a path grant)
    repo = tmp_path / "origin"
    (repo / "docs").mkdir(parents=True)
    _git(repo, "init", "--quiet", "--initial-branch=main")
    (repo / "README.md").write_text("v1\n")
    (repo / "docs" / "guide.md").write_text("guide\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "--quiet", "-m", "one")
    first = _git(repo, "rev-parse", "HEAD").strip()
    (repo / "README.md").write_text("v2\n")
    _git(repo, "commit", "--quiet", "-am", "two")
    _git(repo, "config", "uploadpack.allowAnySHA1InWant", "true")
    return repo, first


async def test_a_git_repo_is_cloned_at_its_ref(local_repo: tuple[Path, str]) -> None:
    repo, first_commit = local_repo
    manifest = Manifest(entries={
        "latest": GitRepo(host="", repo=str(repo), ref="main"),
        "pinned": GitRepo(host="", repo=str(repo), ref=first_commit),
        "only-docs": GitRepo(host="", repo=str(repo), ref="main", subpath="docs"),
    })  # fmt: skip
    client = UnixLocalSandboxClient()
    session = await client.create(manifest=manifest)
    async with session:
        assert (await session.read(Path("latest/README.md"))).read() == b"v2\n"
        assert (await session.read(Path("pinned/README.md"))).read() == b"v1\n"
        assert (await session.read(Path("only-docs/guide.md"))).read() == b"guide\n"
        assert (await session.exec("git -C pinned log --format=%s")).stdout == b"one\n"  # a checkout, as in the SDK
    await client.delete(session)


@pytest.mark.parametrize(("subpath", "reason"), [("/etc", "absolute"), ("../..", "parent_traversal"),
                                                 ("a\\b", "windows_path"), ("  ", "empty")])  # fmt: skip
async def test_a_git_subpath_stays_in_the_repository(local_repo: tuple[Path, str], subpath: str, reason: str) -> None:
    repo, _ = local_repo
    client = UnixLocalSandboxClient()
    session = await client.create(manifest=Manifest(entries={"r": GitRepo(host="", repo=str(repo), ref="main",
                                                                           subpath=subpath)}))  # fmt: skip
    with pytest.raises(GitSubpathError) as raised:
        await session.start()
    assert raised.value.context["reason"] == reason
    await client.delete(session)


async def test_a_clone_failure_is_a_typed_error(local_repo: tuple[Path, str], tmp_path: Path) -> None:
    repo, _ = local_repo
    client = UnixLocalSandboxClient()
    pwned = tmp_path / "pwned"
    session = await client.create(
        manifest=Manifest(entries={"r": GitRepo(host="", repo=str(repo), ref=f"--upload-pack=touch {pwned}")})
    )
    with pytest.raises(GitCloneError):
        await session.start()  # the ref is --branch's value, never an option of its own
    await client.delete(session)
    assert not _exists(pwned)
    session = await client.create(manifest=Manifest(entries={"r": GitRepo(host="", repo="relative/path", ref="main")}))
    with pytest.raises(GitCloneError):
        await session.start()
    await client.delete(session)
    outside = Manifest(entries={"r": GitRepo(host="", repo=str(Path(repo).parent.parent), ref="main")})
    session = await client.create(manifest=outside)
    with pytest.raises(GitCloneError) as raised:
        await session.start()  # a local repository outside the working directory is not cloned
    assert raised.value.context["reason"] == "outside_base_dir"
    await client.delete(session)


def test_the_mounts_and_docker_are_loud_import_errors() -> None:
    with pytest.raises(SDKNameNotSupportedError, match=r"S3Mount.*not supported.*FUSE"):
        from agents_otel.sandbox.entries import S3Mount  # noqa: F401
    with pytest.raises(SDKNameNotSupportedError, match=r"GCSMount.*not supported.*FUSE"):
        from agents_otel.sandbox.entries.mounts import GCSMount  # noqa: F401
    with pytest.raises(ImportError, match="no Docker backend"):
        from agents_otel.sandbox.sandboxes import DockerSandboxClient  # noqa: F401
    with pytest.raises(ImportError, match="no Docker backend"):
        import agents_otel.sandbox.sandboxes.docker  # noqa: F401
    with pytest.raises(MountConfigError, match="s3_mount"):
        Manifest.model_validate({"entries": {"data": {"type": "s3_mount", "bucket": "b"}}})


def test_the_memory_configuration_records() -> None:
    config = MemoryGenerateConfig(phase_one_model_settings={"temperature": 0.1})
    assert config.phase_one_model_settings is not None and config.phase_one_model_settings.temperature == 0.1
    with pytest.raises(ValueError):
        MemoryGenerateConfig(max_raw_memories_for_consolidation=0)
    assert MemoryReadConfig().live_update is True


def test_the_workspace_scope_anchors_relative_paths() -> None:
    scope = SandboxWorkspaceScope.from_cwd("src/app")
    assert scope.anchor("main.py") == PurePosixPath("src/app/main.py")
    assert scope.anchor("/abs/x") == "/abs/x"
    assert scope.model_path("src/lib/util.py") == PurePosixPath("../lib/util.py")
    for bad in ("/abs", "../up", "", "a\\b"):
        with pytest.raises(ValueError):
            SandboxWorkspaceScope.from_cwd(bad)
