"""Compatibility: smaller sandbox names of SDK 0.23 / 0.24.

As in the SDK: ``WorkspaceArchiveWriteError(message=...)`` replaces the default message; ``LocalDir.apply(user=)``
makes the directories and files as that sandbox user and leaves the entry's permissions alone (only the session
itself applies them); the cloud-mount names of ``agents.sandbox.entries`` exist — here as an
``SDKNameNotSupportedError`` saying why (no FUSE, no Docker volumes) — and a ``Manifest``'s mount methods answer
for a manifest that can hold no mounts (the credential acknowledgements are a ``UserError``). Learnt from the SDK's
tests/sandbox/test_entries.py, test_manifest.py and test_errors.py.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from agents_otel import UserError
from agents_otel._sdk_paths import SDKNameNotSupportedError
from agents_otel.sandbox import Manifest, SandboxPathGrant
from agents_otel.sandbox.entries import Dir, File, LocalDir
from agents_otel.sandbox.errors import ErrorCode, WorkspaceArchiveWriteError
from agents_otel.sandbox.types import User
from agents_otel.testing import scripted_sandbox_session

MOUNT_NAMES = [
    "AzureBlobMount", "BoxMount", "DockerVolumeMountStrategy", "FuseMountPattern", "GCSMount",
    "InContainerMountStrategy", "Mount", "MountPattern", "MountPatternBase", "MountStrategy", "MountStrategyBase",
    "MountpointMountPattern", "R2Mount", "RcloneMountPattern", "S3FilesMount", "S3FilesMountPattern", "S3Mount",
]


def test_archive_write_error_takes_a_message() -> None:
    default = WorkspaceArchiveWriteError(path=Path("/ws/a"))
    assert "/ws/a" in str(default) and default.error_code == ErrorCode.WORKSPACE_ARCHIVE_WRITE_ERROR
    custom = WorkspaceArchiveWriteError(path=Path("/ws/a"), message="archive too large", retryable=False)
    assert str(custom).startswith("archive too large") and custom.context["path"] == "/ws/a"
    assert custom.error_code == ErrorCode.WORKSPACE_ARCHIVE_WRITE_ERROR


def _ok(call: Any) -> Any:
    from agents_otel.sandbox.types import ExecResult

    return ExecResult(stdout=b"", stderr=b"", exit_code=0)


@pytest.mark.parametrize("user", [None, User(name="bot")])
async def test_local_dir_apply_as_a_user(tmp_path: Path, user: User | None) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "a.txt").write_text("a")
    steps: list[dict[str, Any]] = [{"method": m, "result": None} for m in ("mkdir", "mkdir", "write")]
    if user is None:
        steps.append({"method": "exec", "responder": _ok})  # the entry's permissions, by the session itself
    grants = (SandboxPathGrant(path=str(src), read_only=True),)
    session = scripted_sandbox_session(steps, manifest=Manifest(root="/ws", extra_path_grants=grants))
    files = await LocalDir(src=src).apply(session, Path("/ws/d"), tmp_path, user=user)
    session.assert_complete()
    assert [f.path for f in files] == [Path("/ws/d/sub/a.txt")]
    touched = [call for call in session.calls if call.method != "exec"]
    assert {call.kwargs.get("user") for call in touched} == {user}
    assert any(call.method == "exec" for call in session.calls) is (user is None)


@pytest.mark.parametrize("module", ["agents_otel.sandbox.entries", "agents_otel.sandbox.entries.mounts"])
@pytest.mark.parametrize("name", MOUNT_NAMES)
def test_each_mount_name_says_it_is_not_supported(module: str, name: str) -> None:
    importlib.import_module(module)
    with pytest.raises(SDKNameNotSupportedError, match=rf"{name} .*not supported.*FUSE.*docs/migrating\.md") as info:
        exec(f"from {module} import {name}", {})
    assert isinstance(info.value, ImportError) and isinstance(info.value, UserError)


def test_manifest_mount_methods_answer_for_a_manifest_without_mounts() -> None:
    manifest = Manifest(entries={"keep.txt": File(content=b"k"), "tmp": Dir(ephemeral=True),
                                 "d": Dir(children={"scratch": File(content=b"", ephemeral=True)})})
    assert manifest.mount_targets() == [] and manifest.ephemeral_mount_targets() == []
    assert manifest.ephemeral_persistence_paths() == {Path("tmp"), Path("d/scratch")}
    for acknowledge in (manifest.with_in_container_mount_credential_exposure_acknowledged,
                        manifest.with_in_container_mount_broad_credential_exposure_acknowledged):
        with pytest.raises(UserError, match="does not support mount entries"):
            acknowledge("/workspace/data")


EVENT_NAMES = [
    "CallbackSink", "ChainedSink", "EventPayloadPolicy", "EventSink", "HttpProxySink", "Instrumentation",
    "JsonlOutboxSink", "SandboxSessionEvent", "SandboxSessionFinishEvent", "SandboxSessionStartEvent",
    "WorkspaceJsonlSink", "event_to_json_line", "validate_sandbox_session_event",
]


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_the_session_event_names_say_spans_are_used_instead(name: str) -> None:
    with pytest.raises(SDKNameNotSupportedError, match=rf"{name} .*not supported.*OpenTelemetry spans"):
        exec(f"from agents_otel.sandbox.session import {name}", {})


def test_a_session_wrapper_with_instrumentation_is_a_user_error() -> None:
    from agents_otel.sandbox.session import SandboxSession

    inner = scripted_sandbox_session()
    with pytest.raises(UserError, match=r"instrumentation=.*OpenTelemetry spans"):
        SandboxSession(inner, instrumentation=object())
    assert SandboxSession(inner, instrumentation=None).state is inner.state


def test_state_trust_checks_on_resume(tmp_path: Path) -> None:
    from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxSessionState
    from agents_otel.sandbox.snapshot import NoopSnapshot

    def state(*grants: SandboxPathGrant) -> UnixLocalSandboxSessionState:
        return UnixLocalSandboxSessionState(snapshot=NoopSnapshot(id="s"),
                                            manifest=Manifest(extra_path_grants=grants))

    plain = state(SandboxPathGrant(path=str(tmp_path)))
    assert plain.path_grants_require_rebind == () and plain.rebind_persisted_path_grants(None) is plain
    plain.assert_path_grants_rebound()
    assert (plain.mount_authority_redacted, plain.mount_authority_rebound) == (False, False)
    assert plain.rebind_persisted_mount_authority(None, provider_backend_id="unix_local") is plain

    saved = state(SandboxPathGrant(path="/data", host_path="/srv/saved"))  # a host path read back from saved state
    assert saved.path_grants_require_rebind == ("/data",)
    with pytest.raises(ValueError, match="rebound from a current trusted manifest"):
        saved.assert_path_grants_rebound()
    with pytest.raises(ValueError, match="require a current trusted manifest"):
        saved.rebind_persisted_path_grants(None)
    with pytest.raises(ValueError, match="no host_path for these path grants: /data"):
        saved.rebind_persisted_path_grants(Manifest())
    trusted = Manifest(extra_path_grants=(SandboxPathGrant(path="/data", host_path="/srv/current"),))
    rebound = saved.rebind_persisted_path_grants(trusted)
    assert [g.host_path for g in rebound.manifest.extra_path_grants] == ["/srv/current"]
    assert rebound.path_grants_require_rebind == ()
    rebound.assert_path_grants_rebound()
    assert saved.manifest.extra_path_grants[0].host_path == "/srv/saved"  # the saved state is not changed


def workspaces(directory: Path) -> list[Path]:
    return list(directory.glob("agents-otel-sandbox-*"))


@pytest.mark.parametrize("cancel", [False, True])
async def test_a_streamed_runs_sandbox_is_cleaned_up_when_the_run_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cancel: bool
) -> None:
    import json
    import tempfile

    from agents_otel import RunConfig, Runner
    from agents_otel.sandbox import SandboxAgent, SandboxRunConfig
    from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
    from agents_otel.testing import ScriptedModel, assistant_message, function_call

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the client's fresh workspace lands here
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    call = function_call("exec_command", json.dumps({"cmd": "true"}), call_id="c")
    agent: SandboxAgent[Any] = SandboxAgent(name="W", model=ScriptedModel([[call], [assistant_message("ok")]]))
    config = RunConfig(sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    result = Runner.run_streamed(agent, "go", run_config=config)
    result.ensure_sandbox_cleanup_on_completion()
    result.ensure_sandbox_cleanup_on_completion()  # idempotent
    async for event in result.stream_events():
        if cancel and getattr(event, "name", None) == "tool_output":  # between the turns
            assert workspaces(tmp_path)  # the workspace exists while the run works
            result.cancel()
    assert not workspaces(tmp_path)
