"""How the local backend runs one command: a subprocess in its own process group, started in the workspace, its
output read in chunks up to a bound, killed with its whole group past its timeout or its bound (or when the call is
cancelled), its pipes drained before it is waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable
from pathlib import Path

from ..errors import ExecTimeoutError, ExecTransportError
from ..types import ExecResult


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
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
    except OSError as error:
        message = f"could not start {argv[0]!r}: {error}"
        raise ExecTransportError(command=argv, cause=error, message=message) from error
    running.add(process)
    try:
        stdout, stderr = await asyncio.wait_for(_collect(process, max_output_bytes), timeout)
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
