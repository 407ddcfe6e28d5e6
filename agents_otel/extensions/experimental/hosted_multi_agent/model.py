"""``OpenAIHostedMultiAgentModel``: the Responses API's hosted multi-agent beta, on the Responses websocket transport.

Why a websocket model: the service runs the sub-agents, and a sub-agent that calls a local function tool waits, on
the same open response, for its output (``response.inject``). So one hosted response spans several of the run's
model turns: each turn ends (a logical ``response.completed``) when a function call is ready; the run executes it as
usual; the next turn injects the outputs and reads on, until the root agent's final answer ends the response.

Everything else is the websocket model's: the request is ``request_params`` (plus ``multi_agent`` and the
``OpenAI-Beta: responses_multi_agent=v1`` header), the events become a ``ModelResponse`` through ``responses_stream``,
the connection, timeouts and typed errors are ``OpenAIResponsesWSModel``'s. Added here: which items are the run's
(``items.is_hosted``), each hosted agent's items as events on the ``chat`` span, and the one paused response a model
instance may hold (another run using the instance meanwhile is a ``UserError``; a run that left it paused, ended or
gone, loses it on the model's next call or ``close()``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import openai
from openai._models import construct_type
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputItemDoneEvent, ResponseStreamEvent

from ....exceptions import ModelBehaviorError, ModelError, UserError
from ....items import FunctionCall, FunctionCallOutput
from ....models.interface import ModelRequest, ModelResponse, ModelStreamEvent, TextDelta
from ....models.openai_responses import responses_input
from ....models.responses_websocket import (
    OpenAIResponsesWSModel,
    ResponsesWebSocketError,
    _json_default,
    _payload,
    _request_parts,
    _timeouts,
    _within,
    handshake_headers,
    websocket_url,
)
from ....models.responses_websocket import _model_error as transport_error
from .items import (
    HostedAgentCall,
    HostedMultiAgentConfig,
    agent_name,
    hosted_config,
    is_hosted,
    item_key,
    record_on_span,
)
from .usage import added_usage

if TYPE_CHECKING:
    from ....models import OpenAIResponsesWebSocketOptions

BETA = "responses_multi_agent=v1"
_ITEM_EVENTS = frozenset({"response.output_item.added", "response.output_item.done"})
_RESERVED = ("multi_agent", "betas", "max_tool_calls")


@dataclass(slots=True)
class _Active:
    """The hosted response a model instance holds open across the run's turns."""

    connection: Any
    loop: asyncio.AbstractEventLoop
    owner: asyncio.Task[Any] | None
    shape: tuple[Any, ...]
    """The starting agent's instructions and tools: a turn with others is another agent (a handoff)."""
    create: dict[str, Any]
    response_id: str | None = None
    template: dict[str, Any] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)
    """Calls handed to the run, their outputs not yet acknowledged by the service."""
    injected: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    hosted_indexes: set[Any] = field(default_factory=set)
    delivered: set[tuple[str, str]] = field(default_factory=set)
    completed: dict[str, Any] | None = None
    fallback: list[dict[str, Any]] = field(default_factory=list)
    """Outputs the service refused because the response had completed: they start a continuation response."""
    earlier_usage: dict[str, Any] | None = None
    sequence: int = 0


class OpenAIHostedMultiAgentModel(OpenAIResponsesWSModel):
    """``OpenAIHostedMultiAgentModel("gpt-5.6-sol", config={"max_concurrent_subagents": 3})``.

    The root model coordinates sub-agents hosted by OpenAI; the agent's function tools run here, whichever hosted
    agent calls them (``get_hosted_agent_metadata(ctx)`` says which). Only the root agent's ``final_answer`` message
    is the run's message; the rest of the hosted agents' items are events on the ``chat`` span. One instance holds
    at most one hosted response at a time: concurrent runs want instances of their own. ``close()`` releases it.
    """

    def __init__(
        self,
        model: str,
        openai_client: openai.AsyncOpenAI | None = None,
        *,
        config: HostedMultiAgentConfig | Mapping[str, Any] | None = None,
        model_is_explicit: bool = True,
        websocket_options: OpenAIResponsesWebSocketOptions | None = None,
    ) -> None:
        super().__init__(
            model, openai_client, model_is_explicit=model_is_explicit, websocket_options=websocket_options
        )
        self.config = hosted_config(config)
        self._active: _Active | None = None

    def request_params(self, request: ModelRequest) -> dict[str, Any]:
        """The Responses request with ``multi_agent`` set and the beta's header; settings the beta refuses, or that
        only the model may set, are a ``UserError`` before anything is sent."""
        settings = request.settings
        for source, where in ((settings.extra_args, "extra_args"), (settings.extra_body, "extra_body")):
            for name in _RESERVED:
                if isinstance(source, Mapping) and name in source:
                    if name == "max_tool_calls":
                        raise UserError("max_tool_calls is not supported by the hosted multi-agent beta")
                    raise UserError(
                        f"ModelSettings.{where}[{name!r}]: configure {name} through OpenAIHostedMultiAgentModel"
                    )
        reasoning = settings.reasoning
        summary = reasoning.get("summary") if isinstance(reasoning, Mapping) else getattr(reasoning, "summary", None)
        if summary is not None:
            raise UserError("reasoning.summary is not supported by the hosted multi-agent beta")
        params = super().request_params(request)
        params["multi_agent"] = self.config.request_config()
        headers = params.get("extra_headers")
        headers = {k: v for k, v in headers.items() if str(k).lower() != "openai-beta"} if headers else {}
        params["extra_headers"] = {**headers, "OpenAI-Beta": BETA}
        return params

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        """The websocket model's stream; the answer's function calls carry the hosted agent that made them."""
        callers: dict[str, tuple[str | None, Any]] = {}
        events: Any = super().stream_response(request)
        async with contextlib.aclosing(events):
            async for event in events:
                if isinstance(event, TextDelta):
                    raw = event.raw
                    if isinstance(raw, ResponseOutputItemDoneEvent) and isinstance(raw.item, ResponseFunctionToolCall):
                        callers[raw.item.call_id] = (agent_name(raw.item), getattr(raw.item, "phase", None))
                elif isinstance(event, ModelResponse) and callers:
                    event.output = [_attributed(item, callers) for item in event.output]
                yield event

    async def stream_events(self, request: ModelRequest) -> AsyncGenerator[Any]:
        client = self.client
        frame, extra_headers, query, timeout = _request_parts(self.request_params(request))
        connect_timeout, read_timeout = _timeouts(timeout if timeout is not None else client.timeout)
        shape = (frame.get("instructions"), [t.get("name") or t.get("type") for t in frame.get("tools", ())])
        lock = self._lock()
        await lock.acquire()
        boundary = owned = False
        try:
            try:
                active = self._resumed(request, shape)
                owned = True  # from here a failure ends this run's hosted response (another run's is never touched)
                if active is None:
                    headers, url = handshake_headers(client, extra_headers), websocket_url(client, query)
                    connection, _ = await self._connect(url, headers, connect_timeout)
                    task = asyncio.current_task()
                    active = _Active(connection, asyncio.get_running_loop(), task, shape, frame)
                    self._active = active
                    await _send(connection, frame)
                else:
                    await self._inject(active, request)
                async for event in self._read(active, read_timeout):
                    yield event
                boundary = True
            except Exception as exc:
                error = transport_error(exc)
                if isinstance(error, ModelError):
                    error.unsafe_to_replay = True  # type: ignore[attr-defined]  # a hosted response is stateful
                if error is exc:
                    raise
                raise error from exc
        finally:
            if owned and not boundary:
                self._release(abort=True)
            lock.release()

    async def close(self) -> None:
        """Release the paused hosted response, if any, and close the connection."""
        self._active = None
        await super().close()

    def _resumed(self, request: ModelRequest, shape: tuple[Any, ...]) -> _Active | None:
        """The paused response this request continues; ``None`` to start one (a paused one its run left is
        released); a ``UserError`` when another live run holds it or the request cannot continue it."""
        active = self._active
        if active is None:
            return None
        owner = asyncio.current_task()
        if active.owner is not owner:
            if active.owner is not None and not active.owner.done() and active.loop is asyncio.get_running_loop():
                raise UserError(
                    "OpenAIHostedMultiAgentModel already has a hosted response paused for another agent run; "
                    "use a separate model instance for concurrent runs"
                )
            self._release(abort=True)  # its run is over (or its loop is): nobody will answer its calls
            return None
        mentioned = {i.call_id for i in request.input if isinstance(i, FunctionCall | FunctionCallOutput)}
        if not active.pending & mentioned:
            self._release(abort=True)  # a new conversation on the same task: the earlier run gave the response up
            return None
        if shape != active.shape:
            self._release(abort=True)
            raise UserError(
                "OpenAIHostedMultiAgentModel cannot be combined with SDK handoffs (or an agent changing its "
                "instructions or tools mid-response); use function tools or agents as tools"
            )
        return active

    async def _inject(self, active: _Active, request: ModelRequest) -> None:
        """Send each waiting call's output on the open response (``response.inject``)."""
        pending = active.pending
        outputs = {i.call_id: i for i in request.input if isinstance(i, FunctionCallOutput) and i.call_id in pending}
        sent = {call_id for call_id, _ in active.injected}
        missing = sorted(active.pending - sent - outputs.keys())
        if missing:
            raise UserError(
                "OpenAIHostedMultiAgentModel has a hosted response waiting for function outputs, but the next model "
                f"input has none for: {', '.join(missing)}"
            )
        for call_id, output in outputs.items():
            if call_id in sent:
                continue
            item = responses_input([output])[0]
            inject = {"type": "response.inject", "response_id": active.response_id, "input": [item]}
            await _send(active.connection, inject)
            active.injected.append((call_id, item))

    async def _read(self, active: _Active, seconds: float | None) -> AsyncIterator[Any]:
        """This turn's events, up to a function call (a logical ``response.completed``) or the response's end."""
        turn: list[dict[str, Any]] = []
        while True:
            if active.completed is not None and not active.injected:
                if active.fallback:
                    await self._continue(active)
                    continue
                self._release(abort=False)
                yield _event(_final(active, "response.completed", active.completed, turn))
                return
            payload = _payload(await _within(active.connection.recv(), seconds, "receive"))
            kind = payload.get("type")
            if isinstance(payload.get("sequence_number"), int):
                active.sequence = payload["sequence_number"]
            if kind == "error":
                raise ResponsesWebSocketError(payload)
            if kind == "response.created":
                response = payload.get("response")
                if not isinstance(response, dict) or not isinstance(response.get("id"), str):
                    raise ModelBehaviorError("Hosted multi-agent response.created carried no response id")
                active.response_id, active.template = response["id"], response
            elif kind == "response.inject.created":
                _acknowledged(active)
                continue
            elif kind == "response.inject.failed":
                call_id, item = _acknowledged(active)
                code = (payload.get("error") or {}).get("code") if isinstance(payload.get("error"), dict) else None
                if code != "response_already_completed":
                    raise ResponsesWebSocketError(payload)
                active.fallback.append(item)
                continue
            elif kind == "response.completed":
                active.completed = payload
                continue
            elif kind in ("response.failed", "response.incomplete"):
                self._release(abort=False)
                yield _event(_final(active, str(kind), payload, turn))
                return
            elif kind in _ITEM_EVENTS and isinstance(payload.get("item"), dict):
                item, index = payload["item"], payload.get("output_index")
                if is_hosted(item):
                    hidden_before = index in active.hosted_indexes
                    active.hosted_indexes.add(index)
                    if kind == "response.output_item.done":
                        record_on_span(item)
                        if item.get("type") == "message" and not hidden_before:  # its text may have streamed: drop it
                            yield _event({**payload, "item": {**item, "content": []}})
                    continue
                if kind == "response.output_item.done":
                    turn.append(item)
                    if agent_name(item) is not None:
                        record_on_span(item)
            elif payload.get("output_index") in active.hosted_indexes:
                continue  # a hosted item's deltas
            yield _event(payload)
            if kind == "response.output_item.done" and payload["item"].get("type") == "function_call":
                call_id = payload["item"].get("call_id")
                if not isinstance(call_id, str) or not call_id:
                    raise ModelBehaviorError("Hosted multi-agent function call carried no call_id")
                active.pending.add(call_id)
                active.delivered.update(k for k in map(item_key, turn) if k is not None)
                yield _event(_pause(active))
                return

    async def _continue(self, active: _Active) -> None:
        """The response completed before the service took some outputs: a new response continues it with them."""
        completed = active.completed or {}
        response = completed.get("response")
        if not isinstance(response, dict) or not isinstance(response_id := response.get("id"), str):
            raise ModelBehaviorError("Hosted multi-agent could not continue: the completed response has no id")
        active.earlier_usage = added_usage(active.earlier_usage, response.get("usage"))
        frame = {**active.create, "input": list(active.fallback)}
        if frame.get("conversation") is not None:
            frame.pop("previous_response_id", None)
        else:
            frame["previous_response_id"] = response_id
        active.completed, active.fallback, active.delivered = None, [], set()
        active.pending.clear()
        await _send(active.connection, frame)

    def _release(self, *, abort: bool) -> None:
        """Forget the hosted response; ``abort``: it is mid-answer, so its connection goes too (never read on)."""
        if self._active is not None:
            self._active = None
            if abort:
                self._drop()


def _acknowledged(active: _Active) -> tuple[str, dict[str, Any]]:
    if not active.injected:
        raise ModelBehaviorError("Hosted multi-agent answered an injection that was never sent")
    call_id, item = active.injected.pop(0)
    active.pending.discard(call_id)
    return call_id, item


def _pause(active: _Active) -> dict[str, Any]:
    """The logical end of a turn: the response so far, completed, its output the turn's (the stream's) items."""
    response = {**active.template, "id": active.response_id, "status": "completed", "output": [], "usage": None}
    return {"type": "response.completed", "sequence_number": active.sequence, "response": response}


def _final(active: _Active, kind: str, payload: dict[str, Any], turn: list[dict[str, Any]]) -> dict[str, Any]:
    """The terminal event, its output the run's items not delivered by an earlier turn, its usage all requests'."""
    response = payload.get("response")
    if not isinstance(response, dict):
        raise ModelBehaviorError(f"Hosted multi-agent {kind} carried no response")
    output = response.get("output") if isinstance(response.get("output"), list) else []
    output = output or turn
    kept = [i for i in output if isinstance(i, dict) and not is_hosted(i) and item_key(i) not in active.delivered]
    usage = added_usage(active.earlier_usage, response.get("usage")) if active.earlier_usage else response.get("usage")
    return {**payload, "type": kind, "response": {**response, "output": kept, "usage": usage}}


def _attributed(item: Any, callers: dict[str, tuple[str | None, Any]]) -> Any:
    if type(item) is not FunctionCall or item.call_id not in callers:
        return item
    name, phase = callers[item.call_id]
    return HostedAgentCall(item.name, item.arguments, item.call_id, name, phase if isinstance(phase, str) else None)


def _event(payload: dict[str, Any]) -> Any:
    return construct_type(type_=ResponseStreamEvent, value=payload)


async def _send(connection: Any, frame: dict[str, Any]) -> None:
    await connection.send(json.dumps(frame, default=_json_default))
