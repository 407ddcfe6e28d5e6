"""Compatibility: usage per request, as in the OpenAI Agents SDK (``agents.usage``).

``Usage.request_usage_entries`` keeps one ``RequestUsage`` per model request (src/agents/usage.py and
tests/test_usage.py): ``Usage.add`` merges another usage's entries, or records it as one entry when it is a single
request that used tokens; a retried call gets a zero entry per failed attempt first (the SDK's
run_internal/model_retry.py). ``serialize_usage`` / ``deserialize_usage`` use the SDK's JSON shape; a paused
run's JSON keeps the entries. Deliberate difference: ``Usage.total_tokens`` is computed here (not a field), so a
stored total is not read back for the sum; an entry's is.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import Tracing

from agents_otel import Agent, ModelSettings, RunConfig, Runner, RunState, function_tool
from agents_otel.exceptions import ModelConnectionError, UserError
from agents_otel.retry import ModelRetrySettings, retry_policies
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.usage import (
    InputTokensDetails,
    OutputTokensDetails,
    RequestUsage,
    Usage,
    deserialize_usage,
    serialize_usage,
)


def one_request(input_tokens: int, output_tokens: int, cached: int = 0, reasoning: int = 0) -> Usage:
    return Usage(requests=1, input_tokens=input_tokens, output_tokens=output_tokens,
                 input_tokens_details=InputTokensDetails(cached), output_tokens_details=OutputTokensDetails(reasoning))


def entries(usage: Usage) -> list[tuple[int, int, int, int, int]]:
    return [(e.input_tokens, e.output_tokens, e.total_tokens, e.input_tokens_details.cached_tokens,
             e.output_tokens_details.reasoning_tokens) for e in usage.request_usage_entries]


def test_a_request_usage_holds_what_it_is_given() -> None:
    entry = RequestUsage(input_tokens=100, output_tokens=200, total_tokens=300,
                         input_tokens_details=InputTokensDetails(cached_tokens=10),
                         output_tokens_details=OutputTokensDetails(reasoning_tokens=20))
    assert (entry.input_tokens, entry.output_tokens, entry.total_tokens) == (100, 200, 300)
    assert entry.input_tokens_details.cached_tokens == 10 and entry.output_tokens_details.reasoning_tokens == 20
    assert Usage().request_usage_entries == []


def test_adding_single_requests_records_one_entry_each() -> None:
    total = Usage()
    total.add(one_request(100, 200, cached=10, reasoning=20))
    total.add(one_request(50, 75, cached=5, reasoning=10))
    assert entries(total) == [(100, 200, 300, 10, 20), (50, 75, 125, 5, 10)]
    assert (total.requests, total.input_tokens, total.output_tokens, total.total_tokens) == (2, 150, 275, 425)


@pytest.mark.parametrize("usage", [one_request(0, 0), Usage(requests=3, input_tokens=100, output_tokens=200)],
                         ids=["zero tokens", "several requests"])
def test_a_usage_that_cannot_be_one_priced_request_adds_no_entry(usage: Usage) -> None:
    total = Usage()
    total.add(usage)
    assert total.request_usage_entries == []
    assert total.requests == usage.requests


def test_existing_entries_are_merged_rather_than_synthesized_and_detached() -> None:
    source_entry = RequestUsage(100, 50, 150, InputTokensDetails(10), OutputTokensDetails(5))
    source = Usage(requests=1, input_tokens=100, output_tokens=50, request_usage_entries=[source_entry])
    total = Usage()
    total.add(source)
    source_entry.input_tokens = 999
    source_entry.input_tokens_details.cached_tokens = 99
    assert entries(total) == [(100, 50, 150, 10, 5)]  # the entry's details, not the top level's zeros

    synthesized = one_request(100, 50, cached=10, reasoning=5)
    total.add(synthesized)
    synthesized.input_tokens_details.cached_tokens = 99
    assert entries(total)[1] == (100, 50, 150, 10, 5)


async def test_a_run_has_one_entry_per_model_call_matching_its_chat_span(tracing: Tracing) -> None:
    @function_tool
    def lookup(q: str) -> str:
        """Look something up."""
        return "found"

    model = ScriptedModel([[function_call("lookup", {"q": "x"})], [assistant_message("done")]])
    agent = Agent("A", model=model, tools=[lookup])
    result = await Runner.run(agent, "hi", run_config=RunConfig(tracer_provider=tracing.provider))
    usage = result.context_wrapper.usage
    spans = tracing.named("chat")
    assert len(usage.request_usage_entries) == len(spans) == 2
    for entry, span in zip(usage.request_usage_entries, spans, strict=True):
        assert entry.input_tokens == span.attributes["gen_ai.usage.input_tokens"]
        assert entry.output_tokens == span.attributes["gen_ai.usage.output_tokens"]
        assert entry.total_tokens == entry.input_tokens + entry.output_tokens > 0
    assert sum(e.total_tokens for e in usage.request_usage_entries) == usage.total_tokens


async def test_a_models_own_entries_reach_the_run() -> None:
    reported = Usage(requests=1, input_tokens=10, output_tokens=5,
                     request_usage_entries=[RequestUsage(10, 5, 15, InputTokensDetails(3), OutputTokensDetails(1))])
    model = ScriptedModel([[assistant_message("done")]], default_usage=reported)
    result = await Runner.run(Agent("A", model=model), "hi")
    assert entries(result.context_wrapper.usage) == [(10, 5, 15, 3, 1)]


async def test_an_agent_used_as_a_tool_adds_its_requests_to_the_outer_run() -> None:
    inner = Agent("Inner", model=ScriptedModel([[assistant_message("inner")]], default_usage=one_request(7, 2)))
    outer_model = ScriptedModel(
        [[function_call("ask", {"input": "q"})], [assistant_message("done")]], default_usage=one_request(3, 1)
    )
    outer = Agent("Outer", model=outer_model, tools=[inner.as_tool("ask", "Ask.")])
    result = await Runner.run(outer, "go")
    assert [e.total_tokens for e in result.context_wrapper.usage.request_usage_entries] == [4, 9, 4]


async def test_a_retried_call_gets_a_zero_entry_per_failed_attempt() -> None:
    drop = ModelConnectionError("Could not reach the model server", error_type="connection_error")
    model = ScriptedModel([drop, [assistant_message("hello")]], default_usage=one_request(11, 7))
    retry = ModelRetrySettings(max_retries=2, backoff={"initial_delay": 0, "jitter": False},
                               policy=retry_policies.network_error())
    result = await Runner.run(Agent("A", model=model, model_settings=ModelSettings(retry=retry)), "hi")
    usage = result.context_wrapper.usage
    assert usage.requests == 2
    assert entries(usage) == [(0, 0, 0, 0, 0), (11, 7, 18, 0, 0)]


def test_serialize_usage_writes_the_sdks_shape_and_reads_it_back() -> None:
    usage = Usage()
    usage.add(one_request(100, 20, cached=30, reasoning=4))
    usage.add(one_request(50, 10))
    data = serialize_usage(usage)
    assert json.loads(json.dumps(data)) == data
    assert data["input_tokens_details"] == [{"cached_tokens": 30}]
    assert data["output_tokens_details"] == [{"reasoning_tokens": 4}]
    assert data["total_tokens"] == 180 and data["requests"] == 2
    assert data["request_usage_entries"][0] == {
        "input_tokens": 100, "output_tokens": 20, "total_tokens": 120,
        "input_tokens_details": {"cached_tokens": 30}, "output_tokens_details": {"reasoning_tokens": 4},
    }
    assert deserialize_usage(data) == usage


def test_deserialize_usage_reads_what_the_sdk_writes_and_defaults_missing_fields() -> None:
    sdk_written: dict[str, Any] = {
        "requests": 1, "input_tokens": 10, "output_tokens": 5, "total_tokens": 15,
        "input_tokens_details": {"cached_tokens": 2, "cache_write_tokens": 0},  # a dict as well as a list
        "output_tokens_details": [{"reasoning_tokens": 1}],
        "request_usage_entries": [{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}],
    }
    usage = deserialize_usage(sdk_written)
    assert (usage.requests, usage.input_tokens, usage.output_tokens, usage.total_tokens) == (1, 10, 5, 15)
    assert usage.input_tokens_details.cached_tokens == 2 and usage.output_tokens_details.reasoning_tokens == 1
    assert entries(usage) == [(10, 5, 15, 0, 0)]
    assert deserialize_usage({}) == Usage()


@pytest.mark.parametrize(("data", "where"), [
    ({"input_tokens": "10"}, "usage.input_tokens"),
    ({"request_usage_entries": [{"output_tokens": -1}]}, r"usage.request_usage_entries\[0\].output_tokens"),
    ({"input_tokens_details": [3]}, "usage.input_tokens_details"),
    ({"request_usage_entries": {}}, "usage.request_usage_entries"),
])
def test_deserialize_usage_rejects_a_wrong_value_rather_than_reading_zero(data: dict[str, Any], where: str) -> None:
    with pytest.raises(UserError, match=where):
        deserialize_usage(data)


@function_tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    return f"deleted {path}"


async def test_a_paused_runs_json_keeps_the_entries_and_the_resumed_run_adds_to_them() -> None:
    model = ScriptedModel([[function_call("delete_file", {"path": "a"})], [assistant_message("done")]],
                          default_usage=one_request(8, 2, cached=4, reasoning=1))
    agent = Agent("Ops", model=model, tools=[delete_file])
    paused = (await Runner.run(agent, "clean up")).to_state()
    data = paused.to_json()
    restored = await RunState.from_json(agent, json.loads(json.dumps(data)))
    assert entries(restored._paused.usage) == [(8, 2, 10, 4, 1)]
    restored.approve(restored.interruptions[0])
    result = await Runner.run(agent, restored)
    assert entries(result.context_wrapper.usage) == [(8, 2, 10, 4, 1)] * 2


async def test_a_paused_runs_json_written_before_entries_still_reads() -> None:
    model = ScriptedModel([[function_call("delete_file", {"path": "a"})], [assistant_message("done")]],
                          default_usage=one_request(8, 2))
    agent = Agent("Ops", model=model, tools=[delete_file])
    data = (await Runner.run(agent, "clean up")).to_state().to_json()
    text = json.dumps(data)
    assert "request_usage_entries" in text
    older = json.loads(text.replace('"request_usage_entries"', '"ignored_by_old_readers"'))
    restored = await RunState.from_json(agent, _without(older, "ignored_by_old_readers"))
    restored.approve(restored.interruptions[0])
    result = await Runner.run(agent, restored)
    assert result.final_output == "done"


def _without(data: Any, key: str) -> Any:
    if isinstance(data, dict):
        return {k: _without(v, key) for k, v in data.items() if k != key}
    if isinstance(data, list):
        return [_without(v, key) for v in data]
    return data
