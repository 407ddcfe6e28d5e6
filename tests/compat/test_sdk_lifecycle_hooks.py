"""``RunHooks`` and ``AgentHooks`` with the OpenAI Agents SDK's callbacks, arguments and order: counts for tools and
handoffs, the raw tool result in ``on_tool_end``, the ``ToolContext`` as a tool hook's context, ``on_handoff`` on
the agent handing off, a wrong hooks object refused, and a failing hook failing the run."""

from __future__ import annotations

from typing import Any

import pytest

from agents_otel import (
    Agent,
    AgentHookContext,
    AgentHooks,
    ModelResponse,
    RunContextWrapper,
    RunHooks,
    Runner,
    ToolContext,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


class Recorder(RunHooks[Any]):
    def __init__(self) -> None:
        self.llm_inputs: list[list[Any]] = []
        self.events: list[str] = []
        self.tool_results: list[Any] = []
        self.contexts: list[Any] = []

    async def on_agent_start(self, context: AgentHookContext[Any], agent: Agent[Any]) -> None:
        self.events.append(f"agent_start:{agent.name}")
        self.contexts.append(context)

    async def on_agent_end(self, context: AgentHookContext[Any], agent: Agent[Any], output: Any) -> None:
        self.events.append(f"agent_end:{agent.name}:{output}")

    async def on_llm_start(
        self, context: RunContextWrapper[Any], agent: Agent[Any], system_prompt: str | None, input_items: list[Any]
    ) -> None:
        self.events.append(f"llm_start:{agent.name}:{system_prompt}:{len(input_items)}")
        self.llm_inputs.append(input_items)

    async def on_llm_end(self, context: RunContextWrapper[Any], agent: Agent[Any], response: ModelResponse) -> None:
        self.events.append(f"llm_end:{agent.name}")

    async def on_handoff(self, context: RunContextWrapper[Any], from_agent: Agent[Any], to_agent: Agent[Any]) -> None:
        self.events.append(f"handoff:{from_agent.name}->{to_agent.name}")

    async def on_tool_start(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Any) -> None:
        self.events.append(f"tool_start:{tool.name}")
        self.contexts.append(context)

    async def on_tool_end(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Any, result: Any) -> None:
        self.events.append(f"tool_end:{tool.name}")
        self.tool_results.append(result)


class AgentRecorder(AgentHooks[Any]):
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def on_start(self, context: AgentHookContext[Any], agent: Agent[Any]) -> None:
        self.log.append(f"on_start:{agent.name}")

    async def on_end(self, context: AgentHookContext[Any], agent: Agent[Any], output: Any) -> None:
        self.log.append(f"on_end:{agent.name}")

    async def on_handoff(self, context: RunContextWrapper[Any], agent: Agent[Any], source: Agent[Any]) -> None:
        self.log.append(f"on_handoff:{source.name}->{agent.name}")

    async def on_tool_start(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Any) -> None:
        self.log.append(f"on_tool_start:{tool.name}")

    async def on_tool_end(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Any, result: Any) -> None:
        self.log.append(f"on_tool_end:{tool.name}")

    async def on_llm_start(self, context: Any, agent: Agent[Any], system_prompt: Any, input_items: Any) -> None:
        self.log.append("on_llm_start")

    async def on_llm_end(self, context: Any, agent: Agent[Any], response: Any) -> None:
        self.log.append("on_llm_end")


@function_tool
def pick() -> dict[str, int]:
    return {"n": 3}


def _two_agents() -> tuple[Agent[Any], Agent[Any]]:
    closer = Agent("closer", model=ScriptedModel([[assistant_message("done")]]))
    starter = Agent(
        "starter",
        instructions="be brief",
        tools=[pick],
        handoffs=[closer],
        model=ScriptedModel(
            [[function_call("pick", {})], [assistant_message("a message"), function_call("transfer_to_closer", {})]]
        ),
    )
    return starter, closer


@pytest.mark.parametrize("streamed", [False, True])
async def test_run_hooks_order_and_arguments_across_a_tool_and_a_handoff(streamed: bool) -> None:
    hooks = Recorder()
    starter, _ = _two_agents()
    if streamed:
        result: Any = Runner.run_streamed(starter, "hi", hooks=hooks, context={"app": 1})
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(starter, "hi", hooks=hooks, context={"app": 1})
    assert result.final_output == "done"
    assert hooks.events == [
        "agent_start:starter",
        "llm_start:starter:be brief:1",
        "llm_end:starter",
        "tool_start:pick",
        "tool_end:pick",
        "llm_start:starter:be brief:3",
        "llm_end:starter",
        "handoff:starter->closer",
        "agent_start:closer",
        "llm_start:closer:None:6",
        "llm_end:closer",
        "agent_end:closer:done",
    ]
    assert hooks.llm_inputs[1] == [
        {"role": "user", "content": "hi"},
        {"type": "function_call", "call_id": hooks.llm_inputs[1][1]["call_id"], "name": "pick", "arguments": "{}"},
        {"type": "function_call_output", "call_id": hooks.llm_inputs[1][1]["call_id"], "output": '{"n":3}'},
    ]
    assert hooks.tool_results == [{"n": 3}]  # the raw return value, not the text the model read
    start_ctx, tool_ctx, _ = hooks.contexts
    assert isinstance(start_ctx, AgentHookContext) and start_ctx.context == {"app": 1}
    assert isinstance(tool_ctx, ToolContext) and tool_ctx.tool_name == "pick"
    assert start_ctx.turn_input == [{"role": "user", "content": "hi"}]  # Responses-format dicts, as in the SDK


async def test_agent_hooks_fire_for_their_own_agent_only_and_on_handoff_on_the_source() -> None:
    log: list[str] = []
    starter, _ = _two_agents()
    starter.hooks = AgentRecorder(log)
    await Runner.run(starter, "hi")
    assert log == [
        "on_start:starter",
        "on_llm_start",
        "on_llm_end",
        "on_tool_start:pick",
        "on_tool_end:pick",
        "on_llm_start",
        "on_llm_end",
        "on_handoff:starter->closer",  # the SDK calls the hook of the agent handing off
    ]  # no on_end: starter did not produce the final output


async def test_run_and_agent_hooks_both_fire_run_hook_first() -> None:
    log: list[str] = []

    class RunLog(RunHooks[Any]):
        async def on_agent_start(self, context: Any, agent: Any) -> None:
            log.append("run:agent_start")

        async def on_agent_end(self, context: Any, agent: Any, output: Any) -> None:
            log.append("run:agent_end")

    agent = Agent("a", model=ScriptedModel([[assistant_message("x")]]), hooks=AgentRecorder(log))
    await Runner.run(agent, "hi", hooks=RunLog())
    assert log == ["run:agent_start", "on_start:a", "on_llm_start", "on_llm_end", "run:agent_end", "on_end:a"]


async def test_agent_hooks_passed_as_run_hooks_are_refused() -> None:
    agent = Agent("a", model=ScriptedModel([[assistant_message("x")]]))
    with pytest.raises(TypeError, match="Run hooks must be instances of RunHooks"):
        await Runner.run(agent, "hi", hooks=AgentRecorder([]))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Run hooks must be instances of RunHooks"):
        Runner.run_streamed(agent, "hi", hooks=object())  # type: ignore[arg-type]


async def test_a_failing_hook_fails_the_run() -> None:
    class Boom(RunHooks[Any]):
        async def on_tool_start(self, context: Any, agent: Any, tool: Any) -> None:
            raise RuntimeError("hook broke")

    ran: list[int] = []

    @function_tool
    def side_effect() -> str:
        ran.append(1)
        return "x"

    agent = Agent("a", tools=[side_effect], model=ScriptedModel([[function_call("side_effect", {})]]))
    with pytest.raises(RuntimeError, match="hook broke"):
        await Runner.run(agent, "hi", hooks=Boom())
    assert ran == []  # on_tool_start runs before the tool


async def test_hook_usage_is_the_runs_usage_so_far() -> None:
    seen: list[int] = []

    class Usage(RunHooks[Any]):
        async def on_llm_end(self, context: RunContextWrapper[Any], agent: Any, response: Any) -> None:
            seen.append(context.usage.output_tokens)

    model = ScriptedModel([[function_call("pick", {})], [assistant_message("x")]])
    await Runner.run(Agent("a", tools=[pick], model=model), "hi", hooks=Usage())
    assert seen == [1, 2]


def test_run_hooks_given_to_an_agent_are_refused() -> None:
    with pytest.raises(TypeError, match="Agent hooks must be AgentHooks"):
        Agent("a", hooks=Recorder())  # type: ignore[arg-type]
