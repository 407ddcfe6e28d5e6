"""``apply_patch``: the filesystem capability's file editor — a freeform custom tool (the model writes the patch
envelope, ``patch_format``) whose edits land in the session's workspace through the session's read / write / rm.

Why every operation is checked before any is applied: a patch of several files that fails half-way would leave the
workspace in a state the model never asked for; the paths (confined to the workspace) and the envelope are all
checked first. A diff that does not fit its file fails that operation with a message the model reads.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ....apply_diff import apply_diff
from ....custom_tool import CustomTool, _RawApproval
from ....exceptions import UserError
from ....local_tools import ApplyPatchOperation, ApplyPatchResult
from ...sandbox_spans import OP_APPLY_PATCH, SANDBOX_PATCH_OPERATIONS, run_of, tool_span
from .patch_format import DESCRIPTION, GRAMMAR, parse_patch
from .paths import model_path

if TYPE_CHECKING:
    from ....context_wrapper import RunContextWrapper
    from ...session.base_sandbox_session import BaseSandboxSession
    from ...types import User

OperationApproval = Callable[["RunContextWrapper[Any]", ApplyPatchOperation, str], "bool | Awaitable[bool]"]
"""``(ctx, operation, call_id) -> bool``: whether a patch with this operation waits for a person."""


class SandboxApplyPatchEditor:
    """Applies one operation to the session's workspace (the SDK's ``ApplyPatchEditor`` methods)."""

    def __init__(self, session: BaseSandboxSession, *, user: str | User | None = None, cwd: str | None = None):
        self.session = session
        self.user = user
        self.cwd = cwd

    def resolve(self, path: str) -> str:
        return model_path(self.session, path, self.cwd)

    async def _read_text(self, path: str) -> str:
        handle = await self.session.read(path, user=self.user)  # type: ignore[arg-type]
        try:
            data = handle.read()
        finally:
            handle.close()
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    async def _write_text(self, path: str, text: str) -> None:
        await self.session.write(path, io.BytesIO(text.encode("utf-8")), user=self.user)  # type: ignore[arg-type]

    async def create_file(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        text = apply_diff("", operation.diff or "", mode="create")
        if text and not text.endswith("\n"):  # a file the patch adds ends its last line, as text files do
            text += "\n"
        await self._write_text(self.resolve(operation.path), text)
        return ApplyPatchResult("completed", f"Created {operation.path}")

    async def update_file(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        source = self.resolve(operation.path)
        text = apply_diff(await self._read_text(source), operation.diff or "")
        if operation.move_to is None:
            await self._write_text(source, text)
            return ApplyPatchResult("completed", f"Updated {operation.path}")
        await self._write_text(self.resolve(operation.move_to), text)
        await self.session.rm(source, user=self.user)
        return ApplyPatchResult("completed", f"Updated {operation.path} and moved it to {operation.move_to}")

    async def delete_file(self, operation: ApplyPatchOperation) -> ApplyPatchResult:
        await self.session.rm(self.resolve(operation.path), user=self.user)
        return ApplyPatchResult("completed", f"Deleted {operation.path}")


class SandboxApplyPatchTool(CustomTool):
    """The ``apply_patch`` custom tool bound to a session. ``needs_approval``: ``True``, or asked per operation of
    the patch (``(ctx, operation, call_id) -> bool``): the call waits when any operation needs it."""

    def __init__(
        self,
        *,
        session: BaseSandboxSession,
        user: str | User | None = None,
        needs_approval: bool | OperationApproval = False,
        cwd: str | None = None,
    ) -> None:
        self.session = session
        self.editor = SandboxApplyPatchEditor(session, user=user, cwd=cwd)
        super().__init__(
            name="apply_patch",
            description=DESCRIPTION,
            on_invoke_tool=self._invoke,
            format={"type": "grammar", "syntax": "lark", "definition": GRAMMAR},
        )
        self.operation_needs_approval = needs_approval

    @property
    def operation_needs_approval(self) -> bool | OperationApproval:
        return self._operation_approval

    @operation_needs_approval.setter
    def operation_needs_approval(self, value: bool | OperationApproval) -> None:
        """Set after the tool is built too (``configure_tools``): the call path reads it from the runner."""
        if not isinstance(value, bool) and not callable(value):
            raise UserError("apply_patch needs_approval must be a bool or (ctx, operation, call_id) -> bool")
        self._operation_approval = value
        self.needs_approval = value if isinstance(value, bool) else self._needs_approval
        self.runner.needs_approval = value if isinstance(value, bool) else _RawApproval(self)

    async def _needs_approval(self, ctx: RunContextWrapper[Any], raw_input: str, call_id: str) -> bool:
        decide = self.operation_needs_approval
        assert callable(decide)
        try:
            operations = parse_patch(raw_input)
        except ValueError:
            return False  # the call fails with the parse error the model reads; nobody needs to approve that
        for operation in operations:
            verdict = decide(ctx, operation, call_id)
            if inspect.isawaitable(verdict):
                verdict = await verdict
            if verdict:
                return True
        return False

    async def _invoke(self, ctx: Any, raw_input: str) -> str:
        operations = parse_patch(raw_input)
        for operation in operations:  # every path is checked (confined) before any file changes
            self.editor.resolve(operation.path)
            if operation.move_to is not None:
                self.editor.resolve(operation.move_to)
        run = run_of(ctx)
        if run is None:
            return await self._apply(operations)
        with tool_span(run, OP_APPLY_PATCH, self.name) as scope:
            scope.span.set_attribute(SANDBOX_PATCH_OPERATIONS, len(operations))
            return await self._apply(operations)

    async def _apply(self, operations: list[ApplyPatchOperation]) -> str:
        outputs: list[str] = []
        for operation in operations:
            if operation.type == "create_file":
                result = await self.editor.create_file(operation)
            elif operation.type == "update_file":
                result = await self.editor.update_file(operation)
            else:
                result = await self.editor.delete_file(operation)
            if result.output:
                outputs.append(result.output)
        return "\n".join(outputs)


