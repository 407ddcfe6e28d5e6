"""``write_stdin``: input to (or a poll of) an interactive process ``exec_command`` left running, on sessions with
interactive processes (``supports_pty()``). A process that no longer exists, or one started without ``tty``, is an
answer the model reads, not a failed run. Each call is a ``sandbox.write_stdin`` span (never the input itself)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, Field

from ...errors import PtySessionNotFoundError
from ...sandbox_spans import OP_WRITE_STDIN, record_update, run_of, tool_span
from .sandbox_tool import NeedsApproval, SandboxFunctionTool
from .shell_tool import format_response

if TYPE_CHECKING:
    from ...session.base_sandbox_session import BaseSandboxSession

DEFAULT_WRITE_STDIN_YIELD_TIME_MS = 250


class WriteStdinArgs(BaseModel):
    session_id: int = Field(description="The session ID exec_command gave for the running process.")
    chars: str = Field(default="", description="Characters to write to its input (empty: just read new output).")
    yield_time_ms: int = Field(
        default=DEFAULT_WRITE_STDIN_YIELD_TIME_MS, ge=0, description="How long to wait for output, in milliseconds."
    )
    max_output_tokens: int | None = Field(default=None, ge=1, description="At most this many tokens of output.")


class WriteStdinTool(SandboxFunctionTool[WriteStdinArgs]):
    tool_name: ClassVar[str] = "write_stdin"
    args_model: ClassVar[type[WriteStdinArgs]] = WriteStdinArgs
    tool_description: ClassVar[str] = "Writes to a running process's input and returns its output since last time."

    def __init__(
        self,
        *,
        session: BaseSandboxSession,
        needs_approval: NeedsApproval = False,
    ) -> None:
        super().__init__(session=session, needs_approval=needs_approval)

    async def _invoke(self, ctx: Any, raw_input: str) -> str:
        args = self.parse_arguments(raw_input)
        run = run_of(ctx)
        if run is None:
            return await self.run(args)
        with tool_span(run, OP_WRITE_STDIN, self.name) as scope:
            return await self.run(args, scope.span)

    async def run(self, args: WriteStdinArgs, span: Any = None) -> str:
        started = time.perf_counter()
        try:
            update = await self.session.pty_write_stdin(
                session_id=args.session_id,
                chars=args.chars,
                yield_time_s=args.yield_time_ms / 1000,
                max_output_tokens=args.max_output_tokens,
            )
        except PtySessionNotFoundError as exc:
            return format_response(f"write_stdin failed: {exc}", time.perf_counter() - started, 1, None)
        except RuntimeError as exc:
            if "stdin is not available" not in str(exc):
                raise
            text = "stdin is not available for this process: start the command with `tty=true` to write to it."
            return format_response(text, time.perf_counter() - started, 1, None)
        if span is not None:
            record_update(span, update)
        output = update.output.decode("utf-8", errors="replace")
        wall = time.perf_counter() - started
        return format_response(output, wall, update.exit_code, update.original_token_count, update.process_id)
