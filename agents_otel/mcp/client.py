"""``MCPServer``: one connection to an MCP server, the base of ``MCPServerStdio`` and ``MCPServerStreamableHttp``.

Each server object owns one background task that holds the transport and the ``ClientSession``. Why a task of
its own: the SDK's transports are anyio task groups, and a task group that fails (the server process died, the
HTTP stream broke) cancels the task that entered it. Entered from the caller's task, a dying server would cancel
the application. Entered here, it ends this task only; calls in flight get a typed error, ``connect()`` and
``cleanup()`` may be called from any task, and ``cleanup()`` always reaps the process.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import dataclasses
import enum
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Final, Literal, TypeAlias

from ..exceptions import UserError
from ..tool import FunctionTool
from ..tool_errors import ToolErrorFunction
from ..tool_guardrails import ToolInputGuardrail, ToolOutputGuardrail
from . import _sdk
from ._sdk_spans import OWNED, OwnedRequest
from .client_call import CallProgress, retry_pause, to_function_tool
from .client_requests import PromptsAndResources
from .custom_data import MCPToolCustomDataExtractor
from .errors import MCPServerError, MCPServerStartError
from .listing import check_max_list_pages, collect_pages, listed_in_span, retryable, timed
from .policies import ApprovalPolicy, approval_policy, check_retries, may_retry, needs_approval_for
from .tool_filters import (
    MCPToolMetaResolver,
    ToolFilter,
    apply_tool_filter,
    check_tool_filter,
)

logger = logging.getLogger("agents_otel")

_ENDED_CALLS_KEPT = 256


class _Unset(enum.Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
"""``MCPServer(failure_error_function=UNSET)``, the default: the agent's ``mcp_config`` (or the default) decides."""

ServerFailureErrorFunction: TypeAlias = ToolErrorFunction | Literal[_Unset.UNSET] | None
MessageHandler: TypeAlias = Callable[[Any], Awaitable[None]]
"""The SDK's ``MessageHandlerFnT``: awaited with each request, notification or exception from the server."""
MCPStreams: TypeAlias = tuple[Any, Any] | tuple[Any, Any, Callable[[], str | None] | None]
"""What ``create_streams()`` yields: the SDK's ``MCPStreamTransport``."""


class MCPServer(PromptsAndResources, abc.ABC):
    """Base of the MCP server connections an ``Agent(mcp_servers=[...])`` takes tools from; a subclass brings its
    own transport by defining ``create_streams()``."""

    network_transport: str = ""
    """``network.transport`` on the CLIENT spans: ``pipe`` (stdio) or ``tcp`` (HTTP)."""

    def __init__(
        self,
        *,
        name: str,
        cache_tools_list: bool,
        client_session_timeout_seconds: float | None,
        tool_filter: ToolFilter,
        use_structured_content: bool,
        connect_timeout_seconds: float | None,
        failure_error_function: ServerFailureErrorFunction = UNSET,
        max_retry_attempts: int = 0,
        retry_backoff_seconds_base: float = 1.0,
        retry_backoff_seconds_max: float | None = None,
        require_approval: Any = None,
        tool_meta_resolver: MCPToolMetaResolver | None = None,
        custom_data_extractor: MCPToolCustomDataExtractor | None = None,
        message_handler: MessageHandler | None = None,
        tool_input_guardrails: list[ToolInputGuardrail[Any]] | None = None,
        tool_output_guardrails: list[ToolOutputGuardrail[Any]] | None = None,
        max_list_pages: int | None = None,
    ) -> None:
        if failure_error_function not in (UNSET, None) and not callable(failure_error_function):
            raise UserError(
                f"MCP server {name!r}: failure_error_function must be callable or None, got {failure_error_function!r}"
            )
        check_tool_filter(tool_filter)
        check_retries(max_retry_attempts, retry_backoff_seconds_base, retry_backoff_seconds_max)
        if tool_meta_resolver is not None and not callable(tool_meta_resolver):
            raise UserError(f"MCP server {name!r}: tool_meta_resolver must be callable or None")
        if custom_data_extractor is not None and not callable(custom_data_extractor):
            raise UserError(f"MCP server {name!r}: custom_data_extractor must be callable or None")
        if client_session_timeout_seconds is not None and not client_session_timeout_seconds > 0:
            raise UserError(f"client_session_timeout_seconds must be positive, got {client_session_timeout_seconds}")
        if message_handler is not None and not callable(message_handler):
            raise UserError(f"MCP server {name!r}: message_handler must be an async callable or None")
        self.max_list_pages = check_max_list_pages(max_list_pages)
        """At most this many pages per ``list_tools()`` / ``list_prompts()``; one more is a ``UserError``."""
        self.tool_input_guardrails = check_guardrails(name, "input", tool_input_guardrails)
        """Run before each call of every tool of this server (copied onto each converted tool)."""
        self.tool_output_guardrails = check_guardrails(name, "output", tool_output_guardrails)
        self.message_handler = message_handler
        """Awaited with every message the session receives from the server (as the SDK's ``ClientSession`` gives
        it), after agents_otel has read its progress notifications."""
        self._name = name
        self.cache_tools_list = cache_tools_list
        self.client_session_timeout_seconds = client_session_timeout_seconds
        self.tool_filter = tool_filter
        self.use_structured_content = use_structured_content
        self.connect_timeout_seconds = connect_timeout_seconds
        self._failure_error_function = failure_error_function
        self.max_retry_attempts = max_retry_attempts
        self.retry_backoff_seconds_base = retry_backoff_seconds_base
        self.retry_backoff_seconds_max = retry_backoff_seconds_max
        self._needs_approval_policy: ApprovalPolicy = approval_policy(require_approval)
        self.tool_meta_resolver = tool_meta_resolver
        self.custom_data_extractor = custom_data_extractor
        """``(MCPToolCustomDataContext) -> mapping | None`` after each call of this server's tools: the SDK-only
        ``ToolCallOutputItem.custom_data`` (see ``agents_otel.mcp.custom_data``)."""
        self._owner: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._session: Any = None
        self._init_result: Any = None
        self._session_id: _sdk.SessionIdGetter = lambda: None
        self._lost: BaseException | None = None
        self._tools: list[Any] | None = None
        self._cache_dirty = True
        self._calls: OrderedDict[str, CallProgress] = OrderedDict()
        self._offered_as: list[str] = []
        self._listed: list[str] = []

    # ---- identity --------------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def protocol_version(self) -> str | None:
        """The protocol version negotiated at ``connect()`` (``mcp.protocol.version`` on spans)."""
        return _sdk.protocol_version(self._session, self._init_result) if self._session is not None else None

    @property
    def session_id(self) -> str | None:
        """The ``Mcp-Session-Id`` a Streamable HTTP server assigned, if any (``mcp.session.id`` on spans)."""
        return self._session_id()

    def server_address(self) -> tuple[str | None, int | None]:
        return None, None

    @property
    def sets_failure_error_function(self) -> bool:
        """Whether this server words its tools' failed calls itself (``failure_error_function`` given, ``None``
        too): then its choice wins over the agent's ``mcp_config``, as in the SDK (see ``tool_sources``)."""
        return self._failure_error_function is not UNSET

    @abc.abstractmethod
    def create_streams(self) -> AbstractAsyncContextManager[MCPStreams]:
        """The transport, as the SDK's clients give it: an async context manager yielding ``(read, write)`` or
        ``(read, write, get_session_id)``. ``connect()`` enters it in the session's own task."""

    # ---- lifecycle ---------------------------------------------------------------------------------------------
    async def __aenter__(self) -> MCPServer:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.cleanup()

    async def connect(self) -> None:
        """Start the server (stdio) or open the session (HTTP) and run the MCP handshake.

        Raises :class:`MCPServerStartError` if that fails; nothing is left running then.
        """
        if self._owner is not None and not self._owner.done():
            return
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        self._stop = asyncio.Event()
        self._lost = None
        self._owner = owner = loop.create_task(self._own_session(ready), name=f"agents_otel.mcp {self._name}")
        try:
            await asyncio.shield(ready)
        except asyncio.CancelledError:
            if not ready.done():  # still starting (a timeout, MCPServerManager's too): nothing to close gracefully
                owner.cancel()
            await self.cleanup()
            if ready.done() and not ready.cancelled():
                ready.exception()  # the cancellation is what the caller gets
            raise

    async def cleanup(self) -> None:
        """Close the session and stop the server process; safe to call twice or after a failed ``connect()``."""
        owner, self._owner = self._owner, None
        if owner is None:
            return
        if self._stop is not None:
            self._stop.set()
        done, _ = await asyncio.wait({owner}, timeout=10)
        if not done:  # the transport's own shutdown (terminate, then kill) is bounded; this is the backstop
            owner.cancel()
            await asyncio.wait({owner})

    async def _own_session(self, ready: asyncio.Future[None]) -> None:
        OWNED.set(OwnedRequest(None))  # handshake and listings: keep the SDK's own spans out of the trace
        try:
            async with contextlib.AsyncExitStack() as stack:
                streams = await stack.enter_async_context(self.create_streams())
                read, write = streams[0], streams[1]
                session_id = streams[2] if len(streams) > 2 and streams[2] is not None else _no_session_id
                session = await stack.enter_async_context(_sdk.client_session(read, write, None, self._on_message))
                async with asyncio.timeout(self.connect_timeout_seconds):
                    self._init_result = await session.initialize()
                self._session, self._session_id = session, session_id
                ready.set_result(None)
                assert self._stop is not None
                await self._stop.wait()
        except BaseException as exc:
            if not ready.done():  # a misconfiguration (httpx_client_factory's result) is the UserError it is
                cause = _leaf(exc)
                ready.set_exception(cause if isinstance(cause, UserError) else self._start_error(exc))
            else:
                self._lost = exc
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            self._session = None

    def _start_error(self, exc: BaseException) -> MCPServerStartError:
        cause = _leaf(exc)
        if isinstance(cause, TimeoutError):
            detail = f"no answer to initialize within {self.connect_timeout_seconds} s"
        elif isinstance(cause, _sdk.SDKError):
            detail = _sdk.error_message(cause)
        else:
            detail = f"{type(cause).__name__}: {cause}"
        error = MCPServerStartError(f"MCP server {self._name!r} failed to start: {detail}")
        error.__cause__ = cause
        return error

    def require_session(self, lost: type[Exception] = MCPServerError) -> Any:
        """The live session; ``lost`` is raised if the connection went away (``UserError`` if never connected)."""
        session = self._session
        if session is None:
            if self._lost is not None:
                raise lost(f"MCP server {self._name!r} is no longer connected ({_leaf(self._lost)!r})")
            raise UserError(f"MCP server {self._name!r} is not connected: call connect() or use `async with`")
        return session

    def _last_listing_after_loss(self) -> list[Any] | None:
        """After the connection is lost, the last listing stands, so the model can still be told: every call of
        those tools is then an ``MCPConnectionError`` it reads, instead of the whole run failing on the listing."""
        if self._tools is None:
            return None
        logger.warning(
            "agents_otel.mcp: server %r is gone; offering its last tool listing, calls will fail", self._name
        )
        return list(self._tools)

    # ---- tools --------------------------------------------------------------------------------------------------
    def listed_tool_names(self) -> list[str]:
        """The names of the tools the last listing offered, and the server-prefixed names an agent last offered
        them under (``include_server_in_tool_names``): a run item's ``tool_origin`` names this server by them."""
        return [*self._listed, *self._offered_as]

    def offered_as(self, names: list[str]) -> None:
        """Told by the agent which names it offered this listing's tools under (see ``tool_sources``)."""
        self._offered_as = list(names)

    def invalidate_tools_cache(self) -> None:
        self._cache_dirty = True

    async def list_tools(self, run_context: Any = None, agent: Any = None) -> list[Any]:
        """The server's tools (the SDK's ``Tool`` objects), filtered; cached with ``cache_tools_list=True`` (the
        cache holds the whole listing: a callable filter is asked again each time, for the run asking)."""
        if self.cache_tools_list and not self._cache_dirty and self._tools is not None:
            tools = list(self._tools)
        elif self._session is None and self._lost is not None and (last := self._last_listing_after_loss()) is not None:
            tools = last
        else:
            tools = await self._fetch_tools()
        kept = await apply_tool_filter(self.tool_filter, tools, self._name, run_context, agent)
        self._listed = [str(t.name) for t in kept]
        return kept

    async def _fetch_tools(self) -> list[Any]:
        session = self.require_session()
        token = OWNED.set(OwnedRequest(None))
        try:
            tools, _ = await collect_pages(
                self, "tools/list", "tools", lambda cursor: timed(self, _sdk.list_page(session, "list_tools", cursor)),
                retry=True,
            )  # fmt: skip
        except TimeoutError:
            raise MCPServerError(
                f"MCP server {self._name!r}: tools/list got no answer in {self.client_session_timeout_seconds} s"
            ) from None
        except Exception as exc:
            if _sdk.connection_closed(exc) and (last := self._last_listing_after_loss()) is not None:
                return last
            if not isinstance(exc, _sdk.SDKError):
                raise
            raise MCPServerError(f"MCP server {self._name!r}: tools/list failed: {_sdk.error_message(exc)}") from exc
        finally:
            OWNED.reset(token)
        self._tools, self._cache_dirty = tools, False
        return list(tools)

    async def call_tool(
        self, tool_name: str, arguments: dict[str, Any] | None, meta: dict[str, Any] | None = None
    ) -> Any:
        """One raw ``tools/call`` (the SDK's ``CallToolResult``), outside any run: no span, no progress routing;
        retried as configured.

        Agents do not use this: their calls go through the tool path (``execute_tool`` span, progress, errors).
        """
        session = self.require_session()
        token = OWNED.set(OwnedRequest(None))
        retries = 0
        try:
            while True:
                try:
                    async with asyncio.timeout(self.client_session_timeout_seconds):
                        if meta is None:
                            return await session.call_tool(tool_name, arguments or {})
                        return await session.call_tool(tool_name, arguments or {}, meta=meta)
                except Exception as exc:
                    if not retryable(exc) or not may_retry(self.max_retry_attempts, retries):
                        raise
                    retries += 1
                    await retry_pause(self, "tools/call", retries, exc)
        finally:
            OWNED.reset(token)

    async def function_tools(
        self, convert_schemas_to_strict: bool = False, run_context: Any = None, agent: Any = None
    ) -> list[FunctionTool]:
        """The server's tools as ``FunctionTool``s: what ``Agent(mcp_servers=...)`` offers the model each turn
        (``run_context`` and ``agent``: the turn's, for a callable ``tool_filter`` or ``require_approval``)."""
        self._offered_as = []
        policy = self._needs_approval_policy
        tools = [
            to_function_tool(self, tool, convert_schemas_to_strict, needs_approval_for(policy, tool, agent))
            for tool in await listed_in_span(self, self.list_tools(run_context, agent))
        ]
        if self._failure_error_function is UNSET:
            return tools
        own = self._failure_error_function
        return [dataclasses.replace(t, failure_error_function=own) for t in tools]

    # Tool sources whose listing depends on the turn say so; collect_tools passes them the run and the agent.
    function_tools_take_run = True

    # ---- progress bookkeeping -----------------------------------------------------------------------------------
    def track_call(self, request_id: str, progress: CallProgress) -> None:
        self._calls[request_id] = progress
        while len(self._calls) > _ENDED_CALLS_KEPT:
            self._calls.popitem(last=False)

    async def _on_message(self, message: Any) -> None:
        """Every server notification; late progress (after the call's result) is handed on to be counted."""
        found = _sdk.progress_notification(message)
        entry = self._calls.get(str(found[0])) if found is not None else None
        if found is not None and entry is not None:
            entry.seen += 1
            if entry.seen > entry.delivered:  # the SDK no longer had a callback for it: the call has returned
                entry.delivered = entry.seen
                entry.send({"progress": found[1], "total": found[2], "message": found[3]})
        if self.message_handler is not None:
            await self.message_handler(message)


def _leaf(exc: BaseException) -> BaseException:
    """The first real error inside the exception groups anyio task groups wrap failures in."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _no_session_id() -> str | None:
    return None


def check_guardrails(name: str, stage: str, guardrails: Any) -> Any:
    """A server's ``tool_{stage}_guardrails``: a list of the guardrail type, or ``None`` (a copy is kept)."""
    kind = ToolInputGuardrail if stage == "input" else ToolOutputGuardrail
    if guardrails is None:
        return None
    if not isinstance(guardrails, list | tuple) or not all(isinstance(g, kind) for g in guardrails):
        raise UserError(
            f"MCP server {name!r}: tool_{stage}_guardrails must be a list of {kind.__name__} (made with "
            f"@tool_{stage}_guardrail), got {guardrails!r}"
        )
    return list(guardrails)
