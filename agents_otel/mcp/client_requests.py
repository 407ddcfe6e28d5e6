"""An MCP server's prompts and resources: ``list_prompts``, ``get_prompt``, ``list_resources``,
``list_resource_templates``, ``read_resource`` (the SDK's ``MCPServer`` methods).

An application calls these itself (to build an agent's instructions from a prompt, or hand a resource to the model),
so each request is traced the way a tool call's ``tools/call`` is, on the same path (``client_call``): a CLIENT span
``{method} {target}`` with the MCP semantic-convention attributes (``gen_ai.prompt.name`` / ``mcp.resource.uri``),
the W3C context the SDK injects being this span's, and ``mcp.client.operation.duration``. Called from inside a tool
call, the span and metric go where the run's do, under its ``execute_tool`` span; elsewhere to the default provider.
Results are the SDK's own types. A JSON-RPC error, a lost connection or no answer within
``client_session_timeout_seconds`` is an :class:`MCPServerError` naming the server and method.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from opentelemetry import trace
from opentelemetry.trace import SpanKind

from ..tracing.attributes import ERROR_CANCELLED
from . import _sdk
from ._engine import ambient_telemetry
from ._sdk_spans import OWNED, OwnedRequest
from .client_call import end_request, request_attributes
from .errors import MCPServerError
from .listing import collect_pages, timed

T = TypeVar("T")

GEN_AI_PROMPT_NAME = "gen_ai.prompt.name"
MCP_RESOURCE_URI = "mcp.resource.uri"


class PromptsAndResources:
    """The prompt and resource requests of :class:`~agents_otel.mcp.MCPServer` (mixed into it)."""

    network_transport: str
    max_list_pages: int | None
    client_session_timeout_seconds: float | None

    @property
    def name(self) -> str:
        raise NotImplementedError  # MCPServer's

    def require_session(self, lost: type[Exception] = MCPServerError) -> Any:
        raise NotImplementedError  # MCPServer's

    async def list_prompts(self) -> Any:
        """Every prompt the server offers (all pages, at most ``max_list_pages``): the SDK's ``ListPromptsResult``
        of the first page, holding all of them and no cursor."""
        prompts, first = await collect_pages(
            self,  # type: ignore[arg-type]  # always an MCPServer
            "prompts/list",
            "prompts",
            lambda cursor: self._request("prompts/list", {}, lambda s: _sdk.list_page(s, "list_prompts", cursor)),
            retry=False,
        )
        return _sdk.merged_listing(first, "prompts", prompts)

    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        """One prompt, its arguments filled in (the SDK's ``GetPromptResult``)."""
        return await self._request(
            "prompts/get", {GEN_AI_PROMPT_NAME: name}, lambda session: session.get_prompt(name, arguments)
        )

    async def list_resources(self, cursor: str | None = None) -> Any:
        """One page of the server's resources (the SDK's ``ListResourcesResult``); pass its next cursor for more."""
        return await self._request(
            "resources/list", {}, lambda session: _sdk.list_page(session, "list_resources", cursor)
        )

    async def list_resource_templates(self, cursor: str | None = None) -> Any:
        """One page of the server's resource templates (``ListResourceTemplatesResult``), as ``list_resources``."""
        return await self._request(
            "resources/templates/list", {}, lambda session: _sdk.list_page(session, "list_resource_templates", cursor)
        )

    async def read_resource(self, uri: str) -> Any:
        """The contents of the resource at ``uri`` (the SDK's ``ReadResourceResult``)."""
        return await self._request(
            "resources/read", {MCP_RESOURCE_URI: str(uri)}, lambda session: _sdk.read_resource(session, str(uri))
        )

    async def _request(self, method: str, target: dict[str, Any], send: Callable[[Any], Awaitable[T]]) -> T:
        session = self.require_session()
        tracer, meter_provider = ambient_telemetry()
        label = target.get(GEN_AI_PROMPT_NAME)
        span = tracer.start_span(
            f"{method} {label}" if label else method,
            kind=SpanKind.CLIENT,
            attributes=request_attributes(self, method, target),  # type: ignore[arg-type]  # always an MCPServer
        )
        owned = OwnedRequest(span)
        predicted = _sdk.predicted_request_id(session)
        if predicted is not None:
            owned.learn_request_id(predicted)
        token = OWNED.set(owned)
        started = time.perf_counter()
        error_type: str | None = None
        try:
            with trace.use_span(span, end_on_exit=False, record_exception=False, set_status_on_exception=False):
                result: T = await timed(self, send(session))  # type: ignore[arg-type]  # always an MCPServer
            return result
        except TimeoutError:
            error_type = "timeout"
            message = f"{method} got no answer in {self.client_session_timeout_seconds} s"
            raise MCPServerError(f"MCP server {self.name!r}: {message}") from None
        except Exception as exc:
            if _sdk.connection_closed(exc):
                error_type = str(_sdk.CONNECTION_CLOSED)
                raise MCPServerError(f"MCP server {self.name!r} closed the connection during {method}") from exc
            if isinstance(exc, _sdk.SDKError):
                error_type = str(_sdk.error_code(exc))
                raise MCPServerError(f"MCP server {self.name!r}: {method} failed: {_sdk.error_message(exc)}") from exc
            error_type = type(exc).__qualname__
            raise
        except BaseException as exc:
            error_type = ERROR_CANCELLED if isinstance(exc, asyncio.CancelledError) else type(exc).__qualname__
            raise
        finally:
            OWNED.reset(token)
            end_request(span, error_type, meter_provider, started)
