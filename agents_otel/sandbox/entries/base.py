"""``BaseEntry``: one thing a manifest puts in the workspace, polymorphic by its ``type`` field so a manifest
round-trips through JSON (``BaseEntry.parse`` picks the registered class), as the SDK's entries do.
"""

from __future__ import annotations

import abc
import builtins
import stat
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, Field

from ..errors import MountConfigError
from ..materialization import MaterializedFile
from ..types import FileMode, Group, Permissions, User
from ..workspace_paths import WorkspacePathPolicy, coerce_posix_path, relative_entry_path, sandbox_path_str
from .mounts import MOUNT_ENTRY_TYPES, NOT_SUPPORTED

if TYPE_CHECKING:
    from ..session.base_sandbox_session import BaseSandboxSession


def resolve_workspace_path(
    workspace_root: str | PurePath, rel: str | PurePath, *, allow_absolute_within_root: bool = False
) -> Path:
    """``rel`` joined to the root; absolute paths only when allowed and under the root, never ``..``."""
    if coerce_posix_path(rel).is_absolute() and allow_absolute_within_root:
        return WorkspacePathPolicy(root=workspace_root).absolute_workspace_path(rel)
    relative = relative_entry_path(rel)
    return Path((coerce_posix_path(workspace_root) / relative).as_posix())


def _default_permissions() -> Permissions:
    return Permissions(owner=FileMode.ALL, group=FileMode.READ | FileMode.EXEC, other=FileMode.READ | FileMode.EXEC)


class BaseEntry(BaseModel, abc.ABC):
    """An entry's common fields: description (shown in the prompt), ephemeral (not persisted), owner group and mode."""

    type: str
    _subclass_registry: ClassVar[dict[str, builtins.type[BaseEntry]]] = {}

    description: str | None = Field(default=None)
    ephemeral: bool = Field(default=False)
    group: Group | User | None = Field(default=None)
    is_dir: bool = Field(default=False)
    permissions: Permissions = Field(default_factory=_default_permissions)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: object) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        field = cls.model_fields.get("type")
        type_name = field.default if field is not None else None
        if not isinstance(type_name, str) or not type_name:
            if getattr(cls, "__abstractmethods__", None):
                return
            raise TypeError(f"{cls.__name__} must define a non-empty string default for `type`")
        existing = BaseEntry._subclass_registry.get(type_name)
        if existing is not None and existing is not cls:
            raise ValueError(f"entry type `{type_name}` is already registered to {existing.__name__}")
        BaseEntry._subclass_registry[type_name] = cls

    @classmethod
    def registered_types(cls) -> dict[str, builtins.type[BaseEntry]]:
        return dict(BaseEntry._subclass_registry)

    @classmethod
    def parse(cls, payload: object) -> BaseEntry:
        """An entry from itself or from its JSON mapping (the class chosen by ``type``)."""
        if isinstance(payload, BaseEntry):
            return payload
        if not isinstance(payload, Mapping):
            raise TypeError(f"a manifest entry must be a BaseEntry or a mapping, got {type(payload).__name__}")
        entry_type = payload.get("type")
        if not isinstance(entry_type, str):
            raise ValueError("a manifest entry mapping needs a string `type` field")
        entry_cls = BaseEntry._subclass_registry.get(entry_type)
        if entry_cls is None and entry_type in MOUNT_ENTRY_TYPES:
            raise MountConfigError(message=NOT_SUPPORTED.format(name=entry_type), context={"type": entry_type})
        if entry_cls is None:
            known = ", ".join(sorted(BaseEntry._subclass_registry))
            raise ValueError(f"unknown manifest entry type `{entry_type}` (known: {known})")
        return entry_cls.model_validate(dict(payload))

    async def _apply_metadata(self, session: BaseSandboxSession, dest: Path) -> None:
        dest_arg = sandbox_path_str(dest)
        if self.group is not None:
            await session._exec_checked_nonzero("chgrp", self.group.name, dest_arg)
        await session._exec_checked_nonzero("chmod", f"{stat.S_IMODE(self.permissions.to_mode()):o}".zfill(4), dest_arg)

    @abc.abstractmethod
    async def apply(self, session: BaseSandboxSession, dest: Path, base_dir: Path) -> list[MaterializedFile]:
        """Materialize the entry at ``dest`` (an absolute workspace path); ``base_dir`` anchors relative host paths."""
        raise NotImplementedError
