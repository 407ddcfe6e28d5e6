"""Compatibility: a model's refusal as the OpenAI Agents SDK handles it — ``ModelRefusalError`` (``.refusal``: the
model's refusal text) when the message that would end the run holds a refusal, whatever the ``output_type``, at once
(not retried until ``max_turns``); the ``model_refusal`` run error handler turning it into a final output; the
refusal kept as a refusal (a ``refusal`` content part in ``to_input_list()`` and ``raw_item``, the ``refusal`` field
on Chat Completions) so it goes back to the model as one; streamed as ``response.refusal.delta`` raw events, never
as answer text. Driven over the real wire on both OpenAI APIs, streamed and not: the official ``openai`` client
talking HTTP to the local fake server, which scripts the refusal as each API sends one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from opentelemetry.trace import StatusCode
from pydantic import BaseModel
from support import Tracing, run_in_mode, wire_model

from agents_otel import (
    Agent,
    MessageOutputItem,
    ModelRefusalError,
    RawResponsesStreamEvent,
    RunConfig,
    RunErrorHandlerInput,
    RunErrorHandlerResult,
    RunItemStreamEvent,
    Runner,
    RunState,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

REFUSAL = "I can't help with that request."
APIS = ["responses", "chat"]
MODES = ["plain", "streamed"]
OUTPUT_MESSAGES = jsonschema.Draft202012Validator(
    json.loads((Path(__file__).parent.parent / "data" / "semconv_genai" / "gen-ai-output-messages.json").read_text())
)


class Recipe(BaseModel):
    ingredients: list[str]
    refusal_reason: str | None = None



async def run(agent: Agent[Any], mode: str, input: Any = "Cook something", **kwargs: Any) -> Any:
    return await run_in_mode(agent, mode, input, **kwargs)


def refusal_message(text: str = "", refusal: str = REFUSAL) -> dict[str, Any]:
    """The assistant message as ``to_input_list()`` gives it: the refusal as its own content part."""
    content: list[dict[str, Any]] = [{"type": "output_text", "text": text, "annotations": []}] if text else []
    content.append({"type": "refusal", "refusal": refusal})
    return {"type": "message", "role": "assistant", "content": content, "status": "completed"}


# ---- the error ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_a_refusal_with_structured_output_raises_model_refusal_error_at_once(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, api: str, mode: str
) -> None:
    fake_openai.enqueue(refusal=REFUSAL)
    fake_openai.enqueue(text='{"ingredients": []}')  # never asked for: a refusal is not retried
    agent = Agent("Chef", output_type=Recipe, model=wire_model(api, client))
    with pytest.raises(ModelRefusalError) as caught:
        await run(agent, mode)
    assert caught.value.refusal == REFUSAL
    assert str(caught.value) == f"Model refused to produce output: {REFUSAL}"
    assert len(fake_openai.requests) == 1 and fake_openai.pending == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_a_refusal_ends_a_plain_text_run_too_even_beside_text(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, api: str, mode: str
) -> None:
    """As the SDK: a refusal is no answer whatever the output type; text next to it does not make it one."""
    fake_openai.enqueue(text="Well, ", refusal=REFUSAL)
    agent = Agent("Chef", model=wire_model(api, client))
    with pytest.raises(ModelRefusalError, match="can't help"):
        await run(agent, mode)


async def test_a_refusal_beside_tool_calls_lets_the_tools_run_and_the_model_answer() -> None:
    """As the SDK: only a turn that would end the run checks for a refusal."""

    @function_tool
    def pantry() -> str:
        """What is in the pantry."""
        return "eggs"

    steps = [[assistant_message("", refusal="Not that one."), function_call("pantry")], [assistant_message("Omelette")]]
    agent = Agent("Chef", tools=[pantry], model=ScriptedModel(steps))
    result = await Runner.run(agent, "Cook")
    assert result.final_output == "Omelette"
    assert result.to_input_list()[1] == refusal_message(refusal="Not that one.")


# ---- the model_refusal handler ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_the_model_refusal_handler_gives_the_final_output(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, api: str, mode: str
) -> None:
    fake_openai.enqueue(refusal=REFUSAL)
    seen: list[RunErrorHandlerInput[Any]] = []

    def on_refusal(data: RunErrorHandlerInput[Any]) -> Recipe:
        seen.append(data)
        assert isinstance(data.error, ModelRefusalError)
        return Recipe(ingredients=[], refusal_reason=data.error.refusal)

    agent = Agent("Chef", output_type=Recipe, model=wire_model(api, client))
    result = await run(agent, mode, error_handlers={"model_refusal": on_refusal})
    assert result.final_output == Recipe(ingredients=[], refusal_reason=REFUSAL)
    (data,) = seen
    assert data.error.refusal == REFUSAL  # type: ignore[union-attr]
    assert len(data.run_data.raw_responses) == 1
    assert data.run_data.raw_responses[0].response_id == result.raw_responses[0].response_id
    (refused,) = data.run_data.new_items
    assert isinstance(refused, MessageOutputItem) and (refused.text, refused.refusal) == ("", REFUSAL)
    assert data.run_data.output == [refusal_message()]
    assert data.run_data.history == [{"role": "user", "content": "Cook something"}, refusal_message()]
    fallback = {"ingredients": [], "refusal_reason": REFUSAL}
    assert [json.loads(i.text) for i in result.new_items[1:] if isinstance(i, MessageOutputItem)] == [fallback]
    assert result.to_input_list()[1] == refusal_message()
    assert json.loads(result.to_input_list()[2]["content"][0]["text"]) == fallback
    assert len(result.to_input_list()) == 3


async def test_the_handler_can_keep_its_output_out_of_the_history(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(refusal=REFUSAL)
    handler = lambda _d: RunErrorHandlerResult(final_output="safe fallback", include_in_history=False)  # noqa: E731
    agent = Agent("Chef", model=wire_model("responses", client))
    result = await Runner.run(agent, "Cook", error_handlers={"model_refusal": handler})
    assert result.final_output == "safe fallback"
    assert result.to_input_list() == [{"role": "user", "content": "Cook"}, refusal_message()]


async def test_a_handler_that_declines_lets_the_error_end_the_run(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(refusal=REFUSAL)
    agent = Agent("Chef", model=wire_model("chat", client))
    with pytest.raises(ModelRefusalError):
        await Runner.run(agent, "Cook", error_handlers={"model_refusal": lambda _d: None})


# ---- the refusal as a conversation item ---------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
async def test_the_refusal_goes_back_to_the_model_as_a_refusal(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, api: str
) -> None:
    fake_openai.enqueue(text="Partly: ", refusal=REFUSAL)
    fake_openai.enqueue(text="Fine, an omelette.")
    agent = Agent("Chef", model=wire_model(api, client))
    first = await Runner.run(agent, "Cook", error_handlers={"model_refusal": lambda _d: "sorry"})
    history = first.to_input_list()
    assert history[1] == refusal_message("Partly: ")
    (refused,) = [i for i in first.new_items if isinstance(i, MessageOutputItem) and i.refusal]
    assert [p.type for p in refused.raw_item.content] == ["output_text", "refusal"]
    second = await Runner.run(agent, [*history, {"role": "user", "content": "Please?"}])
    assert second.final_output == "Fine, an omelette."
    body = fake_openai.requests[1].body
    if api == "responses":
        sent = body["input"][1]
        assert sent["role"] == "assistant" and sent["type"] == "message"
        assert sent["content"] == refusal_message("Partly: ")["content"]
    else:
        assert body["messages"][1] == {"role": "assistant", "content": "Partly: ", "refusal": REFUSAL}


async def test_a_refusal_alone_is_sent_to_chat_completions_without_content(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="ok")
    agent = Agent("Chef", model=wire_model("chat", client))
    await Runner.run(agent, [{"role": "user", "content": "Cook"}, refusal_message(), {"role": "user", "content": "?"}])
    assert fake_openai.requests[0].body["messages"][1] == {"role": "assistant", "content": None, "refusal": REFUSAL}


# ---- streaming ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
async def test_a_streamed_refusal_arrives_as_refusal_deltas_and_a_message_item(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, api: str
) -> None:
    fake_openai.enqueue(refusal=REFUSAL)
    agent = Agent("Chef", output_type=Recipe, model=wire_model(api, client))
    result = Runner.run_streamed(agent, "Cook")
    events: list[Any] = []
    with pytest.raises(ModelRefusalError):
        async for event in result.stream_events():
            events.append(event)
    every = [e.data for e in events if isinstance(e, RawResponsesStreamEvent)]
    raw = [r for r in every if "delta" in r.type]
    assert {r.type for r in raw} == {"response.refusal.delta"}
    assert "".join(r.delta for r in raw) == REFUSAL and len(raw) > 1
    assert all(e.text_delta is None for e in events if isinstance(e, RawResponsesStreamEvent))
    (created,) = [e.item for e in events if isinstance(e, RunItemStreamEvent) and e.name == "message_output_created"]
    assert (created.text, created.refusal) == ("", REFUSAL)


# ---- the trace --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_the_chat_span_shows_the_refusal_and_the_agent_span_the_error(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing, api: str, mode: str
) -> None:
    fake_openai.enqueue(refusal=REFUSAL)
    agent = Agent("Chef", output_type=Recipe, model=wire_model(api, client))
    config = RunConfig(tracer_provider=tracing.provider, capture_content=True)
    with pytest.raises(ModelRefusalError):
        await run(agent, mode, run_config=config)
    (chat,) = tracing.named("chat")
    output = json.loads(str((chat.attributes or {})["gen_ai.output.messages"]))
    OUTPUT_MESSAGES.validate(output)
    assert output == [{"role": "assistant", "parts": [{"type": "refusal", "content": REFUSAL}]}]
    (agent_span,) = tracing.named("invoke_agent")
    assert agent_span.status.status_code is StatusCode.ERROR
    assert (agent_span.attributes or {})["error.type"] == "agents_otel.exceptions.ModelRefusalError"


async def test_a_recovered_refusal_stays_on_the_agent_span_as_an_exception_event(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(refusal=REFUSAL)
    agent = Agent("Chef", model=wire_model("responses", client))
    await Runner.run(agent, "Cook", run_config=tracing.config, error_handlers={"model_refusal": lambda _d: "ok"})
    (span,) = tracing.named("invoke_agent")
    attributes = dict(span.attributes or {})
    assert attributes["agents_otel.error_handler"] == "model_refusal"
    assert "error.type" not in attributes and span.status.status_code is StatusCode.UNSET
    (event,) = [dict(e.attributes or {}) for e in span.events if e.name == "exception"]
    assert event["exception.type"].endswith("ModelRefusalError")


async def test_a_refusal_in_a_paused_turn_survives_run_state_json() -> None:
    @function_tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        return f"deleted {path}"

    steps = [
        [assistant_message("", refusal="Not that one."), function_call("delete_file", {"path": "a"}, call_id="c1")],
        [assistant_message("done")],
    ]
    agent = Agent("Ops", tools=[delete_file], model=ScriptedModel(steps))
    state = (await Runner.run(agent, "clean up")).to_state()
    restored = await RunState.from_json(agent, json.loads(state.to_string()))
    restored.approve(restored.interruptions[0])
    result = await Runner.run(agent, restored)
    assert result.final_output == "done"
    assert result.to_input_list()[1] == refusal_message(refusal="Not that one.")
    (refused,) = [i for i in result.new_items if isinstance(i, MessageOutputItem) and i.refusal]
    assert refused.refusal == "Not that one."


@pytest.mark.parametrize("mode", MODES)
async def test_an_answer_the_content_filter_withheld_is_a_refusal_on_chat_completions(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, mode: str
) -> None:
    """As the SDK: ``finish_reason="content_filter"`` with nothing else is a refusal, not an empty final output."""
    fake_openai.enqueue(text="", finish_reason="content_filter")
    agent = Agent("Chef", model=wire_model("chat", client))
    with pytest.raises(ModelRefusalError) as caught:
        await run(agent, mode)
    assert caught.value.refusal == "Response withheld by the provider's content filter."
