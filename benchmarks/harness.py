"""Small, dependency-light benchmark utilities shared by every workload.

The machines this runs on are shared and noisy (2 cores), so the rules are:

* every figure is the **median** of repeated samples, never a single run or a mean;
* every figure is reported as a **ratio** against a baseline measured *in the same run*,
  ideally interleaved with it (see :func:`ainterleave`), so drift on the machine hits both;
* anything that is not the thing being measured (building agents, flushing exporters,
  asserting results) happens *outside* the timed window, in ``setup`` / ``check``.

Public API (what the peer modules and ``run.py`` use):

``Case(name, run, setup=None, check=None, measure=None)``
    One thing to time. ``setup()`` (sync or async) builds fresh state before each sample and is
    not timed; ``run(state)`` (sync or async) is the timed window; ``check(state, result)``
    (sync or async) runs after the clock stops and must raise if the sample is invalid, so a
    broken run can never post a good number. ``measure(state, result)``, if given, replaces the
    wall time of ``run`` as the sample's value(s): a float (seconds), or a dict of named figures
    (recorded as samples ``"{case.name}:{key}"``), for cases that time themselves (a loop inside a
    tool) or report several figures per run (latency quantiles).
``measure(case, repeats=, warmup=, gc_mode=) -> Sample``          sync cases only
``await ameasure(case, repeats=, warmup=, gc_mode=) -> Sample``   sync or async cases
``await ainterleave(cases, rounds=, warmup=, gc_mode=) -> dict[name, Sample]``
    Round-robin over several cases (rotating the order every round), one sample of each per
    round: the preferred way to measure a figure and its baseline.
``await asmoke(case)``: one checked, unrecorded run (raises if the case is broken).
``Sample``: ``.median``, ``.quantile(p)``, ``.p25``, ``.p75``, ``.iqr_rel``, ``.n``, ``.times``
    (seconds, floats).
``Scaling(samples: dict[K, Sample])``: ``.t(K)`` (median), ``.fixed`` (t at smallest K),
    ``.marginal`` = (t[K_max] - t[K_min]) / (K_max - K_min).
``peak_memory(fn, *args) -> (result, peak_bytes)`` / ``await apeak_memory(coro_fn, *args)``
    Peak Python-heap growth during one call, via tracemalloc.
``Table`` / ``Row`` / ``Target``: the single results table, rendered with rich if available.
``fmt_seconds``, ``fmt_bytes``: human formatting.
``profile_async(coro_fn, repeats=)``: pyinstrument text profile of an async callable (optional).
"""

from __future__ import annotations

import gc
import inspect
import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

GcMode = Literal["collect", "disable", "none"]
"""How garbage collection is handled around each timed sample.

``collect`` (default): ``gc.collect()`` before each sample (untimed), GC stays enabled during it,
so collection cost caused by the workload itself is counted but garbage left by earlier samples is
not. The heap that exists after warm-up is frozen (:func:`freeze_heap`) so it is neither
scanned by those collections nor by the timed window's. ``disable``: collect, then disable GC
for the timed window (pure CPU path, excludes GC).
``none``: leave GC alone.
"""


# --------------------------------------------------------------------------------------------
# statistics
# --------------------------------------------------------------------------------------------


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def quantile(values: Iterable[float], p: float) -> float:
    """Linear-interpolated quantile, ``p`` in [0, 1] (same as numpy's default method)."""
    xs = sorted(values)
    if not xs:
        raise ValueError("quantile of an empty sequence")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1], got {p}")
    pos = (len(xs) - 1) * p
    lo = math.floor(pos)
    hi = math.ceil(pos)
    if lo == hi:
        return xs[lo]
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass
class Sample:
    """The timed samples of one case, in seconds."""

    name: str
    times: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.times)

    @property
    def median(self) -> float:
        return median(self.times)

    def quantile(self, p: float) -> float:
        return quantile(self.times, p)

    @property
    def p25(self) -> float:
        return self.quantile(0.25)

    @property
    def p75(self) -> float:
        return self.quantile(0.75)

    @property
    def iqr_rel(self) -> float:
        """Inter-quartile range relative to the median: a quick noise indicator."""
        m = self.median
        return (self.p75 - self.p25) / m if m else float("nan")

    def __str__(self) -> str:
        return (
            f"{self.name}: median {fmt_seconds(self.median)} "
            f"(p25 {fmt_seconds(self.p25)}, p75 {fmt_seconds(self.p75)}, n={self.n})"
        )


@dataclass
class Scaling:
    """t(K) medians for a workload run at several sizes K, and the marginal cost per extra unit.

    ``marginal = (t[K_max] - t[K_min]) / (K_max - K_min)``, from the medians: the per-tool-call
    cost once the fixed per-run overhead is subtracted out.
    """

    samples: dict[int, Sample]

    @property
    def ks(self) -> list[int]:
        return sorted(self.samples)

    def t(self, k: int) -> float:
        return self.samples[k].median

    @property
    def fixed(self) -> float:
        """t at the smallest K: roughly the per-run overhead."""
        return self.t(self.ks[0])

    @property
    def marginal(self) -> float:
        lo, hi = self.ks[0], self.ks[-1]
        if hi == lo:
            raise ValueError("marginal cost needs at least two sizes")
        return (self.t(hi) - self.t(lo)) / (hi - lo)

    def as_dict(self) -> dict[str, float]:
        d = {f"t{k}": self.t(k) for k in self.ks}
        d["marginal"] = self.marginal
        return d


# --------------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One thing to time; see the module docstring."""

    name: str
    run: Callable[[Any], Any]
    setup: Callable[[], Any] | None = None
    check: Callable[[Any, Any], Any] | None = None
    measure: Callable[[Any, Any], float | dict[str, float]] | None = None


Clock = Literal["wall", "thread"]
_now_ns: Callable[[], int] = time.perf_counter_ns


def use_clock(clock: Clock) -> None:
    """What a sample's timed window is measured with, from now on: ``wall`` (``perf_counter``, the default) or
    ``thread``: this thread's CPU time (``thread_time_ns``). On a shared machine (load 5-10 on 2 cores) a wall-clock
    window also counts the time the process waited for a core, which moved W1's medians by 2-5x between runs;
    thread time does not. Only for work that never leaves the thread while timed (W1: scripted model, tools that
    never await, the span processor's worker asleep), where both clocks agree on a quiet machine."""
    global _now_ns
    _now_ns = time.perf_counter_ns if clock == "wall" else time.thread_time_ns


def _values(case: Case, state: Any, result: Any, wall: float) -> dict[str, float]:
    """The sample's recorded values, keyed by sample name."""
    if case.measure is None:
        return {case.name: wall}
    got = case.measure(state, result)
    if isinstance(got, dict):
        return {f"{case.name}:{key}": float(v) for key, v in got.items()}
    return {case.name: float(got)}


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


def _gc_before(gc_mode: GcMode) -> bool:
    """Prepare GC for a sample; returns whether GC must be re-enabled afterwards."""
    if gc_mode == "none":
        return False
    gc.collect()
    if gc_mode == "disable" and gc.isenabled():
        gc.disable()
        return True
    return False


async def _one_sample(case: Case, gc_mode: GcMode) -> dict[str, float]:
    state = await _maybe_await(case.setup()) if case.setup is not None else None
    reenable = _gc_before(gc_mode)
    try:
        t0 = _now_ns()
        result = case.run(state)
        if inspect.isawaitable(result):
            result = await result
        t1 = _now_ns()
    finally:
        if reenable:
            gc.enable()
    if case.check is not None:
        await _maybe_await(case.check(state, result))
    return _values(case, state, result, (t1 - t0) / 1e9)


def _one_sample_sync(case: Case, gc_mode: GcMode) -> dict[str, float]:
    state = case.setup() if case.setup is not None else None
    reenable = _gc_before(gc_mode)
    try:
        t0 = _now_ns()
        result = case.run(state)
        t1 = _now_ns()
    finally:
        if reenable:
            gc.enable()
    if inspect.isawaitable(result):
        raise TypeError(f"{case.name}: run() returned an awaitable; use ameasure/ainterleave")
    if case.check is not None:
        case.check(state, result)
    return _values(case, state, result, (t1 - t0) / 1e9)


def freeze_heap(gc_mode: GcMode = "collect") -> None:
    """Collect, then move every surviving object to the permanent generation (``gc.freeze``).

    Called once after warm-up: the imported libraries leave ~150k long-lived objects, and without
    this the per-sample ``gc.collect()`` costs ~80 ms and any full collection inside a timed window
    scans that whole heap. After it, collections only see what the workload itself allocates.
    """
    if gc_mode != "none":
        gc.collect()
        gc.freeze()


async def asmoke(case: Case) -> dict[str, float]:
    """Run a case once (setup, run, check) without recording: raises if it is broken."""
    return await _one_sample(case, "none")


def measure(case: Case, *, repeats: int = 30, warmup: int = 3, gc_mode: GcMode = "collect") -> Sample:
    """Time a synchronous case ``repeats`` times after ``warmup`` untimed (but checked) runs."""
    for _ in range(warmup):
        _one_sample_sync(case, gc_mode)
    freeze_heap(gc_mode)
    sample = Sample(case.name)
    for _ in range(repeats):
        sample.times.append(_one_sample_sync(case, gc_mode)[case.name])
    return sample


async def ameasure(
    case: Case, *, repeats: int = 30, warmup: int = 3, gc_mode: GcMode = "collect"
) -> Sample:
    """Time a (sync or async) case inside the running event loop."""
    return (await ainterleave([case], rounds=repeats, warmup=warmup, gc_mode=gc_mode))[case.name]


async def ainterleave(
    cases: Sequence[Case], *, rounds: int = 30, warmup: int = 3, gc_mode: GcMode = "collect"
) -> dict[str, Sample]:
    """Round-robin: each round takes one sample of every case, rotating the starting case.

    Interleaving means slow phases of a noisy machine hit every case alike, which is what makes
    the ratios between them trustworthy. Warm-up rounds are run and checked but not recorded.
    Keys of the result are case names (or ``"{case.name}:{key}"`` for cases whose ``measure``
    returns a dict).
    """
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate case names: {names}")
    samples: dict[str, Sample] = {}
    n = len(cases)
    for r in range(warmup + rounds):
        if r == warmup:
            freeze_heap(gc_mode)
        for i in range(n):
            case = cases[(r + i) % n]
            values = await _one_sample(case, gc_mode)
            if r >= warmup:
                for key, v in values.items():
                    samples.setdefault(key, Sample(key)).times.append(v)
    return samples


# --------------------------------------------------------------------------------------------
# memory
# --------------------------------------------------------------------------------------------


def peak_memory(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """Run ``fn`` once under tracemalloc; return ``(result, peak bytes above the start)``.

    tracemalloc slows Python down a lot: never combine this with a timed sample.
    """
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = fn(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return result, peak - base


async def apeak_memory(
    coro_fn: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any
) -> tuple[Any, int]:
    """Async version of :func:`peak_memory` (runs inside the current event loop)."""
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = await coro_fn(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return result, peak - base


# --------------------------------------------------------------------------------------------
# profiling (optional, pyinstrument)
# --------------------------------------------------------------------------------------------


async def profile_async(coro_fn: Callable[[], Awaitable[Any]], *, repeats: int = 10) -> str:
    """Profile ``repeats`` calls of ``coro_fn`` with pyinstrument; returns the text report."""
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled")
    with profiler:
        for _ in range(repeats):
            await coro_fn()
    return profiler.output_text(unicode=True, color=False, show_all=False)


# --------------------------------------------------------------------------------------------
# formatting and the results table
# --------------------------------------------------------------------------------------------


def fmt_seconds(s: float | None) -> str:
    if s is None or (isinstance(s, float) and math.isnan(s)):
        return "—"
    a = abs(s)
    if a >= 1:
        return f"{s:.2f} s"
    if a >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    if a >= 1e-6:
        return f"{s * 1e6:.1f} µs"
    return f"{s * 1e9:.0f} ns"


def fmt_bytes(b: float | None) -> str:
    if b is None:
        return "—"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(b) < 1024 or unit == "GiB":
            return f"{b:.0f} {unit}" if unit == "B" else f"{b:.1f} {unit}"
        b /= 1024
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Target:
    """A bound on ``ratio = figure / baseline`` (``op`` ``"<="``: lower is better, or ``">="``), or,
    with ``absolute=True`` (:meth:`figure_at_most`), on the figure itself in its row's unit."""

    op: Literal["<=", ">="]
    value: float
    absolute: bool = False

    @classmethod
    def at_most(cls, value: float) -> Target:
        return cls("<=", value)

    @classmethod
    def at_least(cls, value: float) -> Target:
        return cls(">=", value)

    @classmethod
    def figure_at_most(cls, value: float) -> Target:
        """The figure (not the ratio) must be at most ``value`` (e.g. a p99 latency of 1 ms)."""
        return cls("<=", value, absolute=True)

    def met(self, ratio: float) -> bool:
        return ratio <= self.value if self.op == "<=" else ratio >= self.value

    def met_by(self, figure: float | None, ratio: float | None) -> bool | None:
        x = figure if self.absolute else ratio
        return None if x is None else self.met(x)

    def __str__(self) -> str:
        op = "≤" if self.op == "<=" else "≥"
        if self.absolute:
            return f"{op} {fmt_seconds(self.value)}"
        return f"{op} {self.value:.2f}x"


Status = Literal["ok", "pending", "error", "info"]


@dataclass
class Row:
    """One line of the table. ``figure`` is the system under test, ``baseline`` what it is held
    against (``basis`` says what that is: the peer SDK, a floor, a bare-asyncio equivalent...).

    ``status`` is ``ok`` (both measured), ``pending`` (the figure's side is not wired yet),
    ``error`` (a measurement raised; see ``note``) or ``info`` (no target, just context).
    """

    name: str
    figure: float | None
    baseline: float | None
    unit: Literal["s", "B", "x"] = "s"
    target: Target | None = None
    note: str = ""
    status: Status = "ok"
    basis: str = ""

    @property
    def ratio(self) -> float | None:
        if self.figure is None or self.baseline is None or self.baseline == 0:
            return None
        return self.figure / self.baseline

    @property
    def met(self) -> bool | None:
        if self.target is None or self.status != "ok":
            return None
        return self.target.met_by(self.figure, self.ratio)

    def _fmt(self, v: float | None) -> str:
        if v is None:
            return "—"
        if self.unit == "s":
            return fmt_seconds(v)
        if self.unit == "B":
            return fmt_bytes(v)
        return f"{v:.3g}"

    def cells(self) -> list[str]:
        r = self.ratio
        met = self.met
        if self.status == "pending":
            met_s = "pending"
        elif self.status == "error":
            met_s = "ERROR"
        elif met is None:
            met_s = "—"
        else:
            met_s = "yes" if met else "NO"
        return [
            self.name,
            self._fmt(self.figure),
            self._fmt(self.baseline),
            self.basis,
            "—" if r is None else f"{r:.2f}x",
            "—" if self.target is None else str(self.target),
            met_s,
            self.note,
        ]


class Table:
    """The single results table ``run.py`` prints."""

    HEADERS = ("benchmark", "figure", "baseline", "baseline is", "ratio", "target", "met?", "note")

    def __init__(self, title: str, figure_label: str = "figure", baseline_label: str = "baseline"):
        self.title = title
        self.figure_label = figure_label
        self.baseline_label = baseline_label
        self.rows: list[Row] = []
        self.footnotes: list[str] = []

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def headers(self) -> list[str]:
        h = list(self.HEADERS)
        h[1] = self.figure_label
        h[2] = self.baseline_label
        return h

    @property
    def failed(self) -> bool:
        """True if any row errored or missed its target."""
        return any(r.status == "error" or r.met is False for r in self.rows)

    def render_plain(self) -> str:
        rows = [self.headers()] + [r.cells() for r in self.rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        right = {1, 2, 4}

        def line(cells: list[str]) -> str:
            padded = [
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(padded).rstrip()

        out = [self.title, line(rows[0]), "  ".join("-" * w for w in widths)]
        out += [line(r) for r in rows[1:]]
        out += self.footnotes
        return "\n".join(out)

    def print(self, plain: bool | None = None) -> None:
        """Print with rich when available and ``plain`` is not forced; plain text otherwise."""
        if plain is None:
            plain = False
        if not plain:
            try:
                from rich.console import Console
                from rich.table import Table as RichTable
            except ImportError:
                plain = True
        if plain:
            print(self.render_plain())
            sys.stdout.flush()
            return
        table = RichTable(title=self.title, title_justify="left")
        for i, h in enumerate(self.headers()):
            table.add_column(h, justify="right" if i in (1, 2, 4) else "left", overflow="fold")
        styles = {"yes": "green", "NO": "bold red", "ERROR": "bold red", "pending": "yellow"}
        met_col = self.HEADERS.index("met?")
        for r in self.rows:
            cells = r.cells()
            style = styles.get(cells[met_col])
            if style:
                cells[met_col] = f"[{style}]{cells[met_col]}[/{style}]"
            table.add_row(*cells)
        console = Console(width=max(120, Console().width))
        console.print(table)
        for f in self.footnotes:
            console.print(f, highlight=False, markup=False)
