"""Compatibility: the SDK's interactive processes on the local backend — ``pty_exec_start`` starts a command and
returns its output so far (``process_id`` while it runs, ``exit_code`` once it has exited), ``pty_write_stdin``
writes to a ``tty=True`` process and polls it, an unknown id is ``PtySessionNotFoundError``, ``max_output_tokens``
truncates, and shutdown kills what is still running. Real processes; no sleeps — each wait is the process's own.
"""

from __future__ import annotations

import pytest

from agents_otel.sandbox.errors import PtySessionNotFoundError
from agents_otel.sandbox.sandboxes import UnixLocalSandboxClient
from agents_otel.sandbox.session import SandboxSession


async def _started() -> tuple[UnixLocalSandboxClient, SandboxSession]:
    client = UnixLocalSandboxClient()
    session = await client.create()
    await session.start()
    return client, session


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def test_a_finished_command_reports_its_exit() -> None:
    client, session = await _started()
    assert session.supports_pty()
    update = await session.pty_exec_start("echo hello; exit 4", yield_time_s=30)
    assert (update.process_id, update.exit_code, update.output) == (None, 4, b"hello\n")
    await session.aclose()
    await client.delete(session)


async def test_an_interactive_process_reads_what_is_written_to_it() -> None:
    client, session = await _started()
    started = await session.pty_exec_start("read line; echo got:$line", tty=True, yield_time_s=0.25)
    assert started.process_id is not None and started.exit_code is None
    answered = await session.pty_write_stdin(session_id=started.process_id, chars="abc\n", yield_time_s=30)
    assert b"got:abc" in answered.output
    assert (answered.process_id, answered.exit_code) == (None, 0)
    with pytest.raises(PtySessionNotFoundError):  # it has exited and was forgotten
        await session.pty_write_stdin(session_id=started.process_id, chars="x")
    await session.aclose()
    await client.delete(session)


async def test_ctrl_c_interrupts_a_terminal_process() -> None:
    client, session = await _started()
    started = await session.pty_exec_start("echo ready; sleep 60", tty=True, yield_time_s=0.25)
    assert started.process_id is not None
    interrupted = await session.pty_write_stdin(session_id=started.process_id, chars="\x03", yield_time_s=30)
    assert interrupted.process_id is None and interrupted.exit_code not in (None, 0)
    await session.aclose()
    await client.delete(session)


async def test_output_is_truncated_to_the_token_budget() -> None:
    client, session = await _started()
    update = await session.pty_exec_start("head -c 4000 /dev/zero | tr '\\0' a", yield_time_s=30, max_output_tokens=10)
    assert update.original_token_count == 1000
    assert b"tokens truncated" in update.output and len(update.output) < 200
    await session.aclose()
    await client.delete(session)


async def test_shutdown_kills_running_interactive_processes() -> None:
    client, session = await _started()
    started = await session.pty_exec_start("echo $$; exec sleep 60", yield_time_s=0.25)
    assert started.process_id is not None
    output = started.output or (await session.pty_write_stdin(session_id=started.process_id, chars="")).output
    pid = int(output)
    await session.aclose()
    assert not _alive(pid)
    with pytest.raises(PtySessionNotFoundError):
        await session.pty_write_stdin(session_id=started.process_id, chars="")
    await client.delete(session)


async def test_a_pipe_process_has_no_stdin() -> None:
    client, session = await _started()
    started = await session.pty_exec_start("sleep 60", yield_time_s=0.25)
    assert started.process_id is not None
    with pytest.raises(RuntimeError, match="tty=True"):
        await session.pty_write_stdin(session_id=started.process_id, chars="x")
    await session.aclose()
    await client.delete(session)
