"""Lifecycle hooks: ``RunHooks`` for a whole run (``Runner.run(..., hooks=...)``) and ``AgentHooks`` for one agent
(``Agent(hooks=...)``), with the OpenAI Agents SDK's method names, arguments and order.

Where both are set, the run's hook and the agent's hook of one moment run concurrently (the run's starts first), as
in the SDK; an exception in either fails the run, and the other is cancelled rather than left running. A run with no
hooks never builds a coroutine for them: every call site checks ``hooks_for`` first, so tool calls pay nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .context_wrapper import RunContextWrapper

if TYPE_CHECKING:
    from .agent import Agent
    from .models.interface import ModelResponse
    from .tool import FunctionTool

TContext = TypeVar("TContext")
TAgent = TypeVar("TAgent")


@dataclass
class AgentHookContext(RunContextWrapper[TContext]):
    """What ``on_agent_start``/``on_agent_end`` receive: the run's context and usage, and the turn's input (the
    conversation so far, as Responses-format dicts like the SDK's: ``turn_input``, a field of every wrapper)."""


class RunHooksBase(Generic[TContext, TAgent]):
    """Callbacks for every agent of a run. Subclass and override the ones you need; each is awaited."""

    async def on_llm_start(
        self,
        context: RunContextWrapper[TContext],
        agent: TAgent,
        system_prompt: str | None,
        input_items: list[dict[str, Any]],
    ) -> None:
        """Just before a model call of ``agent``; ``input_items`` is what the model reads, as Responses-format
        dicts (as in the SDK)."""

    async def on_llm_end(self, context: RunContextWrapper[TContext], agent: TAgent, response: ModelResponse) -> None:
        """Just after a model call of ``agent`` returned."""

    async def on_agent_start(self, context: AgentHookContext[TContext], agent: TAgent) -> None:
        """Before ``agent`` runs: at the start of the run and each time a handoff makes it the current agent."""

    async def on_agent_end(self, context: AgentHookContext[TContext], agent: TAgent, output: Any) -> None:
        """When ``agent`` produced the run's final output."""

    async def on_handoff(self, context: RunContextWrapper[TContext], from_agent: TAgent, to_agent: TAgent) -> None:
        """When ``from_agent`` hands the conversation to ``to_agent``."""

    async def on_tool_start(self, context: RunContextWrapper[TContext], agent: TAgent, tool: FunctionTool) -> None:
        """Just before a function tool runs; ``context`` is the call's ``ToolContext``."""

    async def on_tool_end(
        self, context: RunContextWrapper[TContext], agent: TAgent, tool: FunctionTool, result: Any
    ) -> None:
        """Just after a function tool returned; ``result`` is its return value (the error text if it failed)."""


class AgentHooksBase(Generic[TContext, TAgent]):
    """Callbacks for one agent. Subclass and override the ones you need; each is awaited."""

    async def on_start(self, context: AgentHookContext[TContext], agent: TAgent) -> None:
        """Before this agent runs (at the start, or when a handoff makes it current)."""

    async def on_end(self, context: AgentHookContext[TContext], agent: TAgent, output: Any) -> None:
        """When this agent produced the run's final output."""

    async def on_handoff(self, context: RunContextWrapper[TContext], agent: TAgent, source: TAgent) -> None:
        """At a handoff away from this agent: ``agent`` is the one taking over, ``source`` this agent. (The SDK's
        docstring says "handed off to"; its runtime calls the hook of the agent handing off, and so do we.)"""

    async def on_tool_start(self, context: RunContextWrapper[TContext], agent: TAgent, tool: FunctionTool) -> None:
        """Just before a function tool of this agent runs."""

    async def on_tool_end(
        self, context: RunContextWrapper[TContext], agent: TAgent, tool: FunctionTool, result: Any
    ) -> None:
        """Just after a function tool of this agent returned."""

    async def on_llm_start(
        self,
        context: RunContextWrapper[TContext],
        agent: TAgent,
        system_prompt: str | None,
        input_items: list[dict[str, Any]],
    ) -> None:
        """Just before a model call of this agent."""

    async def on_llm_end(self, context: RunContextWrapper[TContext], agent: TAgent, response: ModelResponse) -> None:
        """Just after a model call of this agent returned."""


RunHooks = RunHooksBase[TContext, "Agent[Any]"]
AgentHooks = AgentHooksBase[TContext, "Agent[Any]"]


def validate_run_hooks(hooks: Any) -> RunHooksBase[Any, Any] | None:
    """``Runner.run(hooks=AgentHooks())`` is a common slip that would otherwise never call anything."""
    if hooks is None or isinstance(hooks, RunHooksBase):
        return hooks
    if isinstance(hooks, AgentHooksBase):
        raise TypeError("Run hooks must be instances of RunHooks; AgentHooks belong on Agent(hooks=...)")
    raise TypeError(f"Run hooks must be instances of RunHooks. Received object of type {type(hooks).__name__}")


async def gather_hooks(*coros: Coroutine[Any, Any, None] | None) -> None:
    """Await the run's and the agent's hook together; on an error cancel the other and raise the error."""
    present = [c for c in coros if c is not None]
    if len(present) == 1:
        await present[0]
        return
    tasks = [asyncio.ensure_future(c) for c in present]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        raise


async def agent_start(run_hooks: RunHooksBase[Any, Any] | None, ctx: AgentHookContext[Any], agent: Agent[Any]) -> None:
    await gather_hooks(
        run_hooks.on_agent_start(ctx, agent) if run_hooks is not None else None,
        agent.hooks.on_start(ctx, agent) if agent.hooks is not None else None,
    )


async def agent_end(
    run_hooks: RunHooksBase[Any, Any] | None, ctx: AgentHookContext[Any], agent: Agent[Any], output: Any
) -> None:
    await gather_hooks(
        run_hooks.on_agent_end(ctx, agent, output) if run_hooks is not None else None,
        agent.hooks.on_end(ctx, agent, output) if agent.hooks is not None else None,
    )


async def llm_start(
    run_hooks: RunHooksBase[Any, Any] | None,
    ctx: RunContextWrapper[Any],
    agent: Agent[Any],
    system_prompt: str | None,
    input_items: list[dict[str, Any]],
) -> None:
    await gather_hooks(
        run_hooks.on_llm_start(ctx, agent, system_prompt, input_items) if run_hooks is not None else None,
        agent.hooks.on_llm_start(ctx, agent, system_prompt, input_items) if agent.hooks is not None else None,
    )


async def llm_end(
    run_hooks: RunHooksBase[Any, Any] | None, ctx: RunContextWrapper[Any], agent: Agent[Any], response: ModelResponse
) -> None:
    # The SDK starts the agent's hook first here (and only here).
    await gather_hooks(
        agent.hooks.on_llm_end(ctx, agent, response) if agent.hooks is not None else None,
        run_hooks.on_llm_end(ctx, agent, response) if run_hooks is not None else None,
    )


async def handoff_hooks(
    run_hooks: RunHooksBase[Any, Any] | None,
    ctx: RunContextWrapper[Any],
    from_agent: Agent[Any],
    to_agent: Agent[Any],
) -> None:
    await gather_hooks(
        run_hooks.on_handoff(ctx, from_agent, to_agent) if run_hooks is not None else None,
        from_agent.hooks.on_handoff(ctx, to_agent, from_agent) if from_agent.hooks is not None else None,
    )


async def tool_start(run_hooks: RunHooksBase[Any, Any] | None, ctx: Any, agent: Agent[Any], tool: FunctionTool) -> None:
    view = getattr(tool, "hook_view", None)  # a computer call's tool: hooks see the ComputerTool, as in the SDK
    if view is not None:
        tool, _ = view(None)
    await gather_hooks(
        run_hooks.on_tool_start(ctx, agent, tool) if run_hooks is not None else None,
        agent.hooks.on_tool_start(ctx, agent, tool) if agent.hooks is not None else None,
    )


async def tool_end(
    run_hooks: RunHooksBase[Any, Any] | None,
    ctx: Any,
    agent: Agent[Any],
    tool: FunctionTool,
    result: Any,
) -> None:
    view = getattr(tool, "hook_view", None)
    if view is not None:
        tool, result = view(result)
    await gather_hooks(
        run_hooks.on_tool_end(ctx, agent, tool, result) if run_hooks is not None else None,
        agent.hooks.on_tool_end(ctx, agent, tool, result) if agent.hooks is not None else None,
    )
