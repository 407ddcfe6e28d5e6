"""Runs stopped for tool approvals, kept by the server to be resumed (``POST /runs/{id}/resume``).

What is kept is the run's ``RunState`` JSON, not the Python object: the same thing a Redis broker shares with the
other replicas, and rebuilt against each resumed run's own agent (a factory's agent is a new object each run).
Bounded like finished runs: one TTL (``paused_seconds``) and a count (``max_paused_runs``), expired from the front
of an insertion-ordered dict, so a request never pays for the entries that stay.
"""

from __future__ import annotations

import collections
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..agent import Agent
from ..run_resume_state import RunState, interruption_paths
from ..run_state_json import state_from_json
from .errors import InvalidDecisionsError, PausedRunNotFoundError

DEFAULT_PAUSED_SECONDS = 3600.0
DEFAULT_MAX_PAUSED_RUNS = 1000


@dataclass(frozen=True)
class Decision:
    """A person's answer to one waiting call (``POST /runs/{id}/resume``, or a UI protocol's resume)."""

    call_id: str
    approve: bool
    message: str | None = None
    """For a rejection: what the model reads instead of the tool's output (``None``: the SDK's default text); for
    a hosted MCP request, the ``reason`` sent with the rejection (``None``: none)."""
    always: bool = False
    """Decide every later call of the same tool in the resumed run too (``always_approve`` / ``always_reject``)."""
    path: tuple[str, ...] | None = None
    """The waiting call's ``path`` as listed (the agent-tool calls its nested run is in; ``()``: the run's own
    call). ``None``: ``call_id`` alone, which must then name one waiting call (two nested runs may share an id)."""


@dataclass(eq=False)
class PausedEntry:
    """A run stopped for approvals, kept to be resumed: its ``RunState`` JSON and who may resume it."""

    run_id: str
    principal: str
    state: dict[str, Any]
    interruptions: list[dict[str, Any]]
    conversation_id: str | None
    paused_at: float


def interruptions_json(state: RunState[Any]) -> list[dict[str, Any]]:
    """The waiting calls as the ``run_interrupted`` event and ``GET /runs/{id}`` show them. A hosted MCP server's
    approval request is one too (``call_id`` is the request's id), with its ``server_label``. A call waiting inside
    an agent used as a tool has a ``path``: the agent-tool call ids its nested run is in, outermost first (two
    nested runs may use one call id; a decision names the path to tell them apart)."""
    waiting = []
    for i, path in zip(state.interruptions, interruption_paths(state), strict=True):
        entry: dict[str, Any] = {
            "call_id": i.call_id,
            "tool_name": i.tool_name,
            "arguments": i.arguments,
            "agent_name": i.agent_name,
        }
        if i.server_label is not None:
            entry["server_label"] = i.server_label
        if path:
            entry["path"] = list(path)
        waiting.append(entry)
    return waiting


Key = tuple[str, ...]
"""A waiting call's address: its ``path``, then its ``call_id``."""


def _label(key: Key) -> str:
    return "/".join(key)


def _matched(waiting: list[Key], decisions: list[Decision]) -> tuple[list[tuple[Decision, Key]], list[str]]:
    """Each decision with the address of the call it decides (maybe not a waiting one), and the call ids given
    without a path that name more than one waiting call (those decisions are left out)."""
    by_call: dict[str, list[Key]] = collections.defaultdict(list)
    for key in waiting:
        by_call[key[-1]].append(key)
    matched: list[tuple[Decision, Key]] = []
    ambiguous: list[str] = []
    for d in decisions:
        if d.path is not None:
            key = (*d.path, d.call_id)
            matched.append((d, key))
            continue
        found = by_call.get(d.call_id, [])
        if len(found) > 1:
            ambiguous.append(d.call_id)
        else:
            matched.append((d, found[0] if found else (d.call_id,)))
    return matched, sorted(set(ambiguous))


def _waiting_keys(entry: PausedEntry) -> list[Key]:
    return [(*i.get("path", ()), i["call_id"]) for i in entry.interruptions]


def check_decisions(entry: PausedEntry, decisions: list[Decision]) -> None:
    """Every waiting call decided exactly once, nothing else: a typed 400 otherwise, before anything is resumed
    (an undecided call would only stop the resumed run again at once). A call is named by its ``call_id``, and by
    its ``path`` too when another waiting call shares the id (else the decision is ambiguous, not applied to both).
    The lists in the error name a nested call as its path and call id joined by ``/``."""
    waiting = _waiting_keys(entry)
    matched, ambiguous = _matched(waiting, decisions)
    counts = collections.Counter(key for _, key in matched)
    duplicated = sorted(_label(k) for k, n in counts.items() if n > 1)
    unknown = sorted(_label(k) for k in set(counts) - set(waiting))
    undecided = [_label(k) for k in waiting if k not in counts and k[-1] not in ambiguous]
    with_message = sorted(_label(k) for d, k in matched if d.approve and d.message is not None)
    problems = []
    if ambiguous:
        problems.append(f"calls waiting in several nested runs {ambiguous} (give each decision the call's path)")
    if undecided:
        problems.append(f"undecided calls {undecided}")
    if unknown:
        problems.append(f"calls not waiting in this run {unknown}")
    if duplicated:
        problems.append(f"calls decided twice {duplicated}")
    if with_message:
        problems.append(f"a message on approved calls {with_message} (a message is for a rejection)")
    if problems:
        raise InvalidDecisionsError(
            f"run {entry.run_id!r}: every waiting call needs exactly one decision: " + "; ".join(problems),
            undecided=undecided,
            unknown=unknown,
            duplicated=duplicated,
            ambiguous=ambiguous,
        )


class PausedRuns:
    """The paused runs, oldest first, each kept ``seconds`` and at most ``max_count`` of them."""

    def __init__(self, seconds: float, max_count: int, clock: Callable[[], float]) -> None:
        if seconds < 0 or max_count < 0:
            raise ValueError("paused_seconds and max_paused_runs must not be negative")
        self.seconds = seconds
        self.max_count = max_count
        self.clock = clock
        self.runs: OrderedDict[str, PausedEntry] = OrderedDict()
        self.on_paused: Callable[[PausedEntry], None] | None = None
        """Told of each run that stops for approvals here (a broker shares its state with the other replicas)."""

    def __len__(self) -> int:
        return len(self.runs)

    def get(self, run_id: str, principal: str | None = None) -> PausedEntry:
        """The paused run ``run_id`` of ``principal`` (anybody's when ``None``): ``PausedRunNotFoundError``
        (404) if it is unknown, another principal's, already resumed, or expired."""
        self.expire()
        entry = self.runs.get(run_id)
        if entry is None or (principal is not None and entry.principal != principal):
            raise PausedRunNotFoundError(
                f"no paused run {run_id!r} to resume (unknown, not yours, already resumed, not stopped for "
                f"approvals, or paused more than {self.seconds:g} s ago)"
            )
        return entry

    def latest_of(self, conversation_id: str, principal: str) -> str:
        """The id of ``principal``'s run paused last on the thread ``conversation_id`` (a UI protocol's resume names
        the thread, not the run): ``PausedRunNotFoundError`` if none is kept here. Scans the kept runs, newest
        first: only a protocol resume request pays for it."""
        self.expire()
        for entry in reversed(self.runs.values()):
            if entry.conversation_id == conversation_id and entry.principal == principal:
                return entry.run_id
        raise PausedRunNotFoundError(
            f"no paused run on thread {conversation_id!r} to resume (none stopped for approvals there, not yours, "
            f"already resumed, or paused more than {self.seconds:g} s ago)"
        )

    def take(self, run_id: str, principal: str | None = None) -> PausedEntry:
        """The paused run to resume, no longer kept (a run is resumed once); ``keep`` it again if it could not
        start."""
        entry = self.get(run_id, principal)
        del self.runs[run_id]
        return entry

    def keep(self, entry: PausedEntry, *, shared: bool = False) -> None:
        """Keep a paused run (this replica's, one another replica stored, or one whose resume could not start)
        until resumed or expired; ``shared``: it just paused here, tell ``on_paused``."""
        self.runs.pop(entry.run_id, None)
        self.runs[entry.run_id] = entry
        self.expire()
        if shared and self.on_paused is not None:
            self.on_paused(entry)

    def pause(self, run_id: str, principal: str, result: Any, conversation_id: str | None) -> PausedEntry:
        """Keep the run ``result`` (a ``RunResultStreaming`` stopped for approvals) as JSON; raises if its state
        cannot be (a context that is not JSON data)."""
        paused = result.to_state()
        state = paused.to_json()
        entry = PausedEntry(run_id, principal, state, interruptions_json(paused), conversation_id, self.clock())
        self.keep(entry, shared=True)
        return entry

    def expire(self) -> None:
        """Forget runs paused more than ``seconds`` ago and the oldest beyond ``max_count``: O(runs forgotten)."""
        deadline = self.clock() - self.seconds
        runs = self.runs
        while runs:
            first = next(iter(runs.values()))
            if first.paused_at > deadline and len(runs) <= self.max_count:
                break
            runs.popitem(last=False)


def resumed_state(agent: Agent[Any], entry: PausedEntry, decisions: list[Decision]) -> RunState[Any]:
    """The paused run's state, rebuilt for this run's agent, with the decisions applied."""
    state: RunState[Any] = RunState(state_from_json(agent, entry.state, None, None))
    matched, _ = _matched(_waiting_keys(entry), decisions)
    by_key = {key: d for d, key in matched}
    for item, path in zip(state.interruptions, interruption_paths(state), strict=True):
        decision = by_key[(*path, item.call_id)]  # check_decisions made sure every waiting call has one
        if decision.approve:
            state.approve(item, always_approve=decision.always)
        else:
            state.reject(item, always_reject=decision.always, rejection_message=decision.message)
    return state
