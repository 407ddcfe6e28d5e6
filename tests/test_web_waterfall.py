"""The trace view that needs no trace backend: ``GET /runs/{id}/trace`` (OTLP/JSON) and the example page's
waterfall drawn from it in headless Chromium: spans as bars, progress events as ticks on their tool's bar,
a stall and an error marked.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from server_support import SAFETY_TIMEOUT, LiveServer
from support import Tracing
from test_web_page import ARTIFACTS, WAIT_MS, _card, _load_example, page  # noqa: F401  (page: the fixture)

from agents_otel import Agent, ToolContext, function_tool
from agents_otel.server import create_app
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
async def steady(ctx: ToolContext[Any]) -> str:
    """Three steps."""
    for i in range(1, 4):
        ctx.send_progress({"progress": i / 3})
    return "steady done"


@function_tool
def fails() -> str:
    """Always fails."""
    raise ValueError("the disk is full")


def _agent(quiet_gate: threading.Event) -> Agent[Any]:
    @function_tool(stall_timeout=0.05)
    def quiet() -> str:
        """Says nothing until the test lets it finish."""
        if not quiet_gate.wait(SAFETY_TIMEOUT):
            raise TimeoutError("never released")
        return "quiet done"

    return Agent(
        name="Traced",
        tools=[steady, fails, quiet],
        model=ScriptedModel(
            [
                [
                    function_call("steady", {}, call_id="call_steady"),
                    function_call("fails", {}, call_id="call_fails"),
                    function_call("quiet", {}, call_id="call_quiet"),
                ],
                [assistant_message("Done.")],
            ]
        ),
    )


def _otlp_spans(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for r in body["resourceSpans"] for scope in r["scopeSpans"] for s in scope["spans"]]


def test_the_trace_endpoint_answers_the_runs_spans_as_otlp_json() -> None:
    traced = Tracing.new()
    gate = threading.Event()
    gate.set()
    app = create_app(lambda: _agent(gate), run_config=traced.config)
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = client.post("/runs", json={"input": "go"}).json()
        with client.stream("GET", run["events_url"]) as events:
            for _ in events.iter_lines():
                pass  # to the end of the run
        response = client.get(f"/runs/{run['id']}/trace")
        unknown = client.get("/runs/nope/trace")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    spans = _otlp_spans(response.json())
    exported = traced.spans()
    assert sorted(s["spanId"] for s in spans) == sorted(format(s.context.span_id, "016x") for s in exported)
    assert {s["traceId"] for s in spans} == {run["trace_id"]}
    (tool,) = [s for s in spans if s["name"] == "execute_tool steady"]
    assert [e["name"] for e in tool["events"]] == ["agents_otel.tool.progress"] * 3
    assert unknown.status_code == 404


def test_with_a_trace_backend_the_endpoint_redirects_there() -> None:
    gate = threading.Event()
    gate.set()
    traced = Tracing.new()
    app = create_app(
        lambda: _agent(gate), run_config=traced.config, trace_url_template="http://jaeger.test/trace/{trace_id}"
    )
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = client.post("/runs", json={"input": "go"}).json()
        response = client.get(f"/runs/{run['id']}/trace")
    assert response.status_code == 307
    assert response.headers["location"] == f"http://jaeger.test/trace/{run['trace_id']}"


def test_the_page_draws_the_waterfall_itself_without_a_trace_backend(page: Any) -> None:  # noqa: F811
    traced = Tracing.new()
    gate = threading.Event()
    web = _load_example().create_web_app(lambda: _agent(gate), run_config=traced.config)
    ARTIFACTS.mkdir(exist_ok=True)
    with LiveServer(web) as server:
        page.goto(server.base_url + "/")
        page.click("#start")
        # The quiet call is reported stalled live, on its card and in the live waterfall as a running span with
        # its stall marker; only then does the test let it finish.
        page.wait_for_selector(f'{_card("call_quiet")}[data-stalled="true"]', timeout=WAIT_MS)
        live = '#waterfall .span-row[data-tool-call-id="call_quiet"][data-open="true"][data-stalled="true"]'
        page.wait_for_selector(live, timeout=WAIT_MS)
        assert (
            page.locator('#waterfall .span-row[data-name="invoke_agent Traced"]').get_attribute("data-open") == "true"
        )
        page.screenshot(path=str(ARTIFACTS / "web-waterfall-running.png"), full_page=True)
        gate.set()
        page.wait_for_selector('#status[data-status="completed"]', timeout=WAIT_MS)
        page.wait_for_selector('#waterfall[data-final="true"]', timeout=WAIT_MS)
        assert page.locator('#waterfall .span-row[data-open="true"]').count() == 0
        rows = page.locator("#waterfall .span-row")
        names = rows.evaluate_all("rs => rs.map(r => [r.dataset.name, Number(r.dataset.depth)])")
        trace_href = page.locator("#trace-link").get_attribute("href")
        span_href = page.locator(f"{_card('call_steady')} .span-link").get_attribute("href")
        steady_row = page.locator('#waterfall .span-row[data-tool-call-id="call_steady"]')
        ticks = steady_row.locator(".tick").evaluate_all("ts => ts.map(t => t.dataset.sequence)")
        failed = page.locator('#waterfall .span-row[data-tool-call-id="call_fails"]').get_attribute("data-error")
        quiet_row = page.locator('#waterfall .span-row[data-tool-call-id="call_quiet"]')
        stalled = (quiet_row.get_attribute("data-stalled"), quiet_row.locator(".stall").count())
        bar = steady_row.locator(".span-bar").bounding_box()
        first_tick = steady_row.locator(".tick").first.bounding_box()
        page.screenshot(path=str(ARTIFACTS / "web-waterfall.png"), full_page=True)

    exported = traced.spans()
    assert len(names) == len(exported)
    assert names[0] == ["invoke_agent Traced", 0]
    assert sorted(n for n, depth in names if depth == 1) == sorted(
        ["chat scripted", "chat scripted", "execute_tool steady", "execute_tool fails", "execute_tool quiet"]
    )
    assert trace_href == "#waterfall"
    steady_span = next(s for s in exported if s.name == "execute_tool steady")
    assert span_href == f"#span-{format(steady_span.context.span_id, '016x')}"
    assert ticks == ["1", "2", "3"]
    assert bar is not None and first_tick is not None
    tick_center = first_tick["x"] + first_tick["width"] / 2
    assert bar["x"] <= tick_center <= bar["x"] + bar["width"]
    assert failed == "ValueError"
    assert stalled == ("true", 1)
