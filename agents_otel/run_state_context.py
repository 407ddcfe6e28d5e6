"""The application's context in a paused run's JSON: how ``RunState.to_json`` stores it and ``from_json`` rebuilds it.

Why a module of its own: the context is the one part of a paused run the application owns, with its own rules (a
mapping as it is, a pydantic model or a dataclass as its dict and rebuilt by the application's deserializer, anything
else through ``context_serializer``), apart from the run records ``run_state_json`` stores.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .context_wrapper import RunContextWrapper
from .exceptions import UserError
from .run_state_codec import Node, check_json

if TYPE_CHECKING:
    from collections.abc import Callable

STORE = "RunState.to_json() cannot store this run"


def encode_context(
    context: Any, serializer: Callable[[Any], Mapping[str, Any]] | None, strict: bool
) -> dict[str, Any]:
    """As in the SDK: a mapping is stored as it is, a ``context_serializer`` serializes anything, a pydantic model or
    a dataclass is stored as its dict (``from_json`` then needs a ``context_deserializer`` or ``context_override``).
    Unlike the SDK, any other object is a ``UserError``: the SDK stores ``{}`` and the resumed run has lost it."""
    if context is None:
        return {"value": None, "serialized_via": "none", "requires_deserializer": False}
    cls = f"{type(context).__module__}:{type(context).__qualname__}"
    if serializer is not None:
        try:
            value = serializer(context)
        except Exception as error:
            raise UserError(f"{STORE}: context_serializer raised {type(error).__name__}") from error
        if not isinstance(value, Mapping):
            raise UserError(f"{STORE}: context_serializer must return a mapping, got {type(value).__name__}")
        via = "context_serializer"
    elif isinstance(context, Mapping):
        value, via = context, "mapping"
    elif strict:
        raise UserError(
            f"{STORE}: with strict_context=True the context must be a mapping, or give context_serializer "
            f"(the context is a {cls})"
        )
    elif callable(getattr(context, "model_dump", None)):
        # JSON mode, all fields: defaults and in-place changes are the state the resumed run's tools read (0.25).
        try:
            value, via = context.model_dump(mode="json"), "model_dump"
        except ValueError as error:  # pydantic's serialization error, or bytes that are not UTF-8
            raise UserError(
                f"{STORE}: its context, a {cls} pydantic model, holds a field that is not JSON data "
                f"({type(error).__name__}); give to_json(context_serializer=...) to serialize or exclude it "
                "(and from_json(context_deserializer=... or context_override=...) to rebuild it)"
            ) from error
    elif dataclasses.is_dataclass(context) and not isinstance(context, type):
        try:  # asdict deep-copies every field: a lock or a client in one raises (TypeError, ...)
            value, via = dataclasses.asdict(context), "asdict"
        except Exception as error:
            raise UserError(
                f"{STORE}: its context, a {cls} dataclass, holds a field that cannot be copied as data "
                f"({type(error).__name__}); give to_json(context_serializer=...) to store what the resumed run "
                "needs (and from_json(context_deserializer=... or context_override=...) to rebuild it)"
            ) from None
    else:
        raise UserError(
            f"{STORE}: its context is a {cls}, which is not a mapping, a pydantic model or a dataclass; give "
            "to_json(context_serializer=...) (and from_json(context_deserializer=...) to rebuild it)"
        )
    value = dict(value)
    check_json(value, "context", f"{STORE}; give context_serializer= to turn the context into JSON data")
    return {"value": value, "serialized_via": via, "requires_deserializer": via != "mapping", "class": cls}


def decode_context(
    node: Node, override: Any, deserializer: Callable[[Mapping[str, Any]], Any] | None
) -> Any:
    via = node.text("serialized_via")
    value = node.get("value", dict, optional=True)
    if override is not None:
        return override.context if isinstance(override, RunContextWrapper) else override
    if value is None:
        return None
    if deserializer is not None:
        try:
            rebuilt = deserializer(value)
        except Exception as error:
            raise UserError(f"RunState.from_json(): context_deserializer raised {type(error).__name__}") from error
        return rebuilt.context if isinstance(rebuilt, RunContextWrapper) else rebuilt
    if node.flag("requires_deserializer"):
        raise UserError(
            f"RunState.from_json(): the context was stored from a {node.json('class')} ({via}); give "
            "context_deserializer= to rebuild it, or context_override= (the SDK would go on with a plain dict, "
            "which the run's tools do not expect)"
        )
    return value


__all__ = ["STORE", "decode_context", "encode_context"]
