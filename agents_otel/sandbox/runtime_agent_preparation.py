"""What a ``SandboxAgent``'s model is told and given in a sandbox run: the system prompt (the sandbox's base prompt,
the agent's own instructions, each capability's fragment, the workspace layout) and the capabilities' tools.

Why the prompt is assembled per model call, not once: the agent's own ``instructions`` may be a function of the
run's context, asked before every model call as for any agent; the sandbox parts around it are fixed for the run.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..exceptions import UserError

if TYPE_CHECKING:
    from ..agent import Agent
    from ..context_wrapper import RunContextWrapper
    from ..tool import Tool
    from .capabilities.capability import Capability
    from .manifest import Manifest
    from .session.base_sandbox_session import BaseSandboxSession

DEFAULT_SANDBOX_INSTRUCTIONS = """You are an agent working in a sandboxed computer: a workspace directory of files, \
and tools to run commands in it and to edit its files.

How you work:
- Look before you change anything: list and read the files that matter for the task.
- Make the smallest change that does what was asked, in the style of the files around it; edit files with \
`apply_patch` rather than rewriting them with shell redirection.
- Check your work where you can (run the tests or the program) and say what you could not check.
- Keep going until the task is done; do not guess at facts you can look up in the workspace.
- When you finish, say briefly what you changed and where."""


@dataclass
class SandboxBinding:
    """One ``SandboxAgent`` in one run: its live session, its bound capabilities and the tools they give."""

    session: BaseSandboxSession
    capabilities: list[Capability]
    tools: list[Tool] = field(default_factory=list)
    cwd: str | None = None

    async def instructions(self, agent: Agent[Any], run_context: RunContextWrapper[Any], own: str | None) -> str:
        """The system prompt: base prompt, ``own`` (the agent's ``instructions`` for this call), the capabilities'
        fragments, the workspace."""
        base = getattr(agent, "base_instructions", None)
        parts: list[str] = []
        if base is None:
            parts.append(DEFAULT_SANDBOX_INSTRUCTIONS)
        else:
            text = await _resolve(base, run_context, agent)
            if text:
                parts.append(text)
        if own:
            parts.append(f"# Agent instructions\n\n{own}")
        manifest = self.session.state.manifest
        fragments = [f for f in [await c.instructions(manifest) for c in self.capabilities] if f]
        if fragments:
            parts.append("# Sandbox capability instructions\n\n" + "\n\n".join(fragments))
        parts.append(filesystem_section(manifest, self.cwd))
        return "\n\n".join(parts)


async def _resolve(value: Any, run_context: RunContextWrapper[Any], agent: Agent[Any]) -> str | None:
    if isinstance(value, str):
        return value
    result = value(run_context, agent)
    if inspect.isawaitable(result):
        result = await result
    if result is not None and not isinstance(result, str):
        raise UserError(f"SandboxAgent {agent.name!r}: base_instructions returned {type(result).__name__}, not str")
    return result


def filesystem_section(manifest: Manifest, cwd: str | None) -> str:
    lines = ["# Filesystem", f"The workspace is the directory `{manifest.root}`. Its layout:"]
    if cwd is not None and cwd != ".":
        working = f"{manifest.root.rstrip('/')}/{cwd}"
        lines.append(
            f"Your working directory is `{working}`: relative paths given to `exec_command`, `apply_patch` and "
            "`view_image` start there (other files of the workspace stay reachable)."
        )
    layout = manifest.describe(depth=3).strip()
    return "\n".join(lines) + ("\n\n" + layout if layout else "")


def capability_tools(agent_name: str, capabilities: Sequence[Capability]) -> list[Tool]:
    """The bound capabilities' tools, after checking each capability's required companions (their sampling
    parameters and context changes apply per model call: ``runtime_model_request``)."""
    types = {c.type for c in capabilities}
    for capability in capabilities:
        missing = capability.required_capability_types() - types
        if missing:
            raise UserError(f"{type(capability).__name__} requires missing capabilities: {', '.join(sorted(missing))}")
    return [tool for capability in capabilities for tool in capability.tools()]
