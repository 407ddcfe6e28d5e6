"""``SandboxSessionState``: everything needed to find a session again (its backend type, id, manifest, snapshot,
exposed ports), as a pydantic model that round-trips through JSON; each backend subclasses it under its own ``type``
(``unix_local``, ...) and ``SandboxSessionState.parse`` picks the subclass from a payload.
"""

from __future__ import annotations

import builtins
import uuid
from typing import Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SerializeAsAny, field_validator

from ..manifest import Manifest
from ..snapshot import SnapshotBase


class SandboxSessionState(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, hide_input_in_errors=True)

    type: str
    session_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    snapshot: SerializeAsAny[SnapshotBase]
    manifest: Manifest
    exposed_ports: tuple[int, ...] = Field(default_factory=tuple)
    snapshot_fingerprint: str | None = None
    snapshot_fingerprint_version: str | None = None
    workspace_root_ready: bool = False

    _registry: ClassVar[dict[str, builtins.type[SandboxSessionState]]] = {}
    _grants_rebound: bool = PrivateAttr(default=False)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        field = cls.model_fields.get("type")
        if field is None or get_origin(field.annotation) is not Literal or not get_args(field.annotation):
            return
        if isinstance(field.default, str) and field.default:
            SandboxSessionState._registry[field.default] = cls

    @field_validator("snapshot", mode="before")
    @classmethod
    def _parse_snapshot(cls, value: object) -> SnapshotBase:
        return SnapshotBase.parse(value)

    @classmethod
    def parse(cls, payload: object) -> SandboxSessionState:
        """The registered subclass's state from a payload (or a bare base state upgraded to its subclass)."""
        if isinstance(payload, SandboxSessionState):
            if type(payload) is not SandboxSessionState:
                return payload
            payload = payload.model_dump()
        if not isinstance(payload, dict):
            raise TypeError("a session state payload must be a SandboxSessionState or a dict")
        kind = payload.get("type")
        if not isinstance(kind, str):
            raise ValueError("a session state payload needs a string `type`")
        state_cls = SandboxSessionState._registry.get(kind)
        if state_cls is None:
            raise ValueError(f"unknown sandbox session state type `{kind}`")
        return state_cls.model_validate(payload)

    # -- the SDK's resume-time trust checks (0.24) -------------------------------------------------------------------
    # A grant's host_path read back from saved state is not trusted authority: it must come again from the current
    # manifest. Mount credentials cannot be in a state here (a manifest holds no mounts), so nothing is redacted.

    @property
    def path_grants_require_rebind(self) -> tuple[str, ...]:
        """The paths of grants whose ``host_path`` came with the state (they need the current manifest's)."""
        if self._grants_rebound:
            return ()
        return tuple(grant.path for grant in self.manifest.extra_path_grants if grant.host_path is not None)

    @property
    def mount_authority_redacted(self) -> bool:
        """Always ``False`` here: no mount credentials to redact (a manifest holds no mounts)."""
        return False

    @property
    def mount_authority_rebound(self) -> bool:
        """Always ``False`` here, for the same reason."""
        return False

    def rebind_persisted_path_grants(self, trusted_manifest: Manifest | None) -> SandboxSessionState:
        """This state with its path grants taken from ``trusted_manifest`` (the application's current one) when
        any grant carries a ``host_path``; a ``ValueError`` when that manifest is missing or lacks one of them."""
        needed = self.path_grants_require_rebind
        if not needed:
            return self
        if trusted_manifest is None:
            raise ValueError("Sandbox session state contains path grants that require a current trusted manifest")
        trusted = {grant.path for grant in trusted_manifest.extra_path_grants if grant.host_path is not None}
        missing = [path for path in needed if path not in trusted]
        if missing:
            raise ValueError(f"the trusted manifest has no host_path for these path grants: {', '.join(missing)}")
        grants = tuple(grant.model_copy() for grant in trusted_manifest.extra_path_grants)
        rebound = self.model_copy(update={"manifest": self.manifest.model_copy(update={"extra_path_grants": grants})})
        rebound._grants_rebound = True
        return rebound

    def rebind_persisted_mount_authority(
        self, trusted_manifest: Manifest | None, *, provider_backend_id: str
    ) -> SandboxSessionState:
        """This state as it is: it holds no redacted mount credentials (see :attr:`mount_authority_redacted`)."""
        return self

    def assert_path_grants_rebound(self) -> None:
        """A ``ValueError`` when a grant's ``host_path`` still comes from saved state (rebind it first)."""
        if self.path_grants_require_rebind:
            raise ValueError(
                "Sandbox session state path grants must be rebound from a current trusted manifest before resume "
                f"({', '.join(self.path_grants_require_rebind)}): use rebind_persisted_path_grants(manifest)"
            )
