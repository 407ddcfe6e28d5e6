"""``RedisSession``: a conversation history in Redis, as the SDK's ``agents.extensions.memory.RedisSession``.

The keys are the SDK's (``{key_prefix}:{session_id}`` a hash with ``session_id`` / ``created_at`` /
``updated_at``, ``...:messages`` a list of compact JSON items, ``...:counter``), so a history one wrote the other
reads. A turn's items, the metadata and the expiry are written in one MULTI/EXEC transaction: a reader never sees
half a turn, and with ``ttl`` every key of the session expires together, counted by the server's clock.
Operations on one session object are serialised by an ``asyncio.Lock``; no spans, as for ``SQLiteSession``.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import redis.asyncio as redis

from ...session_settings import SessionSettings, coerce_session_settings, resolve_session_limit
from ...sessions import SessionABC, SessionItem
from .errors import SessionClosedError


class RedisSession(SessionABC):
    """History in Redis. ``redis_client``: a ``redis.asyncio.Redis`` the caller owns (``close()`` leaves it
    open); ``RedisSession.from_url(...)`` makes one the session owns. ``ttl``: seconds after the last write when
    the whole session expires (``None``: never)."""

    def __init__(
        self,
        session_id: str,
        *,
        redis_client: redis.Redis,
        key_prefix: str = "agents:session",
        ttl: int | None = None,
        session_settings: SessionSettings | dict[str, Any] | None = None,
    ) -> None:
        if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 1):
            # ValueError as the SDK's; raised here, before anything could be half written.
            raise ValueError(f"RedisSession ttl must be a positive number of seconds or None, got {ttl!r}")
        self.session_id = session_id
        self.session_settings = SessionSettings()
        if session_settings is not None:
            self.session_settings = coerce_session_settings(session_settings, "session_settings")
        self._redis = redis_client
        self._ttl = ttl
        self._session_key = f"{key_prefix}:{session_id}"
        self._messages_key = f"{self._session_key}:messages"
        self._counter_key = f"{self._session_key}:counter"
        self._lock = asyncio.Lock()
        self._owns_client = False
        self._closed = False

    @classmethod
    def from_url(
        cls,
        session_id: str,
        *,
        url: str,
        redis_kwargs: dict[str, Any] | None = None,
        session_settings: SessionSettings | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> RedisSession:
        """A session with a client of its own for ``url`` (``redis://host:6379/0``, ``rediss://...``);
        ``redis_kwargs`` go to ``redis.asyncio.from_url``, ``kwargs`` (``key_prefix``, ``ttl``) to the
        constructor. Its ``close()`` closes that client."""
        client = redis.from_url(url, **(redis_kwargs or {}))
        session = cls(session_id, redis_client=client, session_settings=session_settings, **kwargs)
        session._owns_client = True
        return session

    # ---- the Session protocol ----------------------------------------------------------------------------

    async def get_items(self, limit: int | None = None) -> list[SessionItem]:
        """Oldest first; an entry that is not JSON (written by something else) is skipped, and ``limit`` counts
        only the items returned."""
        limit = resolve_session_limit(limit, self.session_settings)
        async with self._lock:
            self._check_open()
            if limit is None:
                return _decode_all(await self._redis.lrange(self._messages_key, 0, -1))
            if limit <= 0:
                return []
            window = limit
            while True:
                raw = await self._redis.lrange(self._messages_key, -window, -1)
                items = _decode_all(raw)
                if len(items) >= limit or len(raw) < window:
                    return items[-limit:]
                window *= 2

    async def add_items(self, items: list[SessionItem]) -> None:
        self._check_open()
        if not items:
            return
        encoded = [json.dumps(item, separators=(",", ":")) for item in items]  # fails here, on the caller's data
        async with self._lock:
            self._check_open()
            now = str(int(time.time()))
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(self._session_key, "session_id", self.session_id)
                pipe.hsetnx(self._session_key, "created_at", now)
                pipe.rpush(self._messages_key, *encoded)
                pipe.hset(self._session_key, "updated_at", now)
                if self._ttl is not None:
                    for key in (self._session_key, self._messages_key, self._counter_key):
                        pipe.expire(key, self._ttl)
                await pipe.execute()

    async def pop_item(self) -> SessionItem | None:
        """The latest item, removed; entries that are not JSON are dropped on the way to it."""
        async with self._lock:
            self._check_open()
            while True:
                raw = await self._redis.rpop(self._messages_key)
                if raw is None:
                    return None
                item = _decode(raw)
                if item is not None:
                    return item

    async def clear_session(self) -> None:
        async with self._lock:
            self._check_open()
            await self._redis.delete(self._session_key, self._messages_key, self._counter_key)

    # ---- the SDK's extras ---------------------------------------------------------------------------------

    async def ping(self) -> bool:
        """Whether the server answers (``False`` rather than an exception: a health check)."""
        async with self._lock:
            self._check_open()
            try:
                return bool(await self._redis.ping())
            except (redis.RedisError, OSError):
                return False

    async def close(self) -> None:
        """Close the client if the session made it (``from_url``); then every operation raises
        ``SessionClosedError``. A client given to the constructor is the caller's: this does nothing to it."""
        if not self._owns_client:
            return
        async with self._lock:
            if not self._closed:
                self._closed = True
                await self._redis.aclose()

    def _check_open(self) -> None:
        if self._closed:
            raise SessionClosedError(f"RedisSession {self.session_id!r} is closed")


def _decode(raw: Any) -> SessionItem | None:
    try:
        value = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _decode_all(raws: list[Any]) -> list[SessionItem]:
    return [item for item in map(_decode, raws) if item is not None]


__all__ = ["RedisSession"]
