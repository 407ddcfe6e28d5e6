"""examples/web-ag-ui in headless Chromium: the page built on the official AG-UI client and on the Vercel AI SDK
(bundled by esbuild from the example's own package-lock.json: ``make web-ag-ui``) shows one live progress bar
per tool call over each protocol, the nested call inside its parent's card, and cancels by aborting; and what a
model's streamed turn carries: a call's arguments in its card as they stream, the reasoning summary, the answer's
sources as links (the example's own ``streamed_turn``, which its offline demo agent is made of).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from server_support import LiveServer, SteppedTool, blocked_agent, nested_agent
from support import missing
from test_web_page import ARTIFACTS, ROOT, WAIT_MS, _card, page  # noqa: F401  (page: the fixture)
from ui_protocol_support import final_event

from agents_otel import Agent, function_tool
from agents_otel.testing import ScriptedModel, function_call

EXAMPLE = ROOT / "examples" / "web-ag-ui"


def _load_example() -> Any:
    if not (EXAMPLE / "static" / "bundle.js").exists():
        message = "examples/web-ag-ui is not built: run `make web-ag-ui` (npm ci + esbuild)"
        missing(message)
    spec = importlib.util.spec_from_file_location("web_ag_ui_example_app", EXAMPLE / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("protocol", ["ag-ui", "ai-sdk"])
def test_live_progress_bars_per_call_over_each_protocol(page: Any, protocol: str) -> None:  # noqa: F811
    alpha, beta, gamma = SteppedTool("alpha", steps=2), SteppedTool("beta", steps=2), SteppedTool("gamma", steps=2)

    def agent() -> Agent[Any]:
        return nested_agent(alpha, beta, gamma)

    ARTIFACTS.mkdir(exist_ok=True)
    with LiveServer(_load_example().create_web_app(agent)) as server:
        page.goto(server.base_url + "/")
        page.select_option("#protocol", protocol)
        page.click("#start")
        for call_id in ("call_alpha", "call_beta", "call_research", "call_gamma"):
            page.wait_for_selector(_card(call_id), timeout=WAIT_MS)
        nested = page.locator(f"{_card('call_research')} > .children > {_card('call_gamma')}")
        assert nested.count() == 1

        # Each bar moves only when its own call reports: released one step at a time, checked in between.
        for tool in (alpha, beta, gamma):
            tool.release()
        for call_id in ("call_alpha", "call_beta", "call_gamma"):
            page.wait_for_selector(f'{_card(call_id)}[data-progress="0.5"]', timeout=WAIT_MS)
            assert page.locator(_card(call_id)).get_attribute("data-sequence") == "1"
        assert page.locator(_card("call_research")).get_attribute("data-state") == "running"
        page.screenshot(path=str(ARTIFACTS / f"web-{protocol}-running.png"), full_page=True)

        for tool in (alpha, beta, gamma):
            tool.release()
        page.wait_for_selector('#status[data-status="completed"]', timeout=WAIT_MS)
        for call_id in ("call_alpha", "call_beta", "call_gamma", "call_research"):
            assert page.locator(_card(call_id)).get_attribute("data-state") == "done"
        assert page.locator("#answer").inner_text() == "All three finished."
        page.screenshot(path=str(ARTIFACTS / f"web-{protocol}.png"), full_page=True)


@pytest.mark.parametrize("protocol", ["ag-ui", "ai-sdk"])
def test_cancel_aborts_the_request_and_the_run(page: Any, protocol: str) -> None:  # noqa: F811
    app = _load_example().create_web_app(blocked_agent)
    with LiveServer(app) as server:
        page.goto(server.base_url + "/")
        page.select_option("#protocol", protocol)
        page.click("#start")
        page.wait_for_selector(_card("call_wait"), timeout=WAIT_MS)
        page.click("#cancel")
        page.wait_for_selector('#status[data-status="cancelled"]', timeout=WAIT_MS)
        run_id = page.locator("#status").get_attribute("data-run-id")
        assert final_event(server.base_url + "/api", run_id)["type"] == "run_cancelled"


LOOKUP_ARGS = {"topic": "tool latency", "depth": 3}
PLAN = "**Planning**\n\nOne lookup will answer this."
WRAP_UP = "**Answering**\n\nCite the page the lookup found."
SOURCE = ("https://example.org/papers/tool-latency", "Tool latency study")


@function_tool
def lookup(topic: str, depth: int) -> str:
    """Look a topic up.

    Args:
        topic: What to look up.
        depth: How many levels of references to follow.
    """
    return f"{topic}: found at depth {depth}"


@pytest.mark.parametrize("protocol", ["ag-ui", "ai-sdk"])
def test_streamed_arguments_reasoning_and_sources_over_each_protocol(page: Any, protocol: str) -> None:  # noqa: F811
    example = _load_example()

    def agent() -> Agent[Any]:
        call = function_call("lookup", LOOKUP_ARGS, call_id="call_lookup")
        model = ScriptedModel(
            [
                example.streamed_turn(reasoning=(PLAN,), calls=[call], pause=0),
                example.streamed_turn(
                    reasoning=(WRAP_UP,), message="Tool latency is dominated by p99 tails.", sources=[SOURCE], pause=0
                ),
            ]
        )
        return Agent(name="Looker", tools=[lookup], model=model)

    ARTIFACTS.mkdir(exist_ok=True)
    with LiveServer(example.create_web_app(agent)) as server:
        page.goto(server.base_url + "/")
        page.select_option("#protocol", protocol)
        page.click("#start")
        page.wait_for_selector('#status[data-status="completed"]', timeout=WAIT_MS)
        page.screenshot(path=str(ARTIFACTS / f"web-{protocol}-streamed.png"), full_page=True)

        tool = page.locator(_card("call_lookup"))
        assert json.loads(tool.locator(".tool-args").inner_text()) == LOOKUP_ARGS
        # The arguments came in pieces, and the card showed them as they came, not only when complete.
        assert int(tool.get_attribute("data-argument-updates") or "0") > 1

        assert page.locator("#reasoning").is_visible()
        paragraphs = page.locator("#reasoning-text p").all_inner_texts()
        assert [p.strip() for p in paragraphs] == [PLAN, WRAP_UP]

        assert page.locator("#answer").inner_text() == "Tool latency is dominated by p99 tails."
        link = page.locator("#sources a")
        assert link.count() == 1
        assert link.get_attribute("href") == SOURCE[0]
        assert link.inner_text() == SOURCE[1]


def test_the_example_is_built_from_its_own_lock_file() -> None:
    assert (EXAMPLE / "package-lock.json").exists()
    assert Path(EXAMPLE / "static" / "index.html").read_text().count('src="bundle.js"') == 1
