"""A family of pydantic records that JSON carries by their ``type`` tag (snapshots, client options): each subclass
registers under its ``type`` default, ``parse`` picks the class back from a mapping, and a dump always carries the
tag, even when the field was left at its default.

Why one base: session state leaves the process as JSON and comes back in another; the record it holds must come back
as the same class. Two classes claiming one tag would make that choice ambiguous, so the second is a ``TypeError``
at its definition, not a silent winner.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar, cast

from pydantic import BaseModel, model_serializer

T = TypeVar("T", bound="TypeTagged")


class Tagged(BaseModel):
    """A record whose dump always carries its ``type`` tag, even when the field was left at its default."""

    type: str

    @model_serializer(mode="wrap")
    def _with_type(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        if isinstance(data, dict):
            data["type"] = self.type
        return cast(dict[str, Any], data)


class TypeTagged(Tagged):
    """A ``Tagged`` family whose subclasses register under their tag, so ``parse_tagged`` finds the class again."""

    _family: ClassVar[str] = "record"
    """How errors name the family (``snapshot``, ``sandbox client options``)."""
    _registry: ClassVar[dict[str, builtins.type[TypeTagged]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if TypeTagged in cls.__bases__:  # a family's root: its own registry, no tag of its own
            cls._registry = {}
            return
        field = cls.model_fields.get("type")
        kind = field.default if field is not None else None
        if not isinstance(kind, str) or not kind:
            raise TypeError(f"{cls.__name__} must define a non-empty string default for `type`")
        existing = cls._registry.get(kind)
        if existing is not None and existing is not cls:
            raise TypeError(f"{cls._family} type `{kind}` is already registered by {existing.__name__}")
        cls._registry[kind] = cls

    @classmethod
    def parse_tagged(cls: builtins.type[T], payload: object) -> T:
        """``payload`` itself, or the registered class of its ``type`` validated from it."""
        if isinstance(payload, cls):
            return payload
        if isinstance(payload, Mapping):
            kind = payload.get("type")
            found = cls._registry.get(kind) if isinstance(kind, str) else None
            if found is None:
                raise ValueError(f"unknown {cls._family} type `{kind}`")
            return cast(T, found.model_validate(dict(payload)))
        raise TypeError(f"expected a {cls.__name__} or a mapping for a {cls._family}, got {type(payload).__name__}")
