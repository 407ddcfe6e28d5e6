"""The SDK's ``agents.extensions.memory.mongodb_session`` path: importing ``MongoDBSession`` raises the package's
``SDKNameNotSupportedError`` (it is not supported here), as ``agents_otel.extensions.memory`` does."""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


def __getattr__(name: str) -> Any:
    if name != "MongoDBSession":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import __getattr__ as package_getattr

    return package_getattr(name)
