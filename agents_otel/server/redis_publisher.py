"""The owning replica's side of one run: copy its replay buffer into Redis, in order, whatever happens to Redis.

The run and its local watchers never wait for Redis: the run's consumer task fills the local buffer as in a
single process, and this task follows that buffer and appends what is new in batches (one script call per
batch, so a chatty tool costs one round trip per batch, not per event). When Redis is unreachable it retries;
when Redis comes back empty (restarted without persistence) it re-creates the record and re-sends every event
the local buffer still holds; when Redis says another replica has ended the run (the owner was presumed lost),
it stops and the run is cancelled here, so a run never goes on executing after it was reported failed.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from .errors import BrokerUnavailableError
from .redis_scripts import FENCED, GAP, MISSING, run_keys

if TYPE_CHECKING:
    from .redis_broker import RedisBroker
    from .replay_buffer import Entry
    from .run_registry import ServedRun

BATCH = 512
"""Events per script call: big enough to keep up with any tool, small enough not to stall Redis."""
RETRY_SECONDS = 0.2


class RunPublisher:
    def __init__(self, broker: RedisBroker, run: ServedRun, principal: str | None) -> None:
        self.broker = broker
        self.run = run
        self.principal = principal
        self.keys = run_keys(run.id)
        self.synced = 0
        """The highest event id Redis is known to hold."""
        self.done = False
        """The final event is in Redis, or this replica was fenced off: nothing more to publish."""
        self.fenced = False
        self._lock = asyncio.Lock()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._follow(), name=f"agents_otel-publish-{self.run.id}")

    async def _follow(self) -> None:
        buffer = self.run.buffer
        while not self.done:
            await buffer.wait_beyond(self.synced)
            before = self.synced
            try:
                await self.sync()
            except BrokerUnavailableError:
                await asyncio.sleep(RETRY_SECONDS)  # back off from a broker that is down; the run is unaffected
                continue
            if not self.done and self.synced == before and buffer.last_id > before:
                await asyncio.sleep(RETRY_SECONDS)  # Redis did not take the events: never spin on it

    async def sync(self, *, recreate: bool = False) -> None:
        """Append what Redis does not have yet; ``recreate`` first (re-)creates a lost record."""
        async with self._lock:
            if self.done:
                return
            if recreate:
                await self._recreate()
            for _ in range(3):
                code = await self._append()
                if code == MISSING:
                    await self._recreate()
                    continue
                if code == GAP:  # Redis holds less than we thought: send again from where it is
                    continue
                if code == FENCED:
                    self.done = self.fenced = True
                    self.broker.fenced(self.run)
                return

    async def _recreate(self) -> None:
        await self.broker.open_record(self.run.id, self.principal, self._info())
        self.synced = 0

    async def _append(self) -> int:
        buffer = self.run.buffer
        entries = buffer.after(self.synced)
        closed = buffer.closed
        if not entries and not closed:
            return 0
        reset = bool(entries) and entries[0].id != self.synced + 1
        chunks = [entries[i : i + BATCH] for i in range(0, len(entries), BATCH)] or [[]]
        for index, chunk in enumerate(chunks):
            final = closed and index == len(chunks) - 1
            code, last = await self._call(chunk, final=final, reset=reset and index == 0)
            if code == GAP:
                self.synced = last
                return code
            if code != 0:
                return code
            self.synced = last
        if closed:
            self.done = True
        return 0

    async def _call(self, chunk: list[Entry], *, final: bool, reset: bool) -> tuple[int, int]:
        broker = self.broker
        args: list[Any] = [
            broker.token,
            broker.replay_buffer_size,
            broker.lease_ms,
            broker.keep_ms,
            self._info(),
            self.run.status if final else "",
            broker.retention_ms,
            "1" if reset else "0",
            self.run.buffer.first_id,
        ]
        for entry in chunk:
            args += [entry.id, entry.data]
        reply = await broker.call(broker.scripts.append(keys=list(self.keys), args=args))
        return int(reply[0]), int(reply[1])

    def _info(self) -> str:
        return json.dumps(self.run.to_json(), ensure_ascii=False, separators=(",", ":"))
