"""The example page in a real headless Chromium (Debian's ``chromium`` driven by Playwright; never a browser
download): a run with slow parallel tools and a nested agent, bars advancing as the test releases steps.

Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_support import SAFETY_TIMEOUT, LiveServer, SteppedTool, nested_agent, parallel_agent
from support import Tracing, missing

from agents_otel import Agent
from agents_otel.testing import ScriptedModel, assistant_message, function_call

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TRACE_TEMPLATE = "http://jaeger.test:16686/trace/{trace_id}"
WAIT_MS = SAFETY_TIMEOUT * 1000


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Debian's chromium is not installed ({CHROMIUM} missing): run `make browser` (apt-get install chromium)"
    missing(message)


def _load_example() -> Any:
    spec = importlib.util.spec_from_file_location("web_example_app", ROOT / "examples" / "web" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def page() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1100, "height": 760},
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def _card(call_id: str) -> str:
    return f'.tool[data-call-id="{call_id}"]'


def _wait_progress(page: Any, call_id: str, value: str) -> None:
    page.wait_for_selector(f'{_card(call_id)}[data-progress="{value}"]', timeout=WAIT_MS)


def test_the_page_shows_live_progress_per_call_and_links_the_trace(page: Any) -> None:
    alpha, beta, gamma = SteppedTool("alpha", steps=2), SteppedTool("beta", steps=2), SteppedTool("gamma", steps=2)

    def agent() -> Agent[Any]:
        return nested_agent(alpha, beta, gamma)

    traced = Tracing.new()
    web = _load_example().create_web_app(agent, run_config=traced.config, trace_url_template=TRACE_TEMPLATE)
    ARTIFACTS.mkdir(exist_ok=True)

    with LiveServer(web) as server:
        page.goto(server.base_url + "/")
        page.fill("#input", "Do the three things")
        page.click("#start")

        for call_id in ("call_alpha", "call_beta", "call_gamma"):
            page.wait_for_selector(_card(call_id), timeout=WAIT_MS)

        # Parallel calls side by side; the nested call inside its parent's card, indented.
        boxes = {c: page.locator(_card(c)).bounding_box() for c in ("call_alpha", "call_beta", "call_research")}
        assert boxes["call_alpha"]["y"] == boxes["call_beta"]["y"] == boxes["call_research"]["y"]
        assert boxes["call_alpha"]["x"] < boxes["call_beta"]["x"] < boxes["call_research"]["x"]
        nested = page.locator(f"{_card('call_research')} > .children > {_card('call_gamma')}")
        assert nested.count() == 1
        assert nested.bounding_box()["x"] > boxes["call_research"]["x"]

        # Bars advance step by step, each step released only after the page showed the previous one.
        for tool in (alpha, beta, gamma):
            tool.release()
        for call_id in ("call_alpha", "call_beta", "call_gamma"):
            _wait_progress(page, call_id, "0.5")
        assert page.locator(_card("call_alpha") + " progress").evaluate("p => p.value") == 0.5
        assert page.locator(_card("call_research")).get_attribute("data-state") == "running"
        page.screenshot(path=str(ARTIFACTS / "web-page-running.png"), full_page=True)

        for tool in (alpha, beta, gamma):
            tool.release()
        page.wait_for_selector('#status[data-status="completed"]', timeout=WAIT_MS)
        for call_id in ("call_alpha", "call_beta", "call_gamma", "call_research"):
            assert page.locator(_card(call_id)).get_attribute("data-state") == "done"
            assert page.locator(_card(call_id)).get_attribute("data-progress") == "1"
        assert page.locator("#answer").inner_text() == "All three finished."

        trace_href = page.locator("#trace-link").get_attribute("href")
        span_href = page.locator(f"{_card('call_alpha')} .span-link").get_attribute("href")
        page.screenshot(path=str(ARTIFACTS / "web-page.png"), full_page=True)

    agent_span = next(s for s in traced.spans() if s.name == "invoke_agent Outer")
    trace_id = format(agent_span.context.trace_id, "032x")
    assert trace_href == TRACE_TEMPLATE.format(trace_id=trace_id)
    alpha_span = next(s for s in traced.spans() if s.name == "execute_tool alpha")
    assert span_href == f"{trace_href}?uiFind={format(alpha_span.context.span_id, '016x')}"
    assert (ARTIFACTS / "web-page.png").stat().st_size > 0


def test_cancel_from_the_page_ends_the_run(page: Any) -> None:
    # Regression (issue 10): a cancelled card became a full red bar and lost how far the call had got.
    slow = SteppedTool("slow", steps=4)
    try:
        with LiveServer(_load_example().create_web_app(lambda: parallel_agent(slow))) as server:
            page.goto(server.base_url + "/")
            page.click("#start")
            slow.release()
            _wait_progress(page, "call_slow", "0.25")
            page.click("#cancel")
            page.wait_for_selector('#status[data-status="cancelled"]', timeout=WAIT_MS)
            card = page.locator(_card("call_slow"))
            page.wait_for_selector(f'{_card("call_slow")}[data-state="cancelled"]', timeout=WAIT_MS)
            assert card.get_attribute("data-progress") == "0.25"
            assert card.locator("progress").evaluate("p => p.value") == 0.25
            assert card.locator(".tool-status").inner_text() == "cancelled at 25%"
    finally:
        slow.release(4)  # let the abandoned worker thread finish


def test_the_page_shows_which_agent_is_active_across_a_handoff(page: Any) -> None:
    step = SteppedTool("lookup", steps=1)

    def agent() -> Agent[Any]:
        specialist = Agent(
            name="Specialist",
            tools=[step.tool()],
            model=ScriptedModel([[function_call("lookup", {}, call_id="call_lookup")], [assistant_message("Solved.")]]),
        )
        return Agent(
            name="Triage",
            handoffs=[specialist],
            model=ScriptedModel([[assistant_message("Passing you on."), function_call("transfer_to_specialist")]]),
        )

    with LiveServer(_load_example().create_web_app(agent)) as server:
        page.goto(server.base_url + "/")
        page.click("#start")
        # The specialist's tool is waiting for its release: the page already shows who took over.
        page.wait_for_selector(_card("call_lookup"), timeout=WAIT_MS)
        page.wait_for_selector('#agent[data-agent="Specialist"]', timeout=WAIT_MS)
        assert page.locator("#agent").inner_text() == "agent: Specialist"
        step.release()
        page.wait_for_selector('#status[data-status="completed"]', timeout=WAIT_MS)
        assert page.locator("#answer").inner_text() == "Solved."


def test_the_page_works_behind_cookie_auth_and_refuses_without_it(page: Any) -> None:
    """The documented browser pattern (docs/server.md, "Authentication"): auth reads a session cookie, which the
    page's fetch calls and its EventSource send by themselves; the events URL also carries a stream token."""
    step = SteppedTool("solo", steps=1)

    def agent() -> Agent[Any]:
        model = ScriptedModel([[function_call("solo", {}, call_id="call_solo")], [assistant_message("Behind auth.")]])
        return Agent(name="Guarded", tools=[step.tool()], model=model)

    def session_user(request: Any) -> str | None:
        return "alice" if request.cookies.get("session") == "alice-session" else None

    with LiveServer(_load_example().create_web_app(agent, auth=session_user)) as server:
        page.goto(server.base_url + "/")
        refused = page.evaluate("fetch('api/config').then(r => r.status)")
        assert refused == 401
        page.context.add_cookies([{"name": "session", "value": "alice-session", "url": server.base_url}])
        page.reload()
        page.click("#start")
        page.wait_for_selector(_card("call_solo"), timeout=WAIT_MS)
        step.release()
        page.wait_for_selector('#status[data-status="completed"]', timeout=WAIT_MS)
        assert page.locator("#answer").inner_text() == "Behind auth."
