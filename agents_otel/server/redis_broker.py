"""Replicas sharing runs through Redis Streams: the Redis implementation of the broker seam (``broker.py``).

Ownership: the replica that accepted ``POST /runs`` owns the run. It publishes the run's events (one
:class:`RunPublisher` per run) and holds a lease on it, renewed every third of ``lease_seconds`` for all its runs
in one pipeline; a renewal also picks up cancel requests (the pub/sub message to the owner is the fast path,
the flag in the record the one that survives a dropped connection). Other replicas serve the run from a
mirror (:class:`RunFollower`) and end it with ``owner_lost`` when the lease has expired.

Presuming an owner lost is only done by a replica whose own connection to Redis has been healthy for a full
lease: after an outage, the owner gets a full lease to renew before anyone gives up on it.

The keys and scripts are described in ``redis_scripts.py``; docs/server.md ("Running several replicas") says
what Redis holds and how to size it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from . import redis_scripts as scripts
from .errors import BrokerUnavailableError, PausedRunNotFoundError, RunFinishedError, RunNotFoundError, ServerError
from .event_size import DEFAULT_MAX_EVENT_BYTES, encode_event
from .paused_runs import DEFAULT_PAUSED_SECONDS, PausedEntry
from .redis_follower import RunFollower
from .redis_publisher import RunPublisher
from .replay_buffer import DEFAULT_REPLAY_BUFFER_SIZE, ReplayBuffer
from .run_registry import DEFAULT_RETENTION_SECONDS

if TYPE_CHECKING:
    from .run_registry import RunRegistry, ServedRun

T = TypeVar("T")
logger = logging.getLogger("agents_otel.server")

CONNECT_TIMEOUT_SECONDS = 2.0
OWNER_LOST_MESSAGE = "the replica running this run stopped renewing its lease (it crashed or lost Redis)"


class _Scripts:
    def __init__(self, client: aioredis.Redis) -> None:
        self.open = client.register_script(scripts.OPEN)
        self.append = client.register_script(scripts.APPEND)
        self.renew = client.register_script(scripts.RENEW)
        self.mark_lost = client.register_script(scripts.MARK_LOST)
        self.request_cancel = client.register_script(scripts.REQUEST_CANCEL)


class RedisBroker:
    def __init__(self, url: str, *, lease_seconds: float) -> None:
        self.url = url
        self.lease_seconds = lease_seconds
        self.lease_ms = max(int(lease_seconds * 900), 1)  # 0.9 lease + one check (0.1 lease) = lost within the lease
        self.check_ms = max(int(lease_seconds * 100), 1)
        self._limits(DEFAULT_REPLAY_BUFFER_SIZE, DEFAULT_RETENTION_SECONDS, DEFAULT_MAX_EVENT_BYTES)
        self.token = uuid.uuid4().hex
        self.client: aioredis.Redis = aioredis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=lease_seconds + CONNECT_TIMEOUT_SECONDS,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 1),
        )
        self.scripts = _Scripts(self.client)
        self._registry: RunRegistry | None = None
        self._publishers: dict[str, RunPublisher] = {}
        self._followers: dict[str, RunFollower] = {}
        self._background: list[asyncio.Task[None]] = []
        self._healthy_since: float | None = None
        self._paused_ms = int(DEFAULT_PAUSED_SECONDS * 1000)
        self._storing: dict[str, asyncio.Task[None]] = {}
        """Paused runs' states on their way to Redis (a resume here waits for its run's)."""

    # -- the seam -----------------------------------------------------------------------------------------

    def bind(self, registry: RunRegistry) -> None:
        self._registry = registry
        self._limits(registry.replay_buffer_size, registry.retention_seconds, registry.max_event_bytes)
        self._paused_ms = max(int(registry.paused.seconds * 1000), 1)
        registry.paused.on_paused = self._store_paused

    def _limits(self, replay_buffer_size: int, retention_seconds: float, max_event_bytes: int) -> None:
        self.replay_buffer_size = replay_buffer_size
        self.max_event_bytes = max_event_bytes
        self.keep_ms = int((3 * self.lease_seconds + retention_seconds) * 1000)
        self.retention_ms = max(int(retention_seconds * 1000), 1)

    def new_buffer(self) -> ReplayBuffer:
        """A mirror with the same limits as the owner's buffer, so it holds exactly the same events."""
        return self._registry.new_buffer() if self._registry is not None else ReplayBuffer(self.replay_buffer_size)

    async def open_run(self, run_id: str, principal: str | None) -> None:
        info = {"id": run_id, "status": "running", "trace_id": None, "last_event_id": 0, "final_output": None}
        await self.open_record(run_id, principal, json.dumps(info))

    def publish(self, run: ServedRun, principal: str | None) -> None:
        self._start_background()
        publisher = RunPublisher(self, run, principal)
        self._publishers[run.id] = publisher
        publisher.start()

    async def status(self, run_id: str, principal: str | None, missing: RunNotFoundError) -> dict[str, Any]:
        record = await self._record(run_id, principal, missing)
        if record["status"] == "running" and await self.check_owner(run_id) != "running":
            record = await self._record(run_id, principal, missing)
        info: dict[str, Any] = json.loads(record["info"])
        info.update(status=record["status"], last_event_id=int(record["last_id"]))
        if record["status"] != "completed":
            info["final_output"] = None
        return info

    async def replay(
        self, run_id: str, principal: str | None, last_event_id: int | None, missing: RunNotFoundError
    ) -> ReplayBuffer:
        record = await self._record(run_id, principal, missing)
        follower = self._followers.get(run_id)
        if follower is None:
            follower = self._followers[run_id] = RunFollower(self, run_id)
        follower.used_at = asyncio.get_running_loop().time()
        buffer = follower.buffer
        # Wait until the mirror holds what Redis held when asked (and what the client says it saw, which the
        # owner may not have published yet), so resume is judged against the run, not a lagging mirror.
        target = max(int(record["last_id"]), last_event_id or 0)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.lease_seconds):
                while buffer.last_id < target and not buffer.closed:
                    await buffer.wait_beyond(buffer.last_id)
        return buffer

    async def cancel(self, run_id: str, principal: str | None, missing: RunNotFoundError) -> None:
        await self._record(run_id, principal, missing)
        reply = await self.call(self.scripts.request_cancel(keys=[scripts.run_keys(run_id)[0]]))
        if reply is None:
            raise missing
        if int(reply[0]) == 0:
            raise RunFinishedError(f"run {run_id!r} has already ended ({reply[1]})", status=reply[1])
        await self.call(self.client.publish(scripts.cancel_channel(reply[1]), run_id))

    async def paused(self, run_id: str, principal: str | None, missing: PausedRunNotFoundError) -> PausedEntry:
        raw = await self.call(self.client.get(scripts.paused_key(run_id)))
        if raw is None:
            raise missing
        data = json.loads(raw)
        if data["principal"] != (principal or ""):
            raise missing
        now = self._registry.paused.clock() if self._registry is not None else 0.0
        return PausedEntry(run_id, principal or "", data["state"], data["interruptions"], data["conversation_id"], now)

    async def forget_paused(self, run_id: str) -> None:
        storing = self._storing.get(run_id)
        if storing is not None:  # paused here a moment ago: its state must be in Redis before it can be taken
            await asyncio.wait([storing])
        if not await self.call(self.client.delete(scripts.paused_key(run_id))):
            raise PausedRunNotFoundError(f"paused run {run_id!r} was already resumed (or expired)")

    def _store_paused(self, entry: PausedEntry) -> None:
        data = {
            "principal": entry.principal,
            "state": entry.state,
            "interruptions": entry.interruptions,
            "conversation_id": entry.conversation_id,
        }
        task = asyncio.get_running_loop().create_task(self._set_paused(entry.run_id, json.dumps(data)))
        self._storing[entry.run_id] = task
        task.add_done_callback(lambda _: self._storing.pop(entry.run_id, None))

    async def _set_paused(self, run_id: str, data: str) -> None:
        try:
            await self.call(self.client.set(scripts.paused_key(run_id), data, px=self._paused_ms))
        except ServerError as exc:  # the run stays resumable on this replica only; the operator should know
            logger.warning("agents_otel server: paused run %s not shared through Redis: %s", run_id, exc.message)

    async def aclose(self) -> None:
        if self._storing:
            await asyncio.wait(list(self._storing.values()), timeout=self.lease_seconds)
        publishers = [p.task for p in self._publishers.values() if p.task is not None and not p.task.done()]
        if publishers:  # the final events of runs that just ended (a shutdown cancels them) still go out
            await asyncio.wait(publishers, timeout=self.lease_seconds)
        tasks = [*publishers, *self._background, *(f.task for f in self._followers.values())]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.client.aclose()

    # -- used by publishers and followers -----------------------------------------------------------------

    async def call(self, awaitable: Awaitable[T]) -> T:
        """Await a Redis command, turning any Redis failure into :class:`BrokerUnavailableError` (503)."""
        loop = asyncio.get_running_loop()
        try:
            result = await awaitable
        except (RedisError, OSError) as exc:
            # Unreachable, loading, out of memory (maxmemory with noeviction), read-only: each a 503 that names it.
            self._healthy_since = None
            raise BrokerUnavailableError(
                f"the run broker at {self._display_url()} failed: {type(exc).__name__}: {exc}"
            ) from None
        if self._healthy_since is None:
            self._healthy_since = loop.time()
        return result

    async def open_record(self, run_id: str, principal: str | None, info: str) -> None:
        args: list[str | int] = [self.token, principal or "", self.lease_ms, self.keep_ms, info]
        await self.call(self.scripts.open(keys=list(scripts.run_keys(run_id)), args=args))

    async def check_owner(self, run_id: str) -> str:
        """The run's status, after ending it with ``owner_lost`` if its lease expired; ``missing`` if unknown."""
        keys = scripts.run_keys(run_id)
        for _ in range(3):
            values: list[Any] = await self.call(self.client.hmget(keys[0], ["status", "last_id", "info"]))
            status, last_id, info = values
            if status is None or last_id is None:
                return "missing"
            if status != "running" or not self._trusted():
                return str(status)
            leased: int = await self.call(self.client.exists(keys[2]))
            if leased:
                return str(status)
            trace_id = json.loads(info).get("trace_id") if info else None
            event = {"type": "run_failed", "error_type": "owner_lost", "message": OWNER_LOST_MESSAGE}
            data = encode_event({"id": int(last_id) + 1, **event, "trace_id": trace_id}, self.max_event_bytes)
            args: list[str | int] = [last_id, data, self.replay_buffer_size, self.retention_ms]
            if int(await self.call(self.scripts.mark_lost(keys=list(keys), args=args))) != scripts.GAP:
                return "failed"
        return "running"

    def fenced(self, run: ServedRun) -> None:
        """Another replica ended this run (it presumed us lost): stop it here and serve Redis's record instead."""
        self._publishers.pop(run.id, None)
        if self._registry is not None:
            self._registry.discard(run.id)

    def forget_follower(self, follower: RunFollower) -> None:
        if self._followers.get(follower.run_id) is follower:
            del self._followers[follower.run_id]

    # -- internals ----------------------------------------------------------------------------------------

    async def _record(self, run_id: str, principal: str | None, missing: RunNotFoundError) -> dict[str, Any]:
        fields = ["status", "last_id", "info", "principal"]
        values = await self.call(self.client.hmget(scripts.run_keys(run_id)[0], fields))
        record = dict(zip(fields, values, strict=True))
        if record["status"] is None or record["principal"] != principal:
            raise missing
        return record

    def _trusted(self) -> bool:
        """Whether our view of Redis has been continuous for a lease (see the module docstring)."""
        since = self._healthy_since
        return since is not None and asyncio.get_running_loop().time() - since >= self.lease_seconds

    def _start_background(self) -> None:
        if self._background:
            return
        loop = asyncio.get_running_loop()
        self._background = [
            loop.create_task(self._renew_leases(), name="agents_otel-broker-leases"),
            loop.create_task(self._listen_for_cancels(), name="agents_otel-broker-cancels"),
        ]

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)  # the renewal period itself, not a synchronisation
            for run_id in [r for r, p in self._publishers.items() if p.done]:
                del self._publishers[run_id]
            publishers = [p for p in self._publishers.values() if p.run.status == "running"]
            if not publishers:
                continue
            try:
                async with self.client.pipeline(transaction=False) as pipe:
                    for p in publishers:
                        args: list[str | int] = [self.token, self.lease_ms, self.keep_ms]
                        await self.scripts.renew(keys=list(p.keys), args=args, client=pipe)
                    replies = await self.call(pipe.execute())
            except BrokerUnavailableError:
                continue
            for publisher, reply in zip(publishers, replies, strict=True):
                await self._renewed(publisher, int(reply))

    async def _renewed(self, publisher: RunPublisher, reply: int) -> None:
        if reply == 1:
            self._cancel_local(publisher.run.id)
        elif reply == scripts.MISSING:
            with contextlib.suppress(BrokerUnavailableError):
                await publisher.sync(recreate=True)
        elif reply == scripts.FENCED:
            publisher.done = publisher.fenced = True
            self.fenced(publisher.run)

    async def _listen_for_cancels(self) -> None:
        channel = scripts.cancel_channel(self.token)
        while True:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await self.call(pubsub.subscribe(channel))
                while True:
                    message = await self.call(pubsub.get_message(timeout=self.lease_seconds))
                    if message is not None and message.get("type") == "message":
                        self._cancel_local(str(message["data"]))
            except BrokerUnavailableError:
                await asyncio.sleep(0.2)  # back off from a broker that is down; renewals still deliver cancels
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _cancel_local(self, run_id: str) -> None:
        if self._registry is not None:
            with contextlib.suppress(ServerError):
                self._registry.cancel(run_id)

    def _display_url(self) -> str:
        parts = urlsplit(self.url)
        host = parts.hostname or parts.path or "?"
        return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}"
