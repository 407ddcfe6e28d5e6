"""Compatibility: ``Runner.run_sync`` as in the OpenAI Agents SDK (the thread's default loop, kept open), and
a clean traceback when a run fails (regression, issue 10).

Each case runs in a thread of its own, because run_sync deliberately leaves the thread's default loop open and the
test process's main thread belongs to pytest-asyncio; the thread's loop is closed at the end of the case.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from support import Tracing

from agents_otel import Agent, Runner, UserError, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call

T = TypeVar("T")


def in_thread(work: Callable[[], T]) -> T:
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = work()
        except BaseException as exc:
            out["error"] = exc
        finally:
            asyncio.get_event_loop_policy().get_event_loop().close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]  # type: ignore[no-any-return]


def test_run_sync_returns_the_result(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("sync ok")]])
    result = in_thread(lambda: Runner.run_sync(Agent(name="A", model=model), "go", run_config=tracing.config))
    assert result.final_output == "sync ok"


def test_run_sync_reuses_the_threads_default_loop(tracing: Tracing) -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    @function_tool
    async def which_loop() -> str:
        loops.append(asyncio.get_running_loop())
        return "ok"

    def twice() -> bool:
        for _ in range(2):
            model = ScriptedModel([[function_call("which_loop", {})], [assistant_message("done")]])
            Runner.run_sync(Agent(name="A", tools=[which_loop], model=model), "go", run_config=tracing.config)
        return not loops[0].is_closed()

    assert in_thread(twice) is True
    assert loops[0] is loops[1]


def test_run_sync_replaces_a_closed_default_loop(tracing: Tracing) -> None:
    def work() -> str:
        closed = asyncio.new_event_loop()
        asyncio.set_event_loop(closed)
        closed.close()
        model = ScriptedModel([[assistant_message("fresh")]])
        return str(Runner.run_sync(Agent(name="A", model=model), "go", run_config=tracing.config).final_output)

    assert in_thread(work) == "fresh"


async def test_run_sync_inside_a_running_loop_is_a_user_error(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("never")]])
    with pytest.raises(UserError, match="running event loop") as excinfo:
        Runner.run_sync(Agent(name="A", model=model), "go", run_config=tracing.config)
    assert isinstance(excinfo.value, RuntimeError)  # what the SDK raises there: its fallbacks still catch it
    assert model.calls == []


def test_a_failing_run_sync_shows_the_real_error_first() -> None:
    script = textwrap.dedent(
        """
        from agents_otel import Agent, Runner
        from agents_otel.testing import ScriptedModel
        from agents_otel.tracing.setup import disable_auto_configure

        disable_auto_configure()
        Runner.run_sync(Agent(name="A", model=ScriptedModel([ValueError("the model is down")])), "go")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "ValueError: the model is down" in done.stderr
    assert "During handling" not in done.stderr and "no running event loop" not in done.stderr
