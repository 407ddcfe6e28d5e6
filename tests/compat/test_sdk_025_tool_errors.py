"""SDK 0.25 "remove retry advice from the default tool error message" (#5632).

The default ``failure_error_function`` tells the model the fixed sentence without "Please try again.": the model
decides itself whether a retry makes sense (a deterministic failure retried is a wasted turn).
"""

from __future__ import annotations

import pytest
from support import run_in_mode

from agents_otel import Agent, default_tool_error_function, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call

SENTENCE = "An error occurred while running the tool."


@function_tool
def broken() -> str:
    raise RuntimeError("disk full")


def test_the_default_formatter_returns_the_sentence_without_retry_advice() -> None:
    told = default_tool_error_function(None, RuntimeError("x"))  # type: ignore[arg-type]
    assert told == SENTENCE
    assert "try again" not in told.lower()


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_failing_tool_sends_the_model_the_sentence_as_its_output(streamed: bool) -> None:
    model = ScriptedModel([[function_call("broken", "{}", call_id="c1")], [assistant_message("done")]])
    agent = Agent(name="a", model=model, tools=[broken])
    await run_in_mode(agent, "streamed" if streamed else "plain", "go")
    outputs = [i.output for i in model.calls[1].input if getattr(i, "type", None) == "function_call_output"]  # type: ignore[union-attr]
    assert outputs == [SENTENCE]
