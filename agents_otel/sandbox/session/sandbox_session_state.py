"""``SandboxSessionState``: everything needed to find a session again (its backend type, id, manifest, snapshot,
exposed ports), as a pydantic model that round-trips through JSON; each backend subclasses it under its own ``type``
(``unix_local``, ...) and ``SandboxSessionState.parse`` picks the subclass from a payload.
"""

from __future__ import annotations

import builtins
import uuid
from typing import Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, field_validator

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
