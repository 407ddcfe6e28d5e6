"""The terminal trace view on real runs' JSON-lines files: waterfall text, progress inline, errors, slowest tools.

Rendering is checked on its text content (a recording rich Console), not on layout details or timings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from rich.console import Console

from agents_otel import Agent, RunConfig, Runner, ToolContext, configure_tracing, function_tool
from agents_otel.cli import main
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.trace_view import load_traces, print_trace, print_traces, render_spans, tool_stats
from agents_otel.tracing.file_exporter import TRACE_FILE_ENV


@function_tool
async def fetch_report(ctx: ToolContext[Any], name: str, steps: int = 3) -> str:
    """Fetch a report."""
    for step in range(1, steps + 1):
        ctx.send_progress({"step": step, "of": steps, "phase": "download"})
    return f"report {name}"


@function_tool
def annotated(key: str) -> str:
    """Records an event of its own on the tool span."""
    trace.get_current_span().add_event("cache.miss", {"cache.key": key})
    return key


@function_tool
def broken(x: int) -> str:
    """Always fails."""
    raise ValueError("disk on fire")


def _run(provider: TracerProvider, *, steps: int = 3, agent_name: str = "reporter") -> str:
    model = ScriptedModel(
        [
            [
                function_call("fetch_report", {"name": "q4", "steps": steps}, call_id="call_fetch"),
                function_call("broken", {"x": 1}, call_id="call_broken"),
            ],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name=agent_name, instructions="Report.", tools=[fetch_report, broken], model=model)
    return Runner.run_sync(agent, "go", run_config=RunConfig(tracer_provider=provider)).trace_id


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    return tmp_path / "traces.jsonl"


@pytest.fixture
def provider(trace_file: Path) -> Any:
    provider = configure_tracing(file=trace_file, set_global=False, service_name="view-test")
    yield provider
    provider.shutdown()


def _console() -> Console:
    return Console(record=True, width=160, force_terminal=False, color_system=None)


def test_print_trace_renders_tree_progress_errors_and_slowest_tools(trace_file: Path, provider: Any) -> None:
    trace_id = _run(provider)
    console = _console()
    print_trace(trace_id, path=str(trace_file), console=console)  # flushes the batch processor's queue first
    text = console.export_text()

    assert f"Trace {trace_id}" in text
    assert "view-test" in text
    assert "invoke_agent reporter" in text
    assert "├─ chat scripted" in text
    assert "execute_tool fetch_report" in text
    for step in (1, 2, 3):
        assert f"◆ #{step} " in text
        assert f"step={step} of=3 phase=download" in text
    assert "execute_tool broken ✗ ValueError" in text
    assert "✗ disk on fire" in text
    assert "✗ 1 error" in text
    assert "Slowest tools" in text
    slowest = text[text.index("Slowest tools") :]
    assert "fetch_report" in slowest and "broken" in slowest
    lines = text.splitlines()
    tool_row = next(i for i, line in enumerate(lines) if "execute_tool fetch_report" in line)
    assert "◆ #1" in lines[tool_row + 1]  # progress events directly under their tool span
    assert "█" in lines[tool_row]


def test_print_trace_defaults_to_newest_run_in_the_default_file(
    trace_file: Path, provider: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(provider, agent_name="first")
    newest = _run(provider, agent_name="second")
    monkeypatch.setenv(TRACE_FILE_ENV, str(trace_file))
    console = _console()
    print_trace(console=console)
    text = console.export_text()
    assert f"Trace {newest}" in text
    assert "invoke_agent second" in text and "invoke_agent first" not in text


def test_print_trace_reports_missing_file_and_unknown_trace(tmp_path: Path, trace_file: Path, provider: Any) -> None:
    console = _console()
    print_trace(path=str(tmp_path / "none.jsonl"), console=console)
    _run(provider)
    print_trace("ffffffffffffffffffffffffffffffff", path=str(trace_file), console=console)
    text = console.export_text()
    assert "No trace file at" in text
    assert "holds no trace ffffffffffffffffffffffffffffffff" in text


def test_many_progress_events_are_elided_keeping_first_and_last(trace_file: Path, provider: Any) -> None:
    trace_id = _run(provider, steps=30)
    console = _console()
    print_trace(trace_id, path=str(trace_file), console=console)
    text = console.export_text()
    # The runtime may keep fewer than 30 events on the span (trace-side sampling): elide what the span holds.
    (trace,) = load_traces(trace_file)
    (tool,) = [s for s in trace.spans if s.tool_name == "fetch_report"]
    sequences = [e.sequence for e in tool.events if e.is_progress]
    assert len(sequences) > 10
    assert all(f"◆ #{n} " in text for n in sequences[:9])
    assert f"◆ #{sequences[9]} " not in text
    assert f"… {len(sequences) - 10} more progress events" in text
    assert f"◆ #{sequences[-1]} " in text


def test_tool_stats_over_traces(trace_file: Path, provider: Any) -> None:
    for _ in range(3):
        _run(provider)
    provider.force_flush()
    stats = {s.tool_name: s for s in tool_stats(load_traces(trace_file))}
    assert stats["fetch_report"].calls == 3 and stats["fetch_report"].errors == 0
    assert stats["broken"].calls == 3 and stats["broken"].errors == 3
    assert stats["fetch_report"].p50 <= stats["fetch_report"].max


def test_cli_shows_newest_runs_with_limit_and_trace_prefix(
    trace_file: Path, provider: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    older = _run(provider, agent_name="older")
    newer = _run(provider, agent_name="newer")
    provider.force_flush()

    assert main(["traces", str(trace_file), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert newer in out and older not in out
    assert "Slowest tools" in out

    assert main(["traces", str(trace_file), "--trace", older[:10]]) == 0
    out = capsys.readouterr().out
    assert older in out and newer not in out

    assert main(["traces", str(trace_file)]) == 0
    out = capsys.readouterr().out
    assert out.index(newer) < out.index(older)  # newest first


def test_cli_errors_are_exit_code_1(tmp_path: Path, trace_file: Path, provider: Any, capsys: Any) -> None:
    assert main(["traces", str(tmp_path / "missing.jsonl")]) == 1
    assert "no trace file" in capsys.readouterr().err
    _run(provider)
    provider.force_flush()
    assert main(["traces", str(trace_file), "--trace", "0000dead"]) == 1
    assert "no single trace" in capsys.readouterr().err


def test_render_spans_shows_in_memory_spans_like_the_file(tracing: Any) -> None:
    _run(tracing.provider)
    console = _console()
    render_spans(tracing.spans(), console=console)
    text = console.export_text()
    assert "execute_tool fetch_report" in text and "step=2 of=3 phase=download" in text
    assert "execute_tool broken ✗ ValueError" in text


def test_print_traces_with_no_tools_has_no_summary(trace_file: Path, provider: Any) -> None:
    model = ScriptedModel([[assistant_message("hi")]])
    Runner.run_sync(Agent(name="plain", model=model), "go", run_config=RunConfig(tracer_provider=provider))
    provider.force_flush()
    console = _console()
    print_traces(load_traces(trace_file), console)
    text = console.export_text()
    assert "invoke_agent plain" in text and "Slowest tools" not in text


def test_other_span_events_are_shown_under_their_span(trace_file: Path, provider: Any) -> None:
    model = ScriptedModel([[function_call("annotated", {"key": "k1"})], [assistant_message("ok")]])
    agent = Agent(name="cache", tools=[annotated], model=model)
    trace_id = Runner.run_sync(agent, "go", run_config=RunConfig(tracer_provider=provider)).trace_id
    console = _console()
    print_trace(trace_id, path=str(trace_file), console=console)
    text = console.export_text()
    lines = text.splitlines()
    tool_row = next(i for i, line in enumerate(lines) if "execute_tool annotated" in line)
    assert "• cache.miss" in lines[tool_row + 1] and "cache.key=k1" in lines[tool_row + 1]


@function_tool
def chatty(ctx: ToolContext[Any], n: int) -> str:
    """Floods progress and sends one oversized payload."""
    ctx.send_progress({"blob": "x" * 20_000})
    for i in range(n):
        ctx.send_progress({"i": i})
    return "flooded"


def test_sampled_and_truncated_progress_are_marked(trace_file: Path, provider: Any) -> None:
    model = ScriptedModel([[function_call("chatty", {"n": 499}, call_id="c")], [assistant_message("ok")]])
    agent = Agent(name="flooder", tools=[chatty], model=model)
    trace_id = Runner.run_sync(agent, "go", run_config=RunConfig(tracer_provider=provider)).trace_id
    console = _console()
    print_trace(trace_id, path=str(trace_file), console=console)
    text = console.export_text()
    kept = next(line for line in text.splitlines() if "progress events on the span" in line)
    recorded = int(kept.split(" of 500 ")[0].split()[-1])
    assert 21 <= recorded <= 100  # default sampling: the first 10, a burst of 10, the last; capped at 100
    first = next(line for line in text.splitlines() if "◆ #1 " in line)
    assert "[truncated from 20011 bytes]" in first


def test_progress_numbers_are_shown_rounded() -> None:
    # Regression (issue 10): the view printed progress=0.1111111111111111.
    from agents_otel.trace_view.waterfall import summarize

    assert (
        summarize({"progress": 1 / 9, "eta": 12.3456, "done": 3, "pct": 0.25})
        == "progress=0.111 eta=12.35 done=3 pct=0.25"
    )
    assert summarize({"nested": {"p": 2 / 3}, "items": [1 / 3]}) == 'nested={"p":0.667} items=[0.333]'
    assert summarize(0.123456) == "0.123"


def test_a_cancelled_run_is_not_counted_as_errors(tracing: Any) -> None:
    # Regression (issue 10): a cancelled run's header counted each cancelled span as an error.
    import asyncio

    started = asyncio.Event()

    @function_tool
    async def waits(n: int) -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    calls = [function_call("waits", {"n": i}, call_id=f"w{i}") for i in range(3)]
    agent = Agent(name="patient", tools=[waits], model=ScriptedModel([calls, [assistant_message("never")]]))

    async def run_and_cancel() -> None:
        task = asyncio.ensure_future(Runner.run(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider)))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run_and_cancel())
    console = _console()
    render_spans(tracing.spans(), console=console)
    text = console.export_text()
    assert "error" not in text.splitlines()[0]
    assert "⊘ cancelled (4 spans)" in text  # the agent span and its three tool calls
    assert "execute_tool waits ⊘ cancelled" in text and "✗" not in text
