"""Replicas of ``agents-otel serve --broker redis://...`` in separate processes, sharing runs through a real
``redis-server`` (Debian's; ``make redis``): every replica answers for every run, resume is exact across them,
cancel reaches the owner, a killed or frozen owner is replaced by a final ``owner_lost``, Redis may restart.

Tools are driven through a second, "control" Redis (``replica_app.py``), so each step happens when the test has
seen the events it expects; nothing waits on time except the lease expiring, which is what is being tested.
"""

from __future__ import annotations

import json
import queue
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis_support import RedisServer, Replica
from replica_app import make_agent
from server_support import SAFETY_TIMEOUT, LiveServer, SSEMessage, blocked_agent, sse_messages, watch

from agents_otel.cli import main
from agents_otel.server import create_app
from agents_otel.server.broker import InProcessBroker

redis = pytest.importorskip("redis")

TRACE_URL = "https://traces.example/trace/{trace_id}"
LEASE = "30"
"""The lease of a replica no test means to lose: long, so that a loaded machine never misses a renewal (at load
average ~7, with the suite in three workers, a 5 s lease was seen to run out under a live owner)."""
OWNER_LEASE = "5"
"""The lease of an owner a test kills, stops or freezes: short enough that its loss is seen quickly (at load
average ~8 a 3 s lease was once seen to run out under a live owner)."""


@pytest.fixture(scope="module")
def control(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    with RedisServer(tmp_path_factory.mktemp("control-redis")) as server:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        yield client, server.url
        client.close()


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("broker-redis")) as server:
        yield server


@pytest.fixture(scope="module")
def pair(
    control: tuple[Any, str], broker: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Replica, Replica]]:
    logs = tmp_path_factory.mktemp("replica-logs")
    traces = ("--trace-url-template", TRACE_URL)
    a = Replica(broker.url, control[1], logs / "a.log", "--lease-seconds", LEASE, *traces)
    b = Replica(broker.url, control[1], logs / "b.log", "--lease-seconds", LEASE, *traces, via_env=True)
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture
def replica(control: tuple[Any, str], tmp_path: Path) -> Iterator[Callable[..., Replica]]:
    """``replica(broker_url, name, *args)`` starts a replica of the test's own, with a short lease (the test may
    kill, stop or freeze it); every one is stopped when the test ends, however it ends."""
    started: list[Replica] = []

    def start_replica(broker_url: str, name: str = "owner", *args: str) -> Replica:
        started.append(Replica(broker_url, control[1], tmp_path / f"{name}.log", "--lease-seconds", OWNER_LEASE, *args))
        return started[-1]

    yield start_replica
    for one in started:
        one.stop()


class Watcher(threading.Thread):
    """One SSE client in its own thread; the test blocks on the events it expects, never on time."""

    def __init__(self, base_url: str, path: str, last_event_id: int | None = None) -> None:
        super().__init__(daemon=True)
        self.base_url, self.path = base_url, path
        self.headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
        self.messages: list[SSEMessage] = []
        self.status: int | None = None
        self._queue: queue.Queue[SSEMessage | None] = queue.Queue()
        self.start()

    def run(self) -> None:
        try:
            with (
                httpx.Client(base_url=self.base_url, timeout=SAFETY_TIMEOUT) as client,
                client.stream("GET", self.path, headers=self.headers) as response,
            ):
                self.status = response.status_code
                if response.status_code == 200:
                    for message in sse_messages(response):
                        self.messages.append(message)
                        self._queue.put(message)
        finally:
            self._queue.put(None)

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        while True:
            message = self._queue.get(timeout=SAFETY_TIMEOUT)
            assert message is not None, f"stream ended first; got {[m.json['type'] for m in self.messages]}"
            if predicate(message.json):
                return message.json

    def finish(self) -> list[str]:
        """The raw JSON of every event received, after the stream ended."""
        self.join(SAFETY_TIMEOUT)
        assert not self.is_alive(), "the stream did not end"
        assert self.status == 200, self.status
        for message in self.messages:
            assert message.id == str(message.json["id"])
        return [m.data for m in self.messages]


def progress(step: int) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["type"] == "tool_progress" and e["data"]["step"] == step


def is_type(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["type"] == kind


def start(replica: Replica, steps: int, headers: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    gate = uuid.uuid4().hex[:12]
    response = httpx.post(f"{replica.base_url}/runs", json={"input": f"{gate} {steps}"}, headers=headers or {})
    assert response.status_code == 201, response.text
    return gate, response.json()


def release(control: tuple[Any, str], gate: str, n: int = 1) -> None:
    control[0].rpush(f"gate:{gate}", *["go"] * n)


def past_first_step(
    owner: Replica, watched_on: Replica, control: tuple[Any, str], steps: int
) -> tuple[str, dict[str, Any], Watcher, dict[str, Any]]:
    """A run of ``steps`` gated progress steps started on ``owner`` and watched on ``watched_on``, once the watcher
    has seen its first step: (gate, run, watcher, that first progress event)."""
    gate, run = start(owner, steps=steps)
    watcher = Watcher(watched_on.base_url, run["events_url"])
    release(control, gate)
    return gate, run, watcher, watcher.wait_for(progress(1))


def status(replica: Replica, run_id: str) -> dict[str, Any]:
    response = httpx.get(f"{replica.base_url}/runs/{run_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(raw: list[str]) -> list[int]:
    return [json.loads(d)["id"] for d in raw]


def test_a_broker_must_be_a_redis_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert isinstance(create_app(make_agent).broker, InProcessBroker), "no broker: in-process, as before"
    with pytest.raises(ValueError, match="redis://"):
        create_app(make_agent, broker="http://localhost:6379")
    with pytest.raises(ValueError, match="lease_seconds"):
        create_app(make_agent, broker="redis://localhost:6379/0", lease_seconds=0)
    assert main(["serve", "replica_app:make_agent", "--broker", "amqp://localhost"]) == 2
    assert "broker must be a redis://" in capsys.readouterr().err


def test_a_run_stays_private_to_its_principal_on_every_replica(broker: RedisServer) -> None:
    """Two apps in this process (the principal comes from an ``auth`` function, which the CLI cannot take)."""

    def user(request: Any) -> str | None:
        return request.headers.get("x-user")  # type: ignore[no-any-return]

    apps = [
        create_app(blocked_agent, auth=user, broker=broker.url, lease_seconds=3, stream_token_key=b"shared key")
        for _ in range(2)
    ]
    alice, bob = {"x-user": "alice"}, {"x-user": "bob"}
    with LiveServer(apps[0]) as a, LiveServer(apps[1]) as b, httpx.Client(timeout=SAFETY_TIMEOUT) as client:
        started = client.post(f"{a.base_url}/runs", json={"input": "go"}, headers=alice)
        assert started.status_code == 201, started.text
        run = started.json()
        for path in (f"/runs/{run['id']}", f"/runs/{run['id']}/events"):
            refused = client.get(f"{b.base_url}{path}", headers=bob)
            assert refused.status_code == 404 and refused.json()["error"]["code"] == "run_not_found"
        assert client.post(f"{b.base_url}/runs/{run['id']}/cancel", headers=bob).status_code == 404
        assert client.get(f"{b.base_url}/runs/{run['id']}", headers=alice).json()["status"] == "running"
        # The events_url A issued carries a stream token; B accepts it (the replicas share stream_token_key).
        seen = []
        with httpx.Client(base_url=b.base_url, timeout=SAFETY_TIMEOUT) as on_b:
            for event in watch(on_b, run["events_url"]):
                seen.append(event["type"])
                if event["type"] == "tool_progress":
                    assert client.post(f"{b.base_url}/runs/{run['id']}/cancel", headers=alice).status_code == 202
    assert seen[0] == "run_started" and seen[-1] == "run_cancelled"


def test_a_run_started_on_a_is_watched_on_b_with_the_same_events(
    pair: tuple[Replica, Replica], control: tuple[Any, str]
) -> None:
    a, b = pair
    gate, run = start(a, steps=3)
    on_b = Watcher(b.base_url, run["events_url"])
    on_b.wait_for(is_type("tool_called"))
    for step in (1, 2, 3):
        release(control, gate)
        on_b.wait_for(progress(step))
    seen_on_b = on_b.finish()
    seen_on_a = Watcher(a.base_url, run["events_url"]).finish()

    assert seen_on_b == seen_on_a
    assert ids(seen_on_b) == list(range(1, len(seen_on_b) + 1))
    events = [json.loads(d) for d in seen_on_b]
    assert events[0] == {"id": 1, "type": "run_started", "run_id": run["id"], "trace_id": run["trace_id"]}
    assert events[-1]["type"] == "run_completed" and events[-1]["final_output"] == "all done"
    assert status(b, run["id"]) == status(a, run["id"])
    assert status(b, run["id"])["last_event_id"] == len(events)
    assert control[0].get(f"executions:{gate}") == "1"


def test_resume_on_b_from_where_a_left_off_is_exact(pair: tuple[Replica, Replica], control: tuple[Any, str]) -> None:
    a, b = pair
    gate, run = start(a, steps=4)
    on_a = Watcher(a.base_url, run["events_url"])
    release(control, gate)
    seen = on_a.wait_for(progress(1))
    # The client drops after event `seen` (its EventSource reconnects through the load balancer, to B).
    resumed = Watcher(b.base_url, run["events_url"], last_event_id=seen["id"])
    release(control, gate, 3)
    whole = on_a.finish()
    rest = resumed.finish()

    assert ids(rest)[0] == seen["id"] + 1
    assert whole[: seen["id"]] + rest == whole
    # Everything seen and the run over: 204 tells the EventSource to stop, on either replica.
    for replica in (a, b):
        done = httpx.get(f"{replica.base_url}{run['events_url']}", headers={"Last-Event-ID": str(len(whole))})
        assert done.status_code == 204
    beyond = httpx.get(f"{b.base_url}{run['events_url']}", headers={"Last-Event-ID": str(len(whole) + 5)})
    assert beyond.status_code == 400 and beyond.json()["error"]["code"] == "bad_request"


def test_cancel_through_b_reaches_the_owner(pair: tuple[Replica, Replica], control: tuple[Any, str]) -> None:
    a, b = pair
    gate, run = start(a, steps=2)
    on_b = Watcher(b.base_url, run["events_url"])
    on_b.wait_for(is_type("tool_called"))

    cancelled = httpx.post(f"{b.base_url}/runs/{run['id']}/cancel")
    assert cancelled.status_code == 202 and cancelled.json() == {"id": run["id"], "status": "cancelling"}
    on_b.wait_for(is_type("run_cancelled"))
    assert on_b.finish()[-1] == Watcher(a.base_url, run["events_url"]).finish()[-1]
    assert status(a, run["id"])["status"] == "cancelled" == status(b, run["id"])["status"]
    again = httpx.post(f"{b.base_url}/runs/{run['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "run_finished"
    release(control, gate, 2)  # let the cancelled tool's thread go


def test_unknown_runs_are_404_on_every_replica(pair: tuple[Replica, Replica]) -> None:
    for replica in pair:
        for method, path in (("GET", "/runs/nope"), ("GET", "/runs/nope/events"), ("POST", "/runs/nope/cancel")):
            response = httpx.request(method, f"{replica.base_url}{path}")
            assert response.status_code == 404 and response.json()["error"]["code"] == "run_not_found"


def test_fifty_watchers_across_both_replicas_see_identical_sequences(
    pair: tuple[Replica, Replica], control: tuple[Any, str]
) -> None:
    a, b = pair
    gate, run = start(b, steps=5)
    watchers = [Watcher((a, b)[i % 2].base_url, run["events_url"]) for i in range(50)]
    for watcher in watchers:
        watcher.wait_for(is_type("tool_called"))
    release(control, gate, 5)
    sequences = [w.finish() for w in watchers]

    assert all(s == sequences[0] for s in sequences)
    assert ids(sequences[0]) == list(range(1, len(sequences[0]) + 1))
    events = [json.loads(d) for d in sequences[0]]
    ended = [e for e in events if e["type"] in ("tool_output", "run_completed", "run_failed", "run_cancelled")]
    assert [e["type"] for e in events].count("tool_progress") == 5, ended
    assert events[-1]["type"] == "run_completed", ended


def test_traceparent_continues_through_any_replica(pair: tuple[Replica, Replica], control: tuple[Any, str]) -> None:
    a, b = pair
    trace_id = uuid.uuid4().hex
    parent = f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"
    gate, run = start(b, steps=1, headers={"traceparent": parent})
    assert run["trace_id"] == trace_id
    release(control, gate)
    events = [json.loads(d) for d in Watcher(a.base_url, run["events_url"]).finish()]
    assert {e["trace_id"] for e in events if "trace_id" in e} == {trace_id}
    assert status(a, run["id"])["trace_id"] == trace_id
    for replica in (a, b):  # "open trace" works through any replica
        link = httpx.get(f"{replica.base_url}/runs/{run['id']}/trace")
        assert link.status_code == 307 and link.headers["location"] == TRACE_URL.format(trace_id=trace_id)


def test_a_killed_owner_ends_its_runs_with_owner_lost_everywhere(
    pair: tuple[Replica, Replica], control: tuple[Any, str], broker: RedisServer, replica: Callable[..., Replica]
) -> None:
    a, b = pair
    owner = replica(broker.url)
    gate, run, on_b, published = past_first_step(owner, b, control, steps=3)
    owner.kill()
    seen = on_b.finish()
    release(control, gate, 2)

    final = json.loads(seen[-1])
    assert final["type"] == "run_failed" and final["error_type"] == "owner_lost"
    assert final["trace_id"] == run["trace_id"]
    assert ids(seen) == list(range(1, final["id"] + 1)) and final["id"] > published["id"]
    assert Watcher(a.base_url, run["events_url"]).finish() == seen
    assert status(a, run["id"])["status"] == "failed"
    assert control[0].get(f"executions:{gate}") == "1", "the run must never be executed twice"


def test_an_owner_shut_down_mid_run_ends_it_as_cancelled_for_every_watcher(
    pair: tuple[Replica, Replica], control: tuple[Any, str], broker: RedisServer, replica: Callable[..., Replica]
) -> None:
    _, b = pair
    owner = replica(broker.url)
    gate, _, on_b, _ = past_first_step(owner, b, control, steps=2)
    owner.process.send_signal(signal.SIGTERM)  # a deploy: the shutdown cancels the run and publishes that
    final = on_b.wait_for(lambda e: e["type"] in ("run_completed", "run_failed", "run_cancelled"))
    release(control, gate)  # let the cancelled tool's thread go, so the process can exit
    assert final["type"] == "run_cancelled"
    assert ids(on_b.finish()) == list(range(1, final["id"] + 1))


def test_a_frozen_owner_is_fenced_off_once_another_replica_ended_its_run(
    pair: tuple[Replica, Replica], control: tuple[Any, str], broker: RedisServer, replica: Callable[..., Replica]
) -> None:
    a, b = pair
    owner = replica(broker.url)
    gate, run, on_b, _ = past_first_step(owner, b, control, steps=3)
    owner.process.send_signal(signal.SIGSTOP)  # alive but silent: its lease runs out
    seen = on_b.finish()
    assert json.loads(seen[-1])["error_type"] == "owner_lost"
    owner.process.send_signal(signal.SIGCONT)
    release(control, gate, 2)  # the woken owner's tool goes on and tries to publish
    # The owner learns it was fenced off (on its next append or lease renewal) and stops the run; from then
    # on it answers from Redis's record like any other replica.
    while status(owner, run["id"])["status"] == "running":
        pass
    assert status(owner, run["id"]) == status(a, run["id"])
    assert Watcher(owner.base_url, run["events_url"]).finish() == seen
    stream = broker_client(broker).xrange(f"agents_otel:run:{{{run['id']}}}:events")
    assert [entry_id for entry_id, _ in stream] == [f"{i}-0" for i in ids(seen)]
    assert control[0].get(f"executions:{gate}") == "1"


def broker_client(broker: RedisServer) -> Any:
    return redis.Redis.from_url(broker.url, decode_responses=True)


def test_finished_runs_hold_bounded_memory_in_redis(
    pair: tuple[Replica, Replica], control: tuple[Any, str], broker: RedisServer, tmp_path: Path
) -> None:
    _, b = pair
    small = Replica(
        broker.url, control[1], tmp_path / "small.log",
        "--lease-seconds", LEASE, "--replay-buffer-size", "4", "--retention-seconds", "60",
    )  # fmt: skip
    try:
        runs = []
        for _ in range(20):
            gate, run = start(small, steps=6)
            release(control, gate, 6)
            runs.append(run)
        for run in runs:
            Watcher(small.base_url, run["events_url"]).finish()  # until the run has ended
        finals = [Watcher(small.base_url, run["events_url"]).finish() for run in runs]
    finally:
        small.stop()
    client = broker_client(broker)
    for run, seen in zip(runs, finals, strict=True):
        record, stream, lease = (f"agents_otel:run:{{{run['id']}}}{suffix}" for suffix in ("", ":events", ":lease"))
        assert len(seen) == 4 and client.xlen(stream) == 4, "MAXLEN caps each run's stream at the replay size"
        assert 0 < client.pttl(record) <= 60_000 and 0 < client.pttl(stream) <= 60_000, "finished runs expire"
        assert not client.exists(lease)
        # Resuming on another replica from an event Redis no longer holds is refused, as on one replica.
        gone = httpx.get(f"{b.base_url}{run['events_url']}", headers={"Last-Event-ID": "1"})
        assert gone.status_code == 410 and gone.json()["error"]["first_available_id"] == ids(seen)[0]
    every_key = list(client.scan_iter("agents_otel:*"))
    assert every_key and all(client.pttl(key) > 0 for key in every_key), "no key of any run lives forever"


def test_the_byte_bound_of_the_replay_buffer_holds_in_redis_and_on_every_replica(
    pair: tuple[Replica, Replica], control: tuple[Any, str], broker: RedisServer, replica: Callable[..., Replica]
) -> None:
    _, b = pair
    owner = replica(broker.url, "owner", "--replay-buffer-bytes", "1024")
    gate, run = start(owner, steps=10)
    release(control, gate, 10)
    Watcher(owner.base_url, run["events_url"]).finish()  # until the run has ended
    held_by_owner = Watcher(owner.base_url, run["events_url"]).finish()
    held_on_b = Watcher(b.base_url, run["events_url"]).finish()
    stream = broker_client(broker).xrange(f"agents_otel:run:{{{run['id']}}}:events")
    assert [fields["d"] for _, fields in stream] == held_by_owner == held_on_b
    assert ids(held_by_owner)[0] > 1, "the byte bound evicted the oldest events"
    assert sum(len(d.encode()) for d in held_by_owner) <= 1024


def test_redis_restarting_mid_run_loses_nothing(control: tuple[Any, str], tmp_path: Path) -> None:
    broker = RedisServer(tmp_path).start()
    owner = Replica(broker.url, control[1], tmp_path / "owner.log", "--lease-seconds", LEASE)
    other = Replica(broker.url, control[1], tmp_path / "other.log", "--lease-seconds", LEASE)
    try:
        gate, run = start(owner, steps=4)
        on_owner = Watcher(owner.base_url, run["events_url"])
        on_other = Watcher(other.base_url, run["events_url"])
        release(control, gate)
        for watcher in (on_owner, on_other):
            watcher.wait_for(progress(1))

        broker.stop()
        for replica in (owner, other):
            refused = httpx.post(f"{replica.base_url}/runs", json={"input": "x 1"})
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["code"] == "broker_unavailable"
        assert httpx.get(f"{other.base_url}/runs/{run['id']}").status_code == 503
        release(control, gate)
        on_owner.wait_for(progress(2))  # the run and its owner's watchers go on without Redis

        broker.start()  # empty: no persistence, as after a crash
        release(control, gate, 2)
        seen_on_owner, seen_on_other = on_owner.finish(), on_other.finish()
    finally:
        owner.stop()
        other.stop()
        broker.stop()
    assert seen_on_other == seen_on_owner
    assert ids(seen_on_other) == list(range(1, len(seen_on_other) + 1))
    assert json.loads(seen_on_other[-1])["type"] == "run_completed"
    assert control[0].get(f"executions:{gate}") == "1"
