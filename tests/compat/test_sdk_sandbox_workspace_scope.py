"""Compatibility: ``SandboxWorkspaceScope.model_resource_path`` and ``FilesystemToolSet.workspace_scope`` (SDK 0.24).

As in the SDK: a file the session owns is named to the model workspace-relative when the run has no ``cwd``, and
absolute under the workspace root when it has one (so it resolves after the model changes directory); a path
that is empty, absolute, escaping or not POSIX is a ``ValueError``, and so is a relative workspace root. The
filesystem tool set handed to ``configure_tools`` carries the run's scope. Learnt from the SDK's
tests/sandbox/test_workspace_paths.py and tests/sandbox/capabilities/test_filesystem_capability.py.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import pytest

from agents_otel import RunConfig, Runner
from agents_otel.sandbox import Manifest, SandboxAgent, SandboxRunConfig, SandboxWorkspaceScope
from agents_otel.sandbox.capabilities import Filesystem, FilesystemToolSet
from agents_otel.sandbox.entries import Dir
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.testing import ScriptedModel, assistant_message


def test_without_a_cwd_the_path_stays_workspace_relative() -> None:
    scope = SandboxWorkspaceScope()
    assert scope.model_resource_path(workspace_root="/ws", workspace_relative_path="memories/./x") == PurePosixPath(
        "memories/x")


def test_with_a_cwd_the_path_is_absolute_under_the_root() -> None:
    scope = SandboxWorkspaceScope.from_cwd("tasks/a")
    assert scope.model_resource_path(workspace_root="/ws", workspace_relative_path="memories") == PurePosixPath(
        "/ws/memories")
    assert scope.model_resource_path(workspace_root=PurePosixPath("/ws/"),
                                     workspace_relative_path=PurePosixPath("skills/x/SKILL.md")).as_posix() == \
        "/ws/skills/x/SKILL.md"


@pytest.mark.parametrize("bad", ["", ".", "/abs", "../up", "a/../../b", "a\\b", "C:/x", "C:\\x"])
def test_paths_that_are_not_workspace_relative_are_value_errors(bad: str) -> None:
    for scope in (SandboxWorkspaceScope(), SandboxWorkspaceScope.from_cwd("tasks")):
        with pytest.raises(ValueError, match="session resource paths"):
            scope.model_resource_path(workspace_root="/ws", workspace_relative_path=bad)


@pytest.mark.parametrize("root", ["ws", "C:\\ws"])
def test_a_workspace_root_that_is_not_posix_absolute_is_a_value_error(root: str) -> None:
    with pytest.raises(ValueError, match="workspace root"):
        SandboxWorkspaceScope.from_cwd("tasks").model_resource_path(workspace_root=root, workspace_relative_path="x")


@pytest.mark.parametrize("cwd", [None, "tasks/a"])
async def test_configure_tools_sees_the_runs_scope(cwd: str | None) -> None:
    seen: list[FilesystemToolSet] = []
    model = ScriptedModel([[assistant_message("ok")]])
    manifest = Manifest(entries={"tasks/a": Dir()})
    agent: SandboxAgent[Any] = SandboxAgent(name="W", model=model, default_manifest=manifest,
                                            capabilities=[Filesystem(configure_tools=seen.append)])
    config = RunConfig(sandbox=SandboxRunConfig(client=UnixLocalSandboxClient(), cwd=cwd))
    await Runner.run(agent, "go", run_config=config)
    assert seen and seen[0].workspace_scope == SandboxWorkspaceScope.from_cwd(cwd)
    assert FilesystemToolSet(seen[0].view_image, seen[0].apply_patch).workspace_scope == SandboxWorkspaceScope()
