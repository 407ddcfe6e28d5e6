"""Serving agents_otel tools over MCP: ``create_mcp_server(agent_or_tools)``.

Each ``tools/call`` runs through the normal tool path (``execute_tool`` span, timeouts, error text), and its
stream events become the MCP messages: every ``ToolProgressStreamEvent`` a ``notifications/progress`` (when the
client sent a ``progressToken``; mapping in :mod:`.server_progress`), the ``tool_output`` item the result
(``isError`` for a failed call). Tracing: a SERVER span ``{method} {tool}`` per request, continuing the W3C
``traceparent`` / ``tracestate`` found in ``params._meta``, with the call's ``execute_tool`` span under it; and
``mcp.server.operation.duration``. The SDK's own server span (2.x, global provider) is replaced by ours, so the
configured provider gets one SERVER span per request.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from mcp import types
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel import Server
from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from ..agent import Agent
from ..exceptions import UserError
from ..items import FunctionCall
from ..run_config import RunConfig
from ..stream_events import RunItemStreamEvent, StreamEvent, ToolProgressStreamEvent
from ..tool import FunctionTool
from ..tracing.attributes import ERROR_TYPE, GEN_AI_TOOL_NAME
from ..tracing.provider import resolve_tracer_provider, tracer_for
from . import _sdk
from ._engine import run_tool_call
from .client_call import MCP_METHOD_NAME, MCP_PROTOCOL_VERSION, MCP_SESSION_ID, NETWORK_TRANSPORT
from .metrics import mcp_instruments, metric_attributes
from .server_progress import progress_params

_W3C = TraceContextTextMapPropagator()
INVALID_PARAMS = -32602
JSONRPC_REQUEST_ID = "jsonrpc.request.id"


def create_mcp_server(
    agent_or_tools: Agent[Any] | Sequence[FunctionTool],
    *,
    name: str | None = None,
    run_config: RunConfig | None = None,
    context: Any = None,
) -> Server[Any]:
    """An MCP server (the official SDK's low-level ``Server``) offering the function tools of an agent or a list.

    Serve it with :func:`agents_otel.mcp.serve_stdio` / :func:`agents_otel.mcp.serve_streamable_http`, the
    ``agents-otel mcp`` command, or the SDK's own ``server.run(...)`` / ``server.streamable_http_app()``.
    ``run_config`` supplies the tracer and meter providers and the progress rules (sampling, payload cap);
    ``context`` is what the tools see as ``ctx.context``.
    """
    if _sdk.MCP_MAJOR < 2:  # pragma: no cover - 1.x
        raise UserError(f"create_mcp_server needs the mcp SDK 2.x; mcp {_sdk.MCP_VERSION} is installed")
    if isinstance(agent_or_tools, Agent):
        agent: Agent[Any] = agent_or_tools
        tools = [t for t in agent.tools if isinstance(t, FunctionTool)]
        if len(tools) != len(agent.tools):  # served without them, clients would see a different agent's tools
            hosted = [t.name for t in agent.tools if not isinstance(t, FunctionTool)]
            raise UserError(
                f"create_mcp_server: agent {agent.name!r} has hosted tools {hosted}, which run on OpenAI's side "
                "and cannot be served over MCP; pass the function tools as a list instead"
            )
    else:
        tools = list(agent_or_tools)
        if not all(isinstance(t, FunctionTool) for t in tools):
            raise UserError(
                "create_mcp_server takes an Agent or a list of FunctionTool (e.g. @function_tool functions)"
            )
        agent = Agent(name=name or "agents_otel", tools=list(tools))
    by_name = {t.name: t for t in tools}
    if len(by_name) != len(tools):
        raise UserError(f"create_mcp_server: duplicate tool names in {[t.name for t in tools]}")
    config = run_config or RunConfig()

    async def list_tools(ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None) -> Any:
        return types.ListToolsResult(
            tools=[types.Tool(name=t.name, description=t.description, input_schema=t.params_json_schema) for t in tools]
        )

    async def call_tool(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> Any:
        return await _call(ctx, params, agent, by_name, config, context)

    server: Server[Any] = Server(name or agent.name, on_list_tools=list_tools, on_call_tool=call_tool)
    # The SDK's OpenTelemetryMiddleware opens a SERVER span on the global provider; ours replaces it.
    server.middleware[:] = [m for m in server.middleware if type(m).__name__ != "OpenTelemetryMiddleware"]
    server.middleware.insert(0, _TracingMiddleware(config))
    return server


async def _call(
    ctx: ServerRequestContext[Any],
    params: types.CallToolRequestParams,
    agent: Agent[Any],
    tools: dict[str, FunctionTool],
    config: RunConfig,
    context: Any,
) -> types.CallToolResult:
    wants_progress = (ctx.meta or {}).get("progress_token") is not None
    outcome: list[bool] = []

    async def on_event(event: StreamEvent) -> None:
        if isinstance(event, ToolProgressStreamEvent):
            if wants_progress:
                await ctx.session.report_progress(*progress_params(event.data, event.sequence))
        elif isinstance(event, RunItemStreamEvent) and event.name == "tool_output":
            outcome.append(bool(getattr(event.item, "is_error", False)))

    tool = tools.get(params.name)
    if tool is None:  # a protocol error, not a tool failure: the client asked for a tool that is not listed
        raise _sdk.SDKError(INVALID_PARAMS, f"Unknown tool: {params.name!r}")
    call = FunctionCall(params.name, json.dumps(params.arguments or {}), f"mcp-{ctx.request_id}")
    output = await run_tool_call(agent, tool, call, config, context, on_event)
    is_error = bool(outcome and outcome[-1])
    if isinstance(output, str):
        return types.CallToolResult(content=[types.TextContent(type="text", text=output)], is_error=is_error)
    content: list[types.TextContent | types.ImageContent] = []
    for part in output:
        sent = _mcp_content(part)
        if sent is None:  # a failed call the client is told about, never a result missing what the tool gave
            text = (
                f"Tool {params.name!r} returned an {part['type']} part that MCP cannot carry here (only text, and "
                "images given inline as a data: URL)"
            )
            return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)
        content.append(sent)
    return types.CallToolResult(content=list(content), is_error=is_error)


def _mcp_content(part: dict[str, Any]) -> types.TextContent | types.ImageContent | None:
    """A structured tool output's part as MCP content: text, or an image given inline (a ``data:`` URL); ``None``
    for an image by URL or file id, or a file, which an MCP client would not read as the model would."""
    if part["type"] == "input_text":
        return types.TextContent(type="text", text=part["text"])
    url = part.get("image_url")
    if part["type"] == "input_image" and isinstance(url, str) and url.startswith("data:") and ";base64," in url:
        head, _, data = url.partition(",")
        return types.ImageContent(type="image", data=data, mime_type=head[5:].removesuffix(";base64"))
    return None


class _TracingMiddleware:
    """One SERVER span per request on the configured provider, continuing the client's trace from ``_meta``."""

    def __init__(self, config: RunConfig) -> None:
        self._config = config

    async def __call__(self, ctx: ServerRequestContext[Any], call_next: CallNext) -> HandlerResult:
        if ctx.request_id is None:  # notifications: no span
            return await call_next(ctx)
        target = (ctx.params or {}).get("name")
        attributes: dict[str, Any] = {
            MCP_METHOD_NAME: ctx.method,
            JSONRPC_REQUEST_ID: str(ctx.request_id),
            NETWORK_TRANSPORT: "tcp" if ctx.request is not None else "pipe",
        }
        if ctx.protocol_version:
            attributes[MCP_PROTOCOL_VERSION] = ctx.protocol_version
        if isinstance(target, str):
            attributes[GEN_AI_TOOL_NAME] = target
        session_id = _session_id(ctx.request)
        if session_id:
            attributes[MCP_SESSION_ID] = session_id
        parent = _W3C.extract(dict(ctx.meta or {}))
        if not trace.get_current_span(parent).get_span_context().is_valid:
            parent = context_api.get_current()
        tracer = tracer_for(resolve_tracer_provider(self._config))
        name = f"{ctx.method} {target}" if isinstance(target, str) else ctx.method
        span = tracer.start_span(name, context=parent, kind=SpanKind.SERVER, attributes=attributes)
        started = time.perf_counter()
        error_type: str | None = None
        try:
            with trace.use_span(span, end_on_exit=False, record_exception=False, set_status_on_exception=False):
                result = await call_next(ctx)
            if isinstance(result, types.CallToolResult) and result.is_error:
                error_type = "tool_error"
            return result
        except BaseException as exc:
            error_type = str(_sdk.error_code(exc)) if isinstance(exc, _sdk.SDKError) else type(exc).__qualname__
            span.record_exception(exc)
            raise
        finally:
            if error_type is not None:
                span.set_attribute(ERROR_TYPE, error_type)
                span.set_status(StatusCode.ERROR, error_type)
            span.end()
            try:
                mcp_instruments(self._config.meter_provider).server_duration.record(
                    time.perf_counter() - started, metric_attributes(attributes, error_type)
                )
            except Exception:  # a broken metrics pipeline must not fail the request
                import logging

                logging.getLogger(__name__).exception("agents_otel.mcp: recording the server duration failed")


def _session_id(request: Any) -> str | None:
    headers = getattr(request, "headers", None)
    if headers is None:
        return None
    value = headers.get("mcp-session-id")
    return value if isinstance(value, str) and value else None
