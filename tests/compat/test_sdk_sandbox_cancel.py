"""Cancelling a run stops what its sandbox tools are running, as cancelling it stops any other tool.

A ``SandboxAgent``'s ``exec_command`` (and a ``write_stdin`` to a process it left running) waits on a real process
group in the local workspace. Cancelling the run (``result.cancel()``, the task that iterates the stream, the task
awaiting ``Runner.run``) or the call's own timeout must end the call at once with its spans marked as every
cancelled tool's are, and kill the whole group: the shell and what it started in the background, also on a session
the caller owns (which the run's cleanup never shuts down). Ours on top of the SDK (whose local backend leaves the
process running until the session shuts down): see docs/migrating.md.

Synchronised on events only: each command writes its pids to a FIFO the test reads (the command has started), and
the test waits for each pid's ``pidfd`` to report the process's end (the bound only keeps a failure from hanging).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import Tracing

from agents_otel import RunConfig, Runner
from agents_otel.items import FunctionCallOutput
from agents_otel.sandbox import SandboxAgent, SandboxRunConfig
from agents_otel.sandbox.capabilities import Shell, ShellToolSet
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.sandbox.session import SandboxSession
from agents_otel.stream_events import RunItemStreamEvent
from agents_otel.testing import ScriptedModel, assistant_message, function_call

ENDED_BOUND_S = 30.0
"""Only a guard against hanging: a killed process ends at once; one nobody killed sleeps for ten minutes."""


@pytest.fixture(autouse=True)
def snapshot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


class Pids:
    """A FIFO the command writes its shell's pid and its background child's pid to. The test holds it open for
    reading and writing, so the command's write never blocks and the test reads when the line has arrived."""

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "pids"
        os.mkfifo(self.path)
        self.fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
        self.pidfds: list[int] = []

    def command(self, before: str = "") -> str:
        """A shell that backgrounds a long sleep, reports both pids, and waits for it."""
        return f"{before}sleep 600 & echo $$ $! > {self.path}; wait"

    async def started(self) -> list[int]:
        """The pids, once the command has written them; each is watched from now on (a ``pidfd``)."""
        loop = asyncio.get_running_loop()
        arrived: asyncio.Future[None] = loop.create_future()
        loop.add_reader(self.fd, lambda: arrived.done() or arrived.set_result(None))
        try:
            await arrived
        finally:
            loop.remove_reader(self.fd)
        return self._watch(os.read(self.fd, 4096))

    def written(self) -> list[int]:
        """The pids if the command got as far as writing them (it may have been stopped before)."""
        try:
            return self._watch(os.read(self.fd, 4096))
        except BlockingIOError:
            return []

    def _watch(self, line: bytes) -> list[int]:
        pids = [int(p) for p in line.split()]
        assert len(pids) == 2, line
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # already ended (and reaped)
                self.pidfds.append(os.pidfd_open(pid))
        return pids

    async def all_ended(self) -> None:
        """Each watched process has exited (a pidfd reads ready then), also the backgrounded one."""
        loop = asyncio.get_running_loop()
        for fd in self.pidfds:
            ended: asyncio.Future[None] = loop.create_future()
            loop.add_reader(fd, lambda f=ended: f.done() or f.set_result(None))
            try:
                await asyncio.wait_for(ended, ENDED_BOUND_S)
            except TimeoutError:
                pytest.fail("a process the cancelled command started is still running")
            finally:
                loop.remove_reader(fd)

    def close(self) -> None:
        for fd in [self.fd, *self.pidfds]:
            os.close(fd)


@pytest.fixture
def pids(tmp_path: Path) -> Iterator[Pids]:
    made = Pids(tmp_path)
    yield made
    made.close()


@contextlib.asynccontextmanager
async def sandbox(live: bool) -> AsyncIterator[SandboxRunConfig]:
    """A run's sandbox: a session the run creates (and shuts down at its end), or a live one the caller owns."""
    client = UnixLocalSandboxClient()
    if not live:
        yield SandboxRunConfig(client=client)
        return
    session = await client.create()
    await session.start()
    try:
        yield SandboxRunConfig(session=session)
        assert isinstance(session, SandboxSession)
        assert session._inner._pty._entries == {}  # type: ignore[attr-defined]  # nothing left behind, forgotten
    finally:
        await session.aclose()
        await client.delete(session)


def exec_call(cmd: str, call_id: str = "c", **arguments: Any) -> Any:
    return function_call(
        "exec_command", json.dumps({"cmd": cmd, "yield_time_ms": 30_000, **arguments}), call_id=call_id
    )


def assert_cancelled_spans(tracing: Tracing, call_id: str, operation: str) -> None:
    assert tracing.tool_span(call_id).attributes["error.type"] == "cancelled"  # type: ignore[index]
    (inner,) = tracing.named(operation)
    assert inner.attributes["error.type"] == "cancelled"  # type: ignore[index]


@pytest.mark.parametrize("tty", [False, True], ids=["pipes", "tty"])
@pytest.mark.parametrize("live", [False, True], ids=["run_session", "live_session"])
async def test_cancelling_the_run_kills_a_running_exec_command(
    tracing: Tracing, pids: Pids, tty: bool, live: bool
) -> None:
    model = ScriptedModel([[exec_call(pids.command(), tty=tty)], [assistant_message("never")]])
    async with sandbox(live) as config:
        run_config = RunConfig(tracer_provider=tracing.provider, sandbox=config)
        result = Runner.run_streamed(SandboxAgent(name="W", model=model), "go", run_config=run_config)
        names: list[str | None] = []

        async def consume() -> None:
            async for event in result.stream_events():
                names.append(getattr(event, "name", None))

        consuming = asyncio.create_task(consume())
        await pids.started()
        result.cancel()
        await consuming
        assert result.cancelled and result.is_complete and model.remaining_steps == 1
        assert names[-2:] == ["tool_called", "tool_output"]  # the cancelled call still closes
        await pids.all_ended()
    assert_cancelled_spans(tracing, "c", "sandbox.exec")


async def test_cancelling_at_the_tool_called_event_leaves_nothing_running(tracing: Tracing, pids: Pids) -> None:
    """The cancellation may reach the command while it is still starting (as the stream reports the call)."""
    model = ScriptedModel([[exec_call(pids.command())], [assistant_message("never")]])
    run_config = RunConfig(tracer_provider=tracing.provider, sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    result = Runner.run_streamed(SandboxAgent(name="W", model=model), "go", run_config=run_config)
    async for event in result.stream_events():
        if isinstance(event, RunItemStreamEvent) and event.name == "tool_called":
            result.cancel()
    assert result.cancelled and model.remaining_steps == 1
    pids.written()
    await pids.all_ended()
    assert tracing.tool_span("c").attributes["error.type"] == "cancelled"  # type: ignore[index]


@pytest.mark.parametrize("streamed", [True, False], ids=["iterating_task", "run_task"])
async def test_cancelling_the_task_kills_a_running_exec_command(tracing: Tracing, pids: Pids, streamed: bool) -> None:
    model = ScriptedModel([[exec_call(pids.command())], [assistant_message("never")]])
    async with sandbox(live=True) as config:
        run_config = RunConfig(tracer_provider=tracing.provider, sandbox=config)
        agent = SandboxAgent(name="W", model=model)

        async def run() -> None:
            if streamed:
                async for _ in Runner.run_streamed(agent, "go", run_config=run_config).stream_events():
                    pass
            else:
                await Runner.run(agent, "go", run_config=run_config)

        task = asyncio.create_task(run())
        await pids.started()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await pids.all_ended()
    assert_cancelled_spans(tracing, "c", "sandbox.exec")


async def test_a_tool_timeout_kills_the_command_and_the_model_reads_it(tracing: Tracing, pids: Pids) -> None:
    def limit(tools: ShellToolSet) -> None:
        tools.exec_command.timeout = 3.0

    model = ScriptedModel([[exec_call(pids.command())], [assistant_message("gave up")]])
    agent = SandboxAgent(name="W", model=model, capabilities=[Shell(configure_tools=limit)])
    async with sandbox(live=True) as config:
        result = await Runner.run(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider, sandbox=config))
        assert result.final_output == "gave up"
        assert pids.written(), "the command was stopped before it started its child: raise the timeout"
        await pids.all_ended()
    (answer,) = [i for i in model.calls[1].input if isinstance(i, FunctionCallOutput)]
    assert "timed out after 3 seconds" in str(answer.output)
    assert tracing.tool_span("c").attributes["error.type"] == "timeout"  # type: ignore[index]


@pytest.mark.parametrize("live", [False, True], ids=["run_session", "live_session"])
async def test_cancelling_the_run_during_write_stdin_kills_the_process(
    tracing: Tracing, pids: Pids, live: bool
) -> None:
    """The process ``exec_command`` left running (waiting for a line) starts its work on ``write_stdin``'s input;
    the run is cancelled while ``write_stdin`` waits on it."""
    started = exec_call(pids.command(before="read line; "), call_id="c1", tty=True, yield_time_ms=0)

    def write(request: Any) -> list[Any]:
        (first,) = [i for i in request.input if isinstance(i, FunctionCallOutput)]
        match = re.search(r"session ID (\d+)", str(first.output))
        assert match is not None, first.output
        arguments = {"session_id": int(match[1]), "chars": "go\n", "yield_time_ms": 30_000}
        return [function_call("write_stdin", json.dumps(arguments), call_id="c2")]

    model = ScriptedModel([[started], write, [assistant_message("never")]])
    async with sandbox(live) as config:
        run_config = RunConfig(tracer_provider=tracing.provider, sandbox=config)
        result = Runner.run_streamed(SandboxAgent(name="W", model=model), "go", run_config=run_config)
        consuming = asyncio.create_task(_drain(result))
        await pids.started()
        result.cancel()
        await consuming
        assert result.cancelled and model.remaining_steps == 1
        await pids.all_ended()
    assert_cancelled_spans(tracing, "c2", "sandbox.write_stdin")


async def _drain(result: Any) -> None:
    async for _ in result.stream_events():
        pass
