"""How the engine reaches a run's sandbox without importing the sandbox package: the seam between ``agent_loop`` /
``run`` and ``agents_otel.sandbox.runtime``.

Why a seam: the sandbox package sits above the engine (it builds on ``Agent``, tools and the session layer), so the
engine may not import it, not even inside a function (that would be an import cycle through ``agent``). The
engine holds the run's sandbox as a :class:`SandboxRun` it never constructs itself: the first ``SandboxAgent`` of
a run makes it (its ``_sandbox_runtime_factory``), and :data:`current_sandbox` lets that agent's
``get_all_tools`` / ``get_system_prompt`` find the session bound for this run. A run whose ``RunConfig.sandbox``
is ``None`` never gets here: ``agent_loop`` checks that once per agent span, never per tool call.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .agent import Agent
    from .agent_loop import AgentLoop
    from .models.interface import Model, ModelRequest
    from .run_runtime import RunRuntime

logger = logging.getLogger(__name__)


class SandboxRun(Protocol):
    """One run's sandbox (``agents_otel.sandbox.runtime.SandboxRuntime``), as the engine sees it."""

    async def prepare(self, agent: Agent[Any]) -> None:
        """Before ``agent``'s turns: its session exists and is started, its capabilities bound to it."""

    async def segment_ended(self, loop: AgentLoop, error: BaseException | None) -> None:
        """At the end of the run, before ``cleanup``: what ``Memory(generate=...)`` records of it (logs failures)."""

    async def cleanup(self) -> dict[str, Any] | None:
        """At the end of the run: release what the run created; returns the state a resumed run needs."""

    def model_request(self, agent_name: str, model: Model, request: ModelRequest) -> ModelRequest:
        """``request`` as the named agent's capabilities change it (extra parameters, a shorter input)."""


SandboxRunFactory = Any
"""``(run_config.sandbox, run, resume_payload) -> SandboxRun``: a ``SandboxAgent`` class attribute."""

current_sandbox: ContextVar[SandboxRun | None] = ContextVar("agents_otel_sandbox_run", default=None)
"""The sandbox of the run executing in this task (``None`` outside a sandbox run)."""


class SandboxSlot:
    """What an ``AgentLoop`` keeps about its sandbox: made lazily, by the first ``SandboxAgent`` it runs."""

    __slots__ = ("resume", "runtime", "state", "token")

    def __init__(self, resume: dict[str, Any] | None) -> None:
        self.resume = resume
        """The sandbox state a resumed ``RunState`` carried (its sessions resume instead of being created)."""
        self.runtime: SandboxRun | None = None
        self.token: Token[SandboxRun | None] | None = None
        self.state: dict[str, Any] | None = resume
        """What ``RunState.to_json()`` stores for a paused run: the state ``cleanup`` returned."""


class _NoSandbox:
    """The scope of an agent span in a run without a sandbox: nothing to enter or leave."""

    __slots__ = ()

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


_NO_SANDBOX = _NoSandbox()


def sandbox_scope(loop: AgentLoop, agent: Agent[Any]) -> _NoSandbox | _SandboxScope:
    """``async with`` around an agent's turns: readies ``agent``'s sandbox first (a no-op for a plain agent), and the
    span that made the run's sandbox ends it (:func:`leave`), inside that span, when its turns and handoffs end."""
    if loop.run.config.sandbox is None:
        return _NO_SANDBOX
    return _SandboxScope(loop, agent)


class _SandboxScope:
    __slots__ = ("agent", "loop", "made")

    def __init__(self, loop: AgentLoop, agent: Agent[Any]) -> None:
        self.loop, self.agent, self.made = loop, agent, False

    async def __aenter__(self) -> None:
        self.made = await enter_agent(self.loop, self.agent)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if self.made:
            await leave(self.loop, exc)


async def enter_agent(loop: AgentLoop, agent: Agent[Any]) -> bool:
    """Ready ``agent``'s sandbox (a no-op for a plain agent). Returns whether this call made the run's sandbox, and
    so must end it (:func:`leave`)."""
    slot = loop.sandbox
    if slot is None:
        slot = loop.sandbox = SandboxSlot(loop.resume.sandbox if loop.resume is not None else None)
    made = False
    if slot.runtime is None:
        factory: SandboxRunFactory | None = getattr(agent, "_sandbox_runtime_factory", None)
        if factory is None:
            return False
        run: RunRuntime = loop.run
        slot.runtime = factory(run.config.sandbox, run, slot.resume)
        slot.token = current_sandbox.set(slot.runtime)
        made = True
    try:
        await slot.runtime.prepare(agent)
    except BaseException as exc:
        if made:  # no scope will end what this call made
            await leave(loop, exc)
        raise
    return made


async def leave(loop: AgentLoop, error: BaseException | None) -> None:
    """End the run's sandbox: sessions the run created are stopped and deleted, and the state to resume from is
    kept for ``RunState``. A cleanup error fails a run that otherwise succeeded; after a failure it is logged, so
    the run's own error is the one raised."""
    slot = loop.sandbox
    if slot is None or slot.runtime is None:
        return
    runtime, token = slot.runtime, slot.token
    slot.runtime = slot.token = None
    try:
        await runtime.segment_ended(loop, error)  # the run's conversation, for sandbox memory
        slot.state = await runtime.cleanup()
    except Exception:
        if error is None:
            raise
        logger.exception("agents_otel: the sandbox cleanup failed after the run failed")
    finally:
        if token is not None:
            current_sandbox.reset(token)
