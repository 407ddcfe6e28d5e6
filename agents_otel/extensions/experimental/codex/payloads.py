"""What every Codex event and item shares: read like the mapping the CLI wrote, and typed option coercion.

The SDK's payload classes are frozen dataclasses that also answer ``payload["key"]``, ``.get`` and ``in``, so code
written against the raw JSONL dicts keeps working; ours do the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from ....exceptions import UserError

T = TypeVar("T")


class _DictLike:
    """Mapping-style reads over a dataclass's fields (only its fields: anything else is a ``KeyError``)."""

    def _field_names(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> Any:
        if key in self._field_names():
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if key in self._field_names() else default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._field_names()

    def keys(self) -> Iterator[str]:
        return iter(self._field_names())

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


def coerce_options(cls: type[T], value: T | Mapping[str, Any] | None, label: str) -> T | None:
    """``value`` as a ``cls`` dataclass: as it is, or built from a mapping whose keys must all be fields (a typo is a
    ``UserError``, never an option silently dropped)."""
    if value is None or isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise UserError(f"{label} must be a {label} or a mapping, got {type(value).__name__}")
    allowed = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(value) - allowed
    if unknown:
        raise UserError(f"Unknown {label} field(s): {sorted(unknown)}")
    return cls(**dict(value))
