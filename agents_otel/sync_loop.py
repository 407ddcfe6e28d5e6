"""Driving a coroutine from synchronous code for ``Runner.run_sync``, as the OpenAI Agents SDK does.

The run goes on the thread's *default* event loop, which stays open afterwards, not on a fresh ``asyncio.run()``
loop that is closed at the end: clients and locks made between calls (an ``AsyncOpenAI`` client, a session's
``asyncio.Lock``) are bound to the loop they first ran on and must find it again on the next ``run_sync``.
Exceptions leave from a clean frame, so the first line a newcomer reads is the real error and not
"RuntimeError: no running event loop ... During handling of the above exception".
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import Coroutine
from typing import Any, TypeVar

from .exceptions import RunSyncInLoopError

T = TypeVar("T")


def run_on_default_loop(coro: Coroutine[Any, Any, T]) -> T:
    if _running_loop() is not None:
        coro.close()
        raise RunSyncInLoopError(
            "Runner.run_sync() cannot be called from a running event loop; await Runner.run() instead"
        )
    loop = _default_loop()
    task = loop.create_task(coro)
    try:
        return loop.run_until_complete(task)
    except BaseException:
        if not task.done():  # interrupted (Ctrl-C): cancel the run so nothing lingers on the shared loop
            task.cancel()
            with contextlib.suppress(BaseException):
                loop.run_until_complete(task)
        raise
    finally:
        with contextlib.suppress(RuntimeError):  # flush async generators' cleanup; the loop itself stays open
            loop.run_until_complete(loop.shutdown_asyncgens())


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _default_loop() -> asyncio.AbstractEventLoop:
    policy = asyncio.get_event_loop_policy()
    loop: asyncio.AbstractEventLoop | None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            loop = policy.get_event_loop()
        except RuntimeError:
            loop = None
    if loop is None or loop.is_closed():
        loop = policy.new_event_loop()
        policy.set_event_loop(loop)
    return loop
