"""What the SDK's module paths hold that agents_otel does not, said at the import that asks for it.

SDK code imports from submodules (``from agents.tracing.processors import BatchTraceProcessor``); agents_otel keeps
those paths as thin modules over its own objects. A name such a module of the SDK has and agents_otel deliberately
lacks must not fail as a bare "cannot import name": the module's ``__getattr__`` (made here) raises
:class:`SDKNameNotSupportedError`, an ``ImportError`` (Python turns an ``AttributeError`` raised during
``from m import X`` into a message of its own, so that would lose the reason) naming the name, why it is missing
and what to use instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NoReturn

from .exceptions import UserError

MIGRATING = "docs/migrating.md"


class SDKNameNotSupportedError(UserError, ImportError):
    """A name the OpenAI Agents SDK has at this module path that agents_otel does not provide (see the message)."""


def not_supported(module: str, reasons: Mapping[str, str]) -> Callable[[str], NoReturn]:
    """A module ``__getattr__``: each name of ``reasons`` raises its reason; any other name is a plain
    ``AttributeError``, as for any module."""

    def __getattr__(name: str) -> NoReturn:
        reason = reasons.get(name)
        if reason is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        raise SDKNameNotSupportedError(
            f"{module}.{name} (the SDK's agents{module.removeprefix('agents_otel')}.{name}) is not supported by "
            f"agents_otel: {reason} (see {MIGRATING})",
            name=module,
        )

    return __getattr__
