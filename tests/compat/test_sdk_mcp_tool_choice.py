"""Compatibility: the OpenAI Agents SDK's ``MCPToolChoice``, forcing one tool of a hosted MCP server, over the real
wire (the official ``openai`` client talking HTTP to the local fake OpenAI server).

What the SDK pins and this runtime must do too: the Responses API gets ``tool_choice`` as ``{"server_label",
"type": "mcp", "name"}``, from the agent's settings or the run's (which win); Chat Completions refuses it with a
``UserError`` before anything is sent; a dict of its two fields is taken as one, a typo in a key is a
``TypeError``; once the model has used a tool,
``reset_tool_choice`` drops it like any other choice.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    HostedMCPTool,
    MCPToolChoice,
    ModelSettings,
    RunConfig,
    Runner,
    UserError,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

CONFIG: Any = {"type": "mcp", "server_label": "accounts", "server_url": "https://accounts.example/mcp"}
FORCED = {"server_label": "accounts", "type": "mcp", "name": "lookup_account"}


@function_tool
def note(text: str) -> str:
    """Write a note."""
    return f"noted {text}"


def mcp_agent(client: openai.AsyncOpenAI, settings: ModelSettings, **kwargs: Any) -> Agent[Any]:
    return Agent(
        "A", tools=[HostedMCPTool(CONFIG)], model=wire_model("responses", client), model_settings=settings, **kwargs
    )


async def test_the_responses_api_gets_the_server_label_and_tool_name(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Found it.")
    choice = MCPToolChoice(server_label="accounts", name="lookup_account")
    result = await Runner.run(mcp_agent(client, ModelSettings(tool_choice=choice)), "find", run_config=tracing.config)
    assert result.final_output == "Found it."
    body = fake_openai.last_request.body
    assert body["tool_choice"] == FORCED
    assert body["tools"] == [CONFIG]


async def test_the_run_settings_choice_wins_over_the_agents(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="ok")
    config = RunConfig(
        tracer_provider=tracing.provider,
        model_settings=ModelSettings(tool_choice=MCPToolChoice(server_label="accounts", name="lookup_account")),
    )
    await Runner.run(mcp_agent(client, ModelSettings(tool_choice="auto")), "find", run_config=config)
    assert fake_openai.last_request.body["tool_choice"] == FORCED


async def test_a_dict_of_its_fields_is_sent_the_same(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="ok")
    settings = ModelSettings(tool_choice={"server_label": "accounts", "name": "lookup_account"})  # type: ignore[arg-type]
    assert settings.tool_choice == MCPToolChoice("accounts", "lookup_account")
    await Runner.run(mcp_agent(client, settings), "find", run_config=tracing.config)
    assert fake_openai.last_request.body["tool_choice"] == FORCED


@pytest.mark.parametrize("tools", [[], [note]], ids=["no tools", "a function tool"])
async def test_chat_completions_refuses_it_before_sending(
    tools: list[Any], fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    settings = ModelSettings(tool_choice=MCPToolChoice(server_label="accounts", name="lookup_account"))
    agent = Agent("A", tools=tools, model=wire_model("chat", client), model_settings=settings)
    with pytest.raises(UserError, match="MCPToolChoice is not supported for Chat Completions"):
        await Runner.run(agent, "find", run_config=tracing.config)
    assert fake_openai.requests == []


def test_a_typo_in_a_key_is_a_type_error_as_in_the_sdk() -> None:
    with pytest.raises(TypeError, match="Unknown model settings in tool_choice: server"):
        ModelSettings(tool_choice={"server": "accounts", "name": "lookup_account"})  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [{"name": "lookup_account"}, 3, ["accounts", "lookup_account"]])
def test_anything_else_is_a_user_error(bad: Any) -> None:
    with pytest.raises(UserError, match="tool_choice"):
        ModelSettings(tool_choice=bad)


def test_it_is_the_sdks_shape() -> None:
    choice = MCPToolChoice(server_label="accounts", name="lookup_account")
    assert (choice.server_label, choice.name) == ("accounts", "lookup_account")
    assert choice == MCPToolChoice("accounts", "lookup_account")
    choice.name = "close_account"  # a plain dataclass, as in the SDK
    assert choice.name == "close_account"


async def test_reset_tool_choice_drops_it_once_the_model_used_a_tool() -> None:
    model = ScriptedModel([[function_call("note", {"text": "x"})], [assistant_message("done")]])
    settings = ModelSettings(tool_choice=MCPToolChoice(server_label="accounts", name="lookup_account"))
    agent = Agent("A", tools=[note], model=model, model_settings=settings)
    await Runner.run(agent, "go")
    assert [request.settings.tool_choice for request in model.calls] == [
        MCPToolChoice("accounts", "lookup_account"),
        None,
    ]
