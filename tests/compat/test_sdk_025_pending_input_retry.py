"""Compatibility (SDK 0.25): input added to a paused run survives a streamed resume that failed, and is sent once
per ``add_input`` when the run is resumed again.

Learnt from the SDK 0.25 changelog entry "preserve pending input history across streamed retries" (#6042) and its
test test_run_state_pending_input.py. Here a ``RunState`` is never changed by the runs resumed from it (see
docs/migrating.md), so the approved call runs again on the second resume; what the SDK pins and this test pins too:
the added input is neither lost nor doubled, in the request and in the run's history. The scenario is our own, over
the real openai client and the local fake OpenAI server.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest

from agents_otel import (
    Agent,
    ModelRetryBackoffSettings,
    ModelRetrySettings,
    ModelSettings,
    Runner,
    RunState,
    function_tool,
    retry_policies,
)
from agents_otel.models.openai_responses import OpenAIResponsesModel


def _text(item: Any) -> Any:
    return item.get("content") if isinstance(item, dict) and item.get("role") == "user" else None


@pytest.mark.parametrize("added", [1, 2], ids=["once", "twice"])
async def test_added_input_survives_a_failed_streamed_resume(fake_openai: Any, client: Any, added: int) -> None:
    ran: list[str] = []

    @function_tool(needs_approval=True)
    def guarded(value: str) -> str:
        """Needs approval."""
        ran.append(value)
        return f"approved:{value}"

    agent = Agent(name="assistant", model=OpenAIResponsesModel("m", client), tools=[guarded])
    fake_openai.enqueue(tool_calls=[("guarded", {"value": "one"}, "call-g")])
    first = Runner.run_streamed(agent, "start")
    async for _ in first.stream_events():
        pass
    state = first.to_state()
    state.approve(first.interruptions[0])
    for _ in range(added):
        state.add_input("late")

    fake_openai.enqueue_error(400, "rejected before acceptance")
    failed = Runner.run_streamed(agent, state)
    with pytest.raises(openai.BadRequestError, match="rejected before acceptance"):
        async for _ in failed.stream_events():
            pass
    assert [_text(i) for i in state.pending_input] == ["late"] * added

    fake_openai.enqueue(text="Recovered")
    restored = await RunState.from_string(agent, state.to_string())
    recovered = Runner.run_streamed(agent, restored)
    async for _ in recovered.stream_events():
        pass
    assert recovered.final_output == "Recovered"
    failed_request, retried_request = (r.body["input"] for r in fake_openai.requests[1:3])
    assert [_text(i) for i in failed_request].count("late") == added
    assert retried_request == failed_request
    assert retried_request[-added:] == [{"role": "user", "content": "late"}] * added
    history = recovered.to_input_list()
    assert [_text(i) for i in history].count("late") == added
    assert [i.get("type") for i in history if i.get("type")][:2] == ["function_call", "function_call_output"]
    assert ran == ["one", "one"]  # the state was not changed by the failed run: the approved call runs again


async def test_added_input_is_sent_once_by_a_runner_retry_of_a_streamed_resume(fake_openai: Any, client: Any) -> None:
    @function_tool(needs_approval=True)
    def guarded(value: str) -> str:
        """Needs approval."""
        return f"approved:{value}"

    retry = ModelRetrySettings(
        max_retries=2,
        backoff=ModelRetryBackoffSettings(initial_delay=0, jitter=False),
        policy=retry_policies.http_status([400]),
    )
    agent = Agent(
        name="assistant",
        model=OpenAIResponsesModel("m", client),
        tools=[guarded],
        model_settings=ModelSettings(retry=retry),
    )
    fake_openai.enqueue(tool_calls=[("guarded", {"value": "one"}, "call-g")])
    first = Runner.run_streamed(agent, "start")
    async for _ in first.stream_events():
        pass
    state = first.to_state()
    state.approve(first.interruptions[0])
    state.add_input("late")
    fake_openai.enqueue_error(400, "rejected before acceptance")
    fake_openai.enqueue(text="Recovered")
    resumed = Runner.run_streamed(agent, state)
    async for _ in resumed.stream_events():
        pass
    assert resumed.final_output == "Recovered"
    failed_request, retried_request = (r.body["input"] for r in fake_openai.requests[1:3])
    assert retried_request == failed_request
    assert [_text(i) for i in retried_request].count("late") == 1
    assert [_text(i) for i in resumed.to_input_list()].count("late") == 1
    assert resumed.to_state().pending_input == []
