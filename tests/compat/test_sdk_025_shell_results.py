"""SDK 0.25 "preserve empty structured shell results" (#5423).

A ``ShellTool`` executor returning a ``ShellResult`` with no command outputs answers the model with an empty
``output`` list (and the limit it set), not with a text fallback; the run item's ``output`` is "(no output)".
Ours always sent the structured list (the SDK's bug never applied); this pins it, streamed and not.
"""

from __future__ import annotations

from typing import Any

import pytest
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseFunctionShellToolCall,
    ResponseOutputItemDoneEvent,
)

from agents_otel import Agent, Runner, ShellResult, ShellTool
from agents_otel.items import ToolCallOutputItem
from agents_otel.testing import ModelStep, ScriptedModel, assistant_message


@pytest.mark.parametrize("streamed", [False, True])
async def test_an_empty_structured_result_reaches_the_next_model_call_unchanged(streamed: bool) -> None:
    call = ResponseFunctionShellToolCall(
        id="sc_empty",
        call_id="call_empty",
        type="shell_call",
        status="completed",
        action={"type": "shell_command", "commands": ["true"]},  # type: ignore[arg-type]
    )
    step = ModelStep(output=[call])
    if streamed:
        response = Response(
            id="r", created_at=0, model="m", object="response", output=[call], tool_choice="auto", tools=[],
            parallel_tool_calls=True,
        )
        step = ModelStep.stream(
            [
                ResponseOutputItemDoneEvent(
                    type="response.output_item.done", sequence_number=0, output_index=0, item=call
                ),
                ResponseCompletedEvent(type="response.completed", sequence_number=1, response=response),
            ],
            output=[call],
        )
    model = ScriptedModel([step, [assistant_message("done")]])
    tool = ShellTool(
        executor=lambda request: ShellResult(output=[], provider_data={"runner": "test"}, max_output_length=4096)
    )
    agent = Agent(name="test", model=model, tools=[tool])
    result: Any
    if streamed:
        result = Runner.run_streamed(agent, "run")
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "run")
    item = next(i for i in result.new_items if isinstance(i, ToolCallOutputItem))
    assert item.output == "(no output)"
    sent = [e for e in model.model_calls[1].input if e.get("type") == "shell_call_output"]
    assert sent == [{"type": "shell_call_output", "call_id": "call_empty", "output": [], "max_output_length": 4096}]
    assert result.final_output == "done"
    model.assert_complete()
