"""Compatibility: ``UnixLocalSandboxClient(inherit_host_environment=, host_environment_allowlist=)`` (SDK 0.24):
which of the application's variables a sandbox command sees.

As in the SDK: by default every variable (the SDK's default, kept); ``inherit_host_environment=False`` keeps only
the SDK's short list (``PATH``, the locale, terminal and certificate variables...) or the names given; the
manifest's ``environment`` always applies on top; the policy is the client's, for sessions it creates and resumes
alike, whatever the state says; an allowlist with inheritance on is a ``ValueError``, a bare string a
``TypeError``. Both ``exec`` and interactive (``pty``) commands follow it. Learnt from the SDK's
tests/sandbox/test_unix_local.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from agents_otel.sandbox import Manifest
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.sandbox.sandboxes.unix_local_env import HOST_ENVIRONMENT_ALLOWLIST

SECRET = "AGENTS_OTEL_TEST_SECRET"
PRINT_ENV = f"{sys.executable} -c 'import json, os; print(json.dumps(dict(os.environ)))'"


@pytest.fixture(autouse=True)
def host_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SECRET, "sk-host")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


async def env_of(client: UnixLocalSandboxClient, manifest: Manifest | None = None) -> dict[str, str]:
    session = await client.create(manifest=manifest or Manifest(), options=None)
    try:
        async with session:
            result = await session.exec(PRINT_ENV)
            assert result.exit_code == 0, result.stderr
            seen: dict[str, str] = json.loads(result.stdout)
            return seen
    finally:
        await client.delete(session)


async def test_by_default_commands_inherit_the_host_environment() -> None:
    seen = await env_of(UnixLocalSandboxClient())
    assert seen[SECRET] == "sk-host" and seen["LANG"] == "C.UTF-8"


async def test_without_inheritance_only_the_sdks_short_list_is_kept() -> None:
    seen = await env_of(UnixLocalSandboxClient(inherit_host_environment=False),
                        Manifest(environment={"APP_MODE": "test"}))
    assert SECRET not in seen and seen["LANG"] == "C.UTF-8" and "PATH" in seen
    assert seen["APP_MODE"] == "test"  # the manifest's variables still apply
    assert {"PATH", "LANG", "TZ", "SSL_CERT_FILE", "CI"} <= HOST_ENVIRONMENT_ALLOWLIST
    assert SECRET not in HOST_ENVIRONMENT_ALLOWLIST and "HOME" not in HOST_ENVIRONMENT_ALLOWLIST


async def test_an_allowlist_names_exactly_what_is_kept() -> None:
    seen = await env_of(UnixLocalSandboxClient(inherit_host_environment=False, host_environment_allowlist=[SECRET]))
    assert seen.get(SECRET) == "sk-host" and "LANG" not in seen


async def test_a_resumed_session_takes_the_resuming_clients_policy() -> None:
    open_client = UnixLocalSandboxClient()
    session = await open_client.create(manifest=Manifest(), options=None)
    state: Any = open_client.deserialize_session_state(session.state.model_dump(mode="json"))
    strict = UnixLocalSandboxClient(inherit_host_environment=False)
    resumed = await strict.resume(state)
    try:
        async with resumed:
            seen = json.loads((await resumed.exec(PRINT_ENV)).stdout)
        assert SECRET not in seen
    finally:
        await open_client.delete(session)


async def test_interactive_commands_follow_the_policy_too() -> None:
    client = UnixLocalSandboxClient(inherit_host_environment=False)
    session = await client.create(manifest=Manifest(), options=None)
    try:
        async with session:
            update = await session.pty_exec_start(f"echo secret=${SECRET}; echo lang=$LANG", yield_time_s=5)
            output = update.output.decode() if isinstance(update.output, bytes) else str(update.output)
        assert "secret=\n" in output.replace("\r", "") and "lang=C.UTF-8" in output
    finally:
        await client.delete(session)


def test_bad_policies_are_typed_errors() -> None:
    with pytest.raises(ValueError, match="requires inherit_host_environment=False"):
        UnixLocalSandboxClient(host_environment_allowlist=["PATH"])
    with pytest.raises(TypeError, match="collection of variable names"):
        UnixLocalSandboxClient(inherit_host_environment=False, host_environment_allowlist="PATH")
    with pytest.raises(TypeError, match="variable names"):
        UnixLocalSandboxClient(inherit_host_environment=False, host_environment_allowlist=[1])  # type: ignore[list-item]
