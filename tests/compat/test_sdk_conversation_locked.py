"""Compatibility: OpenAI's ``conversation_locked`` error is retried, as in the OpenAI Agents SDK.

A 400 whose error code is ``conversation_locked`` (another request is using the conversation) is tried again up to 3
times, after 1s, 2s and 4s, even without ``ModelSettings.retry``; with ``retry`` set the lock retries come on top
of (do not count against) ``max_retries``, and ``ModelRetrySettings(max_retries=0)`` turns them off. Learnt from the
SDK's src/agents/run_internal/model_retry.py (its compatibility retries). Ours, as for every retry here: each
attempt is a ``chat`` span of its own, the failed one with an ``agents_otel.retry`` event. Over the wire: the
official openai client against the fake server; the backoff wait is ``agents_otel.model_retry.sleep``, replaced.
"""

from __future__ import annotations

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing, wire_model

from agents_otel import Agent, ModelHTTPError, ModelRetrySettings, ModelSettings, RunConfig, Runner, retry_policies
from agents_otel import model_retry as runtime

LOCKED = "Another process is currently operating on this conversation. Please retry in a few seconds."


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []

    async def no_sleep(delay: float) -> None:
        waited.append(delay)

    monkeypatch.setattr(runtime, "sleep", no_sleep)
    return waited


def lock(fake_openai: FakeOpenAIServer, times: int = 1) -> None:
    for _ in range(times):
        fake_openai.enqueue_error(400, LOCKED, code="conversation_locked")


@pytest.mark.parametrize("api", ["responses", "chat"])
async def test_a_locked_conversation_is_retried_without_retry_settings(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing, waits: list[float], api: str
) -> None:
    lock(fake_openai)
    fake_openai.enqueue(text="unlocked")
    agent = Agent("A", model=wire_model(api, client))
    result = await Runner.run(agent, "hi", run_config=RunConfig(tracer_provider=tracing.provider))

    assert result.final_output == "unlocked"
    assert len(fake_openai.requests) == 2 and waits == [1.0]
    assert result.context_wrapper.usage.requests == 2  # the failed attempt was a request too
    failed, ok = tracing.named("chat")
    assert failed.attributes["error.type"] == "400"
    assert [e.name for e in failed.events][-1] == "agents_otel.retry"
    assert failed.events[-1].attributes["agents_otel.retry.delay"] == 1.0
    assert ok.attributes["agents_otel.retry.attempt"] == 1 and "error.type" not in ok.attributes


async def test_up_to_three_retries_with_the_sdks_waits_then_the_error(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing, waits: list[float]
) -> None:
    lock(fake_openai, 3)
    fake_openai.enqueue(text="third time lucky")
    agent = Agent("A", model=wire_model("responses", client))
    result = await Runner.run(agent, "hi")
    assert (result.final_output, waits, len(fake_openai.requests)) == ("third time lucky", [1.0, 2.0, 4.0], 4)

    waits.clear()
    lock(fake_openai, 4)
    fake_openai.enqueue(text="never asked for")
    with pytest.raises(ModelHTTPError) as raised:
        await Runner.run(agent, "hi")
    assert isinstance(raised.value, openai.BadRequestError) and raised.value.code == "conversation_locked"
    assert waits == [1.0, 2.0, 4.0] and len(fake_openai.requests) == 8


async def test_a_streamed_call_is_retried_too(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, waits: list[float]
) -> None:
    lock(fake_openai)
    fake_openai.enqueue(text="streamed after the lock")
    run = Runner.run_streamed(Agent("A", model=wire_model("responses", client)), "hi")
    text = "".join([e.text_delta async for e in run.stream_events() if e.type == "raw_response_event" and e.text_delta])
    assert (text, run.final_output, waits) == ("streamed after the lock", "streamed after the lock", [1.0])


async def test_other_bad_requests_are_not_retried(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, waits: list[float]
) -> None:
    fake_openai.enqueue_error(400, "Invalid 'input'.")
    fake_openai.enqueue(text="unused")
    with pytest.raises(ModelHTTPError):
        await Runner.run(Agent("A", model=wire_model("responses", client)), "hi")
    assert waits == [] and len(fake_openai.requests) == 1


async def test_with_retry_settings_lock_retries_come_on_top_and_max_retries_zero_turns_them_off(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, waits: list[float]
) -> None:
    # a policy that retries nothing, with a budget of 1: the lock is still retried, and does not use the budget
    never = ModelSettings(retry=ModelRetrySettings(max_retries=1, policy=retry_policies.never()))
    lock(fake_openai, 2)
    fake_openai.enqueue(text="ok")
    result = await Runner.run(Agent("A", model=wire_model("responses", client), model_settings=never), "hi")
    assert result.final_output == "ok" and waits == [1.0, 2.0]

    waits.clear()
    budget = ModelSettings(retry=ModelRetrySettings(max_retries=1, policy=retry_policies.http_status([500])))
    lock(fake_openai, 1)
    fake_openai.enqueue_error(500)
    fake_openai.enqueue(text="after both")
    async with fake_openai.client(max_retries=0) as own:
        result = await Runner.run(Agent("A", model=wire_model("responses", own), model_settings=budget), "hi")
    assert result.final_output == "after both" and waits[0] == 1.0 and len(waits) == 2

    waits.clear()
    off = ModelSettings(retry=ModelRetrySettings(max_retries=0))
    lock(fake_openai)
    fake_openai.enqueue(text="unused")
    before = len(fake_openai.requests)
    with pytest.raises(ModelHTTPError):
        await Runner.run(Agent("A", model=wire_model("responses", client), model_settings=off), "hi")
    assert waits == [] and len(fake_openai.requests) == before + 1
