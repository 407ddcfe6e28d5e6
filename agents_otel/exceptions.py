"""Typed errors. Each one names what went wrong so callers can catch precisely instead of parsing messages."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from .agent import Agent
    from .context_wrapper import RunContextWrapper
    from .guardrails import InputGuardrailResult, OutputGuardrailResult
    from .input_items import RunInput
    from .items import RunItem
    from .models.interface import ModelResponse
    from .token_usage import Usage
    from .tool_guardrails import (
        ToolGuardrailFunctionOutput,
        ToolInputGuardrail,
        ToolInputGuardrailResult,
        ToolOutputGuardrail,
        ToolOutputGuardrailResult,
    )


class _Message:
    """``error.message``, the attribute the SDK's errors carry (``except MaxTurnsExceeded as e: print(e.message)``).

    Read from ``args`` rather than stored, so it is right for every subclass whatever its constructor takes, and
    survives pickling and copying with the arguments. A non-data descriptor on purpose: an instance's own
    ``message`` wins, so ``e.message = ...`` works as on the SDK's plain attribute, and an error that is also an
    ``openai`` exception keeps the ``message`` openai gave it.
    """

    @overload
    def __get__(self, instance: None, owner: type[BaseException]) -> _Message: ...
    @overload
    def __get__(self, instance: BaseException, owner: type[BaseException]) -> str: ...
    def __get__(self, instance: BaseException | None, owner: type[BaseException]) -> str | _Message:
        if instance is None:
            return self
        args = instance.args
        return str(args[0]) if args else ""


def _rebuild(cls: type[AgentsOtelError], args: tuple[Any, ...]) -> AgentsOtelError:
    """Unpickle (or copy) an error without calling its ``__init__``, which may take other arguments than ``args``."""
    error = cls.__new__(cls)
    error.args = args
    return error


_TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_terminal_controls(text: str) -> str:
    """``text`` with its C0 (but tab and newline), DEL and C1 characters as ``\\xNN``: a diagnostic printed to a
    terminal must not let a name or an output the model wrote clear the screen or retitle the window (SDK 0.23,
    "escape terminal controls in result diagnostics")."""
    return _TERMINAL_CONTROLS.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


@dataclass
class RunErrorDetails:
    """What a run had done when it failed, as the SDK's ``error.run_data``: the input, the items and model responses
    so far, the agent that was running, its context and the guardrail verdicts. Why: a failed run (``MaxTurnsExceeded``,
    a tripwire) is often worth inspecting or resuming from, and the exception is all the caller gets."""

    input: RunInput
    new_items: list[RunItem]
    raw_responses: list[ModelResponse]
    last_agent: Agent[Any]
    context_wrapper: RunContextWrapper[Any]
    input_guardrail_results: list[InputGuardrailResult]
    output_guardrail_results: list[OutputGuardrailResult]
    tool_input_guardrail_results: list[ToolInputGuardrailResult] = field(default_factory=list)
    tool_output_guardrail_results: list[ToolOutputGuardrailResult] = field(default_factory=list)

    def __str__(self) -> str:
        counts = (
            (self.new_items, "new item(s)"),
            (self.raw_responses, "raw response(s)"),
            (self.input_guardrail_results, "input guardrail result(s)"),
            (self.output_guardrail_results, "output guardrail result(s)"),
            (self.tool_input_guardrail_results, "tool input guardrail result(s)"),
            (self.tool_output_guardrail_results, "tool output guardrail result(s)"),
        )
        name = escape_terminal_controls(self.last_agent.name)
        lines = [f'RunErrorDetails:\n- Last agent: Agent(name="{name}", ...)']
        lines += [f"- {len(values)} {label}" for values, label in counts]
        return "\n".join([*lines, "(See `RunErrorDetails` for more details)"])


class AgentsOtelError(Exception):
    """Base of every error this package raises on purpose."""

    message = _Message()
    """The error's message (its first argument), as on the SDK's errors."""

    run_data: RunErrorDetails | None = None
    """Set on an error that ended a run (``Runner.run``, ``run_sync``, ``run_streamed``), as in the SDK: what the run
    had done by then. ``None`` on an error raised outside a run, and on a pickled or copied error: it holds the
    application's agent and context, which need not pickle."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls ``cls(*args)``: wrong for MaxTurnsExceeded(max_turns) and the guardrail
        # errors, whose constructors take objects and build the message; their attributes come back with the state.
        state = {k: v for k, v in self.__dict__.items() if k != "run_data"}
        return (_rebuild, (type(self), self.args), state or None)


AgentsException = AgentsOtelError
"""The OpenAI Agents SDK's name for the base of its errors: ``except AgentsException`` catches ours."""


class UserError(AgentsOtelError):
    """The API was used in a way that cannot work (a bad tool signature, run_sync inside a loop, ...)."""


class NestedApprovalError(UserError):
    """A tool inside an agent used as a tool (``Agent.as_tool``) needs approval: not supported, and never turned
    into a tool error for the model, so it fails the whole run."""


class RunSyncInLoopError(UserError, RuntimeError):
    """``Runner.run_sync`` inside a running event loop: a ``UserError``, and the ``RuntimeError`` the SDK raises
    there, so an ``except RuntimeError`` fallback written for the SDK still runs."""


class StoppedAfterTurn(asyncio.CancelledError):
    """Ends a run at a turn boundary (``cancel(mode="after_turn")``): a cancellation, so every span it leaves
    records ``error.type=cancelled`` and the result reads ``cancelled``, but nothing was interrupted mid-turn."""


class MaxTurnsExceeded(AgentsOtelError):
    """The model kept asking for tools past ``max_turns``; raised so a looping model cannot run forever.

    Built as the SDK builds it, ``MaxTurnsExceeded(message)``, or from the limit, ``MaxTurnsExceeded(3)`` (the
    SDK's message, ``"Max turns (3) exceeded"``). ``max_turns``: the limit, ``None`` when built from a message."""

    def __init__(self, message: str | int) -> None:
        if isinstance(message, int) and not isinstance(message, bool):
            self.max_turns: int | None = message
            message = f"Max turns ({message}) exceeded"
        elif isinstance(message, str):
            self.max_turns = None
        else:
            raise TypeError(f"MaxTurnsExceeded takes a message (str) or the limit (int), got {type(message).__name__}")
        super().__init__(message)


class ModelBehaviorError(AgentsOtelError):
    """The model produced something the runtime cannot act on."""


class ModelRefusalError(AgentsOtelError):
    """The model refused to answer (a refusal part in its message, an OpenAI ``refusal``), as the SDK's error of
    that name: raised when a turn would end the run, whatever the ``output_type``, because a refusal is no answer —
    ending the run with it as text would hand the application an apology as if it were the output, and a
    structured agent would go on asking until ``max_turns``. ``refusal`` is the model's refusal text."""

    def __init__(self, refusal: str) -> None:
        super().__init__(f"Model refused to produce output: {refusal}")
        self.refusal = refusal


class ModelError(AgentsOtelError):
    """A model call failed (HTTP error, timeout, refused connection). ``error_type`` is the span's ``error.type``."""

    _terminal_usage: Usage | None = None
    """The tokens the provider reported for a call it answered with a failure (a Responses ``failed`` response):
    counted in the run's usage and on the ``chat`` span, as the SDK 0.25 counts them."""

    def __init__(self, message: str, *, error_type: str = "_OTHER", status_code: int | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.status_code = status_code


class ModelHTTPError(ModelError):
    """The provider answered with an HTTP error status once the client's retries were spent.

    ``error_type`` is the status code as a string (``"500"``, ``"400"``), which keeps ``error.type`` low-cardinality.
    """


class ModelRateLimitError(ModelHTTPError):
    """HTTP 429: catch it to back off or switch models without parsing messages."""


class ModelTimeoutError(ModelError, TimeoutError):
    """A model call ran past a timeout; ``error_type="timeout"``. ``timeout_seconds`` is the limit when known.

    ``ModelTimeoutError(5.0)`` is the SDK's form, raised when an attempt outlives ``ModelSettings.timeout`` ("Model
    call timed out after 5 seconds."); the models also raise it, with their own ``message``, for the client's
    timeout or a stream that went silent. A ``str`` first argument is the message, as for every ``ModelError``."""

    def __init__(
        self,
        timeout_seconds: float | str | None = None,
        *,
        message: str | None = None,
        error_type: str = "timeout",
        status_code: int | None = None,
    ) -> None:
        if isinstance(timeout_seconds, str):  # ModelError's form: ModelTimeoutError("...", error_type=...)
            message, timeout_seconds = message or timeout_seconds, None
        if message is None:
            message = (
                f"Model call timed out after {timeout_seconds:g} seconds."
                if timeout_seconds is not None
                else "Model call timed out."
            )
        super().__init__(message, error_type=error_type, status_code=status_code)
        self.timeout_seconds: float | None = timeout_seconds


class ModelConnectionError(ModelError):
    """No usable connection to the provider (refused, reset, DNS); ``error_type="connection_error"``."""


class ToolError(AgentsOtelError):
    """Base for failures of one tool call that the model is told about rather than the run crashing."""

    error_type = "_OTHER"
    tool_worded = False
    """``True``: a failure of the call itself (an MCP server's JSON-RPC error or lost connection) that a
    ``failure_error_function`` other than the default words, or ``None`` raises, as the SDK treats it."""


class ToolNotFoundError(ToolError):
    """The model called a tool name the agent does not have."""

    error_type = "tool_not_found"


class ToolArgumentsError(ToolError):
    """The model's arguments are not valid JSON or do not match the tool's schema."""

    error_type = "invalid_arguments"


class MCPToolCancellationError(AgentsOtelError):
    """An MCP ``tools/call`` was cancelled by the MCP client or its session (the connection's task group ended it),
    not by the run: the call's failure, worded for the model by the tool's ``failure_error_function``, as in the SDK.
    A cancellation of the run itself stays a cancellation."""


class ToolCancelledError(AgentsOtelError):
    """A tool raised ``asyncio.CancelledError`` itself while nobody cancelled it: an error of that tool like any
    other (its ``failure_error_function`` words it for the model), not a cancellation of the run."""


class ToolOutputError(ToolError):
    """The tool returned an iterator or generator. Consuming it could block the loop for ever (an endless one) and
    the stream could not show it, so a tool must return the values themselves: ``list(...)`` it, or join it."""

    error_type = "invalid_output"


class ToolTimeoutError(ToolError, TimeoutError):
    """The tool ran past its ``timeout`` (or sent no progress for its ``idle_timeout``: ``idle=True``).

    ``tool_name`` and ``timeout_seconds`` are the SDK's attributes of the same name.
    """

    error_type = "timeout"

    def __init__(
        self,
        message: str = "",
        *,
        tool_name: str | None = None,
        timeout_seconds: float | None = None,
        idle: bool = False,
    ) -> None:
        if not message and tool_name is not None and timeout_seconds is not None:
            message = f"Tool {tool_name!r} timed out after {timeout_seconds:g} seconds"
        super().__init__(message)
        self.tool_name = tool_name
        self.timeout_seconds = timeout_seconds
        self.idle = idle


class ProgressPayloadError(AgentsOtelError, TypeError):
    """``send_progress`` got data that cannot be encoded as JSON; nothing was recorded and later calls still work."""


class InputGuardrailTripwireTriggered(AgentsOtelError):
    """An input guardrail's tripwire fired: the run stopped. ``guardrail_result`` says which and why."""

    def __init__(self, guardrail_result: InputGuardrailResult) -> None:
        self.guardrail_result = guardrail_result
        super().__init__(f"Input guardrail {guardrail_result.guardrail.get_name()!r} triggered its tripwire")


class OutputGuardrailTripwireTriggered(AgentsOtelError):
    """An output guardrail's tripwire fired on the final output: the run stopped without returning it."""

    def __init__(self, guardrail_result: OutputGuardrailResult) -> None:
        self.guardrail_result = guardrail_result
        super().__init__(f"Output guardrail {guardrail_result.guardrail.get_name()!r} triggered its tripwire")


class ToolInputGuardrailTripwireTriggered(AgentsOtelError):
    """A tool input guardrail answered ``raise_exception``: the tool did not run and the run stopped. ``guardrail``
    and ``output`` say which and why."""

    def __init__(self, guardrail: ToolInputGuardrail[Any], output: ToolGuardrailFunctionOutput) -> None:
        self.guardrail = guardrail
        self.output = output
        super().__init__(f"ToolInputGuardrail {guardrail.get_name()!r} triggered its tripwire")


class ToolOutputGuardrailTripwireTriggered(AgentsOtelError):
    """A tool output guardrail answered ``raise_exception`` on what the tool produced: the run stopped before the
    model saw it."""

    def __init__(self, guardrail: ToolOutputGuardrail[Any], output: ToolGuardrailFunctionOutput) -> None:
        self.guardrail = guardrail
        self.output = output
        super().__init__(f"ToolOutputGuardrail {guardrail.get_name()!r} triggered its tripwire")
