"""A replica's mirror of a run owned by another replica: one Redis reader, any number of local watchers.

The mirror is an ordinary :class:`ReplayBuffer` filled with the events exactly as the owner encoded them (same
ids, same JSON text), so watchers here are served by the same code as on the owner, with the same resume,
``204`` and ``410`` rules. One task per followed run reads the run's stream (``XREAD BLOCK``) and fans it out,
so fifty watchers cost Redis one reader. Between reads it checks the owner's lease and, when the lease has
expired, ends the run for everyone with ``run_failed`` / ``owner_lost`` (an atomic script: at most one replica
writes it, and only after every event the owner published).

The mirror ends with the run's final event. It also ends, without one, when the run's record stays missing
(expired, or Redis lost it and the owner did not re-create it within a lease): watchers reconnect and get 404.
A mirror nobody has read for a lease stops following (the next watcher starts a fresh one from Redis), so a
replica does not keep reading runs its watchers have left.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .errors import BrokerUnavailableError
from .redis_scripts import run_keys

if TYPE_CHECKING:
    from .redis_broker import RedisBroker

READ_COUNT = 1000
RETRY_SECONDS = 0.2


class RunFollower:
    def __init__(self, broker: RedisBroker, run_id: str) -> None:
        self.broker = broker
        self.run_id = run_id
        self.buffer = broker.new_buffer()
        self.used_at = asyncio.get_running_loop().time()
        """When a watcher last asked for this mirror (``RedisBroker.replay``)."""
        self._stream = run_keys(run_id)[1]
        self.task = asyncio.get_running_loop().create_task(self._follow(), name=f"agents_otel-follow-{run_id}")

    async def _follow(self) -> None:
        try:
            await self._read_until_end()
        finally:
            if not self.buffer.closed:
                self.buffer.close()
            self.broker.forget_follower(self)

    async def _read_until_end(self) -> None:
        broker, buffer = self.broker, self.buffer
        loop = asyncio.get_running_loop()
        missing_since: float | None = None
        while True:
            try:
                reply: Any = await broker.call(
                    broker.client.xread({self._stream: f"{buffer.last_id}-0"}, count=READ_COUNT, block=broker.check_ms)
                )
            except BrokerUnavailableError:
                await asyncio.sleep(RETRY_SECONDS)  # back off from a broker that is down, then read on
                continue
            entries: list[tuple[str, dict[str, str]]] = reply[0][1] if reply else []
            for entry_id, fields in entries:
                event_id = int(entry_id.partition("-")[0])
                if event_id <= buffer.last_id:  # the stream was re-created from an older point: already held
                    continue
                buffer.append_encoded(event_id, fields["d"])
                if "e" in fields:
                    return
            if entries:
                missing_since = None
                continue
            if self.buffer.watchers == 0 and loop.time() - self.used_at >= broker.lease_seconds:
                return  # nobody is reading: stop following (see the module docstring)
            try:
                state = await broker.check_owner(self.run_id)
            except BrokerUnavailableError:
                continue
            if state != "missing":
                missing_since = None
            elif missing_since is None:
                missing_since = loop.time()
            elif loop.time() - missing_since >= broker.lease_seconds:
                return
