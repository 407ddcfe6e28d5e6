"""The OpenAI Agents SDK's local execution tools: ``ShellTool``, ``LocalShellTool`` and ``ApplyPatchTool``, with the
request, result and environment types their callbacks see.

Why records apart from the code that runs them: like a hosted tool, each is a line in the request's ``tools`` (a
``{"type": "shell"}`` entry, not a function schema) that only the OpenAI Responses API takes; unlike one, its calls
(``shell_call``, ``local_shell_call``, ``apply_patch_call``) run *here*, through the same ``execute_tool`` span path as
a function tool's (:mod:`agents_otel.local_tool_run`). Each class checks its fields when it is built, so a tool that
could never run says so where it is written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TypeAlias, runtime_checkable

from .exceptions import UserError
from .shell_environments import (
    ShellToolContainerAutoEnvironment,
    ShellToolContainerNetworkPolicy,
    ShellToolContainerNetworkPolicyAllowlist,
    ShellToolContainerNetworkPolicyDisabled,
    ShellToolContainerNetworkPolicyDomainSecret,
    ShellToolContainerReferenceEnvironment,
    ShellToolContainerSkill,
    ShellToolEnvironment,
    ShellToolHostedEnvironment,
    ShellToolInlineSkill,
    ShellToolInlineSkillSource,
    ShellToolLocalEnvironment,
    ShellToolLocalSkill,
    ShellToolSkillReference,
)
from .tool_features import (
    ApplyPatchToolCustomDataExtractor,
    OnApprovalFunctionResult,
    ToolCaller,
    checked_callers,
    checked_extractor,
)

if TYPE_CHECKING:
    from openai.types.responses.response_output_item import LocalShellCall

    from .approval_item import ToolApprovalItem
    from .context_wrapper import RunContextWrapper

# ---- shell calls and results ---------------------------------------------------------------------------------------


@dataclass
class ShellCallOutcome:
    """How one command ended: it exited (with ``exit_code`` when known) or timed out."""

    type: Literal["exit", "timeout"]
    exit_code: int | None = None


@dataclass
class ShellCommandOutput:
    """One command's output, as an executor reports it in a :class:`ShellResult`."""

    stdout: str = ""
    stderr: str = ""
    outcome: ShellCallOutcome = field(default_factory=lambda: ShellCallOutcome(type="exit"))
    command: str | None = None
    provider_data: dict[str, Any] | None = None

    @property
    def exit_code(self) -> int | None:
        return self.outcome.exit_code

    @property
    def status(self) -> Literal["completed", "timeout"]:
        return "timeout" if self.outcome.type == "timeout" else "completed"


@dataclass
class ShellResult:
    """What an executor may return instead of text: each command's output. ``max_output_length`` caps what the
    model reads (with the model's own cap, the smaller wins)."""

    output: list[ShellCommandOutput]
    max_output_length: int | None = None
    provider_data: dict[str, Any] | None = None


@dataclass
class ShellActionRequest:
    """What the model asked the shell for: the commands, and its limits (``None``: none given)."""

    commands: list[str]
    timeout_ms: int | None = None
    max_output_length: int | None = None


@dataclass
class ShellCallData:
    """A ``shell_call`` as the executor sees it; ``raw`` is the model's item as it came."""

    call_id: str
    action: ShellActionRequest
    status: Literal["in_progress", "completed"] | None = None
    raw: Any | None = None


@dataclass
class ShellCommandRequest:
    """What a :data:`ShellExecutor` is called with."""

    ctx_wrapper: RunContextWrapper[Any]
    data: ShellCallData


ShellExecutor: TypeAlias = Callable[[ShellCommandRequest], "str | ShellResult | Awaitable[str | ShellResult]"]
"""Runs a shell call's commands (sync: in a worker thread; or async) and returns text or a :class:`ShellResult`."""
ShellApprovalFunction: TypeAlias = Callable[
    ["RunContextWrapper[Any]", ShellActionRequest, str], "bool | Awaitable[bool]"
]
"""``needs_approval`` as a policy: ``(ctx, action, call_id) -> bool`` (sync or async)."""


ShellOnApprovalFunctionResult: TypeAlias = OnApprovalFunctionResult
"""What a shell tool's ``on_approval`` returns (the SDK's name; the one type every tool's ``on_approval`` returns)."""


ShellOnApprovalFunction: TypeAlias = Callable[
    ["RunContextWrapper[Any]", "ToolApprovalItem"],
    "ShellOnApprovalFunctionResult | Awaitable[ShellOnApprovalFunctionResult]",
]


def _check_approval(owner: str, needs_approval: Any, on_approval: Any) -> None:
    if not isinstance(needs_approval, bool) and not callable(needs_approval):
        raise UserError(f"{owner} needs_approval must be a bool or a callable, got {needs_approval!r}")
    if on_approval is not None and not callable(on_approval):
        raise UserError(f"{owner} on_approval must be callable (ctx, approval_item) -> decision, or None")


@dataclass
class ShellTool:
    """The shell tool (``{"type": "shell"}``): the model asks for commands, ``executor`` runs them here.

    With a hosted ``environment`` (``container_auto`` / ``container_reference``) OpenAI runs the commands in its
    container instead; such a tool takes no executor and no approvals, as in the SDK."""

    executor: ShellExecutor | None = None
    name: str = "shell"
    needs_approval: bool | ShellApprovalFunction = False
    """``True``, or ``(ctx, action, call_id) -> bool``: such a call stops the run until a person decides."""
    on_approval: ShellOnApprovalFunction | None = None
    """``(ctx, approval_item) -> {"approve": bool, "reason"?: str}``: decides a call that needs approval at once."""
    environment: ShellToolEnvironment | None = None
    """``None``: ``{"type": "local"}``. A dict without ``type`` is local too."""
    allowed_callers: list[ToolCaller] | None = field(default=None, kw_only=True)
    """Responses API only: ``["direct"]``, ``["programmatic"]`` or both (``ProgrammaticToolCallingTool``)."""

    def __post_init__(self) -> None:
        self.allowed_callers = checked_callers(self.allowed_callers, self.name)
        if self.environment is None:
            self.environment = {"type": "local"}
        elif not isinstance(self.environment, Mapping):
            raise UserError(f"ShellTool environment must be a mapping, got {type(self.environment).__name__}")
        else:
            self.environment = {"type": "local", **self.environment}  # type: ignore[assignment]
        if not isinstance(self.name, str) or not self.name:
            raise UserError("ShellTool name must be a non-empty string")
        if self.is_local:
            if self.executor is None:
                raise UserError("ShellTool with local environment requires an executor.")
            if not callable(self.executor):
                raise UserError(f"ShellTool executor must be callable, got {type(self.executor).__name__}")
            _check_approval("ShellTool", self.needs_approval, self.on_approval)
            return
        if self.executor is not None:
            raise UserError("ShellTool with hosted environment does not accept an executor.")
        if self.needs_approval is not False or self.on_approval is not None:
            raise UserError("ShellTool with hosted environment does not support needs_approval or on_approval.")

    @property
    def type(self) -> str:
        return "shell"

    @property
    def is_local(self) -> bool:
        """Whether calls run here (``False``: in OpenAI's container, like a hosted tool's)."""
        return self.environment is None or self.environment.get("type") == "local"

    @property
    def include(self) -> str | None:
        return None

    def tool_param(self) -> dict[str, Any]:
        param = {"type": "shell", "environment": dict(self.environment or {"type": "local"})}
        return _with_callers(param, self.allowed_callers)


def _with_callers(param: dict[str, Any], callers: list[ToolCaller] | None) -> dict[str, Any]:
    if callers is not None:
        param["allowed_callers"] = list(callers)
    return param


# ---- the older local shell tool ------------------------------------------------------------------------------------


@dataclass
class LocalShellCommandRequest:
    """What a :data:`LocalShellExecutor` is called with: ``data`` is the model's ``local_shell_call`` (the
    ``openai`` package's ``LocalShellCall``)."""

    ctx_wrapper: RunContextWrapper[Any]
    data: LocalShellCall


LocalShellExecutor: TypeAlias = Callable[[LocalShellCommandRequest], "str | Awaitable[str]"]


@dataclass
class LocalShellTool:
    """The older local shell tool (``{"type": "local_shell"}``, ``codex-mini-latest``); ``ShellTool`` replaces it."""

    executor: LocalShellExecutor

    def __post_init__(self) -> None:
        if not callable(self.executor):
            raise UserError(f"LocalShellTool executor must be callable, got {type(self.executor).__name__}")

    @property
    def name(self) -> str:
        return "local_shell"

    @property
    def type(self) -> str:
        return "local_shell"

    @property
    def needs_approval(self) -> bool:
        return False

    @property
    def include(self) -> str | None:
        return None

    def tool_param(self) -> dict[str, Any]:
        return {"type": "local_shell"}


# ---- apply_patch ---------------------------------------------------------------------------------------------------

ApplyPatchOperationType: TypeAlias = Literal["create_file", "update_file", "delete_file"]


@dataclass(slots=True)
class ApplyPatchOperation:
    """One file change the model asked for. ``diff`` is a V4A diff (``apply_diff`` applies it), ``None`` for a
    deletion; ``move_to`` renames the file."""

    type: ApplyPatchOperationType
    path: str
    diff: str | None = None
    ctx_wrapper: RunContextWrapper[Any] | None = None
    move_to: str | None = None


@dataclass(slots=True)
class ApplyPatchResult:
    """What an editor method may return: ``status`` (``"failed"`` tells the model the change did not apply) and
    ``output`` text for the model. A plain string is ``output``; ``None`` says nothing."""

    status: Literal["completed", "failed"] | None = None
    output: str | None = None


@runtime_checkable
class ApplyPatchEditor(Protocol):
    """The host's file editor; each method may be sync (run in a worker thread) or async."""

    def create_file(self, operation: ApplyPatchOperation) -> Any: ...

    def update_file(self, operation: ApplyPatchOperation) -> Any: ...

    def delete_file(self, operation: ApplyPatchOperation) -> Any: ...


ApplyPatchApprovalFunction: TypeAlias = Callable[
    ["RunContextWrapper[Any]", ApplyPatchOperation, str], "bool | Awaitable[bool]"
]


ApplyPatchOnApprovalFunctionResult: TypeAlias = OnApprovalFunctionResult
"""What an apply_patch tool's ``on_approval`` returns (the SDK's name; the one type every tool's ``on_approval``
returns)."""


ApplyPatchOnApprovalFunction: TypeAlias = Callable[
    ["RunContextWrapper[Any]", "ToolApprovalItem"],
    "ApplyPatchOnApprovalFunctionResult | Awaitable[ApplyPatchOnApprovalFunctionResult]",
]


@dataclass
class ApplyPatchTool:
    """The apply_patch tool (``{"type": "apply_patch"}``): the model asks for file changes, ``editor`` makes them."""

    editor: ApplyPatchEditor
    name: str = "apply_patch"
    needs_approval: bool | ApplyPatchApprovalFunction = False
    """``True``, or ``(ctx, operation, call_id) -> bool``: such a call stops the run until a person decides."""
    on_approval: ApplyPatchOnApprovalFunction | None = None
    """``(ctx, approval_item) -> {"approve": bool, "reason"?: str}``: decides a call that needs approval at once."""
    custom_data_extractor: ApplyPatchToolCustomDataExtractor | None = field(default=None, kw_only=True)
    """``(ApplyPatchToolCustomDataContext) -> mapping | None`` after each call that ran: the SDK-only
    ``ToolCallOutputItem.custom_data``, which the model never reads."""
    allowed_callers: list[ToolCaller] | None = field(default=None, kw_only=True)
    """Responses API only: ``["direct"]``, ``["programmatic"]`` or both (``ProgrammaticToolCallingTool``)."""

    def __post_init__(self) -> None:
        self.allowed_callers = checked_callers(self.allowed_callers, self.name)
        checked_extractor(self.custom_data_extractor, self.name)
        methods = ("create_file", "update_file", "delete_file")
        missing = [m for m in methods if not callable(getattr(self.editor, m, None))]
        if missing:
            raise UserError(f"ApplyPatchTool editor {type(self.editor).__name__} lacks {missing}")
        if not isinstance(self.name, str) or not self.name:
            raise UserError("ApplyPatchTool name must be a non-empty string")
        _check_approval("ApplyPatchTool", self.needs_approval, self.on_approval)

    @property
    def type(self) -> str:
        return "apply_patch"

    @property
    def include(self) -> str | None:
        return None

    def tool_param(self) -> dict[str, Any]:
        return _with_callers({"type": "apply_patch"}, self.allowed_callers)


LocalTool: TypeAlias = ShellTool | LocalShellTool | ApplyPatchTool
LOCAL_TOOL_CLASSES: Final = (ShellTool, LocalShellTool, ApplyPatchTool)

LOCAL_CALL_KINDS: Final[dict[str, type[Any]]] = {
    "shell_call": ShellTool,
    "local_shell_call": LocalShellTool,
    "apply_patch_call": ApplyPatchTool,
}
"""Responses API output item type of a call that runs here -> the tool class that runs it."""

LOCAL_OUTPUT_TYPES: Final = frozenset(("shell_call_output", "local_shell_call_output", "apply_patch_call_output"))


__all__ = [
    "ApplyPatchEditor",
    "ApplyPatchOperation",
    "ApplyPatchResult",
    "ApplyPatchTool",
    "LocalShellCommandRequest",
    "LocalShellExecutor",
    "LocalShellTool",
    "ShellActionRequest",
    "ShellCallData",
    "ShellCallOutcome",
    "ShellCommandOutput",
    "ShellCommandRequest",
    "ShellExecutor",
    "ShellResult",
    "ShellTool",
    "ShellToolContainerAutoEnvironment",
    "ShellToolContainerNetworkPolicy",
    "ShellToolContainerNetworkPolicyAllowlist",
    "ShellToolContainerNetworkPolicyDisabled",
    "ShellToolContainerNetworkPolicyDomainSecret",
    "ShellToolContainerReferenceEnvironment",
    "ShellToolContainerSkill",
    "ShellToolEnvironment",
    "ShellToolHostedEnvironment",
    "ShellToolInlineSkill",
    "ShellToolInlineSkillSource",
    "ShellToolLocalEnvironment",
    "ShellToolLocalSkill",
    "ShellToolSkillReference",
]
