"""One model call inside its ``chat {model}`` span (kind CLIENT).

The span is made here, not in the Model, so every provider is traced identically from what it returns.
Chunk timing is taken from the events a streaming model yields, one per wire chunk (an empty ``TextDelta`` for a
chunk without text, which marks the time and is not forwarded): the first gives the span's
``gen_ai.response.time_to_first_chunk`` and the ``gen_ai.client.operation.time_to_first_chunk`` metric, each later
one a ``gen_ai.client.operation.time_per_output_chunk`` measurement.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind

from . import model_retry
from .content_guard import exception_scrub, guard_attributes
from .exceptions import ModelBehaviorError, ModelTimeoutError
from .guardrail_run import SkippedAttempt, input_tripped
from .hosted_tools import hosted_tool_name
from .items import RawInputItem
from .model_retry import Retrying, client_retries, conversation_locked, locked_delay
from .models.interface import (
    Model,
    ModelRequest,
    ModelResponse,
    ProviderEvent,
    RefusalDelta,
    TextDelta,
    responses_event,
)
from .retry import ModelRetrySettings
from .sandbox_run import current_sandbox
from .stream_events import RawResponsesStreamEvent
from .token_usage import Usage, with_retried_attempts
from .tracing import attributes as A
from .tracing.operation_attributes import (
    input_content_attributes,
    request_parameter_attributes,
    response_attributes,
    usage_attributes,
)
from .tracing.spans import SpanScope

if TYPE_CHECKING:
    from .run_runtime import RunRuntime

TIME_TO_FIRST_CHUNK = A.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK
"""Seconds from request to the first streamed chunk (streaming calls only)."""
REQUEST_STREAM = A.GEN_AI_REQUEST_STREAM
"""``True`` on streaming calls; the conventions have it set if and only if the request streams."""


def request_attributes(model: Model, request: ModelRequest, capture_content: bool) -> dict[str, Any]:
    attributes = A.model_attributes(model)
    if model.network_protocol_name is not None:
        attributes[A.NETWORK_PROTOCOL_NAME] = model.network_protocol_name
    attributes[A.GEN_AI_OUTPUT_TYPE] = "text" if request.output_schema is None else "json"
    attributes.update(request_parameter_attributes(request.settings))
    if request.server_managed:  # what the call referred to instead of sending the whole conversation
        if request.previous_response_id is not None:
            attributes[A.PREVIOUS_RESPONSE_ID] = request.previous_response_id
        if request.conversation_id is not None:
            attributes[A.SERVER_CONVERSATION_ID] = request.conversation_id
    if capture_content:
        attributes.update(input_content_attributes(request.system_instructions, request.input, request.tools))
    return attributes


_BEFORE_OUTPUT = frozenset({"response.created", "response.in_progress"})
"""Responses stream events that come before any of the answer: a stream that failed after only these may be
retried. Any other chunk (a Chat Completions chunk included) counts as output."""
_DELTAS = (TextDelta, RefusalDelta)
"""A tuple, not ``TextDelta | RefusalDelta``: that expression builds a union object on every chunk."""


class ChunkTimes:
    """When a streamed call's chunks arrived: first-chunk latency and the gaps between later chunks; ``output`` once
    a chunk carried any of the answer (after that the call is never retried: its output may have been streamed)."""

    __slots__ = ("first", "gaps", "output")

    def __init__(self) -> None:
        self.first: float | None = None
        self.gaps: list[float] = []
        self.output = False


async def call_model(model: Model, request: ModelRequest, run: RunRuntime, agent_name: str) -> ModelResponse:
    sandbox = current_sandbox.get()
    if sandbox is not None:  # a sandbox run: the agent's capabilities may change its request (``Compaction``)
        request = sandbox.model_request(agent_name, model, request)
    retry = request.settings.retry
    if retry is None:  # the whole cost of the feature when unused
        response = await _attempt(model, request, run, agent_name, None)
        if response is not None:
            return response
        # OpenAI's conversation_locked: retried even without ``retry``, as in the SDK (the first retry's wait is due)
        retrying = Retrying(ModelRetrySettings(), model, request)
        retrying.locked, retrying.delay = 1, locked_delay(1)
        await model_retry.sleep(retrying.delay)
        retrying.attempt = 2
        return await _with_retries(model, request, run, agent_name, retrying)
    return await _with_retries(model, request, run, agent_name, Retrying(retry, model, request))


async def _with_retries(
    model: Model, request: ModelRequest, run: RunRuntime, agent_name: str, retrying: Retrying
) -> ModelResponse:
    """Each attempt is a ``chat`` span of its own; a failed one that is retried says so in an event, and the wait
    between them is an ordinary ``await`` that cancelling the run ends at once."""
    while True:
        with client_retries(retrying.client_retries_off):
            response = await _attempt(model, request, run, agent_name, retrying)
        if response is not None:
            if retrying.attempt > 1:  # each failed attempt was a request too, as in the SDK
                with_retried_attempts(response.usage, retrying.attempt - 1, retrying.reported)
            return response
        await model_retry.sleep(retrying.delay)
        retrying.attempt += 1


async def _attempt(
    model: Model, request: ModelRequest, run: RunRuntime, agent_name: str, retrying: Retrying | None
) -> ModelResponse | None:
    """One call in its span: the response, or (only when ``retrying`` and the policy retries) ``None``."""
    if input_tripped(run):
        raise SkippedAttempt  # the tripwire ends the run; no request after it is recorded
    attributes = request_attributes(model, request, run.capture_content)
    if run.capture_content:
        guard_attributes(run, attributes, agent_name)
    if run.stream is not None:
        attributes[REQUEST_STREAM] = True
    if retrying is not None and retrying.attempt > 1:
        attributes[A.RETRY_ATTEMPT] = retrying.attempt - 1
    started = time.perf_counter()
    span = run.tracer.start_span(f"{A.OP_CHAT} {model.model_name}", kind=SpanKind.CLIENT, attributes=attributes)
    # current while the model works, so instrumented HTTP calls nest under it; ended here, after a retry decision
    # is recorded on it
    scope = SpanScope(span, None, False, None, exception_scrub(run, agent_name))
    response: ModelResponse | None = None
    chunks: ChunkTimes | None = None
    try:
        with scope:
            if run.stream is not None:
                chunks = ChunkTimes()
            timeout = request.settings.timeout
            if timeout is None:
                response = await _answer(model, request, run, agent_name, span, chunks)
            else:
                response = await _within(timeout, _answer(model, request, run, agent_name, span, chunks))
            span.set_attributes(guard_attributes(run, response_attributes(response, run.capture_content), agent_name))
            if request.hosted_tools:  # only a request that offered hosted tools can have their calls in the answer
                _record_hosted_calls(span, response)
        run.chat_span = span
        if not response.usage.requests:
            response.usage.requests = 1  # one call is one request, whether or not the model said so
        return response
    except Exception as error:
        spent: Usage | None = getattr(error, "_terminal_usage", None)  # a failed response's tokens still count
        if spent is not None:
            span.set_attributes(usage_attributes(spent))
        if retrying is None:
            if not conversation_locked(error) or (chunks is not None and chunks.output):
                if spent is not None:
                    run.usage.add(_one_request(spent))
                raise
            span.add_event(A.RETRY_EVENT, {A.RETRY_ATTEMPT: 1, A.RETRY_DELAY: locked_delay(1)})
            return None  # call_model retries it
        if spent is not None:
            retrying.reported[retrying.attempt] = spent
        decision = await retrying.decide(error, run.stream is not None, chunks is not None and chunks.output)
        if not decision.retry:
            for reported in retrying.reported.values():  # every attempt the provider reported tokens for
                run.usage.add(_one_request(reported))
            raise
        retrying.delay = decision.delay or 0.0
        span.add_event(A.RETRY_EVENT, {A.RETRY_ATTEMPT: retrying.attempt, A.RETRY_DELAY: retrying.delay})
        return None
    finally:
        span.end()
        run.metrics.model_call(model, response, scope.error_type, time.perf_counter() - started, agent_name)
        if chunks is not None and chunks.first is not None:
            run.metrics.model_chunks(model, response, chunks.first, chunks.gaps)


def _one_request(usage: Usage) -> Usage:
    """A failed attempt's reported usage as the one request it was."""
    if not usage.requests:
        usage.requests = 1
    return usage


async def _answer(
    model: Model, request: ModelRequest, run: RunRuntime, agent_name: str, span: Any, chunks: ChunkTimes | None
) -> ModelResponse:
    if chunks is None:
        return await model.get_response(request)
    return await _stream(model, request, run, agent_name, span, chunks)


async def _within(seconds: float, answer: Coroutine[Any, Any, ModelResponse]) -> ModelResponse:
    """``ModelSettings.timeout``: the attempt (request, and the whole stream when streaming) is cancelled once it has
    taken ``seconds``, and fails with the SDK's ``ModelTimeoutError(seconds)``; a timeout the model raised itself
    (its client's) passes as it is."""
    deadline = asyncio.timeout(seconds)
    try:
        async with deadline:
            return await answer
    except TimeoutError:
        if deadline.expired():
            raise ModelTimeoutError(seconds) from None
        raise


def _record_hosted_calls(span: Any, response: ModelResponse) -> None:
    """One ``agents_otel.server_tool_call`` event per hosted tool call the provider ran for this answer: which tool,
    the call's id and its status, with or without content capture (none of it is conversation content). A hosted
    MCP server's calls and tool listings carry its ``server_label``; a listing has no tool name (it called none)."""
    for item in response.output:
        if isinstance(item, RawInputItem):
            data = item.data
            kind = data.get("type")
            name = hosted_tool_name(data)
            if name is None and kind != "mcp_list_tools":
                continue
            attributes = {A.SERVER_TOOL_CALL_TYPE: kind}
            if name is not None:
                attributes[A.GEN_AI_TOOL_NAME] = name
            if isinstance(data.get("id"), str):
                attributes[A.GEN_AI_TOOL_CALL_ID] = data["id"]
            if isinstance(data.get("status"), str):
                attributes[A.SERVER_TOOL_CALL_STATUS] = data["status"]
            if isinstance(data.get("server_label"), str):
                attributes[A.SERVER_TOOL_CALL_SERVER_LABEL] = data["server_label"]
            span.add_event(A.SERVER_TOOL_CALL_EVENT, attributes)


async def _stream(
    model: Model, request: ModelRequest, run: RunRuntime, agent_name: str, span: Any, chunks: ChunkTimes
) -> ModelResponse:
    started = last = time.perf_counter()
    forwarded = 0
    events = model.stream_response(request)
    try:
        async for event in events:
            if isinstance(event, _DELTAS):
                if not chunks.output and (event.delta or getattr(event.raw, "type", None) not in _BEFORE_OUTPUT):
                    chunks.output = True
                now = time.perf_counter()
                if chunks.first is None:
                    chunks.first = now - started
                    span.set_attribute(TIME_TO_FIRST_CHUNK, chunks.first)
                else:
                    chunks.gaps.append(now - last)
                last = now
                if event.delta:
                    run.emit(RawResponsesStreamEvent(event.response_event(forwarded), agent_name))
                    forwarded += 1
                elif event.raw is not None and (raw := responses_event(event.raw)) is not None:
                    run.emit(RawResponsesStreamEvent(raw, agent_name))
                    forwarded += 1
            elif isinstance(event, ProviderEvent):
                run.emit(RawResponsesStreamEvent(event.data, agent_name))
                forwarded += 1
            else:
                return event
    finally:
        # Close the generator now, not whenever it is collected: on an error or a cancelled run this releases the
        # model's HTTP stream at once.
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
    raise ModelBehaviorError(f"{type(model).__name__}.stream_response ended without a final ModelResponse")
