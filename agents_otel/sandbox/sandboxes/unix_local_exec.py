"""How the local backend runs one command: a subprocess in its own process group, started in the workspace, its
output read in chunks up to a bound, killed with its whole group past its timeout or its bound (or when the call is
cancelled, even while it is still starting: ``spawn``), its pipes drained before it is waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ExecTimeoutError, ExecTransportError
from ..types import ExecResult

T = TypeVar("T")

REAP_BOUND_S = 5.0
"""How long a cancelled start waits for the killed group's pipes to close: only a process that left the group
(``setsid``) can hold them longer, and it must not hold up the cancellation."""


def kill_group(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


async def _reap(process: asyncio.subprocess.Process) -> None:
    """Kill the command's process group, drain what its pipes still hold (a paused, unread pipe never reports its
    end, and ``wait()`` would wait for it forever), and wait for it."""
    kill_group(process)

    async def drain(stream: asyncio.StreamReader | None) -> None:
        while stream is not None and await stream.read(1 << 16):
            pass

    await asyncio.gather(drain(process.stdout), drain(process.stderr))
    await process.wait()


async def settle(work: Awaitable[T]) -> T:
    """``work`` run to its end although this task is cancelled meanwhile (cleanup that must not be cut short: a
    process being killed and reaped, a write to a terminal whose descriptor is about to be closed); a cancellation
    that arrived meanwhile is raised once it has ended."""
    task = asyncio.ensure_future(work)
    cancelled: asyncio.CancelledError | None = None
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError as error:
            cancelled = cancelled or error
    if cancelled is not None:
        raise cancelled
    return task.result()


async def spawn(argv: list[str], **options: Any) -> asyncio.subprocess.Process:
    """``asyncio.create_subprocess_exec(*argv, **options)`` (with ``start_new_session``) that a cancellation cannot
    leave half done. Why: cancelled while the process is starting, asyncio kills the one process it started, not
    its group (a command the shell backgrounded keeps running), and Python 3.11 then waits until every process
    holding its pipes has exited, i.e. the whole command. Here the start is let finish, the group killed and the
    process reaped, and then the cancellation goes on."""
    starting = asyncio.ensure_future(asyncio.create_subprocess_exec(*argv, **options))
    try:
        return await asyncio.shield(starting)
    except asyncio.CancelledError:
        await settle(_discard(starting))
        raise


async def _discard(starting: asyncio.Future[asyncio.subprocess.Process]) -> None:
    try:
        process = await starting
    except Exception:  # it never started: nothing to kill
        return
    kill_group(process)
    reaping = asyncio.ensure_future(_reap(process))
    _done, pending = await asyncio.wait({reaping}, timeout=REAP_BOUND_S)
    for task in pending:  # an escaped process holds the pipes: stop waiting for them
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


class _OutputTooLarge(Exception):
    pass


async def _read_bounded(stream: asyncio.StreamReader, limit: int, on_overflow: Callable[[], None]) -> bytes:
    """A stream's bytes up to ``limit``; past it ``on_overflow`` (the kill) runs and the rest is drained to EOF
    and dropped: a pipe left unread would keep the process's transport, and ``wait()``, from ever finishing."""
    chunks: list[bytes] = []
    size = 0
    overflowed = False
    while chunk := await stream.read(1 << 16):
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif not overflowed:  # the first chunk past the limit: stop keeping, stop the writer
            overflowed = True
            chunks.clear()
            on_overflow()
    if overflowed:
        raise _OutputTooLarge(size)
    return b"".join(chunks)


async def run_command(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float | None,  # noqa: ASYNC109  (exec()'s, enforced here with the process group kill)
    max_output_bytes: int,
    running: set[asyncio.subprocess.Process],
) -> ExecResult:
    """Run ``argv``; ``running`` holds the process while it runs, so a shutdown can kill it."""
    try:
        process = await spawn(
            argv, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
    except OSError as error:
        message = f"could not start {argv[0]!r}: {error}"
        raise ExecTransportError(command=argv, cause=error, message=message) from error
    running.add(process)
    try:
        async with asyncio.timeout(timeout):  # not wait_for, which on Python 3.11 can lose a cancellation
            stdout, stderr = await _collect(process, max_output_bytes)
    except TimeoutError as error:
        await _reap(process)
        raise ExecTimeoutError(command=argv, timeout_s=timeout, cause=error) from error
    except _OutputTooLarge as error:
        await _reap(process)
        message = f"the command wrote more than {max_output_bytes} bytes to one stream and was killed"
        raise ExecTransportError(command=argv, cause=error, message=message) from error
    except BaseException:
        kill_group(process)  # cancelled: the command must not outlive the call that started it
        raise
    finally:
        running.discard(process)
    return ExecResult(stdout=stdout, stderr=stderr, exit_code=process.returncode or 0)


async def _collect(process: asyncio.subprocess.Process, limit: int) -> tuple[bytes, bytes]:
    assert process.stdout is not None and process.stderr is not None

    def kill() -> None:
        kill_group(process)

    stdout, stderr, _ = await asyncio.gather(
        _read_bounded(process.stdout, limit, kill), _read_bounded(process.stderr, limit, kill), process.wait()
    )
    return stdout, stderr
