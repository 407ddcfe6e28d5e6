"""Compatibility with the OpenAI Agents SDK 0.25.0's "preserve usage from failed and incomplete Responses calls"
(#6046): the tokens a Responses call reported before failing count in the run's usage (also when the call is
retried) and on its ``chat`` span (an ``incomplete`` response is an answer here, its usage counted as any other);
and "improve missing stream completion diagnostics" (#5457): what a cut stream's error says.

Learnt from the SDK 0.25's ``_response_terminal`` / ``run_internal/model_retry`` and its test
``test_runner_counts_usage_from_retried_incomplete_response``. The official ``openai`` client decodes each answer;
the HTTP exchange is an ``httpx.MockTransport`` because the local fake server does not answer ``failed``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from support import Tracing

from agents_otel import (
    Agent,
    ModelError,
    ModelRetrySettings,
    ModelSettings,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
)


def response(status: str, tokens: tuple[int, int], text: str | None = None) -> dict[str, Any]:
    output = [] if text is None else [{
        "type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }]  # fmt: skip
    return {
        "id": "resp_1", "object": "response", "created_at": 0, "model": "gpt-4.1", "status": status,
        "output": output, "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
        "error": {"code": "server_error", "message": "it broke"} if status == "failed" else None,
        "usage": {
            "input_tokens": tokens[0], "output_tokens": tokens[1], "total_tokens": sum(tokens),
            "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0},
        },
    }  # fmt: skip


def model_answering(*answers: dict[str, Any], stream: bool = False) -> OpenAIResponsesModel:
    queue: Iterator[dict[str, Any]] = iter(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        body = next(queue)
        if not stream:
            return httpx.Response(200, json=body)
        kind = "response.failed" if body["status"] == "failed" else "response.completed"
        events = [{"type": "response.created", "sequence_number": 0, "response": {**body, "status": "in_progress"}},
                  {"type": kind, "sequence_number": 1, "response": body}]  # fmt: skip
        text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
        return httpx.Response(200, text=text, headers={"content-type": "text/event-stream"})

    client = openai.AsyncOpenAI(
        api_key="sk-test", base_url="http://provider.test/v1", max_retries=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
    )  # fmt: skip
    return OpenAIResponsesModel("gpt-4.1", openai_client=client)


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_failed_responses_usage_counts(tracing: Tracing, streamed: bool) -> None:
    agent = Agent("A", model=model_answering(response("failed", (12, 16)), stream=streamed))
    config = RunConfig(tracer_provider=tracing.provider)
    with pytest.raises(ModelError, match="it broke") as caught:
        if streamed:
            result = Runner.run_streamed(agent, "hi", run_config=config)
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "hi", run_config=config)
    assert caught.value.run_data is not None
    usage = caught.value.run_data.context_wrapper.usage
    assert (usage.requests, usage.input_tokens, usage.output_tokens, usage.total_tokens) == (1, 12, 16, 28)
    (chat,) = [s for s in tracing.spans() if s.name.startswith("chat ")]
    attributes = chat.attributes or {}
    assert attributes["gen_ai.usage.input_tokens"] == 12 and attributes["gen_ai.usage.output_tokens"] == 16


@pytest.mark.parametrize("retry_completes", [True, False], ids=["completed", "failed"])
async def test_a_retried_failed_responses_usage_counts(retry_completes: bool) -> None:
    second = response("completed", (5, 2), "ok") if retry_completes else response("failed", (5, 2))
    retry = ModelRetrySettings(max_retries=1, policy=lambda _: True, backoff={"initial_delay": 0})
    agent = Agent(
        "A", model=model_answering(response("failed", (12, 16)), second), model_settings=ModelSettings(retry=retry)
    )
    if retry_completes:
        result = await Runner.run(agent, "hi")
        assert result.final_output == "ok"
        usage = result.context_wrapper.usage
        assert result.raw_responses[0].usage.requests == 2
    else:
        with pytest.raises(ModelError, match="it broke") as caught:
            await Runner.run(agent, "hi")
        assert caught.value.run_data is not None
        usage = caught.value.run_data.context_wrapper.usage
    assert usage.requests == 2
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (17, 18, 35)
    assert [entry.total_tokens for entry in usage.request_usage_entries] == [28, 7]


# --- missing stream completion diagnostics (#5457) -------------------------------------------------------------


@pytest.mark.parametrize("empty", [False, True], ids=["partial-output", "empty"])
async def test_a_stream_without_its_completion_says_what_was_seen(empty: bool) -> None:
    created = response("completed", (1, 1))
    created.update(status="in_progress", id="resp_seen", instructions="private instructions")
    events = [
        {"type": "response.created", "sequence_number": 0, "response": created},
        {"type": "response.output_text.delta", "sequence_number": 1, "item_id": "msg_1", "output_index": 0,
         "content_index": 0, "delta": "private output", "logprobs": []},
    ]  # fmt: skip
    text = "" if empty else "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    headers = {"content-type": "text/event-stream", "x-request-id": "req_seen"}
    client = openai.AsyncOpenAI(
        api_key="sk-test", base_url="http://provider.test/v1", max_retries=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(200, text=text,
                                                                                            headers=headers))),
    )  # fmt: skip
    result = Runner.run_streamed(Agent("A", model=OpenAIResponsesModel("gpt-4.1", openai_client=client)), "private")
    with pytest.raises(ModelError) as caught:
        async for _ in result.stream_events():
            pass
    message = str(caught.value)
    assert message.startswith("Model did not produce a final response!")
    assert "stream ended before a response.completed event was received" in message
    assert f"event_count={0 if empty else 2}" in message
    assert f"last_event_type={None if empty else 'response.output_text.delta'!r}" in message
    assert f"response_id={None if empty else 'resp_seen'!r}" in message
    assert f"request_id={None if empty else 'req_seen'!r}" in message
    assert "private" not in message
    assert caught.value.error_type == "incomplete_stream"
