"""The broker seam: how a run started on one replica is seen, resumed and cancelled through any other.

The replica that accepts ``POST /runs`` executes the run and serves it from its own :class:`RunRegistry`, as a
single process always did. A broker is what the app asks about a run id its registry does not hold: the
in-process broker knows nothing beyond this process (so the answer is the registry's own ``404``, exactly the
single-process behaviour), the Redis broker (``redis_broker.py``) finds the run's record and event stream that
the owning replica publishes there.

The app talks to the seam at four points only: announcing a run before it starts (``open_run``, which may
refuse with ``503`` when the broker is down), handing the started run over for publishing (``publish``), and
answering status, events and cancel for runs owned elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .errors import PausedRunNotFoundError, RunNotFoundError

if TYPE_CHECKING:
    from .paused_runs import PausedEntry
    from .replay_buffer import ReplayBuffer
    from .run_registry import RunRegistry, ServedRun

DEFAULT_LEASE_SECONDS = 10.0
BROKER_URL_ENV = "AGENTS_OTEL_BROKER_URL"


class RunBroker(Protocol):
    def bind(self, registry: RunRegistry) -> None:
        """The registry of the runs this replica owns (cancel requests from other replicas reach it here); its
        replay limits and retention are the ones applied to every run, wherever it is served."""

    async def open_run(self, run_id: str, principal: str | None) -> None:
        """Announce a run before it starts; raises :class:`BrokerUnavailableError` so no run starts unannounced."""

    def publish(self, run: ServedRun, principal: str | None) -> None:
        """Share the events of a run this replica has just started, and hold its lease while it runs."""

    async def status(self, run_id: str, principal: str | None, missing: RunNotFoundError) -> dict[str, Any]:
        """``GET /runs/{id}`` for a run this replica does not hold; raises ``missing`` if nobody does."""

    async def replay(
        self, run_id: str, principal: str | None, last_event_id: int | None, missing: RunNotFoundError
    ) -> ReplayBuffer:
        """A buffer holding the run's events (and following it live) for a watcher on this replica."""

    async def cancel(self, run_id: str, principal: str | None, missing: RunNotFoundError) -> None:
        """Ask the owning replica to cancel; raises ``RunFinishedError`` if the run has ended."""

    async def paused(self, run_id: str, principal: str | None, missing: PausedRunNotFoundError) -> PausedEntry:
        """A run stopped for approvals on another replica, to resume here; raises ``missing`` if none is kept."""

    async def forget_paused(self, run_id: str) -> None:
        """A paused run is being resumed: no replica may resume it again; raises ``PausedRunNotFoundError`` if
        another replica took it first."""

    async def aclose(self) -> None:
        """Flush what the owned runs still have to publish, then let go of the broker."""


class InProcessBroker:
    """No broker: a run exists only in the process that started it (the default, and today's behaviour)."""

    def bind(self, registry: RunRegistry) -> None:
        pass

    async def open_run(self, run_id: str, principal: str | None) -> None:
        pass

    def publish(self, run: ServedRun, principal: str | None) -> None:
        pass

    async def status(self, run_id: str, principal: str | None, missing: RunNotFoundError) -> dict[str, Any]:
        raise missing

    async def replay(
        self, run_id: str, principal: str | None, last_event_id: int | None, missing: RunNotFoundError
    ) -> ReplayBuffer:
        raise missing

    async def cancel(self, run_id: str, principal: str | None, missing: RunNotFoundError) -> None:
        raise missing

    async def paused(self, run_id: str, principal: str | None, missing: PausedRunNotFoundError) -> PausedEntry:
        raise missing

    async def forget_paused(self, run_id: str) -> None:
        pass

    async def aclose(self) -> None:
        pass


def make_broker(broker: str | RunBroker | None, *, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> RunBroker:
    """The broker ``create_app(broker=...)`` names: ``None`` (in-process), a ``redis://`` URL, or a broker."""
    if broker is None:
        return InProcessBroker()
    if not isinstance(broker, str):
        return broker
    scheme = broker.partition("://")[0].lower()
    if scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"broker must be a redis://, rediss:// or unix:// URL, got {broker!r}")
    if lease_seconds <= 0:
        raise ValueError("lease_seconds must be positive")
    try:
        from .redis_broker import RedisBroker
    except ImportError as exc:  # the redis extra is missing
        raise ImportError(f"a redis broker needs the redis extra (pip install 'agents_otel[redis]'): {exc}") from exc
    return RedisBroker(broker, lease_seconds=lease_seconds)
