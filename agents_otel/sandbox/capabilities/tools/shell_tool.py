"""``exec_command``: the shell capability's tool — a command run in the sandbox session, its output for the model.

Why the output carries a small header (wall time, exit code, the original size when cut): the model reads the exit
status and whether it saw everything from the same place it reads the output, as with the SDK's tool. Each command
is a ``sandbox.exec`` span under the call's ``execute_tool`` span (``sandbox_spans``). A timeout is an answer the
model reads, not a failed run: the command ran too long, which the model can act on.
"""

from __future__ import annotations

import shlex
import time
import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, Field

from ...sandbox_spans import OP_EXEC, PROCESS_EXIT_CODE, SANDBOX_TIMED_OUT, record_update, run_of, tool_span
from .paths import model_path
from .sandbox_tool import SandboxFunctionTool

if TYPE_CHECKING:
    pass

DEFAULT_EXEC_YIELD_TIME_MS = 10_000
_CHARS_PER_TOKEN = 4  # the usual estimate; the cut is for the model's context, not an exact count


class ExecCommandArgs(BaseModel):
    cmd: str = Field(description="The shell command to run.", min_length=1)
    workdir: str | None = Field(
        default=None, description="Directory to run it in (relative to the working directory); default: that one."
    )
    shell: str | None = Field(default=None, description="Shell program to run it with; default: the sandbox's.")
    login: bool = Field(default=True, description="Run the shell as a login shell (-l).")
    tty: bool = Field(default=False, description="Ask for a terminal (only where the sandbox offers one).")
    yield_time_ms: int = Field(
        default=DEFAULT_EXEC_YIELD_TIME_MS, ge=0, description="How long the command may run, in milliseconds."
    )
    max_output_tokens: int | None = Field(
        default=None, ge=1, description="At most this many tokens of output are returned; the rest is cut."
    )


def _merged_output(stdout: bytes, stderr: bytes) -> str:
    out = stdout.decode("utf-8", errors="replace")
    err = stderr.decode("utf-8", errors="replace")
    if out and err:
        return out + ("" if out.endswith("\n") else "\n") + err
    return out or err


def truncate_tokens(text: str, max_tokens: int | None) -> tuple[str, int | None]:
    """``text`` cut to about ``max_tokens`` (its head and tail kept), and its estimated size when it was cut."""
    if max_tokens is None:
        return text, None
    budget = max_tokens * _CHARS_PER_TOKEN
    if len(text) <= budget:
        return text, None
    original = -(-len(text) // _CHARS_PER_TOKEN)
    head = budget // 2
    tail = budget - head
    cut = original - max_tokens
    return f"{text[:head]}\n…{cut} tokens truncated…\n{text[len(text) - tail:] if tail else ''}", original


def format_response(
    output: str, wall_time: float, exit_code: int | None, original_tokens: int | None, process_id: int | None = None
) -> str:
    lines = [f"Chunk ID: {uuid.uuid4().hex[:6]}", f"Wall time: {wall_time:.4f} seconds"]
    if exit_code is not None:
        lines.append(f"Process exited with code {exit_code}")
    if process_id is not None:
        lines.append(f"Process running with session ID {process_id}")
    if original_tokens is not None:
        lines.append(f"Original token count: {original_tokens}")
    lines += ["Output:", output]
    return "\n".join(lines)


def _shell_for(shell: str | None, login: bool) -> bool | list[str]:
    if shell is None:
        return True if login else ["sh", "-c"]
    return [shell, "-lc" if login else "-c"]


class ExecCommandTool(SandboxFunctionTool[ExecCommandArgs]):
    """Runs ``cmd`` in the session. On a session with interactive processes (``supports_pty()``) a command still
    running after ``yield_time_ms`` keeps running, and the answer gives its session id for ``write_stdin``;
    elsewhere it is one process per call, ended at ``yield_time_ms`` (and ``tty`` has no effect), as in the SDK."""

    tool_name: ClassVar[str] = "exec_command"
    args_model: ClassVar[type[ExecCommandArgs]] = ExecCommandArgs
    tool_description: ClassVar[str] = "Runs a shell command in the sandbox and returns its output and exit code."

    async def _invoke(self, ctx: Any, raw_input: str) -> str:
        args = self.parse_arguments(raw_input)
        run = run_of(ctx)
        if run is None:
            return await self.run(args)
        with tool_span(run, OP_EXEC, self.name, args.cmd) as scope:
            return await self.run(args, scope.span)

    async def run(self, args: ExecCommandArgs, span: Any = None) -> str:
        from ...errors import ExecTimeoutError

        started = time.perf_counter()
        command = args.cmd
        if args.workdir or self.cwd:
            workdir = model_path(self.session, args.workdir or ".", self.cwd)
            command = f"cd {shlex.quote(workdir)} && {command}"
        timeout = args.yield_time_ms / 1000
        exit_code: int | None
        if self.session.supports_pty():
            update = await self.session.pty_exec_start(
                command,
                shell=_shell_for(args.shell, args.login),
                user=self.user,
                tty=args.tty,
                yield_time_s=timeout,
                max_output_tokens=args.max_output_tokens,
            )
            if span is not None:
                record_update(span, update)
            output = update.output.decode("utf-8", errors="replace")
            wall = time.perf_counter() - started
            return format_response(output, wall, update.exit_code, update.original_token_count, update.process_id)
        try:
            shell = _shell_for(args.shell, args.login)
            result = await self.session.exec(command, timeout=timeout, shell=shell, user=self.user)
        except (ExecTimeoutError, TimeoutError):
            output, exit_code, original = f"Command timed out after {timeout:.3f} seconds.", None, None
            if span is not None:
                span.set_attribute(SANDBOX_TIMED_OUT, True)
        else:
            exit_code = result.exit_code
            output, original = truncate_tokens(_merged_output(result.stdout, result.stderr), args.max_output_tokens)
            if span is not None:
                span.set_attribute(PROCESS_EXIT_CODE, exit_code)
        return format_response(output, time.perf_counter() - started, exit_code, original)
