"""``Filesystem``: the capability that gives a ``SandboxAgent`` ``apply_patch`` (edit files) and ``view_image``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, cast

from pydantic import Field

from ...exceptions import UserError
from ..workspace_paths import SandboxWorkspaceScope
from .capability import Capability
from .tools.apply_patch_tool import SandboxApplyPatchTool
from .tools.view_image import ViewImageTool

if TYPE_CHECKING:
    from ...tool import Tool


@dataclass
class FilesystemToolSet:
    """The filesystem's tools before they reach the model: ``configure_tools`` may change or replace them."""

    view_image: ViewImageTool
    apply_patch: SandboxApplyPatchTool
    workspace_scope: SandboxWorkspaceScope = field(default_factory=SandboxWorkspaceScope)
    """The run's scope (its ``cwd``), as in the SDK: what a replacement tool built in ``configure_tools`` anchors
    relative paths to, as the bundled ones do."""


FilesystemToolConfigurator = Callable[[FilesystemToolSet], None]


class Filesystem(Capability):
    type: Literal["filesystem"] = "filesystem"
    configure_tools: FilesystemToolConfigurator | None = Field(default=None, exclude=True)
    """Called with the tool set each time the run builds it (e.g. ``apply_patch.operation_needs_approval``)."""

    def tools(self) -> list[Tool]:
        if self.session is None:
            raise UserError(
                "The Filesystem capability is not bound to a sandbox session (run the agent with RunConfig.sandbox)"
            )
        toolset = FilesystemToolSet(
            view_image=ViewImageTool(session=self.session, user=self.run_as, cwd=self.cwd),
            apply_patch=SandboxApplyPatchTool(session=self.session, user=self.run_as, cwd=self.cwd),
            workspace_scope=self.workspace_scope,
        )
        if self.configure_tools is not None:
            self.configure_tools(toolset)
        # A CustomTool is a tool an agent takes (Agent.tools runs it), though the SDK's Tool alias does not name it.
        return [toolset.view_image, cast("Tool", toolset.apply_patch)]
