"""Compatibility: ``agent.as_tool(...)`` as in the OpenAI Agents SDK — output, extractor, is_enabled, failures,
and ``on_stream`` receiving the inner run's events with the model's own call object."""

from __future__ import annotations

from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    AgentToolStreamEvent,
    GuardrailFunctionOutput,
    ModelSettings,
    RunConfig,
    RunContextWrapper,
    RunItemStreamEvent,
    Runner,
    RunResult,
    ToolCallOutputItem,
    UserError,
    function_tool,
    input_guardrail,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def inner(answer: str = "inner answer", name: str = "Researcher") -> Agent[Any]:
    return Agent(name=name, model=ScriptedModel([[assistant_message(answer)]]))


def outer(tool: Any, call: Any, answer: str = "outer done") -> tuple[Agent[Any], ScriptedModel]:
    model = ScriptedModel([[call], [assistant_message(answer)]])
    return Agent(name="Orchestrator", tools=[tool], model=model), model


def sent_back(model: ScriptedModel, call_id: str) -> str:
    outputs = {i.call_id: i.output for i in model.calls[-1].input if i.type == "function_call_output"}  # type: ignore[union-attr]
    return outputs[call_id]


async def test_a_run_wide_model_and_settings_reach_the_inner_agent_too(tracing: Tracing) -> None:
    """The SDK runs an agent-as-tool under the outer run's RunConfig: its ``model`` overrides the inner agent's
    model as well, and its ``model_settings`` and run-level guardrails apply to the inner run."""
    own = ScriptedModel([[assistant_message("from the inner agent's own model")]])
    research = Agent(name="Researcher", model=own, model_settings=ModelSettings(temperature=0.1))
    run_model = ScriptedModel(
        [
            [function_call("research", {"input": "x"}, call_id="c1")],
            [assistant_message("inner answer, from the run's model")],
            [assistant_message("done")],
        ]
    )
    seen: list[str] = []

    @input_guardrail
    def watch(ctx: RunContextWrapper[Any], agent: Agent[Any], data: Any) -> GuardrailFunctionOutput:
        seen.append(agent.name)
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    agent = Agent(name="Orchestrator", tools=[research.as_tool("research", "Research.")])
    config = RunConfig(
        tracer_provider=tracing.provider,
        model=run_model,
        model_settings=ModelSettings(temperature=0.9),
        input_guardrails=[watch],
    )
    result = await Runner.run(agent, "go", run_config=config)
    assert result.final_output == "done" and sent_back(run_model, "c1") == "inner answer, from the run's model"
    assert own.calls == [] and [c.settings.temperature for c in run_model.calls] == [0.9, 0.9, 0.9]
    assert seen == ["Orchestrator", "Researcher"]


async def test_the_inner_runs_tokens_count_in_the_outer_runs_usage(tracing: Tracing) -> None:
    """As in the SDK, the inner run accrues on the outer run's usage: one cost figure for the whole run."""
    research = inner()
    tool = research.as_tool("research", "Research a topic.")
    agent, model = outer(tool, function_call("research", {"input": "x"}, call_id="c1"))
    result = await Runner.run(agent, "go", run_config=tracing.config)
    inner_model = research.model
    assert isinstance(inner_model, ScriptedModel)
    # ScriptedModel reports one input token per input item and one output token per output item
    outer_in = sum(len(c.input) for c in model.calls)
    inner_in = sum(len(c.input) for c in inner_model.calls)
    assert inner_in > 0
    assert (result.usage.requests, result.usage.input_tokens) == (3, outer_in + inner_in)
    assert result.usage.output_tokens == 3


async def test_returns_the_inner_final_output(tracing: Tracing) -> None:
    tool = inner().as_tool("research", "Research a topic.")
    assert (tool.name, tool.description) == ("research", "Research a topic.")
    assert list(tool.params_json_schema["properties"]) == ["input"]
    agent, model = outer(tool, function_call("research", {"input": "topic"}, call_id="r"))
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "outer done" and sent_back(model, "r") == "inner answer"
    assert model.calls[0].tools[0].name == "research"


async def test_the_inner_agent_receives_the_input(tracing: Tracing) -> None:
    researcher = inner()
    tool = researcher.as_tool("research", "Research.")
    agent, _ = outer(tool, function_call("research", {"input": "quantum"}))
    await Runner.run(agent, "go", run_config=tracing.config)
    assert researcher.model.calls[0].input[0].content == "quantum"  # type: ignore[union-attr]


async def test_custom_output_extractor_sync_and_async(tracing: Tracing) -> None:
    def sync_extract(result: RunResult) -> str:
        return f"[{result.final_output}] via {result.last_agent.name}"

    async def async_extract(result: RunResult) -> str:
        return str(len(result.new_items))

    for extractor, expected in ((sync_extract, "[inner answer] via Researcher"), (async_extract, "1")):
        tool = inner().as_tool("research", "Research.", custom_output_extractor=extractor)
        agent, model = outer(tool, function_call("research", {"input": "x"}, call_id="r"))
        await Runner.run(agent, "go", run_config=tracing.config)
        assert sent_back(model, "r") == expected


async def test_is_enabled_bool_and_callable(tracing: Tracing) -> None:
    def only_for_admins(ctx: RunContextWrapper[dict[str, bool]], agent: Agent[Any]) -> bool:
        return ctx.context["admin"]

    hidden = inner(name="Hidden").as_tool("hidden", "Never offered.", is_enabled=False)
    admin = inner(name="Admin").as_tool("admin", "Admins only.", is_enabled=only_for_admins)
    for is_admin, expected in ((False, []), (True, ["admin"])):
        model = ScriptedModel([[assistant_message("hi")]])
        agent = Agent(name="O", tools=[hidden, admin], model=model)
        await Runner.run(agent, "go", context={"admin": is_admin}, run_config=tracing.config)
        assert [t.name for t in model.calls[0].tools] == expected


async def test_a_failing_inner_run_is_a_tool_error_by_default(tracing: Tracing) -> None:
    broken = Agent(name="Broken", model=ScriptedModel([RuntimeError("inner model down")]))
    agent, model = outer(broken.as_tool("ask", "Ask."), function_call("ask", {"input": "x"}, call_id="a"))
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "outer done"
    assert sent_back(model, "a") == "An error occurred while running the tool."
    assert tracing.tool_span("a").attributes["error.type"] == "RuntimeError"  # type: ignore[index]


async def test_custom_failure_error_function(tracing: Tracing) -> None:
    broken = Agent(name="Broken", model=ScriptedModel([RuntimeError("inner model down")]))
    tool = broken.as_tool("ask", "Ask.", failure_error_function=lambda ctx, exc: f"{ctx.tool_name} is unavailable")
    agent, model = outer(tool, function_call("ask", {"input": "x"}, call_id="a"))
    await Runner.run(agent, "go", run_config=tracing.config)
    assert sent_back(model, "a") == "ask is unavailable"


async def test_failure_error_function_none_fails_the_outer_run(tracing: Tracing) -> None:
    broken = Agent(name="Broken", model=ScriptedModel([RuntimeError("inner model down")]))
    agent, _ = outer(broken.as_tool("ask", "Ask.", failure_error_function=None), function_call("ask", {"input": "x"}))
    with pytest.raises(UserError, match="Error running tool ask: inner model down") as excinfo:
        await Runner.run(agent, "go", run_config=tracing.config)
    assert isinstance(excinfo.value.__cause__, RuntimeError)


async def test_on_stream_gets_inner_events_and_the_models_own_call(tracing: Tracing) -> None:
    received: list[AgentToolStreamEvent] = []

    @function_tool
    def lookup(q: str) -> str:
        return f"found {q}"

    researcher = Agent(
        name="Researcher",
        tools=[lookup],
        model=ScriptedModel([[function_call("lookup", {"q": "x"})], [assistant_message("inner answer")]]),
    )
    call = function_call("research", {"input": "topic"}, call_id="outer_call")

    async def on_stream(event: AgentToolStreamEvent) -> None:
        received.append(event)

    agent, model = outer(researcher.as_tool("research", "Research.", on_stream=on_stream), call)
    await Runner.run(agent, "go", run_config=tracing.config)
    assert sent_back(model, "outer_call") == "inner answer"
    assert received and all(e["agent"] is researcher and e["tool_call"] is call for e in received)
    names = [e["event"].name for e in received if isinstance(e["event"], RunItemStreamEvent)]
    assert names[:2] == ["tool_called", "tool_output"] and names[-1] == "message_output_created"


async def test_sync_on_stream_and_a_raising_handler_do_not_fail_the_call(tracing: Tracing) -> None:
    seen: list[str] = []

    def on_stream(event: AgentToolStreamEvent) -> None:
        seen.append(event["event"].type)
        raise ValueError("handler bug")

    agent, model = outer(
        inner().as_tool("research", "Research.", on_stream=on_stream),
        function_call("research", {"input": "x"}, call_id="r"),
    )
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "outer done" and sent_back(model, "r") == "inner answer" and seen


async def test_streamed_outer_run_sees_inner_tool_calls_with_their_parent(tracing: Tracing) -> None:
    @function_tool
    def lookup(q: str) -> str:
        return "found"

    researcher = Agent(
        name="Researcher",
        tools=[lookup],
        model=ScriptedModel([[function_call("lookup", {"q": "x"}, call_id="inner_call")], [assistant_message("ok")]]),
    )
    agent, _ = outer(researcher.as_tool("research", "R."), function_call("research", {"input": "x"}, call_id="oc"))
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    outputs = [
        e.item
        async for e in result.stream_events()
        if isinstance(e, RunItemStreamEvent) and isinstance(e.item, ToolCallOutputItem)
    ]
    by_id = {o.call_id: o for o in outputs}
    assert by_id["inner_call"].parent_tool_call_id == "oc" and by_id["oc"].parent_tool_call_id is None


def test_default_name_and_description_are_the_sdks() -> None:
    tool = Agent(name="Spanish agent-v2").as_tool(tool_name=None, tool_description=None)
    assert (tool.name, tool.description) == ("spanish_agent_v2", "")
