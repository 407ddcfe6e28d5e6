"""Compatibility: server-side conversation state on the Responses API, as in the OpenAI Agents SDK —
``Runner.run(..., previous_response_id=..., auto_previous_response_id=True, conversation_id=...)`` (and
``run_sync`` / ``run_streamed``). Driven over the real wire: the official ``openai`` client talking HTTP to the
local OpenAI-compatible server, which records each request body and answers with its own response ids.

The SDK's rule, asserted here: a call sends ``previous_response_id`` (or ``conversation``) and only the items the
server has not seen — the new input on the first call, then only what was produced since (tool outputs, a
handoff's transfer message), never the model's own output. Response ids chain from call to call. The run's own
history keeps everything, so ``to_input_list()`` is the whole run, as in the SDK.

Deliberate differences, asserted here: Chat Completions refuses the three arguments with ``UserError`` before
sending anything (the SDK warns and sends the new items alone unless strict feature validation is on), and so does
``previous_response_id`` together with ``conversation_id`` (the API rejects that request; the SDK sends it).
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing

from agents_otel import (
    Agent,
    CallModelData,
    GuardrailFunctionOutput,
    ModelInputData,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    SQLiteSession,
    UserError,
    function_tool,
    handoff,
    output_guardrail,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

SERVER_STATE: list[dict[str, Any]] = [
    {"previous_response_id": "resp_earlier"},
    {"auto_previous_response_id": True},
    {"conversation_id": "conv_123"},
]



@function_tool
def lookup(city: str) -> str:
    """Look a city up."""
    return f"{city}: sunny"


def _agent(client: openai.AsyncOpenAI, **kwargs: Any) -> Agent[Any]:
    return Agent("A", tools=[lookup], model=OpenAIResponsesModel("gpt-test", openai_client=client), **kwargs)


USER = {"role": "user", "content": "weather?"}
TOOL_OUTPUT = {"type": "function_call_output", "call_id": "c1", "output": "Paris: sunny"}


def _sent(server: FakeOpenAIServer, key: str) -> list[Any]:
    return [r.body.get(key) for r in server.requests]


async def test_previous_response_id_sends_only_what_the_stored_response_has_not_seen(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    result = await Runner.run(
        _agent(client), "weather?", previous_response_id="resp_earlier", run_config=tracing.config
    )
    assert result.final_output == "Sunny."
    first, second = (r.response_id for r in result.raw_responses)
    assert _sent(fake_openai, "previous_response_id") == ["resp_earlier", first]
    assert _sent(fake_openai, "input") == [[USER], [TOOL_OUTPUT]]
    assert _sent(fake_openai, "conversation") == [None, None]
    assert result.last_response_id == second
    # The run's own history is complete: the SDK's to_input_list() in this mode too.
    assert [item.get("type", "message") for item in result.to_input_list()] == [
        "message", "function_call", "function_call_output", "message"
    ]


async def test_without_server_state_the_whole_conversation_is_sent(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    await Runner.run(_agent(client), "weather?")
    bodies = [r.body for r in fake_openai.requests]
    assert all("previous_response_id" not in b and "conversation" not in b for b in bodies)
    assert len(bodies[1]["input"]) == 3  # the message, the call, its output


async def test_auto_previous_response_id_chains_from_the_runs_first_response(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    result = await Runner.run(_agent(client), "weather?", auto_previous_response_id=True)
    first = result.raw_responses[0].response_id
    assert first is not None
    assert _sent(fake_openai, "previous_response_id") == [None, first]
    assert "previous_response_id" not in fake_openai.requests[0].body
    assert _sent(fake_openai, "input") == [[USER], [TOOL_OUTPUT]]


async def test_a_next_run_continues_from_last_response_id_with_only_its_new_message(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="Hello Ann.")
    fake_openai.enqueue(text="Ann.")
    agent = _agent(client)
    first = await Runner.run(agent, "I am Ann.")
    result = await Runner.run(agent, "Who am I?", previous_response_id=first.last_response_id)
    assert result.final_output == "Ann."
    assert fake_openai.requests[1].body["previous_response_id"] == first.last_response_id
    assert fake_openai.requests[1].body["input"] == [{"role": "user", "content": "Who am I?"}]
    assert result.to_input_list()[0] == {"role": "user", "content": "Who am I?"}  # this run's, as the SDK's


def test_run_sync_takes_the_same_arguments(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="Hi.")
    agent = Agent("A", model=OpenAIResponsesModel("gpt-test", openai_client=fake_openai.client()))
    result = Runner.run_sync(agent, "hi", previous_response_id="resp_sync")
    assert result.final_output == "Hi."
    assert fake_openai.requests[0].body["previous_response_id"] == "resp_sync"


async def test_conversation_id_sends_conversation_and_only_new_items_on_every_call(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    result = await Runner.run(_agent(client), "weather?", conversation_id="conv_123", run_config=tracing.config)
    assert result.final_output == "Sunny."
    assert _sent(fake_openai, "conversation") == ["conv_123", "conv_123"]
    assert _sent(fake_openai, "previous_response_id") == [None, None]  # the conversation moves on by itself
    assert _sent(fake_openai, "input") == [[USER], [TOOL_OUTPUT]]
    # The OpenAI conversation is the run's gen_ai.conversation.id, on every span; chat spans say what was sent.
    assert {s.name.split()[0] for s in tracing.spans()} == {"invoke_agent", "chat", "execute_tool"}
    assert all((s.attributes or {}).get("gen_ai.conversation.id") == "conv_123" for s in tracing.spans())
    chats = tracing.named("chat")
    assert [(c.attributes or {}).get("agents_otel.request.conversation_id") for c in chats] == ["conv_123"] * 2
    assert all("agents_otel.request.previous_response_id" not in (c.attributes or {}) for c in chats)


async def test_a_conversation_made_with_the_client_carries_one_run_after_another(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    conversation = await client.conversations.create()
    fake_openai.enqueue(text="Hello Ann.")
    fake_openai.enqueue(text="Ann.")
    agent = _agent(client)
    await Runner.run(agent, "I am Ann.", conversation_id=conversation.id)
    result = await Runner.run(agent, "Who am I?", conversation_id=conversation.id)
    assert result.final_output == "Ann."
    bodies = [r.body for r in fake_openai.requests_to("/responses")]
    assert [b["conversation"] for b in bodies] == [conversation.id] * 2
    assert bodies[1]["input"] == [{"role": "user", "content": "Who am I?"}]


async def test_run_config_conversation_id_still_names_the_run_and_the_chat_spans_keep_the_openai_one(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Hi.")
    config = RunConfig(tracer_provider=tracing.provider, conversation_id="thread-7")
    await Runner.run(_agent(client), "hi", conversation_id="conv_123", run_config=config)
    assert fake_openai.requests[0].body["conversation"] == "conv_123"
    (chat,) = tracing.named("chat")
    assert (chat.attributes or {})["gen_ai.conversation.id"] == "thread-7"
    assert (chat.attributes or {})["agents_otel.request.conversation_id"] == "conv_123"


async def test_chat_spans_record_the_previous_response_id_and_the_messages_actually_sent(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    config = RunConfig(tracer_provider=tracing.provider, capture_content=True)
    result = await Runner.run(_agent(client), "weather?", previous_response_id="resp_earlier", run_config=config)
    first_chat, second_chat = sorted(tracing.named("chat"), key=lambda s: s.start_time or 0)
    first_id = result.raw_responses[0].response_id
    assert (first_chat.attributes or {})["agents_otel.request.previous_response_id"] == "resp_earlier"
    assert (second_chat.attributes or {})["agents_otel.request.previous_response_id"] == first_id
    sent = str((second_chat.attributes or {})["gen_ai.input.messages"])
    assert "tool_call_response" in sent and "weather?" not in sent  # the delta, as sent
    (agent_span,) = tracing.named("invoke_agent")
    assert "gen_ai.conversation.id" not in (agent_span.attributes or {})  # a response id is not a conversation


async def test_a_streamed_run_sends_the_same_requests(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    result = Runner.run_streamed(_agent(client), "weather?", previous_response_id="resp_earlier")
    events = [event async for event in result.stream_events()]
    assert events and result.final_output == "Sunny."
    first = result.raw_responses[0].response_id
    assert _sent(fake_openai, "stream") == [True, True]
    assert _sent(fake_openai, "previous_response_id") == ["resp_earlier", first]
    assert _sent(fake_openai, "input") == [[USER], [TOOL_OUTPUT]]
    assert result.last_response_id == result.raw_responses[1].response_id


async def test_run_streamed_takes_them_positionally_in_the_sdks_order(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="Hi.")
    result = Runner.run_streamed(_agent(client), "hi", None, 10, None, None, None, False, "conv_pos")
    async for _ in result.stream_events():
        pass
    assert fake_openai.requests[0].body["conversation"] == "conv_pos"


async def test_a_handoff_passes_only_the_transfer_message_to_the_next_agent(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    model = OpenAIResponsesModel("gpt-test", openai_client=client)
    b = Agent("B", model=model)
    a = Agent("A", model=model, handoffs=[b])
    fake_openai.enqueue(tool_calls=[("transfer_to_b", {}, "h1")])
    fake_openai.enqueue(text="B here.")
    result = await Runner.run(a, "hi", auto_previous_response_id=True)
    assert result.final_output == "B here." and result.last_agent is b
    second = fake_openai.requests[1].body
    assert second["previous_response_id"] == result.raw_responses[0].response_id
    assert [item["type"] for item in second["input"]] == ["function_call_output"]
    assert second["input"][0]["call_id"] == "h1"


async def test_the_input_filter_sees_only_what_the_call_sends() -> None:
    model = ScriptedModel([[assistant_message("x")]])
    seen: list[list[Any]] = []

    def keep(data: CallModelData[Any]) -> ModelInputData:
        seen.append(data.model_data.input)
        return data.model_data

    history = [{"role": "user", "content": "old"}, {"role": "user", "content": "new"}]
    await Runner.run(
        Agent("A", model=model), history, conversation_id="conv_1", run_config=RunConfig(call_model_input_filter=keep)
    )
    assert [len(items) for items in seen] == [2]  # the run's input is new to the server: all of it is sent
    assert model.calls[0].conversation_id == "conv_1" and model.calls[0].server_managed


@pytest.mark.parametrize("state", SERVER_STATE, ids=lambda s: next(iter(s)))
async def test_chat_completions_refuses_server_state_before_sending(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, state: dict[str, Any]
) -> None:
    agent = Agent("A", model=OpenAIChatCompletionsModel("gpt-test", openai_client=client))
    with pytest.raises(UserError, match="need the Responses API"):
        await Runner.run(agent, "hi", **state)
    assert fake_openai.requests == []


@pytest.mark.parametrize("state", SERVER_STATE, ids=lambda s: next(iter(s)))
async def test_a_session_cannot_be_combined_with_server_state(state: dict[str, Any]) -> None:
    agent = Agent("A", model=ScriptedModel([[assistant_message("x")]]))
    session = SQLiteSession("s1")
    with pytest.raises(UserError, match="Session persistence"):
        await Runner.run(agent, "hi", session=session, **state)
    with pytest.raises(UserError, match="Session persistence"):  # before the stream starts, as in the SDK
        Runner.run_streamed(agent, "hi", session=session, **state)
    assert await session.get_items() == []


async def test_output_guardrails_cannot_be_combined_with_server_state() -> None:
    @output_guardrail
    def never(ctx: Any, agent: Agent[Any], output: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    model = ScriptedModel([[assistant_message("x")]], check_calls=False)
    with pytest.raises(UserError, match="output guardrails"):
        await Runner.run(Agent("A", model=model, output_guardrails=[never]), "hi", previous_response_id="r")
    config = RunConfig(output_guardrails=[never])
    with pytest.raises(UserError, match="output guardrails"):
        Runner.run_streamed(Agent("A", model=model), "hi", run_config=config, auto_previous_response_id=True)
    # An agent reached by a handoff is checked when it starts.
    guarded = Agent("B", model=model, output_guardrails=[never])
    starter = Agent("A", model=ScriptedModel([[_transfer("transfer_to_b")]]), handoffs=[guarded])
    with pytest.raises(UserError, match="Agent 'B' has output guardrails"):
        await Runner.run(starter, "hi", conversation_id="conv_1")
    assert model.calls == []


async def test_a_handoff_input_filter_cannot_be_combined_with_server_state() -> None:
    b = Agent("B", model=ScriptedModel([[assistant_message("x")]], check_calls=False))
    a = Agent(
        "A",
        model=ScriptedModel([[_transfer("transfer_to_b")]]),
        handoffs=[handoff(b, input_filter=lambda data: data)],
    )
    with pytest.raises(UserError, match="has an input filter"):
        await Runner.run(a, "hi", previous_response_id="resp_1")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"previous_response_id": "resp_1", "conversation_id": "conv_1"}, "cannot both be given"),
        ({"previous_response_id": ""}, "previous_response_id must be a non-empty string"),
        ({"conversation_id": 7}, "conversation_id must be a non-empty string"),
        ({"auto_previous_response_id": "yes"}, "auto_previous_response_id must be a bool"),
    ],
)
async def test_unusable_values_are_user_errors(kwargs: dict[str, Any], message: str) -> None:
    model = ScriptedModel([[assistant_message("x")]], check_calls=False)
    with pytest.raises(UserError, match=message):
        await Runner.run(Agent("A", model=model), "hi", **kwargs)
    assert model.calls == []


def _transfer(name: str) -> Any:
    return function_call(name, {}, call_id="h1")


@function_tool(needs_approval=True)
def book(city: str) -> str:
    """Book a trip (a person approves it first)."""
    return f"booked {city}"


@pytest.mark.parametrize("state", SERVER_STATE, ids=lambda s: next(iter(s)))
async def test_a_run_resumed_after_an_approval_continues_the_servers_conversation(
    state: dict[str, Any], fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(tool_calls=[("book", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Booked.")
    agent = Agent("A", tools=[book], model=OpenAIResponsesModel("gpt-test", openai_client=client))
    paused = await Runner.run(agent, "weather?", **state)
    (waiting,) = paused.interruptions
    run_state = paused.to_state()
    run_state.approve(waiting)
    resumed = await Runner.run(agent, run_state)
    assert resumed.final_output == "Booked."
    first = paused.raw_responses[0].response_id
    second_body = fake_openai.requests[1].body
    # Only the approved call's output goes: the server has the question and the call already.
    assert second_body["input"] == [{"type": "function_call_output", "call_id": "c1", "output": "booked Paris"}]
    if "conversation_id" in state:
        assert second_body["conversation"] == "conv_123" and "previous_response_id" not in second_body
    else:
        assert second_body["previous_response_id"] == first
