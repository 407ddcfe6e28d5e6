"""The tools the built-in capabilities give a ``SandboxAgent`` (``exec_command``, ``apply_patch``,
``view_image``, and ``write_stdin`` on sessions with interactive processes), as the SDK's
``agents.sandbox.capabilities.tools``."""

from .apply_patch_tool import SandboxApplyPatchEditor, SandboxApplyPatchTool
from .shell_tool import ExecCommandArgs, ExecCommandTool
from .view_image import ViewImageArgs, ViewImageTool
from .write_stdin import WriteStdinArgs, WriteStdinTool

__all__ = [
    "ExecCommandArgs",
    "ExecCommandTool",
    "SandboxApplyPatchEditor",
    "SandboxApplyPatchTool",
    "ViewImageArgs",
    "ViewImageTool",
    "WriteStdinArgs",
    "WriteStdinTool",
]
