"""``SandboxAgent``: an ``Agent`` that works in a sandbox workspace, as in the OpenAI Agents SDK.

Where the sandbox comes from is the run's business (``RunConfig(sandbox=SandboxRunConfig(...))``), not the agent's:
the agent says what its workspace starts with (``default_manifest``), what it can do there (``capabilities``: by
default ``Filesystem`` and ``Shell``), who it acts as (``run_as``) and its prompt (``instructions``, after the
sandbox's base prompt, which ``base_instructions`` replaces). In a run, its tools are its own ``tools`` followed by
its capabilities' tools, and its system prompt is assembled around its instructions
(``runtime_agent_preparation``). Run without ``RunConfig.sandbox`` it has no session to work in: a ``UserError``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ..agent import Agent, TContext
from ..exceptions import UserError
from ..sandbox_run import current_sandbox
from ..tool_sources import ToolNameCollisionError
from .capabilities.capabilities import Capabilities
from .capabilities.capability import Capability
from .manifest import Manifest
from .runtime import SandboxRuntime
from .types import User

if TYPE_CHECKING:
    from ..context_wrapper import RunContextWrapper
    from ..tool import Tool
    from .runtime_agent_preparation import SandboxBinding

BaseInstructions = (
    str | Callable[["RunContextWrapper[Any]", "Agent[Any]"], "Awaitable[str | None] | str | None"] | None
)


@dataclass
class SandboxAgent(Agent[TContext]):
    default_manifest: Manifest | None = None
    """What a fresh session's workspace starts with (``SandboxRunConfig.manifest`` replaces it). A dict is taken."""
    base_instructions: BaseInstructions = None
    """Replaces the sandbox's base prompt (``None``: the default one); a string or ``(ctx, agent) -> str``."""
    capabilities: Sequence[Capability] = field(default_factory=Capabilities.default)
    run_as: User | str | None = None
    """The sandbox user the model's commands and file edits run as (``None``: the session's own user)."""

    _sandbox_runtime_factory: ClassVar[Any] = SandboxRuntime
    """How the engine makes a run's sandbox (``sandbox_run``): the first ``SandboxAgent`` of a run makes it."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.default_manifest, dict):
            self.default_manifest = Manifest.model_validate(self.default_manifest)
        elif self.default_manifest is not None and not isinstance(self.default_manifest, Manifest):
            raise UserError(
                f"SandboxAgent {self.name!r}: default_manifest must be a Manifest, a dict or None, "
                f"got {type(self.default_manifest).__name__}"
            )
        if isinstance(self.run_as, dict):
            self.run_as = User.model_validate(self.run_as)
        if self.run_as is not None and not isinstance(self.run_as, str | User):
            raise TypeError(f"SandboxAgent run_as must be a string, User, or None, got {type(self.run_as).__name__}")
        base = self.base_instructions
        if base is not None and not isinstance(base, str) and not callable(base):
            raise TypeError(
                f"SandboxAgent base_instructions must be a string, callable, or None, got {type(base).__name__}"
            )
        if isinstance(self.capabilities, str | bytes) or not all(
            isinstance(c, Capability) for c in self.capabilities
        ):
            raise UserError(f"SandboxAgent {self.name!r}: capabilities must be a list of Capability objects")

    def _binding(self) -> SandboxBinding:
        runtime = current_sandbox.get()
        binding = runtime.binding_for(self) if isinstance(runtime, SandboxRuntime) else None
        if binding is None:
            raise UserError(
                f"SandboxAgent {self.name!r} runs in a sandbox: give the run one with "
                "RunConfig(sandbox=SandboxRunConfig(client=...)) (or a live session=...)"
            )
        return binding

    async def get_all_tools(self, run_context: RunContextWrapper[Any] | None = None) -> list[Tool]:
        """The agent's own tools, then its capabilities' tools (bound to the run's session)."""
        binding = self._binding()
        own = await super().get_all_tools(run_context)
        names = {getattr(t, "name", None) for t in own}
        for tool in binding.tools:
            if tool.name in names:
                raise ToolNameCollisionError(
                    f"SandboxAgent {self.name!r} has a tool named {tool.name!r} and a capability that gives one"
                )
        return [*own, *binding.tools]

    async def get_system_prompt(self, run_context: RunContextWrapper[TContext]) -> str | None:
        """The sandbox's prompt around the agent's own instructions for this model call."""
        binding = self._binding()
        own = await super().get_system_prompt(run_context)
        return await binding.instructions(self, run_context, own)
