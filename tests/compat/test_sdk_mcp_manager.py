"""Compatibility: the OpenAI Agents SDK's ``MCPServerManager`` (``agents.mcp.manager``), managing real stdio servers
(the official ``mcp`` server, and commands that fail to be one).

What the SDK pins: ``async with MCPServerManager(servers)`` connects them and cleans them up on exit;
``active_servers`` is the connected ones in the given order (``drop_failed_servers=False``: all of them);
``failed_servers`` / ``errors`` say which failed and why; ``strict=True`` raises the first failure and cleans up
what it had connected; ``reconnect()`` retries the failed ones, ``reconnect(failed_only=False)`` cleans up and
reconnects all; ``connect_all()`` again connects nothing twice; ``connect_in_parallel=True`` gives the same
outcome; a cleanup that fails is recorded in ``errors``, not raised; lifecycle timeouts must be positive finite
seconds or ``None``, at construction and on assignment; a connect past ``connect_timeout_seconds`` is a failure.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp_support.servers import OFFICIAL_SERVER, process_gone, stdio_params

from agents_otel import Agent, Runner, UserError
from agents_otel.mcp import MCPServerStartError, MCPServerStdio
from agents_otel.mcp.manager import MCPServerManager
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


def good(tmp_path: Path, name: str = "good") -> MCPServerStdio:
    params: Any = stdio_params(env={"MCP_TEST_PIDFILE": str(tmp_path / f"{name}.pid")})
    return MCPServerStdio(params, name=name)


def pid(tmp_path: Path, name: str = "good") -> int:
    return int((tmp_path / f"{name}.pid").read_text())


def later(tmp_path: Path) -> tuple[MCPServerStdio, Path]:
    """A server whose script does not exist yet (its connect fails) until the test writes it."""
    script = tmp_path / "later.py"
    return MCPServerStdio({"command": sys.executable, "args": [str(script)]}, name="later"), script


def make_it_work(script: Path) -> None:
    script.write_text(f"import runpy\nrunpy.run_path({str(OFFICIAL_SERVER)!r}, run_name='__main__')\n")


@pytest.mark.parametrize("parallel", [False, True], ids=["in order", "in parallel"])
async def test_the_connected_servers_are_active_the_failed_ones_reported(parallel: bool, tmp_path: Path) -> None:
    ok = good(tmp_path)
    broken, _ = later(tmp_path)
    model = ScriptedModel([[function_call("add", {"a": 2, "b": 3}, call_id="c1")], [assistant_message("5")]])
    async with MCPServerManager([broken, ok], connect_in_parallel=parallel) as manager:
        assert manager.active_servers == [ok]
        assert manager.all_servers == [broken, ok]
        assert manager.failed_servers == [broken]
        assert isinstance(manager.errors[broken], MCPServerStartError)
        result = await Runner.run(Agent(name="A", mcp_servers=manager.active_servers, model=model), "add")
        assert result.final_output == "5"
        running = pid(tmp_path)
    assert process_gone(running)


async def test_keeping_failed_servers_lists_them_all(tmp_path: Path) -> None:
    ok = good(tmp_path)
    broken, _ = later(tmp_path)
    async with MCPServerManager([ok, broken], drop_failed_servers=False) as manager:
        assert manager.active_servers == [ok, broken]
        assert manager.failed_servers == [broken]


@pytest.mark.parametrize("parallel", [False, True], ids=["in order", "in parallel"])
async def test_strict_raises_the_failure_and_cleans_up_what_it_connected(parallel: bool, tmp_path: Path) -> None:
    ok = good(tmp_path)
    broken, _ = later(tmp_path)
    manager = MCPServerManager([ok, broken], strict=True, connect_in_parallel=parallel)
    with pytest.raises(MCPServerStartError, match="later"):
        await manager.connect_all()
    assert process_gone(pid(tmp_path))
    assert manager.active_servers == []
    assert manager.failed_servers == [broken]


async def test_reconnect_retries_the_failed_ones_and_connect_all_is_idempotent(tmp_path: Path) -> None:
    ok = good(tmp_path)
    flaky, script = later(tmp_path)
    async with MCPServerManager([ok, flaky]) as manager:
        first = pid(tmp_path)
        assert await manager.connect_all() == [ok]
        assert pid(tmp_path) == first  # the connected one was not started again
        make_it_work(script)
        assert await manager.reconnect() == [ok, flaky]
        assert manager.failed_servers == [] and manager.errors == {}
        assert pid(tmp_path) == first
        assert "add" in [t.name for t in await flaky.list_tools()]

        assert await manager.reconnect(failed_only=False) == [ok, flaky]
        assert process_gone(first) and pid(tmp_path) != first


async def test_a_connect_past_the_timeout_is_a_failure_and_leaves_nothing_running(tmp_path: Path) -> None:
    pidfile = tmp_path / "silent.pid"
    code = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    silent = MCPServerStdio({"command": sys.executable, "args": ["-c", code]}, name="silent")
    async with MCPServerManager([silent], connect_timeout_seconds=1) as manager:
        assert manager.active_servers == [] and manager.failed_servers == [silent]
        assert isinstance(manager.errors[silent], TimeoutError)
        with pytest.raises(UserError, match="not connected"):
            silent.require_session()
        assert process_gone(int(pidfile.read_text()))


async def test_a_failing_cleanup_is_recorded_not_raised(tmp_path: Path) -> None:
    class BadCleanup(MCPServerStdio):
        async def cleanup(self) -> None:
            await super().cleanup()
            raise RuntimeError("cleanup broke")

    bad = BadCleanup(stdio_params(), name="bad")  # type: ignore[arg-type]
    ok = good(tmp_path)
    async with MCPServerManager([ok, bad]) as manager:
        assert manager.active_servers == [ok, bad]
    assert str(manager.errors[bad]) == "cleanup broke"
    assert manager.active_servers == []
    assert process_gone(pid(tmp_path))


@pytest.mark.parametrize("value", [0, -1, math.inf, math.nan, "10", True])
def test_lifecycle_timeouts_must_be_positive_finite_seconds(value: Any) -> None:
    with pytest.raises(UserError, match="connect_timeout_seconds"):
        MCPServerManager([], connect_timeout_seconds=value)
    with pytest.raises(UserError, match="cleanup_timeout_seconds"):
        MCPServerManager([], cleanup_timeout_seconds=value)
    manager = MCPServerManager([], connect_timeout_seconds=None, cleanup_timeout_seconds=2)
    assert (manager.connect_timeout_seconds, manager.cleanup_timeout_seconds) == (None, 2.0)
    with pytest.raises(UserError):
        manager.cleanup_timeout_seconds = value


def test_the_lists_are_snapshots_and_one_shot_iterables_work() -> None:
    servers = [MCPServerStdio({"command": "x"}, name=n) for n in ("a", "b")]
    manager = MCPServerManager(iter(servers))
    assert manager.all_servers == servers
    manager.active_servers.clear()
    assert manager.active_servers == servers
