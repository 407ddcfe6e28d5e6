"""``Manifest``: what a sandbox workspace starts with — its root, entries (files, directories, host copies),
environment variables, OS users and groups, and extra path grants — JSON round-trippable like the SDK's.

Entry keys are relative to the root; an absolute key or one with ``..`` is an ``InvalidManifestPathError`` when the
manifest is applied or described, so no entry can land outside the workspace.
"""

from __future__ import annotations

import abc
import builtins
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePath, PurePosixPath
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, field_serializer, field_validator, model_validator

from ..exceptions import UserError
from .entries import BaseEntry, Dir
from .entries.artifacts import dump_entry_mapping, parse_entry_mapping
from .entries.mounts import NOT_SUPPORTED
from .manifest_render import render_manifest_description
from .types import Group, User
from .workspace_paths import SandboxPathGrant, relative_entry_path

DEFAULT_REMOTE_MOUNT_COMMAND_ALLOWLIST = ["ls", "find", "stat", "cat", "less", "head", "tail", "du", "grep", "rg",
                                          "wc", "sort", "cut", "cp", "tee", "echo", "mkdir", "rm"]  # fmt: skip


class EnvValue(BaseModel, abc.ABC):
    """A value of an environment variable, resolved when the session starts (the SDK's extension point)."""

    type: str = ""
    _registry: ClassVar[dict[str, builtins.type[EnvValue]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: object) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        field = cls.model_fields.get("type")
        if field is not None and isinstance(field.default, str) and field.default:
            EnvValue._registry[field.default] = cls

    @abc.abstractmethod
    async def resolve(self) -> str: ...

    @classmethod
    def parse(cls, payload: object) -> EnvValue:
        if isinstance(payload, EnvValue):
            return payload
        if isinstance(payload, str):
            return StrEnvValue(value=payload)
        if not isinstance(payload, Mapping):
            raise TypeError(f"an env value must be a str, EnvValue or mapping, got {type(payload).__name__}")
        kind = payload.get("type", "str")
        value_cls = EnvValue._registry.get(kind) if isinstance(kind, str) else None
        if value_cls is None:
            raise ValueError(f"unknown env value type `{kind}` (known: {', '.join(sorted(EnvValue._registry))})")
        return value_cls.model_validate(dict(payload))


class StrEnvValue(EnvValue):
    type: Literal["str"] = "str"
    value: str

    async def resolve(self) -> str:
        return self.value


class EnvEntry(BaseModel):
    """An environment variable's value, with a description and whether it is ephemeral."""

    description: str | None = None
    ephemeral: bool = False
    value: EnvValue

    @field_validator("value", mode="before")
    @classmethod
    def _parse_value(cls, value: object) -> EnvValue:
        return EnvValue.parse(value)

    @field_serializer("value")
    def _dump_value(self, value: EnvValue) -> dict[str, Any]:
        return {**value.model_dump(mode="json"), "type": value.type}


class Environment(BaseModel):
    """The workspace's environment variables: each a plain string, an ``EnvValue`` or an ``EnvEntry``."""

    value: dict[str, EnvEntry] = Field(default_factory=dict)

    @field_validator("value", mode="before")
    @classmethod
    def _parse_value(cls, value: object) -> dict[str, EnvEntry]:
        if not isinstance(value, Mapping):
            raise ValueError(f"the environment must be a mapping, got {type(value).__name__}")
        parsed: dict[str, EnvEntry] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"environment variable names must be strings, got {key!r}")
            is_entry = isinstance(item, EnvEntry) or (isinstance(item, Mapping) and "type" not in item and
                                                      not isinstance(item.get("value"), str))  # fmt: skip
            parsed[key] = EnvEntry.model_validate(item) if is_entry else EnvEntry(value=EnvValue.parse(item))
        return parsed

    def normalized(self) -> dict[str, EnvEntry]:
        return dict(self.value)

    async def resolve(self) -> dict[str, str]:
        return {key: await entry.value.resolve() for key, entry in self.value.items()}


class Manifest(BaseModel):
    """The workspace a session starts with (see the module docstring)."""

    version: Literal[1] = 1
    root: str = Field(default="/workspace")
    entries: dict[str | Path, BaseEntry] = Field(default_factory=dict)
    environment: Environment = Field(default_factory=Environment)
    users: list[User] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    extra_path_grants: tuple[SandboxPathGrant, ...] = Field(default_factory=tuple)
    remote_mount_command_allowlist: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REMOTE_MOUNT_COMMAND_ALLOWLIST)
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_environment(cls, data: object) -> object:
        # Manifest(environment={"NAME": "value"}) means the variables; the SDK's model would drop them silently.
        if isinstance(data, Mapping):
            env = data.get("environment")
            if isinstance(env, Mapping) and set(env) != {"value"}:
                return {**data, "environment": {"value": env}}
        return data

    @field_validator("root")
    @classmethod
    def _absolute_root(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"the manifest root must be an absolute POSIX path, got {value!r}")
        return value

    _parse_entries = field_validator("entries", mode="before")(classmethod(lambda cls, v: parse_entry_mapping(v)))

    @field_serializer("entries", when_used="json")
    def _serialize_entries(self, entries: Mapping[str | Path, BaseEntry]) -> dict[str, object]:
        return dump_entry_mapping(entries)

    def iter_entries(self) -> Iterator[tuple[Path, BaseEntry]]:
        """Every entry, a ``Dir``'s children after it, with its path relative to the root (checked on the way)."""
        stack = [(relative_entry_path(key), entry) for key, entry in reversed(list(self.entries.items()))]
        while stack:
            rel, entry = stack.pop()
            yield Path(rel.as_posix()), entry
            if isinstance(entry, Dir):
                for key, child in reversed(list(entry.children.items())):
                    stack.append((PurePosixPath(rel, relative_entry_path(key)), child))

    def validated_entries(self) -> dict[str | Path, BaseEntry]:
        for _ in self.iter_entries():
            pass
        return dict(self.entries)

    def ephemeral_entry_paths(self, depth: int | None = 1) -> set[Path]:
        return {path for path, entry in self.iter_entries() if entry.ephemeral}

    # -- the SDK's mount methods: a manifest here holds no mounts (see ``entries.mounts``) -------------------------

    def mount_targets(self) -> list[tuple[Any, Path]]:
        """The SDK's ``(mount, path)`` pairs: always empty here, as a manifest cannot hold a mount entry."""
        return []

    def ephemeral_mount_targets(self) -> list[tuple[Any, Path]]:
        """The ephemeral ones of :meth:`mount_targets`: always empty here."""
        return []

    def ephemeral_persistence_paths(self, depth: int | None = 1) -> set[Path]:
        """What persisting the workspace leaves out, relative to the root: the ephemeral entries (the SDK adds its
        ephemeral mounts, which cannot exist here)."""
        return self.ephemeral_entry_paths(depth=depth)

    def with_in_container_mount_credential_exposure_acknowledged(self, *mount_paths: str | PurePath) -> Manifest:
        """The SDK's consent to a mount's credentials inside the sandbox: a ``UserError`` here (no mounts)."""
        raise UserError(NOT_SUPPORTED.format(name="with_in_container_mount_credential_exposure_acknowledged"))

    def with_in_container_mount_broad_credential_exposure_acknowledged(self, *mount_paths: str | PurePath) -> Manifest:
        """As :meth:`with_in_container_mount_credential_exposure_acknowledged`: a ``UserError`` here."""
        raise UserError(NOT_SUPPORTED.format(name="with_in_container_mount_broad_credential_exposure_acknowledged"))

    def describe(self, depth: int | None = 1) -> str:
        """The workspace as a tree with each entry's full path and description, for the model's instructions."""
        top = [(relative_entry_path(key), entry) for key, entry in self.entries.items()]
        self.validated_entries()
        return render_manifest_description(root=self.root, entries=top, depth=depth)
