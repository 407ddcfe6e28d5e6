"""Which session each ``SandboxAgent`` of a run works in, and what happens to it when the run ends.

The order, as in the OpenAI Agents SDK: a live ``SandboxRunConfig.session`` is used as it is (the caller owns it:
the run never stops it); else a session the resumed ``RunState`` carried for this agent is resumed; else
``SandboxRunConfig.session_state`` is resumed; else the client creates a fresh session from
``SandboxRunConfig.manifest`` or the agent's ``default_manifest`` (each capability may change that manifest). The
sessions the run created or resumed are its own: at the end of the run they are stopped (which persists the
workspace to the session's snapshot), shut down and deleted, and their state is serialized so a resumed run finds
the same workspace. Each creation, resumption and the cleanup is a span (``sandbox_spans``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import UserError
from .manifest import Manifest
from .sandbox_spans import (
    OP_CLEANUP,
    OP_CREATE_SESSION,
    OP_RESUME_SESSION,
    SANDBOX_SESSION_COUNT,
    SANDBOX_SESSION_ID,
    lifecycle_span,
)
from .snapshot import LocalSnapshotSpec

if TYPE_CHECKING:
    from ..agent import Agent
    from ..run_config_sandbox import SandboxRunConfig
    from ..run_runtime import RunRuntime
    from .capabilities.capability import Capability
    from .session.base_sandbox_session import BaseSandboxSession
    from .session.sandbox_client import BaseSandboxClient

RESUME_FORMAT = 1
"""``sandbox.format`` in a ``RunState``'s sandbox state (the sessions each agent of the run left)."""


def default_snapshot_dir() -> Path:
    """Where a fresh session persists its workspace when no ``snapshot`` is given, so that a run paused for
    approvals resumes on the same files: ``$XDG_STATE_HOME`` (or ``~/.local/state``)
    ``/agents_otel/sandbox/snapshots``."""
    state_home = os.environ.get("XDG_STATE_HOME", "")
    base = Path(state_home) if state_home and os.path.isabs(state_home) else Path.home() / ".local" / "state"
    return base / "agents_otel" / "sandbox" / "snapshots"


@dataclass
class _Resources:
    session: BaseSandboxSession
    agent_name: str
    owned: bool
    """Created or resumed by this run (stopped and deleted at its end); ``False`` for the caller's live session."""


class SandboxSessionManager:
    """The sessions of one run, by agent."""

    def __init__(self, config: SandboxRunConfig, run: RunRuntime, resume: dict[str, Any] | None) -> None:
        self.config = config
        self.run = run
        self._resume = _resume_sessions(resume)
        if resume is not None and config.client is not None and resume.get("backend_id") != config.client.backend_id:
            raise UserError(
                f"This RunRuntime's sandbox sessions are {resume.get('backend_id')!r} sessions, but RunConfig.sandbox "
                f"has a {config.client.backend_id!r} client: resume with the client the run started with"
            )
        self._by_agent: dict[int, _Resources] = {}

    @property
    def backend(self) -> str | None:
        client = self.config.client
        return getattr(client, "backend_id", None) if client is not None else None

    async def ensure(self, agent: Agent[Any], capabilities: list[Capability]) -> BaseSandboxSession:
        """``agent``'s started session, made the first time the run needs it."""
        resources = self._by_agent.get(id(agent))
        if resources is None:
            resources = self._by_agent[id(agent)] = await self._acquire(agent, capabilities)
        return resources.session

    async def _acquire(self, agent: Agent[Any], capabilities: list[Capability]) -> _Resources:
        config = self.config
        if config.session is not None:
            session = config.session
            manifest = session.state.manifest.model_copy(deep=True)  # capabilities may change what they are given
            for capability in capabilities:
                manifest = capability.process_manifest(manifest)
            self._configure(session)
            if manifest != session.state.manifest:  # the SDK applies it to the live workspace; we do not, loudly
                raise UserError(
                    f"SandboxAgent {agent.name!r}: a capability changes the manifest, which agents_otel applies to "
                    "fresh sessions only, not to a live SandboxRunConfig.session"
                )
            if not await session.running():
                await session.start()
            return _Resources(session, agent.name, owned=False)
        client = self._client()
        saved = self._resume.pop(agent.name, None)
        state = client.deserialize_session_state(saved) if saved is not None else config.session_state
        if state is not None:
            with lifecycle_span(self.run, OP_RESUME_SESSION, agent.name, client.backend_id) as scope:
                session = await client.resume(state)
                self._configure(session)
                await session.start()
                scope.span.set_attribute(SANDBOX_SESSION_ID, str(session.state.session_id))
            return _Resources(session, agent.name, owned=True)
        manifest = (config.manifest or getattr(agent, "default_manifest", None) or Manifest()).model_copy(deep=True)
        for capability in capabilities:
            manifest = capability.process_manifest(manifest)
        if config.options is None and not client.supports_default_options:
            raise UserError(
                f"Sandbox client {client.backend_id!r} needs RunConfig.sandbox.options to create a session"
            )
        snapshot = config.snapshot
        if snapshot is None:  # the SDK's default: a local snapshot, so a paused run resumes on the same files
            snapshot = LocalSnapshotSpec(base_path=default_snapshot_dir())
        with lifecycle_span(self.run, OP_CREATE_SESSION, agent.name, client.backend_id) as scope:
            session = await client.create(snapshot=snapshot, manifest=manifest, options=config.options)
            resources = _Resources(session, agent.name, owned=True)
            try:
                self._configure(session)
                await session.start()
            except BaseException:
                await _release(client, session)
                raise
            scope.span.set_attribute(SANDBOX_SESSION_ID, str(session.state.session_id))
        return resources

    def _configure(self, session: BaseSandboxSession) -> None:
        """The run's limits on a session it uses, before the session starts (applying the manifest and restoring the
        snapshot honour them): ``concurrency_limits`` for materialization, ``archive_limits`` for ``extract()`` and
        snapshot hydration (``None``: the session's defaults), as the SDK does for each session a run uses."""
        session._set_concurrency_limits(self.config.concurrency_limits)  # validated again: fields may be reassigned
        if self.config.archive_limits is not None:
            self.config.archive_limits.validate()
        session._set_archive_limits(self.config.archive_limits)

    def _client(self) -> BaseSandboxClient[Any]:
        client = self.config.client
        if client is None:  # SandboxRunConfig refuses a config with neither
            raise UserError("RunConfig.sandbox needs a client to create or resume a session")
        return client

    async def cleanup(self, agent_name: str | None) -> dict[str, Any] | None:
        """End the run's own sessions; returns the state a resumed run needs (``None`` with a live session)."""
        owned = [r for r in self._by_agent.values() if r.owned]
        self._by_agent.clear()
        if self.config.session is not None or self.config.client is None:
            return None
        client = self.config.client
        sessions: dict[str, Any] = dict(self._resume)  # agents of an earlier run that this one did not reach
        if owned:
            with lifecycle_span(self.run, OP_CLEANUP, agent_name or owned[0].agent_name, client.backend_id) as scope:
                scope.span.set_attribute(SANDBOX_SESSION_COUNT, len(owned))
                error: BaseException | None = None
                for resources in owned:
                    try:  # pre-stop hooks first (memory generation), as the SDK: a failed hook skips the persist
                        await resources.session.run_pre_stop_hooks()
                        await resources.session.stop()  # persists the workspace to the session's snapshot
                    except BaseException as exc:
                        error = error or exc
                    try:
                        await _release(client, resources.session)
                    except BaseException as exc:
                        error = error or exc
                    sessions[resources.agent_name] = client.serialize_session_state(resources.session.state)
                if error is not None:
                    raise error
        if not sessions:
            return None
        return {"format": RESUME_FORMAT, "backend_id": client.backend_id, "sessions_by_agent": sessions}


async def _release(client: BaseSandboxClient[Any], session: BaseSandboxSession) -> None:
    try:
        await session.shutdown()
    finally:
        await client.delete(session)  # type: ignore[arg-type]


def _resume_sessions(resume: dict[str, Any] | None) -> dict[str, Any]:
    """The serialized session of each agent in a resumed run's sandbox state (checked: it came from JSON)."""
    if resume is None:
        return {}
    sessions = resume.get("sessions_by_agent")
    if resume.get("format") != RESUME_FORMAT or not isinstance(sessions, dict):
        raise UserError(
            "This RunRuntime's sandbox state is not one agents_otel wrote (expected format "
            f"{RESUME_FORMAT} with sessions_by_agent)"
        )
    return dict(sessions)
