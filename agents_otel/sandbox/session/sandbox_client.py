"""``BaseSandboxClient``: makes, finds again and deletes sessions of one backend; ``BaseSandboxClientOptions``: a
backend's creation options, polymorphic by ``type`` so they round-trip through JSON.

A session's state leaves the process as ``serialize_session_state`` (a JSON-ready dict) and comes back with
``deserialize_session_state``; ``resume`` reattaches a session to it (the same workspace when it still exists, else
one restored from the snapshot on ``start()``).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import ClassVar, Generic, TypeVar, cast

from pydantic import ConfigDict

from ..manifest import Manifest
from ..snapshot import DependencyProvider, SnapshotBase, SnapshotSpec
from ..type_tagged import TypeTagged
from .base_sandbox_session import BaseSandboxSession
from .dependencies import Dependencies
from .sandbox_session import SandboxSession
from .sandbox_session_state import SandboxSessionState

ClientOptionsT = TypeVar("ClientOptionsT")


class BaseSandboxClientOptions(TypeTagged):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)
    _family: ClassVar[str] = "sandbox client options"

    @classmethod
    def parse(cls, payload: object) -> BaseSandboxClientOptions:
        return BaseSandboxClientOptions.parse_tagged(payload)


class BaseSandboxClient(abc.ABC, Generic[ClientOptionsT]):
    backend_id: str
    supports_default_options: bool = False
    _dependencies: DependencyProvider | None = None

    def _wrap_session(self, inner: BaseSandboxSession) -> SandboxSession:
        # Each session gets its own clone: factory caches and owned resources are per session.
        template = self._dependencies
        dependencies = template.clone() if isinstance(template, Dependencies) else template
        return SandboxSession(inner, dependencies=dependencies)

    @abc.abstractmethod
    async def create(
        self,
        *,
        snapshot: SnapshotSpec | SnapshotBase | None = None,
        manifest: Manifest | None = None,
        options: ClientOptionsT,
    ) -> SandboxSession:
        """A new session (not started: enter it with ``async with`` or call ``start()``)."""

    @abc.abstractmethod
    async def delete(self, session: SandboxSession) -> SandboxSession:
        """Release the backend's resources for the session (the local client removes a workspace it created)."""

    @abc.abstractmethod
    async def resume(self, state: SandboxSessionState) -> SandboxSession:
        """A session for a saved state: the same workspace if it still exists, else restored from its snapshot."""

    def serialize_session_state(self, state: SandboxSessionState) -> dict[str, object]:
        return cast(dict[str, object], state.model_dump(mode="json"))

    def deserialize_session_state(self, payload: Mapping[str, object]) -> SandboxSessionState:
        return SandboxSessionState.parse(dict(payload))
