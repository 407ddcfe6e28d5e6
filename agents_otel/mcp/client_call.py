"""An MCP tool as a ``FunctionTool``: one ``tools/call`` per model tool call, through the normal tool path.

The runtime already gives the call its ``execute_tool {tool}`` span, timeouts, error handling and progress
(``ToolContext.send_progress``: span event, sampling, flood rules, late-drop counting, the stream event). This
module adds only what is MCP: under the ``execute_tool`` span a CLIENT span ``tools/call {tool}`` per the MCP
semantic conventions, the W3C trace context in ``params._meta``, each ``notifications/progress`` handed to
``send_progress`` as ``{"progress", "total", "message"}``, the result as text, and failures as typed errors.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pydantic_core
from opentelemetry import trace
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from ..exceptions import MCPToolCancellationError, ToolArgumentsError
from ..tool import FunctionTool
from ..tool_context import ToolContext
from ..tracing.attributes import ERROR_CANCELLED, ERROR_TYPE, GEN_AI_TOOL_NAME, SERVER_ADDRESS, SERVER_PORT
from . import _sdk, policies
from ._engine import run_meter_provider, run_tracer
from ._sdk_spans import OWNED, OwnedRequest
from .custom_data import CallResults, function_tool_extractor
from .errors import MCPConnectionError, MCPRequestError, MCPToolError
from .metrics import mcp_instruments, metric_attributes
from .policies import backoff_seconds, may_retry
from .tool_filters import resolve_meta, static_meta

if TYPE_CHECKING:
    from .client import MCPServer

MCP_METHOD_NAME = "mcp.method.name"
MCP_SESSION_ID = "mcp.session.id"
MCP_PROTOCOL_VERSION = "mcp.protocol.version"
NETWORK_TRANSPORT = "network.transport"
TOOLS_CALL = "tools/call"
RETRY_EVENT = "mcp.retry"
RETRY_ATTEMPT = "mcp.retry.attempt"

_W3C = TraceContextTextMapPropagator()
logger = logging.getLogger(__name__)


class CallProgress:
    """Progress bookkeeping of one ``tools/call``: which notifications the SDK already delivered to the callback.

    The message handler sees every notification; one the callback did not get (it came after the result) is
    handed to ``send_progress`` too, which refuses it for the ended call and counts it as dropped.
    """

    __slots__ = ("delivered", "seen", "send")

    def __init__(self, send: Callable[[Any], bool]) -> None:
        self.send = send
        self.delivered = 0
        self.seen = 0


def to_function_tool(server: MCPServer, tool: Any, strict: bool, needs_approval: Any = False) -> FunctionTool:
    name, description, schema = _sdk.tool_fields(tool)
    own_meta = static_meta(tool)
    extractor = server.custom_data_extractor
    results = CallResults() if extractor is not None else None

    async def invoke(ctx: ToolContext[Any], arguments: str) -> Any:
        return await call_mcp_tool(server, ctx, name, arguments, own_meta, results)

    return FunctionTool(
        name=name,
        description=description,
        params_json_schema=schema,
        on_invoke_tool=invoke,
        strict_json_schema=strict,
        # The SDK's request timeout, made an idle timeout for tool calls: progress restarts it.
        idle_timeout=server.client_session_timeout_seconds,
        needs_approval=needs_approval,
        custom_data_extractor=(
            function_tool_extractor(extractor, server.name, name, results) if extractor and results else None
        ),
        # The server's guardrails on each of its tools, on the one tool-guardrail path (copies: a tool's own list).
        tool_input_guardrails=_copied(server.tool_input_guardrails),
        tool_output_guardrails=_copied(server.tool_output_guardrails),
        _mcp_annotations=_sdk.tool_annotations(tool),
    )


def _copied(guardrails: list[Any] | None) -> list[Any] | None:
    return list(guardrails) if guardrails is not None else None


async def call_mcp_tool(
    server: MCPServer,
    ctx: ToolContext[Any],
    name: str,
    arguments_json: str,
    own_meta: dict[str, Any] | None = None,
    results: CallResults | None = None,
) -> Any:
    """One tool call of a run: a CLIENT span per attempt (``max_retry_attempts``), children of ``execute_tool``."""
    arguments = _parse_arguments(name, arguments_json)
    base_meta: dict[str, Any] | None = None
    if server.tool_meta_resolver is not None or own_meta:
        base_meta = await resolve_meta(server.tool_meta_resolver, own_meta, ctx, server.name, name, arguments)
    retries = 0
    while True:
        try:
            return await _call_once(server, ctx, name, arguments, base_meta, retries, results)
        except MCPRequestError as exc:
            if not may_retry(server.max_retry_attempts, retries):
                raise
            retries += 1
            await retry_pause(server, TOOLS_CALL, retries, exc)


async def retry_pause(server: MCPServer, method: str, attempt: int, exc: BaseException) -> None:
    """Before a request is sent again: a ``mcp.retry`` event on the current span (the call's ``execute_tool``,
    or an agent's ``tools/list``), then the backoff."""
    delay = backoff_seconds(server.retry_backoff_seconds_base, server.retry_backoff_seconds_max, attempt - 1)
    logger.warning(
        "agents_otel.mcp: %s on server %r failed (%s); retry %d in %s s", method, server.name, exc, attempt, delay
    )
    trace.get_current_span().add_event(
        RETRY_EVENT,
        {
            MCP_METHOD_NAME: method,
            "mcp.server.name": server.name,
            RETRY_ATTEMPT: attempt,
            "exception.type": type(exc).__qualname__,
            "exception.message": str(exc),
            "mcp.retry.delay_seconds": delay,
        },
    )
    await policies.sleep(delay)


async def _call_once(
    server: MCPServer,
    ctx: ToolContext[Any],
    name: str,
    arguments: dict[str, Any],
    base_meta: dict[str, Any] | None,
    retries: int,
    results: CallResults | None,
) -> Any:
    session = server.require_session(MCPConnectionError)
    attributes = request_attributes(server, TOOLS_CALL, {GEN_AI_TOOL_NAME: name})
    if retries:
        attributes[RETRY_ATTEMPT] = retries
    span = run_tracer(ctx).start_span(f"{TOOLS_CALL} {name}", kind=SpanKind.CLIENT, attributes=attributes)
    meta: dict[str, Any] = dict(base_meta) if base_meta else {}
    _W3C.inject(meta, context=trace.set_span_in_context(span))  # SEP-414: unprefixed traceparent / tracestate
    progress = CallProgress(ctx.send_progress)

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.delivered += 1
        ctx.send_progress({"progress": value, "total": total, "message": message})

    # The request id (also the progress token) registers the call for late-notification accounting; 2.x
    # reports it from inside its send (see _sdk_spans), before the request is written; 1.x lets us predict it.
    owned = OwnedRequest(span, lambda request_id: server.track_call(request_id, progress))
    predicted = _sdk.predicted_request_id(session)
    if predicted is not None:
        owned.learn_request_id(predicted)
    owned_token = OWNED.set(owned)
    started = time.perf_counter()
    error_type: str | None = None  # set on failure: the span is then ended in `finally`
    try:
        with trace.use_span(span, end_on_exit=False, record_exception=False, set_status_on_exception=False):
            result = await _sdk.call_tool(session, name, arguments, on_progress, meta, None)
    except Exception as exc:
        error_type, error = _call_error(server, name, exc)
        raise error from None
    except BaseException as exc:
        error_type = ERROR_CANCELLED if _is_cancel(exc) else type(exc).__qualname__
        if _is_cancel(exc) and not _task_cancelled():
            # Nobody cancelled this call's task: the MCP client (its session's task group) ended the request.
            raise MCPToolCancellationError(
                f"Failed to call tool {name!r} on MCP server {server.name!r}: tool execution was cancelled."
            ) from exc
        raise
    finally:
        OWNED.reset(owned_token)
        if error_type is not None:
            _end(span, error_type, ctx, started)
    is_error, content, structured = _sdk.result_fields(result)
    if is_error:
        _end(span, MCPToolError.error_type, ctx, started)
        raise MCPToolError(_content_text(content) or f"MCP tool {name!r} failed")
    _end(span, None, ctx, started)
    if results is not None:  # only a server with a custom_data_extractor keeps its results for it
        results.keep(ctx, arguments, result)
    return _output(server, content, structured)


def _call_error(server: MCPServer, name: str, exc: Exception) -> tuple[str, Exception]:
    """``error.type`` for the CLIENT span, and the typed error the model reads."""
    if _sdk.connection_closed(exc):
        message = f"MCP server {server.name!r} closed the connection during {name!r}"
        return str(_sdk.CONNECTION_CLOSED), MCPConnectionError(message)
    if isinstance(exc, _sdk.SDKError):
        code = _sdk.error_code(exc)
        return str(code), MCPRequestError(f"MCP server {server.name!r}: {_sdk.error_message(exc)}", code)
    return type(exc).__qualname__, exc


def request_attributes(server: MCPServer, method: str, target: dict[str, Any]) -> dict[str, Any]:
    """A CLIENT span's attributes (MCP semantic conventions): the method, its target (``gen_ai.tool.name``,
    ``gen_ai.prompt.name``, ``mcp.resource.uri``), the session and where the server is."""
    attributes: dict[str, Any] = {MCP_METHOD_NAME: method, **target, NETWORK_TRANSPORT: server.network_transport}
    version = server.protocol_version
    if version:
        attributes[MCP_PROTOCOL_VERSION] = version
    session_id = server.session_id
    if session_id:
        attributes[MCP_SESSION_ID] = session_id
    host, port = server.server_address()
    if host:
        attributes[SERVER_ADDRESS] = host
        if port:
            attributes[SERVER_PORT] = port
    return attributes


def _end(span: Span, error_type: str | None, ctx: ToolContext[Any], started: float) -> None:
    end_request(span, error_type, run_meter_provider(ctx), started)


def end_request(span: Span, error_type: str | None, meter_provider: MeterProvider | None, started: float) -> None:
    """End a CLIENT span with its outcome and record ``mcp.client.operation.duration``."""
    if error_type is not None:
        span.set_attribute(ERROR_TYPE, error_type)
        span.set_status(StatusCode.ERROR, error_type)
    span.end()
    attributes = dict(getattr(span, "attributes", None) or {})
    try:
        mcp_instruments(meter_provider).client_duration.record(
            time.perf_counter() - started, metric_attributes(attributes, error_type)
        )
    except Exception:  # a broken metrics pipeline must not fail the request
        logger.exception("agents_otel.mcp: recording the client duration failed")


def _parse_arguments(name: str, arguments_json: str) -> dict[str, Any]:
    try:
        parsed = json.loads(arguments_json or "{}")
    except ValueError as exc:
        raise ToolArgumentsError(f"Invalid JSON arguments for MCP tool {name!r}: {exc}") from None
    if not isinstance(parsed, dict):
        raise ToolArgumentsError(f"Arguments for MCP tool {name!r} must be a JSON object")
    return parsed


def _content_text(content: list[Any]) -> str:
    return "\n".join(str(block.text) for block in content if getattr(block, "type", None) == "text")


def _output(server: MCPServer, content: list[Any], structured: Any) -> Any:
    """What the model reads: the structured result if asked for, else the text (JSON for non-text content)."""
    if server.use_structured_content and structured is not None:
        return structured
    if all(getattr(block, "type", None) == "text" for block in content):
        return _content_text(content)
    dumped = [block.model_dump(mode="json", by_alias=True, exclude_none=True) for block in content]
    return pydantic_core.to_json(dumped[0] if len(dumped) == 1 else dumped).decode()


def _is_cancel(exc: BaseException) -> bool:
    return isinstance(exc, asyncio.CancelledError)


def _task_cancelled() -> bool:
    """Whether the task running the call is being cancelled (by the run, a timeout, the caller)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
