"""``SandboxRuntime``: one run's sandbox, as the engine drives it (``agents_otel.sandbox_run``).

Before each ``SandboxAgent``'s turns the runtime readies the agent: its session (``runtime_session_manager``), a
per-run copy of its capabilities bound to that session, the tools they give and the prompt around the agent's own
instructions (``runtime_agent_preparation``). The agent object itself is never changed or copied: it finds what
was bound for it through ``sandbox_run.current_sandbox`` when the turn asks for its tools and instructions, so
``result.last_agent``, hooks and ``RunState`` see the agent the application made. A ``SandboxAgent`` may not be in
two runs at once (its capabilities would be bound to two sessions): that is a ``UserError``.
"""

from __future__ import annotations

import logging
import shlex
from typing import TYPE_CHECKING, Any

from ..exceptions import UserError
from .capabilities.memory import Memory
from .memory.interface import MemoryGenerationError
from .memory.manager import MemoryGenerationManager, manager_for
from .runtime_agent_preparation import SandboxBinding, capability_tools
from .runtime_model_request import CapabilityRequestChanges
from .runtime_session_manager import SandboxSessionManager
from .types import User
from .workspace_paths import SandboxWorkspaceScope

if TYPE_CHECKING:
    from ..agent import Agent
    from ..agent_loop import AgentLoop
    from ..models.interface import Model, ModelRequest
    from ..run_config_sandbox import SandboxRunConfig
    from ..run_runtime import RunRuntime

logger = logging.getLogger(__name__)

_IN_RUNS: set[int] = set()
"""``id()`` of every ``SandboxAgent`` a run of this process is using now."""


class SandboxRuntime:
    def __init__(self, config: SandboxRunConfig, run: RunRuntime, resume: dict[str, Any] | None) -> None:
        self.config = config
        self.sessions = SandboxSessionManager(config, run, resume)
        self._bindings: dict[int, SandboxBinding] = {}
        self._requests: dict[str, CapabilityRequestChanges] = {}
        self._agents: list[Agent[Any]] = []
        self._current: str | None = None
        self._memories: dict[int, MemoryGenerationManager] = {}
        """By ``id()`` of agent: the memory generation of a ``SandboxAgent`` with ``Memory(generate=...)``."""
        self._last: int | None = None
        """``id()`` of the agent prepared last: its memory records the run, as in the SDK (``None``: a plain agent)."""

    async def prepare(self, agent: Agent[Any]) -> None:
        if getattr(agent, "_sandbox_runtime_factory", None) is None:
            self._last = None
            return  # a plain agent of a sandbox run (e.g. before a handoff to a SandboxAgent)
        self._current = agent.name
        self._last = id(agent)
        if id(agent) in self._bindings:
            return
        if id(agent) in _IN_RUNS:
            raise UserError(f"SandboxAgent {agent.name!r} cannot be used by two runs at once")
        _IN_RUNS.add(id(agent))
        self._agents.append(agent)
        capabilities = [capability.clone() for capability in getattr(agent, "capabilities", ())]
        session = await self.sessions.ensure(agent, capabilities)
        run_as = _user(getattr(agent, "run_as", None))
        cwd = self.config.cwd if self.config.cwd not in (None, ".") else None
        scope = SandboxWorkspaceScope.from_cwd(str(cwd) if cwd is not None else None)
        for capability in capabilities:
            capability.bind(session)
            capability.bind_run_as(run_as)
            capability.bind_workspace_scope(scope)
        if cwd is not None:
            await _check_cwd(session, str(cwd), run_as)
        binding = SandboxBinding(session, capabilities, cwd=str(cwd) if cwd is not None else None)
        binding.tools = capability_tools(agent.name, capabilities)
        self._bindings[id(agent)] = binding
        memory = next((c for c in capabilities if isinstance(c, Memory) and c.generate is not None), None)
        if memory is not None:  # made now, so a layout that clashes is a UserError before the run, not after
            run = self.sessions.run
            self._memories[id(agent)] = manager_for(session, memory, run, agent, self.sessions.backend)
        changes = CapabilityRequestChanges.of(capabilities)
        if changes is not None:
            self._requests[agent.name] = changes

    def model_request(self, agent_name: str, model: Model, request: ModelRequest) -> ModelRequest:
        """``request`` as the capabilities of the ``SandboxAgent`` named ``agent_name`` change it (``Compaction``)."""
        changes = self._requests.get(agent_name)
        return request if changes is None else changes.apply(model, request)

    def binding_for(self, agent: Agent[Any]) -> SandboxBinding | None:
        return self._bindings.get(id(agent))

    async def segment_ended(self, loop: AgentLoop, error: BaseException | None) -> None:
        """Record the run in its rollout file when its last agent generates memory. A failure is logged (a typed
        ``MemoryGenerationError``), as the SDK logs it: the run's result stands."""
        manager = self._memories.get(self._last) if self._last is not None else None
        if manager is None:
            return
        try:
            await manager.record(loop, error)
        except Exception as exc:
            failure = MemoryGenerationError("record", f"could not record the run for sandbox memory: {exc}")
            failure.__cause__ = exc
            logger.warning("agents_otel: %s", failure, exc_info=failure)

    async def cleanup(self) -> dict[str, Any] | None:
        try:
            return await self.sessions.cleanup(self._current)
        finally:
            self._bindings.clear()
            self._memories.clear()
            self._requests.clear()
            for agent in self._agents:
                _IN_RUNS.discard(id(agent))
            self._agents.clear()


def _user(run_as: User | str | None) -> User | None:
    if run_as is None or isinstance(run_as, User):
        return run_as
    return User(name=run_as)


async def _check_cwd(session: Any, cwd: str, run_as: User | None) -> None:
    """``SandboxRunConfig.cwd`` exists in the workspace and the agent's user may enter it (checked once per run)."""
    path = str(session.normalize_path(cwd))
    result = await session.exec(f"test -d {shlex.quote(path)} && test -x {shlex.quote(path)}", user=run_as)
    if result.exit_code != 0:
        raise UserError(f"Sandbox working directory `{cwd}` does not exist or is not accessible for the sandbox user")
