"""The sandbox's spans: each session lifecycle step of a run and each command a model's tool runs, in the run's trace.

Why spans of their own: a sandbox run spends its time in the sandbox (creating the workspace, running commands),
and an ``execute_tool exec_command`` span alone would not tell a slow command from a slow sandbox start. The names
follow the runtime's ``{operation} {target}`` form (``sandbox.create_session unix_local``, ``sandbox.exec``); they
are made on the run's tracer, under the span current where the work happens (the agent's ``invoke_agent`` span
for the lifecycle, the tool's ``execute_tool`` span for a command), and end through ``SpanScope``, so a failure or
a cancellation reads as everywhere else. The command line is content: recorded only when the run captures content,
through the run's ``redact`` hook (as the tool's arguments are).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from opentelemetry.trace import SpanKind

from ..content_guard import exception_scrub
from ..redaction import redact_text
from ..tool_context import ToolContext
from ..tracing import attributes as A
from ..tracing.spans import SpanScope

if TYPE_CHECKING:
    from ..run_runtime import RunRuntime

OP_CREATE_SESSION: Final = "sandbox.create_session"
OP_RESUME_SESSION: Final = "sandbox.resume_session"
OP_CLEANUP: Final = "sandbox.cleanup"
OP_EXEC: Final = "sandbox.exec"
OP_APPLY_PATCH: Final = "sandbox.apply_patch"
OP_WRITE_STDIN: Final = "sandbox.write_stdin"

SANDBOX_OPERATION: Final = "agents_otel.sandbox.operation"
SANDBOX_BACKEND: Final = "agents_otel.sandbox.backend"
"""The client's ``backend_id`` (``unix_local``, ...)."""
SANDBOX_SESSION_ID: Final = "agents_otel.sandbox.session_id"
SANDBOX_SESSION_COUNT: Final = "agents_otel.sandbox.session_count"
SANDBOX_COMMAND: Final = "agents_otel.sandbox.command"
"""The command line a tool ran (content: only when the run captures content, redacted)."""
SANDBOX_TIMED_OUT: Final = "agents_otel.sandbox.timed_out"
SANDBOX_PROCESS_ID: Final = "agents_otel.sandbox.process_id"
"""An interactive process still running when the call returned: the id ``write_stdin`` takes."""
SANDBOX_PATCH_OPERATIONS: Final = "agents_otel.sandbox.patch.operations"
PROCESS_EXIT_CODE: Final = "process.exit.code"
"""OpenTelemetry's process attribute: the command's exit status."""


def lifecycle_span(run: RunRuntime, operation: str, agent_name: str, backend: str | None) -> SpanScope:
    """``with lifecycle_span(...) as scope:`` around one session lifecycle step of ``run``."""
    attributes: dict[str, Any] = {SANDBOX_OPERATION: operation, A.GEN_AI_AGENT_NAME: agent_name}
    if backend is not None:
        attributes[SANDBOX_BACKEND] = backend
    name = f"{operation} {backend}" if backend else operation
    span = run.tracer.start_span(name, kind=SpanKind.INTERNAL, attributes=attributes)
    return SpanScope(span, scrub=exception_scrub(run, agent_name))


def run_of(ctx: object) -> RunRuntime | None:
    """The run a tool call belongs to, or ``None`` for a tool invoked outside a run (then it records no span)."""
    if isinstance(ctx, ToolContext) and ctx._call is not None:
        run: RunRuntime = ctx._call.run
        return run
    return None


def tool_span(run: RunRuntime, operation: str, tool_name: str, command: str | None = None) -> SpanScope:
    """``with tool_span(...) as scope:`` around sandbox work a tool call does, a child of its ``execute_tool``."""
    attributes: dict[str, Any] = {SANDBOX_OPERATION: operation, A.GEN_AI_TOOL_NAME: tool_name}
    if command is not None and run.capture_content:
        attributes[SANDBOX_COMMAND] = redact_text(run.redact, tool_name, command, "tool_arguments") if (
            run.redact is not None
        ) else command
    span = run.tracer.start_span(operation, kind=SpanKind.INTERNAL, attributes=attributes)
    return SpanScope(span, scrub=exception_scrub(run, tool_name))


def record_update(span: Any, update: Any) -> None:
    """An interactive process's state after a call: its exit code, or the id it keeps running under."""
    if update.exit_code is not None:
        span.set_attribute(PROCESS_EXIT_CODE, update.exit_code)
    if update.process_id is not None:
        span.set_attribute(SANDBOX_PROCESS_ID, update.process_id)
