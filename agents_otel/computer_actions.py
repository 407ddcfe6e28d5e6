"""A computer call's actions, performed on the program's computer, and the screenshot that answers the call.

Why a plan first: every action of a call is read from the model's item before the first one runs, so an unknown
action type or a missing coordinate is a ``ModelBehaviorError`` before anything has happened on the screen. A sync
``Computer`` then runs the whole batch in one trip to a tool thread (its methods block; the event loop must not),
an ``AsyncComputer`` on the loop. The call ends with a screenshot: the batch's own when its last action took one,
else a new one.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
from typing import Any

from .computer import AsyncComputer, ComputerLike
from .exceptions import ModelBehaviorError, UserError
from .tool import tool_thread_pool

logger = logging.getLogger("agents_otel")

Step = tuple[str, tuple[Any, ...], dict[str, Any]]
"""One computer method call: its name, positional arguments and keyword arguments (a mouse action's ``keys``)."""

_FIELDS: dict[str, tuple[str, ...]] = {
    "click": ("x", "y", "button"),
    "double_click": ("x", "y"),
    "drag": ("path",),
    "keypress": ("keys",),
    "move": ("x", "y"),
    "screenshot": (),
    "scroll": ("x", "y", "scroll_x", "scroll_y"),
    "type": ("text",),
    "wait": (),
}
"""Each action type the computer tool has, and the fields of the model's action its method takes, in order."""
_MOUSE = frozenset(("click", "double_click", "drag", "move", "scroll"))
"""Actions whose ``keys`` are the modifier keys held during them (a keypress's ``keys`` are what it presses)."""


def plan(actions: list[Any]) -> list[Step]:
    steps: list[Step] = []
    for action in actions:
        kind = action.get("type") if isinstance(action, dict) else None
        names = _FIELDS.get(kind) if isinstance(kind, str) else None
        if names is None:
            raise ModelBehaviorError(f"Computer tool returned unknown action type {kind!r}")
        missing = [n for n in names if n not in action]
        if missing:
            raise ModelBehaviorError(f"The model's {kind} computer action lacks {missing}")
        args = tuple(action[n] for n in names)
        if kind == "drag":
            try:
                args = ([(int(p["x"]), int(p["y"])) for p in args[0]],)
            except (KeyError, TypeError, ValueError):
                raise ModelBehaviorError(f"The model's drag action has a bad path: {args[0]!r}") from None
        keys = action.get("keys") if kind in _MOUSE else None
        steps.append((str(kind), args, {"keys": keys} if keys else {}))
    return steps


async def perform(computer: ComputerLike, actions: list[Any]) -> str:
    """Run the call's actions in order and return the screenshot (base64) the model gets."""
    steps = plan(actions)
    if isinstance(computer, AsyncComputer):
        return await _perform_async(computer, steps)
    # copy_context() inside the tool span's context: the span is current in the worker thread too.
    work = functools.partial(contextvars.copy_context().run, _perform_sync, computer, steps)
    return await asyncio.get_running_loop().run_in_executor(tool_thread_pool(), work)


def _perform_sync(computer: Any, steps: list[Step]) -> str:
    result: Any = None
    for name, args, kwargs in steps:
        result = _method(computer, name, kwargs)(*args, **kwargs)
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise UserError(
                f"{type(computer).__name__}.{name}() returned an awaitable: a Computer's methods are sync (subclass "
                "AsyncComputer for async ones)"
            )
    if not steps or steps[-1][0] != "screenshot":
        result = _method(computer, "screenshot", {})()
    return _screenshot(computer, result)


async def _perform_async(computer: Any, steps: list[Step]) -> str:
    result: Any = None
    for name, args, kwargs in steps:
        result = _method(computer, name, kwargs)(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
    if not steps or steps[-1][0] != "screenshot":
        result = _method(computer, "screenshot", {})()
        if inspect.isawaitable(result):
            result = await result
    return _screenshot(computer, result)


def _screenshot(computer: Any, result: Any) -> str:
    if not isinstance(result, str):
        raise UserError(f"{type(computer).__name__}.screenshot() returned {type(result).__name__}, not base64 str")
    return result


def _method(computer: Any, name: str, kwargs: dict[str, Any]) -> Any:
    """The computer's method, with ``kwargs`` cut to what it takes: a driver without a ``keys`` parameter gets the
    action without its modifier keys, and a warning says so (as in the SDK)."""
    method = getattr(computer, name, None)
    if method is None or not callable(method):
        raise UserError(f"{type(computer).__name__} has no {name}() method for the model's {name} action")
    if kwargs and not _takes(method, "keys"):
        logger.warning(
            "Computer driver method %r does not accept keyword argument(s) keys; dropping them and continuing.", name
        )
        kwargs.clear()
    return method


def _takes(method: Any, keyword: str) -> bool:
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        p.kind is p.VAR_KEYWORD or (p.name == keyword and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))
        for p in parameters
    )


__all__ = ["Step", "perform", "plan"]
