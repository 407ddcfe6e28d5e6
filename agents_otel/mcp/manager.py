"""The SDK's ``agents.mcp.manager.MCPServerManager``: connect a group of MCP servers, run with those that came up.

Semantics as in the SDK: ``active_servers`` holds the connected servers (all of them with
``drop_failed_servers=False``); ``failed_servers`` and ``errors`` say which failed and why; ``strict=True`` raises
the first failure (after cleaning up what was connected); ``reconnect()`` retries the failed ones (or, with
``failed_only=False``, cleans up and reconnects all); ``cleanup_all()`` cleans up in reverse order and records, not
raises, cleanup errors. Every failure is also logged. Each agents_otel server already holds its session in a task
of its own, so ``connect_in_parallel=True`` simply connects them concurrently: no worker tasks are needed for
cleanup to happen on the right task.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any

from ..exceptions import UserError
from .client import MCPServer

logger = logging.getLogger("agents_otel")

__all__ = ["MCPServerManager"]


def _timeout(value: object, knob: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise UserError(f"MCPServerManager: {knob} must be a positive finite number of seconds or None, got {value!r}")
    return float(value)


class MCPServerManager(AbstractAsyncContextManager["MCPServerManager"]):
    """Connects ``servers`` on entry (``connect_all``), cleans them up on exit; pass ``active_servers`` to agents."""

    def __init__(
        self,
        servers: Iterable[MCPServer],
        *,
        connect_timeout_seconds: float | None = 10.0,
        cleanup_timeout_seconds: float | None = 10.0,
        drop_failed_servers: bool = True,
        strict: bool = False,
        suppress_cancelled_error: bool = True,
        connect_in_parallel: bool = False,
    ) -> None:
        self._all = list(servers)
        self._active = list(self._all)
        self.connect_timeout_seconds = connect_timeout_seconds
        self.cleanup_timeout_seconds = cleanup_timeout_seconds
        self.drop_failed_servers = drop_failed_servers
        self.strict = strict
        self.suppress_cancelled_error = suppress_cancelled_error
        self.connect_in_parallel = connect_in_parallel
        self._connected: set[MCPServer] = set()
        self._failed: list[MCPServer] = []
        self._errors: dict[MCPServer, BaseException] = {}
        self._lock = asyncio.Lock()

    @property
    def active_servers(self) -> list[MCPServer]:
        return list(self._active)

    @property
    def all_servers(self) -> list[MCPServer]:
        return list(self._all)

    @property
    def failed_servers(self) -> list[MCPServer]:
        return list(self._failed)

    @property
    def errors(self) -> dict[MCPServer, BaseException]:
        return dict(self._errors)

    @property
    def connect_timeout_seconds(self) -> float | None:
        return self._connect_timeout

    @connect_timeout_seconds.setter
    def connect_timeout_seconds(self, value: float | None) -> None:
        self._connect_timeout = _timeout(value, "connect_timeout_seconds")

    @property
    def cleanup_timeout_seconds(self) -> float | None:
        return self._cleanup_timeout

    @cleanup_timeout_seconds.setter
    def cleanup_timeout_seconds(self, value: float | None) -> None:
        self._cleanup_timeout = _timeout(value, "cleanup_timeout_seconds")

    async def __aenter__(self) -> MCPServerManager:
        await self.connect_all()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.cleanup_all()

    # ---- lifecycle ----------------------------------------------------------------------------------------------
    async def connect_all(self) -> list[MCPServer]:
        """Connect every server not connected yet (in order, or concurrently); returns ``active_servers``."""
        async with self._lock:
            self._failed, self._errors = [], {}
            pending = [s for s in self._all if s not in self._connected]
            try:
                await self._connect(pending)
            except BaseException:
                await self._cleanup([s for s in pending if s in self._connected or s in self._failed])
                self._refresh()
                raise
            self._refresh()
            return self.active_servers

    async def reconnect(self, *, failed_only: bool = True) -> list[MCPServer]:
        """Retry the failed servers (``failed_only=False``: clean up and reconnect all); returns ``active_servers``."""
        async with self._lock:
            if failed_only:
                retry = list(self._failed)
                await self._cleanup(retry)
            else:
                await self._cleanup(self._all)
                self._failed, self._errors = [], {}
                retry = list(self._all)
            try:
                await self._connect(retry)
            finally:
                self._refresh()
            return self.active_servers

    async def cleanup_all(self) -> None:
        """Clean up every server, last first; a failing cleanup is logged and kept in ``errors``."""
        async with self._lock:
            await self._cleanup(self._all)
            self._refresh()

    # ---- steps --------------------------------------------------------------------------------------------------
    async def _connect(self, servers: list[MCPServer]) -> None:
        if not self.connect_in_parallel:
            for server in servers:
                await self._attempt(server, raise_error=self.strict)
            return
        results = await asyncio.gather(*(self._attempt(s, raise_error=False) for s in servers), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        if self.strict:
            first = next((s for s in self._failed if not isinstance(self._errors.get(s), asyncio.CancelledError)), None)
            if first is not None:
                raise self._errors[first]

    async def _attempt(self, server: MCPServer, *, raise_error: bool) -> None:
        try:
            await _bounded(server.connect, self._connect_timeout)
        except asyncio.CancelledError as exc:
            self._record(server, exc, "connect")
            if not self.suppress_cancelled_error:
                raise
        except Exception as exc:
            self._record(server, exc, "connect")
            if raise_error:
                raise
        except BaseException as exc:
            self._record(server, exc, "connect")
            raise
        else:
            self._connected.add(server)
            if server in self._failed:
                self._failed.remove(server)
                self._errors.pop(server, None)

    async def _cleanup(self, servers: list[MCPServer]) -> None:
        for server in reversed(servers):
            try:
                await _bounded(server.cleanup, self._cleanup_timeout)
            except asyncio.CancelledError as exc:
                if not self.suppress_cancelled_error:
                    raise
                self._errors[server] = exc
            except Exception as exc:
                logger.error("agents_otel.mcp: cleaning up MCP server %r failed", server.name, exc_info=exc)
                self._errors[server] = exc
            finally:
                self._connected.discard(server)

    def _record(self, server: MCPServer, exc: BaseException, phase: str) -> None:
        logger.error("agents_otel.mcp: failed to %s MCP server %r: %r", phase, server.name, exc)
        if server not in self._failed:
            self._failed.append(server)
        self._errors[server] = exc

    def _refresh(self) -> None:
        self._active = [s for s in self._all if s in self._connected] if self.drop_failed_servers else list(self._all)


async def _bounded(step: Callable[[], Awaitable[Any]], seconds: float | None) -> None:
    """One connect / cleanup under the manager's timeout (a ``TimeoutError`` past it)."""
    async with asyncio.timeout(seconds):
        await step()
