"""The local backend's interactive processes (``pty_exec_start`` / ``pty_write_stdin``): a command started on a
pseudo-terminal (``tty=True``: ``write_stdin`` reaches it, Ctrl-C interrupts it) or on pipes, whose output is
collected for a bounded time and handed back in pieces.

Bounded everywhere: at most ``PTY_PROCESSES_MAX`` processes per session (the least recently used, exited ones
first, pruned beyond it), at most ``MAX_BUFFERED_BYTES`` of unread output per process (the oldest dropped), yield
times clamped; every process group is killed on shutdown, and so is the process of a call cancelled while it waits
on it (the run cancelled, the tool's timeout), be it the call that started it or a ``write_stdin`` to it. Reading is
event-driven (``add_reader`` on the terminal, stream reads on pipes), so nothing blocks the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import random
import signal
import termios
import time
from collections import deque
from dataclasses import dataclass, field

from ..errors import PtySessionNotFoundError
from ..session.pty_types import (
    PTY_PROCESSES_MAX,
    PTY_PROCESSES_PROTECTED_RECENT,
    PtyExecUpdate,
    clamp_pty_yield_time_ms,
    resolve_pty_write_yield_time_ms,
    truncate_text_by_tokens,
)
from .unix_local_exec import settle, spawn

MAX_BUFFERED_BYTES = 1 << 20


@dataclass(eq=False)
class _Process:
    process: asyncio.subprocess.Process
    tty: bool
    primary_fd: int | None = None
    chunks: deque[bytes] = field(default_factory=deque)
    buffered: int = 0
    notify: asyncio.Event = field(default_factory=asyncio.Event)
    output_closed: asyncio.Event = field(default_factory=asyncio.Event)
    last_used: float = field(default_factory=time.monotonic)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def add(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self.buffered += len(chunk)
        while self.buffered > MAX_BUFFERED_BYTES and len(self.chunks) > 1:
            self.buffered -= len(self.chunks.popleft())
        self.notify.set()

    def finished(self) -> bool:
        return self.output_closed.is_set() and self.process.returncode is not None


def _controlling_terminal() -> None:
    # In the child, after setsid(): the terminal on stdin becomes the session's, so Ctrl-C written to it interrupts.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class LocalPtyProcesses:
    def __init__(self) -> None:
        self._entries: dict[int, _Process] = {}

    async def start(
        self, argv: list[str], *, cwd: str, env: dict[str, str], tty: bool, yield_time_s: float | None,
        max_output_tokens: int | None,
    ) -> PtyExecUpdate:  # fmt: skip
        entry = await (self._start_tty(argv, cwd, env) if tty else self._start_pipes(argv, cwd, env))
        waiter = asyncio.create_task(self._watch_exit(entry))
        entry.tasks.append(waiter)
        process_id = random.randrange(1000, 100_000)
        while process_id in self._entries:
            process_id = random.randrange(1000, 100_000)
        pruned = self._prune()
        self._entries[process_id] = entry
        try:
            if pruned is not None:
                await self._terminate(pruned)
            yield_ms = 10_000 if yield_time_s is None else int(yield_time_s * 1000)
            return await self._update(process_id, entry, clamp_pty_yield_time_ms(yield_ms), max_output_tokens)
        except BaseException:  # cancelled (or failed) before its id was handed out: nobody could reach it again
            await self._abandon(process_id, entry)
            raise

    async def write(
        self, session_id: int, chars: str, *, yield_time_s: float | None, max_output_tokens: int | None
    ) -> PtyExecUpdate:
        entry = self._entries.get(session_id)
        if entry is None:
            raise PtySessionNotFoundError(session_id=session_id)
        fd = entry.primary_fd
        if chars and (not entry.tty or fd is None):
            raise RuntimeError("stdin is not available for this process: start it with tty=True")
        try:
            if chars and fd is not None:
                try:  # settled: the descriptor is closed if this call is cancelled, never under a running write
                    await settle(asyncio.to_thread(os.write, fd, chars.encode("utf-8")))
                except OSError as error:
                    if error.errno not in {errno.EIO, errno.EBADF, errno.EPIPE}:
                        raise
            entry.last_used = time.monotonic()
            yield_ms = 250 if yield_time_s is None else int(yield_time_s * 1000)
            yield_ms = resolve_pty_write_yield_time_ms(yield_time_ms=yield_ms, input_empty=chars == "")
            return await self._update(session_id, entry, yield_ms, max_output_tokens)
        except asyncio.CancelledError:  # the exchange was cut off halfway: the process is not left behind unread
            await self._abandon(session_id, entry)
            raise

    async def terminate_all(self) -> None:
        entries = list(self._entries.values())
        self._entries.clear()
        for entry in entries:
            await self._terminate(entry)

    async def _abandon(self, process_id: int, entry: _Process) -> None:
        """Forget and kill the process a cancelled call was waiting on; the kill is not cut short by a second
        cancellation (it would leave the process group running)."""
        if self._entries.get(process_id) is entry:
            del self._entries[process_id]
        await settle(self._terminate(entry))

    async def _start_tty(self, argv: list[str], cwd: str, env: dict[str, str]) -> _Process:
        primary, secondary = os.openpty()
        try:
            process = await spawn(
                argv, stdin=secondary, stdout=secondary, stderr=secondary, cwd=cwd, env=env,
                start_new_session=True, preexec_fn=_controlling_terminal,
            )  # fmt: skip
        except BaseException:
            os.close(primary)
            raise
        finally:
            os.close(secondary)
        os.set_blocking(primary, False)
        entry = _Process(process=process, tty=True, primary_fd=primary)
        loop = asyncio.get_running_loop()

        def readable() -> None:
            try:
                chunk = os.read(primary, 1 << 16)
            except BlockingIOError:
                return
            except OSError:  # EIO: every holder of the terminal's other end is gone
                chunk = b""
            if chunk:
                entry.add(chunk)
            else:
                loop.remove_reader(primary)
                entry.output_closed.set()
                entry.notify.set()

        loop.add_reader(primary, readable)
        return entry

    async def _start_pipes(self, argv: list[str], cwd: str, env: dict[str, str]) -> _Process:
        process = await spawn(
            argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, cwd=cwd, env=env, start_new_session=True,
        )  # fmt: skip
        entry = _Process(process=process, tty=False)

        async def pump(stream: asyncio.StreamReader | None) -> None:
            while stream is not None and (chunk := await stream.read(1 << 16)):
                entry.add(chunk)

        async def pump_both() -> None:
            await asyncio.gather(pump(process.stdout), pump(process.stderr))
            entry.output_closed.set()
            entry.notify.set()

        entry.tasks.append(asyncio.create_task(pump_both()))
        return entry

    async def _watch_exit(self, entry: _Process) -> None:
        await entry.process.wait()
        entry.notify.set()

    async def _update(
        self, process_id: int, entry: _Process, yield_ms: int, max_output_tokens: int | None
    ) -> PtyExecUpdate:
        deadline = time.monotonic() + yield_ms / 1000
        output = bytearray()
        while True:
            while entry.chunks:
                output.extend(entry.chunks.popleft())
            entry.buffered = 0
            remaining = deadline - time.monotonic()
            if entry.finished() or remaining <= 0:
                break
            entry.notify.clear()
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancellation that arrives as the
            # output does, and the cancelled call would go on waiting out its yield time.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await entry.notify.wait()
        text, original_tokens = truncate_text_by_tokens(output.decode("utf-8", errors="replace"), max_output_tokens)
        exit_code = entry.process.returncode
        if exit_code is not None and entry.output_closed.is_set():
            self._entries.pop(process_id, None)
            await self._terminate(entry)
        live = process_id if process_id in self._entries else None
        return PtyExecUpdate(process_id=live, output=text.encode("utf-8"), exit_code=exit_code,
                             original_token_count=original_tokens)  # fmt: skip

    def _prune(self) -> _Process | None:
        if len(self._entries) < PTY_PROCESSES_MAX:
            return None
        by_use = sorted(self._entries.items(), key=lambda item: item[1].last_used)
        protected = {pid for pid, _ in by_use[-PTY_PROCESSES_PROTECTED_RECENT:]}
        candidates = [pid for pid, e in by_use if pid not in protected and e.process.returncode is not None]
        candidates += [pid for pid, _ in by_use if pid not in protected]
        return self._entries.pop(candidates[0]) if candidates else None

    async def _terminate(self, entry: _Process) -> None:
        if entry.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(entry.process.pid, signal.SIGKILL)
        if entry.primary_fd is not None:
            fd, entry.primary_fd = entry.primary_fd, None
            asyncio.get_running_loop().remove_reader(fd)
            os.close(fd)
            entry.output_closed.set()
        # The group is dead, so its pipes reach their end: let the readers drain them (an unread pipe would keep the
        # process's transport open); a reader still held up by an escaped grandchild is cancelled.
        _done, pending = await asyncio.wait(entry.tasks, timeout=5) if entry.tasks else (set(), set())
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
