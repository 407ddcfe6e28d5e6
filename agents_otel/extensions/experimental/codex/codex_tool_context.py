"""``codex_tool(use_run_context_thread_id=True)``: the Codex thread id kept in the run's ``context``, so runs that share
one context object continue the same Codex thread.

The context must be writable under the key (a dict, a mutable object, a non-frozen pydantic model or dataclass);
anything else is a ``UserError`` at the first call rather than an id silently never stored.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

from pydantic import BaseModel

from ....context_wrapper import RunContextWrapper
from ....exceptions import UserError

logger = logging.getLogger("agents_otel")

DEFAULT_CODEX_TOOL_NAME = "codex"
DEFAULT_RUN_CONTEXT_THREAD_ID_KEY = "codex_thread_id"
CODEX_TOOL_NAME_PREFIX = "codex_"
_NOT_WRITABLE = "use_run_context_thread_id=True requires a mutable run context mapping or a writable object context."


def validate_key(value: Any) -> str:
    if not isinstance(value, str):
        raise UserError(f"run_context_thread_id_key must be a string, got {type(value).__name__}")
    key = value.strip()
    if not key:
        raise UserError("run_context_thread_id_key must be a non-empty string.")
    return key


def resolve_key(tool_name: str, configured: str | None, *, strict_default_key: bool) -> str:
    """The configured key, else ``codex_thread_id`` (tool ``codex``) or ``codex_thread_id_<suffix>`` (tool
    ``codex_<suffix>``).
    With the run-context mode on, a suffix that would have to be rewritten is refused: two tools must not share a key
    by accident."""
    if configured is not None:
        return validate_key(configured)
    if tool_name == DEFAULT_CODEX_TOOL_NAME:
        return DEFAULT_RUN_CONTEXT_THREAD_ID_KEY
    suffix = tool_name[len(CODEX_TOOL_NAME_PREFIX):].strip()
    if strict_default_key:
        lead = "When use_run_context_thread_id=True and run_context_thread_id_key is omitted, "
        if not suffix:
            raise UserError(lead + 'codex tool names must include a non-empty suffix after "codex_".')
        if not re.fullmatch(r"[A-Za-z0-9_]+", suffix):
            raise UserError(
                lead + 'the codex tool name suffix (after "codex_") must match [A-Za-z0-9_]+. Use only letters, '
                "numbers, and underscores, or set run_context_thread_id_key explicitly."
            )
    else:
        suffix = re.sub(r"[^0-9a-zA-Z_]+", "_", suffix.lower()).strip("_") or "tool"
    return f"{DEFAULT_RUN_CONTEXT_THREAD_ID_KEY}_{suffix}"


def read_thread_id(ctx: RunContextWrapper[Any], key: str) -> str | None:
    context = ctx.context
    if context is None:
        return None
    value = context.get(key) if isinstance(context, Mapping) else getattr(context, key, None)
    if value is None:
        return None
    if not isinstance(value, str):
        raise UserError(f'Run context "{key}" must be a string when provided, got {type(value).__name__}')
    return value.strip() or None


def validate_context(ctx: RunContextWrapper[Any], key: str) -> None:
    context = ctx.context
    if context is None:
        raise UserError(
            "use_run_context_thread_id=True requires a mutable run context object. Pass context={} (or an object) "
            "to Runner.run()."
        )
    if isinstance(context, MutableMapping):
        return
    if isinstance(context, Mapping):
        raise UserError(_NOT_WRITABLE)
    if isinstance(context, BaseModel):
        if context.model_config.get("frozen", False):
            raise UserError(
                "use_run_context_thread_id=True requires a mutable run context object. Frozen Pydantic models are "
                "not supported."
            )
        return
    params = getattr(type(context), "__dataclass_params__", None)
    if dataclasses.is_dataclass(context) and params is not None and params.frozen:
        raise UserError(
            "use_run_context_thread_id=True requires a mutable run context object. Frozen dataclass contexts are "
            "not supported."
        )
    slots = getattr(type(context), "__slots__", None)
    if slots is not None and not hasattr(context, "__dict__"):
        if key not in ((slots,) if isinstance(slots, str) else tuple(slots)):
            raise UserError(
                f'use_run_context_thread_id=True requires the run context to support field "{key}". Use a mutable '
                "dict context, or add a writable field/slot to the context object."
            )
        return
    if not hasattr(context, "__dict__"):
        raise UserError(_NOT_WRITABLE)


def store_thread_id(ctx: RunContextWrapper[Any], key: str, thread_id: str | None) -> None:
    if thread_id is None:
        return
    validate_context(ctx, key)
    context = ctx.context
    if isinstance(context, MutableMapping):
        context[key] = thread_id
        return
    failure = UserError(
        f'Unable to store Codex thread_id in run context field "{key}". Use a mutable dict context or set a '
        "writable attribute."
    )
    if isinstance(context, BaseModel):
        if not _set_on_model(context, key, thread_id):
            raise failure
        return
    try:
        setattr(context, key, thread_id)
    except Exception as exc:
        raise failure from exc


def store_after_error(ctx: RunContextWrapper[Any], key: str, thread_id: str | None, enabled: bool) -> None:
    """After a failed or cancelled call, keep the thread id Codex already reported (the thread exists and can be
    continued); a context that cannot take it is logged, not raised over the call's own error."""
    if not enabled or thread_id is None:
        return
    try:
        store_thread_id(ctx, key, thread_id)
    except Exception as exc:
        logger.error("Failed to store the Codex thread id in the run context after an error: %s", exc)


def _set_on_model(model: BaseModel, key: str, value: str) -> bool:
    """A pydantic field by its name, else an extra attribute (models that allow extras, or the instance dict)."""
    try:
        setattr(model, key, value)
        return True
    except ValueError:  # not a field and extras forbidden: write the instance dict, as the SDK does
        pass
    except Exception:
        return False
    state = getattr(model, "__dict__", None)
    if isinstance(state, dict):
        state[key] = value
        return True
    return False
