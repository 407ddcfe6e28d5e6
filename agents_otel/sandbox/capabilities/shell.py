"""``Shell``: the capability that gives a ``SandboxAgent`` the ``exec_command`` tool and says how to use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ...exceptions import UserError
from .capability import Capability
from .tools.shell_tool import ExecCommandTool
from .tools.write_stdin import WriteStdinTool

if TYPE_CHECKING:
    from ...tool import Tool
    from ..manifest import Manifest

SHELL_INSTRUCTIONS = """Shell:
- Run commands with `exec_command`; each starts in the working directory.
- Where `write_stdin` is offered, a command still running when `exec_command` returns keeps running: poll it or \
type into it with `write_stdin` (start it with `tty=true` to type; send Ctrl-C as `\\u0003` to stop it).
- Prefer `rg` and `rg --files` to search when they are installed.
- Read large files a piece at a time (`sed -n`, `head`) rather than printing them whole."""


@dataclass
class ShellToolSet:
    """The shell's tools before they reach the model: ``configure_tools`` may change or replace them."""

    exec_command: ExecCommandTool
    write_stdin: WriteStdinTool | None = None
    """Only on sessions with interactive processes (``supports_pty()``)."""


ShellToolConfigurator = Callable[[ShellToolSet], None]


class Shell(Capability):
    type: Literal["shell"] = "shell"
    configure_tools: ShellToolConfigurator | None = Field(default=None, exclude=True)
    """Called with the tool set each time the run builds it (e.g. ``exec_command.needs_approval = True``)."""

    def tools(self) -> list[Tool]:
        if self.session is None:
            raise UserError(
                "The Shell capability is not bound to a sandbox session (run the agent with RunConfig.sandbox)"
            )
        toolset = ShellToolSet(
            ExecCommandTool(session=self.session, user=self.run_as, cwd=self.cwd),
            WriteStdinTool(session=self.session) if self.session.supports_pty() else None,
        )
        if self.configure_tools is not None:
            self.configure_tools(toolset)
        tools: list[Tool] = [toolset.exec_command]
        if toolset.write_stdin is not None:
            tools.append(toolset.write_stdin)
        return tools

    async def instructions(self, manifest: Manifest) -> str | None:
        _ = manifest
        return SHELL_INSTRUCTIONS
