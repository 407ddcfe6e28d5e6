"""The SDK's ``agents.extensions.memory.dapr_session`` path: importing its names raises the package's
``SDKNameNotSupportedError`` (DaprSession is not supported here), as ``agents_otel.extensions.memory`` does."""

from __future__ import annotations

from typing import Any

__all__: list[str] = []

_NAMES = frozenset({"ConsistencyLevel", "DAPR_CONSISTENCY_EVENTUAL", "DAPR_CONSISTENCY_STRONG", "DaprSession"})


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import __getattr__ as package_getattr

    return package_getattr("DaprSession")
