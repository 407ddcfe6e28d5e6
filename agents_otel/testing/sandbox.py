"""``scripted_sandbox_session``: a sandbox session that answers from a script instead of a backend, for testing
agent workflows without a sandbox (the SDK's ``agents.testing`` sandbox doubles).

Each call of a scripted method (``exec``, ``read``, ``write``, ``ls``, ``mkdir``, ``rm``, ``mv``, ``same_file``,
``apply_patch``; ``pty_exec_start`` / ``pty_write_stdin``) takes the next step, in
order: a call of another method, one the step's ``match`` rejects, or one past the end of the script is a
``SandboxScriptError`` raised at the call, and ``assert_complete()`` reports the steps never reached. A method the
script never mentions is not there at all (``AttributeError``), nor are persistence, archives and exposed ports:
code that needs those wants a real session (``UnixLocalSandboxClient``). Pass the session as
``SandboxRunConfig(session=...)``.
"""

from __future__ import annotations

import abc
import copy
import inspect
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

from ..local_tools import ApplyPatchOperation
from ..sandbox.files import FileEntry
from ..sandbox.manifest import Manifest
from ..sandbox.session.base_sandbox_session import BaseSandboxSession
from ..sandbox.session.pty_types import PtyExecUpdate
from ..sandbox.session.sandbox_session_state import SandboxSessionState
from ..sandbox.snapshot import NoopSnapshot
from ..sandbox.types import ExecResult, User
from .sandbox_steps import (
    PTY_METHODS,
    SCRIPTABLE_METHODS,
    InvalidSandboxStep,
    SandboxCall,
    SandboxCallMatcherError,
    SandboxScriptError,
    SandboxStep,
    SandboxStepSpec,
    UnconsumedSandboxSteps,
    UnexpectedSandboxCall,
    normalize_step,
    snapshot_call,
    snapshot_value,
)

__all__ = [
    "InvalidSandboxStep",
    "SandboxCall",
    "SandboxCallMatcherError",
    "SandboxScriptError",
    "SandboxStepSpec",
    "ScriptedSandboxSession",
    "UnconsumedSandboxSteps",
    "UnexpectedSandboxCall",
    "scripted_sandbox_session",
]

_HIDDEN = frozenset({"extract", "hydrate_workspace", "persist_workspace", "resolve_exposed_port", "pty_terminate_all"})


class ScriptedSandboxSession(BaseSandboxSession, abc.ABC):
    """What ``scripted_sandbox_session`` returns: a session plus its call history and script bookkeeping."""

    @property
    @abc.abstractmethod
    def calls(self) -> tuple[SandboxCall, ...]:
        """The calls received so far, in order (detached copies)."""

    @property
    @abc.abstractmethod
    def remaining_steps(self) -> int:
        """How many steps have not been taken yet."""

    @abc.abstractmethod
    def assert_complete(self) -> None:
        """Raise ``UnconsumedSandboxSteps`` when steps remain."""


class _ScriptedSandboxSession(ScriptedSandboxSession):
    def __init__(self, steps: Sequence[SandboxStep], *, manifest: Manifest | None) -> None:
        self.state = SandboxSessionState(
            type="scripted",
            snapshot=NoopSnapshot(id="scripted"),
            manifest=copy.deepcopy(manifest) if manifest is not None else Manifest(),
        )
        self._steps = list(steps)
        configured = {step.method for step in steps}
        if configured & PTY_METHODS:  # one capability: both methods or neither
            configured |= PTY_METHODS
        self._configured = frozenset(configured)
        self._calls: list[SandboxCall] = []
        self._running = False

    def __getattribute__(self, name: str) -> Any:
        if name in SCRIPTABLE_METHODS and name not in object.__getattribute__(self, "_configured"):
            raise AttributeError(name)
        if name in _HIDDEN:
            raise AttributeError(name)
        return super().__getattribute__(name)

    def __dir__(self) -> list[str]:
        return sorted(
            name
            for name in super().__dir__()
            if name not in _HIDDEN and (name not in SCRIPTABLE_METHODS or name in self._configured)
        )

    @property
    def calls(self) -> tuple[SandboxCall, ...]:
        return tuple(snapshot_call(call) for call in self._calls)

    @property
    def remaining_steps(self) -> int:
        return len(self._steps)

    def assert_complete(self) -> None:
        if self._steps:
            raise UnconsumedSandboxSteps(
                f"Scripted sandbox session has {len(self._steps)} unconsumed step(s).",
                remaining_steps=len(self._steps),
                pending_methods=tuple(step.method for step in self._steps),
            )

    async def _invoke(self, method: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
        index = len(self._calls)
        call = SandboxCall(
            call_index=index,
            method=method,
            args=tuple(snapshot_value(args)),
            kwargs=MappingProxyType({name: snapshot_value(value) for name, value in kwargs.items()}),
        )
        self._calls.append(call)
        if not self._steps:
            raise UnexpectedSandboxCall(
                f"Unexpected sandbox {method} call #{index + 1}: no scripted steps remain.",
                call=snapshot_call(call), call_index=index, expected_method=None, remaining_steps=0,
            )  # fmt: skip
        step = self._steps[0]
        if step.method != method:
            raise UnexpectedSandboxCall(
                f"Unexpected sandbox {method} call #{index + 1}; expected {step.method}.",
                call=snapshot_call(call), call_index=index, expected_method=step.method,
                remaining_steps=len(self._steps),
            )  # fmt: skip
        if step.match is not None and step.match(snapshot_call(call)) is False:
            raise SandboxCallMatcherError(
                f"Sandbox matcher rejected {method} call #{index + 1}.", call=snapshot_call(call), call_index=index
            )
        self._steps.pop(0)
        if step.outcome == "error":
            raise step.value
        if step.outcome == "responder":
            result = step.value(snapshot_call(call))
            return await result if inspect.isawaitable(result) else result
        return step.value

    # -- lifecycle: nothing to start or persist ------------------------------------------------------------------

    async def start(self) -> None:
        self._running = True
        self.state.workspace_root_ready = True

    async def stop(self) -> None:
        self._running = False

    async def _before_shutdown(self) -> None:
        return None  # the base would call pty_terminate_all, which a scripted session does not have

    async def running(self) -> bool:
        return self._running

    def supports_pty(self) -> bool:
        return self._configured >= PTY_METHODS

    # -- the scripted methods ------------------------------------------------------------------------------------

    async def exec(
        self,
        *command: str | Path,
        timeout: float | None = None,  # noqa: ASYNC109  (the SDK's signature)
        shell: bool | list[str] = True,
        user: str | User | None = None,
    ) -> ExecResult:
        return cast(ExecResult, await self._invoke("exec", command, {"timeout": timeout, "shell": shell, "user": user}))

    async def read(self, path: Path, *, user: str | User | None = None) -> io.IOBase:
        return cast(io.IOBase, await self._invoke("read", (path,), {"user": user}))

    async def write(self, path: Path, data: io.IOBase, *, user: str | User | None = None) -> None:
        await self._invoke("write", (path, data), {"user": user})

    async def ls(self, path: Path | str, *, user: str | User | None = None) -> list[FileEntry]:
        return cast(list[FileEntry], await self._invoke("ls", (path,), {"user": user}))

    async def rm(self, path: Path | str, *, recursive: bool = False, user: str | User | None = None) -> None:
        await self._invoke("rm", (path,), {"recursive": recursive, "user": user})

    async def mkdir(self, path: Path | str, *, parents: bool = False, user: str | User | None = None) -> None:
        await self._invoke("mkdir", (path,), {"parents": parents, "user": user})

    async def mv(self, source: Path | str, destination: Path | str, *, user: str | User | None = None) -> None:
        await self._invoke("mv", (source, destination), {"user": user})

    async def same_file(
        self, left: Path | str, right: Path | str, *, follow_symlinks: bool = True, user: str | User | None = None
    ) -> bool:
        return cast(bool, await self._invoke("same_file", (left, right), {"follow_symlinks": follow_symlinks,
                                                                          "user": user}))  # fmt: skip

    async def apply_patch(
        self,
        operations: ApplyPatchOperation | Mapping[str, object] | list[ApplyPatchOperation | Mapping[str, object]],
        *,
        patch_format: Literal["v4a"] = "v4a",
    ) -> str:
        return cast(str, await self._invoke("apply_patch", (operations,), {"patch_format": patch_format}))

    async def pty_exec_start(
        self,
        *command: str | Path,
        timeout: float | None = None,  # noqa: ASYNC109  (the SDK's signature)
        shell: bool | list[str] = True,
        user: str | User | None = None,
        tty: bool = False,
        yield_time_s: float | None = None,
        max_output_tokens: int | None = None,
    ) -> PtyExecUpdate:
        kwargs = {"timeout": timeout, "shell": shell, "user": user, "tty": tty, "yield_time_s": yield_time_s,
                  "max_output_tokens": max_output_tokens}  # fmt: skip
        return cast(PtyExecUpdate, await self._invoke("pty_exec_start", command, kwargs))

    async def pty_write_stdin(
        self, *, session_id: int, chars: str, yield_time_s: float | None = None, max_output_tokens: int | None = None
    ) -> PtyExecUpdate:
        kwargs = {"session_id": session_id, "chars": chars, "yield_time_s": yield_time_s,
                  "max_output_tokens": max_output_tokens}  # fmt: skip
        return cast(PtyExecUpdate, await self._invoke("pty_write_stdin", (), kwargs))

    async def _exec_internal(self, *command: str | Path, timeout: float | None = None) -> ExecResult:  # noqa: ASYNC109
        raise NotImplementedError("a scripted sandbox session runs no commands: script `exec` steps")

    async def persist_workspace(self) -> io.IOBase:
        raise NotImplementedError("a scripted sandbox session has no workspace to persist")

    async def hydrate_workspace(self, data: io.IOBase) -> None:
        raise NotImplementedError("a scripted sandbox session has no workspace to hydrate")


def scripted_sandbox_session(
    steps: Iterable[SandboxStepSpec | Mapping[str, Any]] = (), *, manifest: Manifest | None = None
) -> ScriptedSandboxSession:
    """A session answering each call with the next of ``steps`` (each ``method`` plus one of ``result``,
    ``responder``, ``error``, and an optional ``match``); ``manifest`` is its state's (a copy)."""
    return _ScriptedSandboxSession([normalize_step(step, i) for i, step in enumerate(steps)], manifest=manifest)
