"""Compatibility: runner-managed model retries, ``ModelSettings(retry=ModelRetrySettings(...))``, as in the OpenAI
Agents SDK (``agents.retry`` and its runner).

The cases the SDK's retry tests pin down: retries are opt-in (nothing without a policy, nothing beyond
``max_retries``); the policy gets the attempt, the budget, the stream flag and normalized facts (status, error code,
``Retry-After``, network / timeout / abort); its delay beats ``Retry-After``, which beats backoff (``initial_delay *
multiplier ** n`` capped at ``max_delay``); ``retry_policies`` compose with ``any`` / ``all``, a provider veto winning
and later positive metadata merging; a cancellation, a stream that already produced output, a stateful request
(``previous_response_id``) without provider replay-safety and a provider-unsafe replay are never retried, except
that ``approve_unsafe_replay`` lifts the last two for a non-streamed call; failed attempts count in
``usage.requests``; runner settings deep-merge over the agent's; the policy is never serialized. Over the wire (the
official openai client against the fake server): a 500 / 429 retried, ``x-should-retry`` honoured, and the client's
own retries off on the runtime's replays and with ``max_retries=0``.

Ours, because the SDK's tracing is not OpenTelemetry: every attempt is its own ``chat`` span; a retried failure has
an ``agents_otel.retry`` event (attempt, delay) after its exception event, and each retry carries
``agents_otel.retry.attempt``. The backoff wait is cancelled at once with the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    Model,
    ModelConnectionError,
    ModelHTTPError,
    ModelRequest,
    ModelResponse,
    ModelRetryAdvice,
    ModelRetryAdviceRequest,
    ModelRetryBackoffSettings,
    ModelRetryNormalizedError,
    ModelRetrySettings,
    ModelSettings,
    RetryDecision,
    RetryPolicyContext,
    RunConfig,
    Runner,
    TextDelta,
    UserError,
    retry_policies,
)
from agents_otel import model_retry as runtime
from agents_otel.models.interface import ModelStreamEvent
from agents_otel.testing import ScriptedModel, assistant_message

NO_WAIT = ModelRetryBackoffSettings(initial_delay=0, jitter=False)


def settings(policy: Any, max_retries: int | None = 3, **kwargs: Any) -> ModelSettings:
    return ModelSettings(retry=ModelRetrySettings(max_retries=max_retries, backoff=NO_WAIT, policy=policy, **kwargs))


def config(tracing: Tracing, model_settings: ModelSettings | None = None) -> RunConfig:
    return RunConfig(tracer_provider=tracing.provider, model_settings=model_settings)


async def run_with(model: Model, model_settings: ModelSettings, tracing: Tracing) -> Any:
    return await Runner.run(Agent("A", model=model, model_settings=model_settings), "hi", run_config=config(tracing))


def drop() -> ModelConnectionError:
    return ModelConnectionError("Could not reach the model server", error_type="connection_error")


class Advising(ScriptedModel):
    """A scripted model with an opinion on its failures, as a provider's model has."""

    def __init__(self, steps: list[Any], advice: ModelRetryAdvice | None) -> None:
        super().__init__(steps)
        self.advice = advice
        self.asked: list[ModelRetryAdviceRequest] = []

    def get_retry_advice(self, request: ModelRetryAdviceRequest) -> ModelRetryAdvice | None:
        self.asked.append(request)
        return self.advice


def recording(policy: Any, seen: list[RetryPolicyContext]) -> Any:
    def record(context: RetryPolicyContext) -> Any:
        seen.append(context)
        return policy(context)

    return record


# ---------------------------------------------------------------- opt-in, budget, telemetry


async def test_without_retry_settings_a_failed_call_fails_the_run_after_one_call(tracing: Tracing) -> None:
    model = ScriptedModel([drop(), [assistant_message("never")]])
    with pytest.raises(ModelConnectionError):
        await Runner.run(Agent("A", model=model), "hi", run_config=config(tracing))
    assert len(model.calls) == 1


async def test_a_policy_without_max_retries_retries_nothing(tracing: Tracing) -> None:
    model = ScriptedModel([drop(), [assistant_message("never")]])
    agent = Agent("A", model=model, model_settings=settings(retry_policies.network_error(), max_retries=None))
    with pytest.raises(ModelConnectionError):
        await Runner.run(agent, "hi", run_config=config(tracing))
    assert len(model.calls) == 1


async def test_a_retried_failure_is_its_own_chat_span_and_counts_as_a_request(tracing: Tracing) -> None:
    model = ScriptedModel([drop(), drop(), [assistant_message("hello")]])
    agent = Agent("A", model=model, model_settings=settings(retry_policies.network_error()))
    result = await Runner.run(agent, "hi", run_config=config(tracing))
    assert result.final_output == "hello"
    assert len(model.calls) == 3
    assert result.context_wrapper.usage.requests == 3  # the failed attempts were requests too, as in the SDK
    first, second, third = tracing.named("chat")
    for failed, retry in ((first, 1), (second, 2)):
        assert failed.status.status_code.name == "ERROR"
        assert failed.attributes["error.type"] == "connection_error"
        assert [e.name for e in failed.events] == ["exception", "agents_otel.retry"]
        assert dict(failed.events[1].attributes) == {"agents_otel.retry.attempt": retry, "agents_otel.retry.delay": 0.0}
    assert "agents_otel.retry.attempt" not in first.attributes
    assert (second.attributes["agents_otel.retry.attempt"], third.attributes["agents_otel.retry.attempt"]) == (1, 2)
    assert third.status.status_code.name != "ERROR"
    (agent_span,) = tracing.named("invoke_agent")
    assert agent_span.status.status_code.name != "ERROR"


async def test_the_budget_bounds_the_retries_and_the_policy_sees_each_attempt(tracing: Tracing) -> None:
    seen: list[RetryPolicyContext] = []
    model = ScriptedModel([drop(), drop(), drop(), [assistant_message("never")]])
    agent = Agent("A", model=model, model_settings=settings(recording(retry_policies.network_error(), seen), 2))
    with pytest.raises(ModelConnectionError):
        await Runner.run(agent, "hi", run_config=config(tracing))
    assert len(model.calls) == 3
    assert [(c.attempt, c.max_retries, c.stream) for c in seen] == [(1, 2, False), (2, 2, False)]
    assert seen[0].normalized.is_network_error and not seen[0].normalized.is_abort
    last = tracing.named("chat")[-1]
    assert [e.name for e in last.events] == ["exception"]  # the final failure: no retry event


async def test_a_policy_that_says_no_ends_the_run_and_a_wrong_answer_is_a_user_error(tracing: Tracing) -> None:
    model = ScriptedModel([ModelHTTPError("HTTP 400", error_type="400", status_code=400), [assistant_message("x")]])
    agent = Agent("A", model=model, model_settings=settings(retry_policies.http_status([500, 503])))
    with pytest.raises(ModelHTTPError):
        await Runner.run(agent, "hi", run_config=config(tracing))
    assert len(model.calls) == 1
    wrong = Agent("B", model=ScriptedModel([drop()]), model_settings=settings(lambda context: "yes"))
    with pytest.raises(UserError, match="bool or a RetryDecision"):
        await Runner.run(wrong, "hi", run_config=config(tracing))


async def test_an_async_policy_is_awaited(tracing: Tracing) -> None:
    async def policy(context: RetryPolicyContext) -> RetryDecision:
        return RetryDecision(retry=True, delay=0, reason="flaky")

    model = ScriptedModel([drop(), [assistant_message("ok")]])
    result = await run_with(model, settings(policy), tracing)
    assert result.final_output == "ok"


# ---------------------------------------------------------------- delays


async def test_backoff_grows_by_multiplier_up_to_max_delay_and_a_policy_delay_wins(
    tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    waited: list[float] = []

    async def no_sleep(delay: float) -> None:
        waited.append(delay)

    monkeypatch.setattr(runtime, "sleep", no_sleep)
    backoff = {"initial_delay": 0.5, "multiplier": 2, "max_delay": 1.5, "jitter": False}
    retry = ModelRetrySettings(max_retries=4, backoff=backoff, policy=retry_policies.network_error())
    model = ScriptedModel([drop(), drop(), drop(), [assistant_message("ok")]])
    await run_with(model, ModelSettings(retry=retry), tracing)
    assert waited == [0.5, 1.0, 1.5]
    assert [s.events[1].attributes["agents_otel.retry.delay"] for s in tracing.named("chat")[:3]] == waited

    waited.clear()
    explicit = ModelRetrySettings(max_retries=1, backoff=backoff, policy=lambda c: RetryDecision(retry=True, delay=7))
    model = ScriptedModel([drop(), [assistant_message("ok")]])
    await run_with(model, ModelSettings(retry=explicit), tracing)
    assert waited == [7]


def test_jittered_backoff_stays_within_an_eighth_and_under_max_delay() -> None:
    settings_ = ModelRetryBackoffSettings(initial_delay=1.0, multiplier=2.0, max_delay=3.0)
    for _ in range(50):
        assert 0.875 <= runtime.backoff_delay(1, settings_) <= 1.125
        assert runtime.backoff_delay(5, settings_) <= 3.0


async def test_the_cancelled_run_stops_during_backoff_at_once(tracing: Tracing) -> None:
    failed = asyncio.Event()

    def policy(context: RetryPolicyContext) -> RetryDecision:
        failed.set()
        return RetryDecision(retry=True, delay=3600)

    model = ScriptedModel([drop(), [assistant_message("never")]])
    task = asyncio.create_task(
        Runner.run(Agent("A", model=model, model_settings=settings(policy)), "hi", run_config=config(tracing))
    )
    await failed.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 30)  # a safety net: a backoff that ignored the cancel would wait an hour
    assert len(model.calls) == 1


# ---------------------------------------------------------------- policies and their composition


def context(advice: ModelRetryAdvice | None = None, **normalized: Any) -> RetryPolicyContext:
    return RetryPolicyContext(
        error=RuntimeError("x"), attempt=1, max_retries=3, stream=False,
        normalized=ModelRetryNormalizedError(**normalized), provider_advice=advice,
    )  # fmt: skip


async def decide(policy: Any, ctx: RetryPolicyContext) -> RetryDecision:
    from agents_otel.retry import evaluate_policy

    return await evaluate_policy(policy, ctx)


async def test_ready_made_policies_match_what_they_name() -> None:
    p = retry_policies
    assert (await decide(p.network_error(), context(is_timeout=True))).retry
    assert not (await decide(p.network_error(), context(status_code=500))).retry
    assert (await decide(p.http_status([429]), context(status_code=429))).retry
    assert not (await decide(p.never(), context(is_network_error=True))).retry
    assert (await decide(p.retry_after(), context(retry_after=3.0))).delay == 3.0
    assert not (await decide(p.retry_after(), context())).retry
    assert (await decide(p.provider_suggested(), context(ModelRetryAdvice(suggested=True, retry_after=2)))).delay == 2
    assert not (await decide(p.provider_suggested(), context())).retry


async def test_any_and_all_combine_and_later_positive_metadata_wins() -> None:
    p = retry_policies
    timeout = context(is_timeout=True, status_code=504)
    assert (await decide(p.any(p.never(), p.network_error()), timeout)).retry
    assert not (await decide(p.all(p.network_error(), p.http_status([500])), timeout)).retry
    assert (await decide(p.all(p.network_error(), p.http_status([504])), timeout)).retry
    first = lambda c: RetryDecision(retry=True, delay=1, reason="first")  # noqa: E731
    later = lambda c: RetryDecision(retry=True, delay=5)  # noqa: E731
    merged = await decide(p.any(first, later), timeout)
    assert (merged.retry, merged.delay, merged.reason) == (True, 5, "first")
    assert not (await decide(p.any(), timeout)).retry and not (await decide(p.all(), timeout)).retry


async def test_a_provider_veto_beats_other_policies_and_only_an_explicit_approval_lifts_an_unsafe_one() -> None:
    p = retry_policies
    refused = context(ModelRetryAdvice(suggested=False, reason="no"), is_network_error=True)
    assert not (await decide(p.any(p.provider_suggested(), p.network_error()), refused)).retry
    unsafe = context(ModelRetryAdvice(suggested=False, replay_safety="unsafe"), is_network_error=True)
    assert not (await decide(p.any(p.provider_suggested(), p.network_error()), unsafe)).retry
    approve = lambda c: RetryDecision(retry=True, approve_unsafe_replay=True)  # noqa: E731
    assert (await decide(p.any(p.provider_suggested(), approve), unsafe)).approve_unsafe_replay


def test_the_context_reports_replay_safety_as_captured_before_any_policy() -> None:
    advice = ModelRetryAdvice(suggested=True, replay_safety="maybe", response_started=True)
    ctx = context(advice)
    assert (ctx.replay_safety, ctx.response_started, ctx.stateful_request) == ("unknown", True, False)
    advice.replay_safety = "safe"  # a policy editing the advice does not change what the provider said
    assert ctx.replay_safety == "unknown"


# ---------------------------------------------------------------- vetoes the policy cannot lift


async def test_a_stateful_request_retries_only_with_provider_replay_safety(tracing: Tracing) -> None:
    policy = retry_policies.network_error()
    model = Advising([drop(), [assistant_message("never")]], advice=None)
    agent = Agent("A", model=model, model_settings=settings(policy))
    with pytest.raises(ModelConnectionError):
        await Runner.run(agent, "hi", previous_response_id="resp_1", run_config=config(tracing))
    assert len(model.calls) == 1
    safe = Advising([drop(), [assistant_message("ok")]], ModelRetryAdvice(suggested=True, replay_safety="safe"))
    agent = Agent("A", model=safe, model_settings=settings(retry_policies.any(retry_policies.provider_suggested())))
    result = await Runner.run(agent, "hi", previous_response_id="resp_1", run_config=config(tracing))
    assert result.final_output == "ok"
    assert safe.asked[0].previous_response_id == "resp_1" and safe.asked[0].attempt == 1


async def test_a_provider_unsafe_replay_needs_an_explicit_approval_and_never_replays_a_stream(tracing: Tracing) -> None:
    unsafe = ModelRetryAdvice(suggested=False, replay_safety="unsafe", reason="request may have been accepted")
    plain = Advising([drop(), [assistant_message("never")]], unsafe)
    agent = Agent("A", model=plain, model_settings=settings(lambda c: True))
    with pytest.raises(ModelConnectionError):
        await Runner.run(agent, "hi", run_config=config(tracing))
    assert len(plain.calls) == 1

    def approve(c: RetryPolicyContext) -> RetryDecision:
        return RetryDecision(retry=True, approve_unsafe_replay=True)

    approved = Advising([drop(), [assistant_message("ok")]], unsafe)
    result = await run_with(approved, settings(approve), tracing)
    assert result.final_output == "ok"

    streamed = Advising([drop(), [assistant_message("never")]], unsafe)
    agent = Agent("A", model=streamed, model_settings=settings(approve))
    run = Runner.run_streamed(agent, "hi", run_config=config(tracing))
    with pytest.raises(ModelConnectionError):
        async for _ in run.stream_events():
            pass
    assert len(streamed.calls) == 1


async def test_a_cancellation_inside_the_error_is_never_retried(tracing: Tracing) -> None:
    aborted = RuntimeError("aborted")
    aborted.__cause__ = asyncio.CancelledError()
    model = ScriptedModel([aborted, [assistant_message("never")]])
    with pytest.raises(RuntimeError, match="aborted"):
        await run_with(model, settings(lambda c: True), tracing)
    assert len(model.calls) == 1


async def test_provider_normalized_facts_override_only_what_they_name(tracing: Tracing) -> None:
    seen: list[RetryPolicyContext] = []
    advice = ModelRetryAdvice(normalized=ModelRetryNormalizedError(status_code=503, is_network_error=False))
    model = Advising([drop(), [assistant_message("ok")]], advice)
    agent = Agent("A", model=model, model_settings=settings(recording(retry_policies.http_status([503]), seen)))
    assert (await Runner.run(agent, "hi", run_config=config(tracing))).final_output == "ok"
    facts = seen[0].normalized
    assert (facts.status_code, facts.is_network_error) == (503, False)
    assert facts.message == "Could not reach the model server"


class Flaky(Model):
    """Streams ``fail_after`` deltas, then fails, on its first call; answers whole on the next."""

    model_name = "flaky"

    def __init__(self, fail_after: int) -> None:
        self.fail_after = fail_after
        self.calls = 0

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        raise AssertionError("streamed only")

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        self.calls += 1
        if self.calls == 1:
            yield TextDelta("", raw=type("Created", (), {"type": "response.created"})())
            for _ in range(self.fail_after):
                yield TextDelta("half ")
            raise drop()
        yield TextDelta("whole")
        yield ModelResponse([assistant_message("whole")])


@pytest.mark.parametrize(("fail_after", "retried"), [(0, True), (1, False)])
async def test_a_stream_is_retried_only_before_any_output(tracing: Tracing, fail_after: int, retried: bool) -> None:
    model = Flaky(fail_after)
    agent = Agent("A", model=model, model_settings=settings(retry_policies.network_error()))
    run = Runner.run_streamed(agent, "hi", run_config=config(tracing))
    deltas = []
    if retried:
        async for event in run.stream_events():
            if event.type == "raw_response_event":
                deltas.append(event.data.delta)
        assert (deltas, run.final_output, model.calls) == (["whole"], "whole", 2)
    else:
        with pytest.raises(ModelConnectionError):
            async for _ in run.stream_events():
                pass
        assert model.calls == 1


# ---------------------------------------------------------------- settings


async def test_runner_retry_settings_deep_merge_over_the_agents(tracing: Tracing) -> None:
    agent_retry = ModelRetrySettings(max_retries=1, backoff={"initial_delay": 0, "max_delay": 1.0}, policy=None)
    run_retry = ModelRetrySettings(backoff={"jitter": False}, policy=retry_policies.network_error())
    merged = ModelSettings(retry=agent_retry).resolve(ModelSettings(retry=run_retry)).retry
    assert merged is not None and merged.max_retries == 1 and merged.policy is run_retry.policy
    assert merged.backoff == ModelRetryBackoffSettings(initial_delay=0, max_delay=1.0, jitter=False)
    model = ScriptedModel([drop(), [assistant_message("ok")]])
    agent = Agent("A", model=model, model_settings=ModelSettings(retry=agent_retry))
    result = await Runner.run(agent, "hi", run_config=config(tracing, ModelSettings(retry=run_retry)))
    assert result.final_output == "ok"


def test_settings_take_dicts_drop_the_policy_from_json_and_refuse_bad_values() -> None:
    made = ModelSettings(retry={"max_retries": 2, "backoff": {"initial_delay": 0.1}, "policy": retry_policies.never()})
    assert made.retry is not None and isinstance(made.retry.backoff, ModelRetryBackoffSettings)
    assert made.retry.to_json_dict() == {
        "max_retries": 2,
        "backoff": {"initial_delay": 0.1, "max_delay": None, "multiplier": None, "jitter": None},
    }
    with pytest.raises(UserError):
        ModelRetryBackoffSettings(initial_delay=-1)
    with pytest.raises(UserError):
        ModelRetrySettings(backoff={"max_delay": -0.5})
    with pytest.raises(UserError):
        ModelRetrySettings(policy="always")  # type: ignore[arg-type]
    with pytest.raises(UserError):
        ModelSettings(retry=3)  # type: ignore[arg-type]
    assert ModelRetryBackoffSettings(initial_delay=0, max_delay=0, multiplier=0).initial_delay == 0


# ---------------------------------------------------------------- over the wire


@pytest.mark.parametrize("api", ["responses", "chat"])
@pytest.mark.parametrize("status", [500, 429])
async def test_a_server_error_is_retried_over_the_wire(
    fake_openai: FakeOpenAIServer, tracing: Tracing, api: str, status: int
) -> None:
    fake_openai.enqueue_error(status)
    fake_openai.enqueue(text="recovered")
    async with fake_openai.client(max_retries=0) as client:
        agent = Agent("A", model=wire_model(api, client), model_settings=settings(retry_policies.provider_suggested()))
        result = await Runner.run(agent, "hi", run_config=config(tracing))
    assert result.final_output == "recovered"
    assert len(fake_openai.requests) == 2
    failed, ok = tracing.named("chat")
    assert failed.attributes["error.type"] == str(status)
    assert failed.events[-1].attributes["agents_otel.retry.delay"] == 0.001  # the server's retry-after-ms
    assert ok.attributes["agents_otel.retry.attempt"] == 1


@pytest.mark.parametrize("api", ["responses", "chat"])
async def test_a_streamed_call_is_retried_over_the_wire(
    fake_openai: FakeOpenAIServer, tracing: Tracing, api: str
) -> None:
    fake_openai.enqueue_error(503)
    fake_openai.enqueue(text="streamed again")
    async with fake_openai.client(max_retries=0) as client:
        agent = Agent("A", model=wire_model(api, client), model_settings=settings(retry_policies.http_status([503])))
        run = Runner.run_streamed(agent, "hi", run_config=config(tracing))
        events = [e async for e in run.stream_events()]
        text = "".join(e.text_delta for e in events if e.type == "raw_response_event" and e.text_delta)
    assert (text, run.final_output, len(fake_openai.requests)) == ("streamed again", "streamed again", 2)


async def test_the_clients_own_retries_stop_on_the_runtimes_replays(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    for _ in range(3):  # the client's first try and its two retries
        fake_openai.enqueue_error(500)
    fake_openai.enqueue_error(500)  # the runtime's replay: the client must not retry it by itself
    fake_openai.enqueue(text="unused")
    agent = Agent("A", model=wire_model("responses", client), model_settings=settings(lambda c: True, 1))
    with pytest.raises(ModelHTTPError):
        await Runner.run(agent, "hi", run_config=config(tracing))
    assert len(fake_openai.requests) == 4
    assert len(tracing.named("chat")) == 2


async def test_max_retries_zero_turns_the_clients_own_retries_off(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue_error(500)
    fake_openai.enqueue(text="unused")
    agent = Agent("A", model=wire_model("chat", client), model_settings=settings(retry_policies.never(), 0))
    with pytest.raises(ModelHTTPError):
        await Runner.run(agent, "hi", run_config=config(tracing))
    assert len(fake_openai.requests) == 1


async def test_the_servers_x_should_retry_false_is_a_veto(
    fake_openai: FakeOpenAIServer, tracing: Tracing
) -> None:
    fake_openai.enqueue_error(500, headers={"x-should-retry": "false"})
    fake_openai.enqueue(text="unused")
    policy = retry_policies.any(retry_policies.provider_suggested(), retry_policies.http_status([500]))
    async with fake_openai.client(max_retries=0) as client:
        agent = Agent("A", model=wire_model("responses", client), model_settings=settings(policy))
        with pytest.raises(ModelHTTPError):
            await Runner.run(agent, "hi", run_config=config(tracing))
    assert len(fake_openai.requests) == 1
