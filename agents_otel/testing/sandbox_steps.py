"""The script of a ``ScriptedSandboxSession`` (the SDK's ``agents.testing`` sandbox doubles): its step form
(``SandboxStepSpec``), the recorded calls (``SandboxCall``) and the errors a wrong script or an unexpected call
raises, all ``SandboxScriptError``s.

Why calls are snapshots: a test asserts on what the code under test passed, and a stream or list it later reuses or
mutates must not rewrite that history; streams are copied with their position, anything else deep-copied.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, TypeAlias, cast, get_args

from typing_extensions import TypedDict

SandboxMethod = Literal[
    "apply_patch", "exec", "ls", "mkdir", "mv", "pty_exec_start", "pty_write_stdin", "read", "rm", "same_file",
    "write",
]  # fmt: skip
SandboxStepReason = Literal["invalid_input", "unknown_method", "invalid_matcher", "invalid_outcome"]

SCRIPTABLE_METHODS: frozenset[str] = frozenset(get_args(SandboxMethod))
PTY_METHODS: frozenset[str] = frozenset({"pty_exec_start", "pty_write_stdin"})


class SandboxScriptError(Exception):
    """A sandbox script that is invalid, or that the code under test did not follow."""


class InvalidSandboxStep(SandboxScriptError):
    """A step refused when the session is made (``input_index`` is its position in the script)."""

    def __init__(self, message: str, *, reason: SandboxStepReason, input_index: int, method: str | None) -> None:
        super().__init__(message)
        self.reason = reason
        self.input_index = input_index
        self.method = method


class UnexpectedSandboxCall(SandboxScriptError):
    """A call when no step remains, or of another method than the next step's."""

    def __init__(
        self, message: str, *, call: SandboxCall, call_index: int, expected_method: str | None, remaining_steps: int
    ) -> None:
        super().__init__(message)
        self.call = call
        self.call_index = call_index
        self.actual_method: str = call.method
        self.expected_method = expected_method
        self.remaining_steps = remaining_steps


class SandboxCallMatcherError(SandboxScriptError):
    """The next step's ``match`` returned ``False`` for the call."""

    def __init__(self, message: str, *, call: SandboxCall, call_index: int) -> None:
        super().__init__(message)
        self.call = call
        self.call_index = call_index
        self.method: str = call.method


class UnconsumedSandboxSteps(SandboxScriptError):
    """``assert_complete()`` found steps the code under test never reached."""

    def __init__(self, message: str, *, remaining_steps: int, pending_methods: tuple[str, ...]) -> None:
        super().__init__(message)
        self.remaining_steps = remaining_steps
        self.pending_methods = pending_methods


@dataclass(frozen=True)
class SandboxCall:
    """One call the session received: its position, method and arguments (detached copies)."""

    call_index: int
    method: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]


SandboxMatcher: TypeAlias = Callable[[SandboxCall], bool | None]
SandboxResponder: TypeAlias = Callable[[SandboxCall], Any | Awaitable[Any]]


class SandboxStepSpec(TypedDict, total=False):
    """One scripted call, taken in order: ``method``, an optional ``match``, and exactly one of ``result``,
    ``responder`` (called with the ``SandboxCall``; may be async) or ``error`` (raised)."""

    method: SandboxMethod
    match: SandboxMatcher
    result: Any
    responder: SandboxResponder
    error: Exception


_STEP_FIELDS = frozenset(SandboxStepSpec.__annotations__)
Outcome = Literal["result", "responder", "error"]


@dataclass(frozen=True)
class SandboxStep:
    method: str
    match: SandboxMatcher | None
    outcome: Outcome
    value: Any


def snapshot_value(value: Any) -> Any:
    if isinstance(value, io.BytesIO | io.StringIO):
        if value.closed:
            raise TypeError("a closed stream cannot be recorded")
        copied: io.BytesIO | io.StringIO = (
            io.BytesIO(value.getvalue()) if isinstance(value, io.BytesIO) else io.StringIO(value.getvalue())
        )
        copied.seek(value.tell())
        return copied
    if isinstance(value, io.IOBase):
        raise TypeError("sandbox stream snapshots support only io.BytesIO and io.StringIO")
    if callable(value):
        return value
    if isinstance(value, tuple | list | set):
        return type(value)(snapshot_value(item) for item in value)
    if isinstance(value, dict):
        return {snapshot_value(key): snapshot_value(item) for key, item in value.items()}
    return copy.deepcopy(value)


def snapshot_call(call: SandboxCall) -> SandboxCall:
    return SandboxCall(
        call_index=call.call_index,
        method=call.method,
        args=tuple(snapshot_value(call.args)),
        kwargs=MappingProxyType({name: snapshot_value(value) for name, value in call.kwargs.items()}),
    )


def normalize_step(spec: object, index: int) -> SandboxStep:
    """A step checked once, when the session is made, so a wrong script fails before the code under test runs."""

    def invalid(reason: SandboxStepReason, method: str | None, detail: str) -> InvalidSandboxStep:
        return InvalidSandboxStep(
            f"Scripted sandbox step #{index + 1} {detail}.", reason=reason, input_index=index, method=method
        )

    if not isinstance(spec, Mapping):
        raise invalid("invalid_input", None, "must be a mapping")
    method = spec.get("method")
    named = method if isinstance(method, str) else None
    if any(name not in _STEP_FIELDS for name in spec):
        raise invalid("invalid_input", named, "contains unsupported fields")
    if named is None or named not in SCRIPTABLE_METHODS:
        raise invalid("unknown_method", named, "has an unknown method")
    matcher = spec.get("match")
    if isinstance(matcher, io.IOBase) or (matcher is not None and not callable(matcher)):
        raise invalid("invalid_matcher", named, f"for {named} must use a non-stream callable matcher")
    outcomes = [name for name in ("result", "responder", "error") if name in spec]
    if len(outcomes) != 1:
        raise invalid("invalid_outcome", named, f"for {named} must define exactly one outcome")
    outcome = cast(Outcome, outcomes[0])
    value = spec[outcome]
    if outcome == "responder" and (isinstance(value, io.IOBase) or not callable(value)):
        raise invalid("invalid_outcome", named, f"for {named} must use a non-stream callable responder")
    if outcome == "error" and not isinstance(value, Exception):
        raise invalid("invalid_outcome", named, f"for {named} must use an Exception")
    if outcome == "result":
        try:
            value = snapshot_value(value)
        except TypeError as error:
            detail = f"for {named} contains a result that cannot be snapshotted"
            raise invalid("invalid_outcome", named, detail) from error
    return SandboxStep(method=named, match=cast(SandboxMatcher | None, matcher), outcome=outcome, value=value)
