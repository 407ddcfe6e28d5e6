"""``ScriptedModel`` refuses scripted calls the agent could not accept (regression, issue 10).

A typo in a script (``{"qurey": ...}``) used to become a tool error the run shrugged off, so a user's test went
green while testing nothing. Now the run fails with ``ScriptCallError``; ``check_calls=False`` is the explicit
opt-out for tests that exercise tool errors.
"""

from __future__ import annotations

import pytest
from support import Tracing

from agents_otel import Agent, Runner, UserError, function_tool
from agents_otel.testing import ScriptCallError, ScriptedModel, assistant_message, function_call


@function_tool
def analyze(query: str, depth: int = 1, verbose: bool = False) -> str:
    return f"{query}:{depth}:{verbose}"


def agent_with(call: object, *, check_calls: bool = True) -> Agent[None]:
    model = ScriptedModel([[call], [assistant_message("done")]], check_calls=check_calls)  # type: ignore[list-item]
    return Agent(name="A", tools=[analyze], model=model)


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"qurey": "sales"}, "unknown arguments ['qurey']"),
        ({"depth": 2}, "lacks required arguments ['query']"),
        ({"query": "x", "depth": "deep"}, "'depth' should be integer"),
        ({"query": "x", "verbose": 1}, "'verbose' should be boolean"),
        ({"query": "x", "depth": True}, "'depth' should be integer"),
        ("{not json", "invalid JSON"),
        ("[1, 2]", "JSON object"),
    ],
)
async def test_a_scripted_call_the_agent_cannot_accept_fails_the_run(
    tracing: Tracing, arguments: object, fragment: str
) -> None:
    with pytest.raises(ScriptCallError) as caught:
        await Runner.run(agent_with(function_call("analyze", arguments)), "go", run_config=tracing.config)  # type: ignore[arg-type]
    assert fragment in str(caught.value)
    assert isinstance(caught.value, UserError)


async def test_an_unknown_tool_name_fails_the_run(tracing: Tracing) -> None:
    with pytest.raises(ScriptCallError, match=r"'analyse'.*'analyze'"):
        await Runner.run(agent_with(function_call("analyse", {"query": "x"})), "go", run_config=tracing.config)


async def test_valid_calls_pass(tracing: Tracing) -> None:
    result = await Runner.run(
        agent_with(function_call("analyze", {"query": "x", "depth": 2, "verbose": True})),
        "go",
        run_config=tracing.config,
    )
    assert result.final_output == "done"


async def test_check_calls_false_lets_the_tool_error_reach_the_model(tracing: Tracing) -> None:
    agent = agent_with(function_call("analyze", {"qurey": "sales"}, call_id="c"), check_calls=False)
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "done"
    assert tracing.tool_span("c").attributes["error.type"] == "invalid_arguments"  # type: ignore[index]


async def test_streamed_runs_check_too(tracing: Tracing) -> None:
    result = Runner.run_streamed(agent_with(function_call("analyze", {"qurey": "x"})), "go", run_config=tracing.config)
    with pytest.raises(ScriptCallError):
        async for _ in result.stream_events():
            pass
