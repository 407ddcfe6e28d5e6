"""Compatibility: ``Agent(prompt=...)`` as in the OpenAI Agents SDK — a prompt template stored with OpenAI, sent on
every model call of the agent as the Responses API's ``prompt`` (``id``, ``version``, ``variables``), static or made
by a function of the run's context (``GenerateDynamicPromptData``), sync or async. Driven over the real wire: the
official ``openai`` client talking HTTP to the local OpenAI-compatible server, which records each request body.

Deliberate difference, asserted here: on Chat Completions, which has no prompt parameter, the SDK leaves the prompt
out and runs the model without its template (unless its provider's ``strict_feature_validation`` is set); this
runtime raises ``UserError`` before sending anything. Malformed prompts fail at ``Agent(...)`` or at the model call
that resolved them, never by sending a request the API would reject or misread.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import ResponseInputText
from support import Tracing

from agents_otel import (
    Agent,
    GenerateDynamicPromptData,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Prompt,
    Runner,
    UserError,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message


@function_tool
def lookup(city: str) -> str:
    """Look a city up."""
    return f"{city}: sunny"


async def test_a_static_prompt_goes_on_every_model_call_of_the_agent(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    prompt: Prompt = {
        "id": "pmpt_123",
        "version": "2",
        "variables": {"city": "Paris", "style": ResponseInputText(text="brief", type="input_text")},
    }
    agent = Agent("A", prompt=prompt, tools=[lookup], model=OpenAIResponsesModel("gpt-test", openai_client=client))
    result = await Runner.run(agent, "weather?", run_config=tracing.config)
    assert result.final_output == "Sunny."
    sent = [r.body["prompt"] for r in fake_openai.requests]
    variables = {"city": "Paris", "style": {"text": "brief", "type": "input_text"}}
    expected = {"id": "pmpt_123", "version": "2", "variables": variables}
    assert sent == [expected, expected]


async def test_a_dynamic_prompt_is_asked_before_each_model_call_with_the_runs_context(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Lima"}, "c1")])
    fake_openai.enqueue(text="Done.")
    asked: list[tuple[Any, str]] = []

    async def dynamic(data: GenerateDynamicPromptData) -> Prompt:
        asked.append((data.context.context, data.agent.name))
        return {"id": "pmpt_dyn", "variables": {"user": data.context.context["user"]}}

    agent = Agent("A", prompt=dynamic, tools=[lookup], model=OpenAIResponsesModel("gpt-test", openai_client=client))
    await Runner.run(agent, "weather?", context={"user": "ann"}, run_config=tracing.config)
    assert asked == [({"user": "ann"}, "A")] * 2
    assert [r.body["prompt"] for r in fake_openai.requests] == [{"id": "pmpt_dyn", "variables": {"user": "ann"}}] * 2


async def test_chat_completions_refuses_a_prompt_before_sending(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    agent = Agent("A", prompt={"id": "pmpt_1"}, model=OpenAIChatCompletionsModel("gpt-test", openai_client=client))
    with pytest.raises(UserError, match="'pmpt_1': stored prompt templates need the Responses API"):
        await Runner.run(agent, "hi", run_config=tracing.config)
    assert fake_openai.requests == []


def test_a_malformed_prompt_fails_where_the_agent_is_written() -> None:
    with pytest.raises(UserError, match="a prompt needs 'id'"):
        Agent("A", prompt={"name": "pmpt_1"})  # type: ignore[typeddict-item]
    with pytest.raises(UserError, match="prompt must be a dict with an 'id' or a function"):
        Agent("A", prompt="pmpt_1")  # type: ignore[arg-type]


async def test_a_prompt_function_returning_no_prompt_is_a_user_error(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("x")]])
    agent = Agent("A", prompt=lambda data: "pmpt_1", model=model)  # type: ignore[arg-type,return-value]
    with pytest.raises(UserError, match="the prompt function returned str, not a prompt"):
        await Runner.run(agent, "hi", run_config=tracing.config)


async def test_any_model_sees_the_prompt_in_its_request(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("x")]])
    await Runner.run(Agent("A", prompt={"id": "pmpt_9", "version": None}, model=model), "hi", run_config=tracing.config)
    assert model.calls[0].prompt == {"id": "pmpt_9"}
