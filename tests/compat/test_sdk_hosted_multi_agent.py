"""Compatibility: the SDK's experimental hosted multi-agent model
(``agents.extensions.experimental.hosted_multi_agent``).

The cases the SDK's model tests pin down: the beta header and the ``multi_agent`` config go with the request; a
hosted agent's function call is run here and its output injected into the same open response; only the root agent's
final answer is the run's message, the hosted agents' items are not run items; ``get_hosted_agent_metadata`` names the
agent behind a call or an item; streamed and non-streamed runs; a run that leaves the response paused, and
``close()``; one paused response per model instance (another run meanwhile is a ``UserError``); the service's
failure events are typed errors; settings the beta refuses fail before anything is sent.

Against a real ``websockets`` server playing the service's side of one exchange (a script of messages to expect and
events to send), so the model's own websocket transport (``OpenAIResponsesWSModel``'s) is what is tested. Added here:
each ``chat`` span carries the hosted agents' items as events.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
from support import Tracing
from websockets.asyncio.server import ServerConnection, serve

from agents_otel import Agent, MaxTurnsExceeded, ModelError, ModelSettings, Runner, UserError, function_tool
from agents_otel.extensions.experimental.hosted_multi_agent import (
    HostedAgentCall,
    HostedMultiAgentConfig,
    OpenAIHostedMultiAgentModel,
    get_hosted_agent_metadata,
)
from agents_otel.models.responses_websocket import ResponsesWebSocketError
from agents_otel.tool_context import ToolContext
from agents_otel.tracing import attributes as A

Step = tuple[str, Any]


class HostedService:
    """The service's side: each connection plays the next script, ``("expect", type)`` (a client message of that type,
    recorded) or ``("send", event)``; then records whatever else comes until the client closes."""

    def __init__(self) -> None:
        self.scripts: list[list[Step]] = []
        self.received: list[dict[str, Any]] = []
        self.handshakes: list[dict[str, str]] = []
        self.closed = 0
        self.url = ""

    async def _handle(self, ws: ServerConnection) -> None:
        self.handshakes.append(dict(ws.request.headers) if ws.request is not None else {})
        script = self.scripts.pop(0)
        try:
            for action, value in script:
                if action == "expect":
                    message = json.loads(await ws.recv())
                    self.received.append(message)
                    assert message["type"] == value, message
                else:
                    await ws.send(json.dumps(value))
            async for raw in ws:
                self.received.append(json.loads(raw))
        finally:
            self.closed += 1

    def client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(api_key="sk-test", base_url=self.url, max_retries=0, timeout=10)


@pytest.fixture
async def service() -> AsyncIterator[HostedService]:
    hosted = HostedService()
    async with serve(hosted._handle, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        hosted.url = f"http://127.0.0.1:{port}/v1"
        yield hosted


def model(service: HostedService, **kwargs: Any) -> OpenAIHostedMultiAgentModel:
    return OpenAIHostedMultiAgentModel("gpt-5.6-sol", openai_client=service.client(), **kwargs)


def created(response_id: str = "resp_1") -> Step:
    return ("send", {"type": "response.created", "sequence_number": 1, "response": _response(response_id, [])})


def done(item: dict[str, Any], index: int) -> Step:
    event = {"type": "response.output_item.done", "sequence_number": index + 2, "output_index": index, "item": item}
    return ("send", event)


def completed(output: list[dict[str, Any]], response_id: str = "resp_1", usage: tuple[int, int] = (12, 4)) -> Step:
    response = _response(response_id, output)
    response["usage"] = {"input_tokens": usage[0], "output_tokens": usage[1], "total_tokens": sum(usage)}
    return ("send", {"type": "response.completed", "sequence_number": 99, "response": response})


def injected(response_id: str = "resp_1") -> list[Step]:
    return [("expect", "response.inject"), ("send", {"type": "response.inject.created", "response_id": response_id})]


def _response(response_id: str, output: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": response_id, "object": "response", "created_at": 0, "model": "gpt-5.6-sol", "status": "completed",
            "output": output, "parallel_tool_calls": True, "tool_choice": "auto", "tools": []}


def message(text: str, agent: str = "/root", phase: str = "final_answer", id: str = "msg_root") -> dict[str, Any]:
    return {"id": id, "type": "message", "role": "assistant", "status": "completed", "agent": {"agent_name": agent},
            "phase": phase, "content": [{"type": "output_text", "text": text, "annotations": []}]}


def call(call_id: str, section: str, agent: str) -> dict[str, Any]:
    return {"id": f"fc_{call_id}", "type": "function_call", "call_id": call_id, "name": "lookup_document",
            "arguments": json.dumps({"section": section}), "status": "completed", "agent": {"agent_name": agent}}


SPAWN = {"id": "mac_1", "type": "multi_agent_call", "call_id": "call_spawn", "action": "spawn_agent",
         "arguments": "{}", "agent": {"agent_name": "/root"}}
SPAWNED = {"id": "maco_1", "type": "multi_agent_call_output", "call_id": "call_spawn", "action": "spawn_agent",
           "output": [], "agent": {"agent_name": "/root"}}


def delegated_lookup() -> list[Step]:
    """The root spawns a researcher, which calls the local tool; its output resumes the same response."""
    report = message("alpha is fine", "/root/researcher", "commentary", "msg_sub")
    final = message("alpha: fine")
    first = [SPAWN, call("call_lookup", "alpha", "/root/researcher")]
    return [
        ("expect", "response.create"), created(), done(first[0], 0), done(first[1], 1),
        *injected(), done(report, 2), done(SPAWNED, 3), done(final, 4),
        completed([*first, report, SPAWNED, final]),
    ]


callers: list[str | None] = []


@function_tool
def lookup_document(ctx: ToolContext[Any], section: str) -> str:
    metadata = get_hosted_agent_metadata(ctx)
    callers.append(metadata.agent_name if metadata else None)
    return f"document:{section}"


@pytest.fixture(autouse=True)
def _fresh_callers() -> None:
    callers.clear()


# ---- the request ---------------------------------------------------------------------------------------------------


async def test_the_beta_header_and_the_multi_agent_config_go_with_the_request(service: HostedService):
    answer = message("hi")
    service.scripts.append([("expect", "response.create"), created(), done(answer, 0), completed([answer])])
    hosted = model(service, config={"max_concurrent_subagents": 2})
    assert hosted.config == HostedMultiAgentConfig(max_concurrent_subagents=2)
    result = await Runner.run(Agent("Root", instructions="delegate", model=hosted), "hello")
    assert result.final_output == "hi"
    assert service.handshakes[0]["openai-beta"] == "responses_multi_agent=v1"
    frame = service.received[0]
    assert frame["multi_agent"] == {"enabled": True, "max_concurrent_subagents": 2}
    assert "stream" not in frame and "betas" not in frame
    assert frame["instructions"] == "delegate"
    await hosted.close()


def test_the_default_config_leaves_concurrency_to_the_service_and_bad_ones_are_refused() -> None:
    assert HostedMultiAgentConfig().request_config() == {"enabled": True}
    for bad in (0, -1, True):
        with pytest.raises(ValueError, match="positive integer"):
            HostedMultiAgentConfig(max_concurrent_subagents=bad)


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        (ModelSettings(extra_args={"multi_agent": {"enabled": True}}), "through OpenAIHostedMultiAgentModel"),
        (ModelSettings(extra_body={"betas": ["x"]}), "through OpenAIHostedMultiAgentModel"),
        (ModelSettings(extra_args={"max_tool_calls": 1}), "max_tool_calls"),
        (ModelSettings(reasoning={"summary": "auto"}), "reasoning.summary"),
    ],
)
async def test_settings_the_beta_refuses_fail_before_anything_is_sent(
    service: HostedService, settings: ModelSettings, match: str
):
    with pytest.raises(UserError, match=match):
        await Runner.run(Agent("Root", model=model(service), model_settings=settings), "hello")
    assert service.handshakes == []


# ---- a hosted agent's tool call, answered on the same response ------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_hosted_agents_tool_call_runs_here_and_resumes_the_same_response(
    service: HostedService, streamed: bool
):
    service.scripts.append(delegated_lookup())
    hosted, tracing = model(service), Tracing.new()
    agent = Agent("Root", model=hosted, tools=[lookup_document])
    if streamed:
        run = Runner.run_streamed(agent, "Compare alpha.", run_config=tracing.config)
        events = [e async for e in run.stream_events()]
        kinds = [e.name for e in events if e.type == "run_item_stream_event"]
        assert kinds == ["tool_called", "tool_output", "message_output_created"]  # no hosted agent's item
        result: Any = run
    else:
        result = await Runner.run(agent, "Compare alpha.", run_config=tracing.config)

    assert result.final_output == "alpha: fine"
    assert callers == ["/root/researcher"]
    kinds = [item.type for item in result.new_items]
    assert kinds == ["tool_call_item", "tool_call_output_item", "message_output_item"]
    assert len(service.handshakes) == 1
    create, inject = service.received
    assert inject == {
        "type": "response.inject",
        "response_id": "resp_1",
        "input": [{"type": "function_call_output", "call_id": "call_lookup", "output": "document:alpha"}],
    }
    assert create["tools"][0]["name"] == "lookup_document"

    first, second = tracing.named("chat")
    assert first.attributes[A.GEN_AI_RESPONSE_ID] == second.attributes[A.GEN_AI_RESPONSE_ID] == "resp_1"  # type: ignore[index]
    hosted_items = [
        [(e.attributes or {}).get(A.HOSTED_AGENT_ITEM_TYPE) for e in s.events if e.name == A.HOSTED_AGENT_ITEM_EVENT]
        for s in (first, second)
    ]
    assert hosted_items == [["multi_agent_call", "function_call"], ["message", "multi_agent_call_output", "message"]]
    spawn = next(e for e in first.events if e.name == A.HOSTED_AGENT_ITEM_EVENT)
    assert dict(spawn.attributes or {}) == {
        A.HOSTED_AGENT_ITEM_TYPE: "multi_agent_call",
        A.HOSTED_AGENT_NAME: "/root",
        A.HOSTED_AGENT_ACTION: "spawn_agent",
        A.HOSTED_AGENT_ITEM_ID: "mac_1",
        A.GEN_AI_TOOL_CALL_ID: "call_spawn",
    }
    report = [e for e in second.events if (e.attributes or {}).get(A.HOSTED_AGENT_NAME) == "/root/researcher"]
    assert [dict(e.attributes or {}).get(A.HOSTED_AGENT_PHASE) for e in report] == ["commentary"]
    (tool_span,) = tracing.named("execute_tool")
    assert tool_span.attributes[A.GEN_AI_TOOL_CALL_ID] == "call_lookup"  # type: ignore[index]
    await hosted.close()
    tracing.provider.shutdown()


async def test_two_sub_agents_calls_are_injected_in_turn_into_one_response(service: HostedService):
    alpha, beta = call("call_alpha", "alpha", "/root/alpha"), call("call_beta", "beta", "/root/beta")
    final = message("both read")
    service.scripts.append([
        ("expect", "response.create"), created(), done(SPAWN, 0), done(alpha, 1), *injected(),
        done(beta, 2), *injected(), done(final, 3), completed([SPAWN, alpha, beta, final]),
    ])
    result = await Runner.run(Agent("Root", model=model(service), tools=[lookup_document]), "Compare both.")
    assert result.final_output == "both read"
    assert callers == ["/root/alpha", "/root/beta"]
    assert [m["input"][0]["call_id"] for m in service.received[1:]] == ["call_alpha", "call_beta"]


async def test_the_model_response_keeps_only_the_runs_items_and_names_their_agents(service: HostedService):
    output = [SPAWN, message("working", "/root/researcher", "commentary", "msg_sub"), message("done")]
    service.scripts.append([("expect", "response.create"), created(),
                            *[done(item, i) for i, item in enumerate(output)], completed(output)])
    hosted = model(service)
    result = await Runner.run(Agent("Root", model=hosted), "hello")
    assert result.final_output == "done"
    assert [item.type for item in result.new_items] == ["message_output_item"]
    assert result.raw_responses[0].usage.input_tokens == 12
    metadata = get_hosted_agent_metadata(output[1])
    assert metadata is not None and (metadata.agent_name, metadata.phase) == ("/root/researcher", "commentary")
    assert get_hosted_agent_metadata({"type": "message"}) is None
    assert get_hosted_agent_metadata(HostedAgentCall("f", "{}", "c", "/root/x")).agent_name == "/root/x"  # type: ignore[union-attr]
    await hosted.close()


# ---- one paused response per model ---------------------------------------------------------------------------------


async def test_a_run_that_leaves_the_response_paused_keeps_it_until_close(service: HostedService):
    service.scripts.append([("expect", "response.create"), created(), done(call("call_x", "alpha", "/root/r"), 0)])
    hosted = model(service)
    with pytest.raises(MaxTurnsExceeded):
        await Runner.run(Agent("Root", model=hosted, tools=[lookup_document]), "Inspect.", max_turns=1)
    assert hosted._active is not None and service.closed == 0
    await hosted.close()
    assert hosted._active is None
    await _closed(service, 1)


async def test_a_new_run_after_an_abandoned_one_starts_a_fresh_response(service: HostedService):
    service.scripts.append([("expect", "response.create"), created(), done(call("call_x", "alpha", "/root/r"), 0)])
    service.scripts.append([("expect", "response.create"), created("resp_2"), done(message("fresh"), 0),
                            completed([message("fresh")], "resp_2")])
    hosted = model(service)
    agent = Agent("Root", model=hosted, tools=[lookup_document])
    with pytest.raises(MaxTurnsExceeded):
        await Runner.run(agent, "Inspect.", max_turns=1)
    result = await Runner.run(agent, "Try again.")
    assert result.final_output == "fresh"
    assert len(service.handshakes) == 2  # the paused response's connection was dropped, never read on
    assert service.received[-1]["input"] == [{"role": "user", "content": "Try again."}]
    await hosted.close()


async def test_another_run_while_one_is_paused_is_a_user_error_and_leaves_it_alone(service: HostedService):
    service.scripts.append(delegated_lookup())
    hosted = model(service)
    started, release = asyncio.Event(), asyncio.Event()

    @function_tool
    async def lookup_document(section: str) -> str:
        started.set()
        await release.wait()
        return f"document:{section}"

    agent = Agent("Root", model=hosted, tools=[lookup_document])
    first = asyncio.create_task(Runner.run(agent, "Compare alpha."))
    await started.wait()
    paused = hosted._active
    with pytest.raises(UserError, match="another agent run"):
        await Runner.run(agent, "Compare beta.")
    assert hosted._active is paused and len(service.handshakes) == 1
    release.set()
    assert (await first).final_output == "alpha: fine"
    await hosted.close()


# ---- failures --------------------------------------------------------------------------------------------------------


async def test_a_failed_response_is_a_model_error(service: HostedService):
    failed = _response("resp_1", [])
    failed.update(status="failed", error={"code": "server_error", "message": "hosted agents failed"})
    service.scripts.append([("expect", "response.create"), created(),
                            ("send", {"type": "response.failed", "sequence_number": 3, "response": failed})])
    hosted = model(service)
    with pytest.raises(ModelError, match="hosted agents failed"):
        await Runner.run(Agent("Root", model=hosted), "hello")
    assert hosted._active is None
    await hosted.close()


async def test_a_refused_injection_is_a_typed_error_and_ends_the_response(service: HostedService):
    refused = {"type": "response.inject.failed", "response_id": "resp_1", "input": [],
               "error": {"code": "response_not_found", "message": "Missing response."}}
    service.scripts.append([("expect", "response.create"), created(), done(call("call_x", "alpha", "/root/r"), 0),
                            ("expect", "response.inject"), ("send", refused)])
    hosted = model(service)
    with pytest.raises(ResponsesWebSocketError) as caught:
        await Runner.run(Agent("Root", model=hosted, tools=[lookup_document]), "Inspect.")
    assert caught.value.code == "response_not_found"
    assert hosted._active is None
    await _closed(service, 1)


async def test_the_services_error_event_is_a_typed_error(service: HostedService):
    error = {"type": "error", "status": 400, "error": {"code": "invalid_request_error", "message": "bad beta"}}
    service.scripts.append([("expect", "response.create"), ("send", error)])
    with pytest.raises(ResponsesWebSocketError, match="bad beta"):
        await Runner.run(Agent("Root", model=model(service)), "hello")


async def test_an_injection_after_completion_continues_in_a_new_response(service: HostedService):
    fc = call("call_late", "alpha", "/root/r")
    late = {"type": "response.inject.failed", "response_id": "resp_1",
            "error": {"code": "response_already_completed", "message": "done already"}}
    service.scripts.append([
        ("expect", "response.create"), created(), done(fc, 0), completed([fc], usage=(12, 4)),
        ("expect", "response.inject"), ("send", late),
        ("expect", "response.create"), created("resp_2"), done(message("continued"), 0),
        completed([message("continued")], "resp_2", usage=(7, 3)),
    ])
    result = await Runner.run(Agent("Root", model=model(service), tools=[lookup_document]), "Inspect.")
    assert result.final_output == "continued"
    continuation = service.received[2]
    assert continuation["previous_response_id"] == "resp_1"
    output = {"type": "function_call_output", "call_id": "call_late", "output": "document:alpha"}
    assert continuation["input"] == [output]
    usage = result.context_wrapper.usage
    assert usage.input_tokens == 19 and usage.output_tokens == 7
    # the SDK's per-request breakdown: one entry per provider response, not their sum; two requests in all
    assert [(e.input_tokens, e.output_tokens, e.total_tokens) for e in usage.request_usage_entries] == [
        (12, 4, 16), (7, 3, 10)
    ]
    assert usage.requests == 2


async def _closed(service: HostedService, count: int) -> None:
    """Waits (on the server's own progress, no sleep) until ``count`` connections have ended on the server side."""
    for _ in range(1000):
        if service.closed >= count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{service.closed} connections closed, expected {count}")
