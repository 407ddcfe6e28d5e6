"""The one shape of the sandbox's function tools (``exec_command``, ``write_stdin``, ``view_image``): a
``FunctionTool`` bound to a session, whose JSON schema is its arguments model's, and whose arguments are that model
validated, a bad argument a ``ToolArgumentsError`` naming the tool (an answer the model reads, as for any tool).

Why a base class: each tool used to repeat this constructor and parsing; one place keeps their schemas strict-off
and their argument errors worded alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel

from ....exceptions import ToolArgumentsError
from ....tool import FunctionTool

if TYPE_CHECKING:
    from ....context_wrapper import RunContextWrapper
    from ...session.base_sandbox_session import BaseSandboxSession
    from ...types import User

ArgsT = TypeVar("ArgsT", bound=BaseModel)

NeedsApproval = bool | Callable[["RunContextWrapper[Any]", dict[str, Any], str], Awaitable[bool]]


class SandboxFunctionTool(FunctionTool, Generic[ArgsT]):
    tool_name: ClassVar[str]
    tool_description: ClassVar[str]
    args_model: ClassVar[type[BaseModel]]

    def __init__(
        self,
        *,
        session: BaseSandboxSession,
        user: str | User | None = None,
        needs_approval: NeedsApproval = False,
        cwd: str | None = None,
    ) -> None:
        self.session = session
        self.user = user
        self.cwd = cwd
        super().__init__(
            name=self.tool_name,
            description=self.tool_description,
            params_json_schema=self.args_model.model_json_schema(),
            on_invoke_tool=self._invoke,
            strict_json_schema=False,
            needs_approval=needs_approval,
        )

    def parse_arguments(self, raw_input: str) -> ArgsT:
        try:
            return cast(ArgsT, self.args_model.model_validate_json(raw_input))
        except ValueError as exc:
            raise ToolArgumentsError(f"{self.tool_name} arguments are not valid: {exc}") from exc

    async def _invoke(self, ctx: Any, raw_input: str) -> Any:
        raise NotImplementedError
