"""The last of the OpenAI Agents SDK's own example programs (release 0.25.0) tried on agents_otel, run unchanged.

The companion of tests/compat/test_sdk_examples.py (its docstring says how an example is run): the
human-in-the-loop session programs of ``examples/memory`` (file-backed, in-memory SQLite, the scripted
approve / rehydrate / reject scenario on a file session and on the fake server's Conversations API), the
``AdvancedSQLiteSession`` branching tour, ``examples/tools``' programmatic tool calling, tool search and local shell
skill programs, and what remained of ``examples/agent_patterns`` and ``examples/basic`` that runs offline. Each test
checks what the program printed and what the fake server was sent. ``EXCLUDED`` lists the examples of these
directories that were tried and do not run here, each with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAIServer
from sdk_examples_support import (
    AUTO,
    EXAMPLES_DIR,
    Run,
    bodies,
    example_runner,
    instructions_start,
    require_examples,
    tool_names,
    tool_outputs,
)

EXCLUDED: dict[str, str] = {
    "basic/hello_world_gpt_oss.py": "its client is fixed to an Ollama server at localhost:11434, not the environment's",
    "basic/retry_litellm.py": (
        "runs here (tried: its LiteLLM request reaches the fake server's Chat Completions endpoint), but importing "
        "litellm alone takes about ten seconds on this machine, more than this module's whole budget"
    ),
    "agent_patterns/hosted_multi_agent_beta.py": (
        "needs the hosted multi-agent service's side of a websocket response that stays open for injected tool "
        "outputs, which the fake server does not play; tests/compat/test_sdk_hosted_multi_agent.py covers the model "
        "against a scripted websocket service"
    ),
}
"""Examples of the directories above that were tried and do not run here, and why."""


run = pytest.fixture(example_runner, name="run")


def test_the_excluded_examples_exist() -> None:
    require_examples()
    for path in EXCLUDED:
        assert (EXAMPLES_DIR / path).is_file(), path


# -------------------------------------------------------------------------------------------------- examples/memory


def test_memory_session_hitl_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("get_weather", {"location": "Oakland, CA"}, "w1")])
    fake_openai.enqueue(text="Sunny, 72°F in Oakland.")
    fake_openai.enqueue(tool_calls=[("get_weather", {"location": "New York"}, "w2")])
    fake_openai.enqueue(text="I could not check New York.")
    stdin = "What's the weather in Oakland?\ny\nAnd New York?\nn\n\n"  # approve, then reject, then leave
    out = run("memory.memory_session_hitl_example", stdin=stdin)
    asked = "wants to call 'get_weather' with {\"location\": \"Oakland, CA\"}. Approve? (y/n): "
    assert asked + "Approved tool call.\n" in out
    assert "Assistant: Sunny, 72°F in Oakland.\n" in out
    assert "Approve? (y/n): Rejected tool call.\nAssistant: I could not check New York.\n" in out
    sent = bodies(fake_openai)
    assert tool_outputs(sent[1]) == {"w1": "Sunny, 72°F"}
    # The second turn starts from the session's history: the approved call and its output are in it.
    assert [item.get("role") or item["type"] for item in sent[2]["input"]] == [
        "user", "function_call", "function_call_output", "assistant", "user"
    ]
    assert tool_outputs(sent[3]) == {"w1": "Sunny, 72°F", "w2": "Tool execution was not approved."}


def test_memory_file_hitl_example(run: Run, fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    # One auto-mode turn: the lookup waits for approval (given), then the run finishes and the example saves its
    # to_state().to_json() next to the session's items, as it does after every run (a finished run's state too).
    fake_openai.enqueue(tool_calls=[("lookup_customer_profile", {}, "p1")])
    fake_openai.enqueue(text="Kaz S. is a gold-tier customer who prefers SMS.")
    out = run("memory.file_hitl_example", env=AUTO)
    assert "Approved tool call.\n" in out and "Assistant: Kaz S. is a gold-tier customer who prefers SMS.\n" in out
    assert "Failed" not in out
    sent = bodies(fake_openai)
    assert tool_outputs(sent[1])["p1"].startswith("Customer Kaz S. (tier gold)")  # its context's user_id, 101
    session_dir = tmp_path / "examples" / "memory" / "tmp"
    (state_file,) = session_dir.glob("*-state.json")
    state = json.loads(state_file.read_text())
    assert state["turn"]["finished"] is True and state["turn"]["pending"] == [] and state["context"]["value"] == {
        "user_id": "101"
    }
    saved = json.loads((session_dir / state_file.name.replace("-state", "")).read_text())
    assert [item.get("role") or item["type"] for item in saved] == [
        "user", "function_call", "function_call_output", "assistant"
    ]


def test_memory_hitl_session_scenario(run: Run, fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    # The same three turns on a file session, then on the fake server's Conversations API: approved, approved
    # after the session is rebuilt from its id, rejected; each stops on its tool's output (stop_on_first_tool).
    for _ in range(2):
        fake_openai.enqueue(tool_calls=[("approved_echo", {"query": "Fetch profile for customer 104."}, "e1")])
        fake_openai.enqueue(tool_calls=[("approved_note", {"query": "Update note for customer 104."}, "n1")])
        fake_openai.enqueue(tool_calls=[("approved_echo", {"query": "Delete note for customer 104."}, "e2")])
    out = run("memory.hitl_session_scenario")
    for store in ("FileSession", "OpenAIConversationsSession"):
        assert f"[{store} turn 1] final output: approved:Fetch profile for customer 104. (items: 3)\n" in out
        assert (
            f"[{store} turn 2 (rehydrated)] final output: approved_note:Update note for customer 104. (items: 6)\n"
        ) in out
        assert f"[{store} turn 3 (rejected)] tool result: call_id=e2 output=Tool execution was not approved.\n" in out
        assert f"[{store} turn 3 (rejected)] final output: Tool execution was not approved. (items: 9)\n" in out
    conversation = out.split("[OpenAIConversationsSession] new session id: ")[1].split("\n")[0]
    assert out.endswith(f"[OpenAIConversationsSession] deleting session id: {conversation}\n")
    assert fake_openai.conversations == {} and not list((tmp_path / "tmp").iterdir())  # both cleaned up
    sent = bodies(fake_openai)
    assert [body["tool_choice"]["name"] for body in sent] == ["approved_echo", "approved_note", "approved_echo"] * 2
    assert all(body["reasoning"] == {"effort": "none"} and body["model"] == "gpt-5.6-sol" for body in sent)
    # Turn 3 of each store sees the two earlier turns from the session, their calls and outputs included.
    for third in (sent[2], sent[5]):
        assert [item.get("role") or item["type"] for item in third["input"]] == [
            "user", "function_call", "function_call_output", "user", "function_call", "function_call_output", "user"
        ]
        assert tool_outputs(third) == {
            "e1": "approved:Fetch profile for customer 104.",
            "n1": "approved_note:Update note for customer 104.",
        }


async def test_conversations_session_get_session_id_creates_the_conversation_once(
    fake_openai: FakeOpenAIServer,
) -> None:
    # Parity found by examples/memory/hitl_session_scenario: the SDK's private _get_session_id(), which its own
    # examples call, starts the conversation when the session has none yet and returns its id.
    import asyncio

    import openai

    from agents_otel import OpenAIConversationsSession

    session = OpenAIConversationsSession(openai_client=openai.AsyncOpenAI(base_url=fake_openai.base_url, api_key="k"))
    first, second = await asyncio.gather(session._get_session_id(), session._get_session_id())
    assert first == second == session.session_id and first in fake_openai.conversations
    assert len(fake_openai.requests_to("/conversations")) == 1
    assert await OpenAIConversationsSession(conversation_id="conv_given")._get_session_id() == "conv_given"


def test_memory_advanced_sqlite_session_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="San Francisco.", usage=(20, 5))
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "San Francisco"}, "sf")], usage=(30, 10))
    fake_openai.enqueue(text="Sunny.", usage=(40, 5))
    fake_openai.enqueue(text="About 800,000.", usage=(50, 5))
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "New York"}, "ny")])
    fake_openai.enqueue(text="Cloudy in New York.")
    fake_openai.enqueue(text="The Statue of Liberty.")
    out = run("memory.advanced_sqlite_session_example")
    assert "Assistant: San Francisco.\nUsage: 25 tokens\n" in out and "Assistant: Sunny.\nUsage: 85 tokens\n" in out
    assert (
        "  Total requests: 4\n  Total tokens: 165\n  Input tokens: 140\n  Output tokens: 25\n  Total turns: 3\n\n"
        "Usage by turn:\n  Turn 1: 25 tokens\n  Turn 2: 85 tokens\n  Turn 3: 55 tokens\n"
    ) in out
    assert (
        "  Turn 2: 4 items\n    - user\n    - function_call (tool: get_weather)\n    - function_call_output\n"
        "    - assistant\n"
    ) in out
    assert "Tool usage:\n  get_weather: used 1 times in turn 2\n" in out
    assert "  5. function_call_output: The weather in San Francisco is sunny.\n" in out
    assert "Items copied to new branch: 2\n" in out
    assert "  5. function_call_output: The weather in New York is cloudy.\n" in out
    branch = out.split("Created branch: ")[1].split("\n")[0]
    assert branch.startswith("branch_from_turn_2_")
    assert f"  main: 3 user turns, 8 total messages\n  {branch}: 3 user turns, 8 total messages (current)\n" in out
    assert "  Turn 2: Actually, what's the weather in New York instead?\n" in out
    assert "Main branch items: 8\nNew branch items: 8\n" in out
    # The branch's first turn sees only turn 1 of main: the branch point.
    sent = bodies(fake_openai)
    assert [item.get("content") for item in sent[4]["input"]] == [
        "What city is the Golden Gate Bridge in?",
        "San Francisco.",
        "Actually, what's the weather in New York instead?",
    ]
    assert tool_outputs(sent[5]) == {"ny": "The weather in New York is cloudy."}


# --------------------------------------------------------------------------------------------------- examples/tools

_SKUS = ("desk-lamp", "ergonomic-keyboard", "usb-c-dock")
_PROGRAM_CALLER = {"type": "program", "caller_id": "prog"}


def test_tools_programmatic_tool_calling(run: Run, fake_openai: FakeOpenAIServer) -> None:
    code = "const r = await Promise.all([...]); return r;"
    program = {"type": "program", "id": "pg_1", "call_id": "prog", "code": code, "fingerprint": "fp"}
    calls = [
        {
            "type": "function_call",
            "id": f"fc_{n}",
            "call_id": f"c{n}",
            "name": name,
            "arguments": json.dumps({"sku": sku}),
            "caller": _PROGRAM_CALLER,
            "status": "completed",
        }
        for n, (sku, name) in enumerate(
            (sku, name) for sku in _SKUS for name in ("get_inventory", "get_weekly_demand", "get_inbound_units")
        )
    ]
    fake_openai.enqueue(hosted_calls=[program, *calls])
    done = {"type": "program_output", "id": "po_1", "call_id": "prog", "result": '{"total_reorder_units": 16}',
            "status": "completed"}
    fake_openai.enqueue(hosted_calls=[done], text="Reorder 7 desk lamps and 12 keyboards.")
    out = run("tools.programmatic_tool_calling")
    ran = sorted(line for line in out.splitlines() if line.startswith("[tool] "))  # concurrent: in no fixed order
    assert ran == sorted(f"[tool] {call['name']}({json.loads(call['arguments'])['sku']})" for call in calls)
    assert f"\nGenerated program:\n{code}\n" in out
    assert "Programmatic calls: " + ", ".join(call["name"] for call in calls) + "\n" in out
    assert out.endswith("\nFinal answer:\nReorder 7 desk lamps and 12 keyboards.\n")
    first, second = bodies(fake_openai)
    assert first["tool_choice"] == {"type": "programmatic_tool_calling"} and first["tools"][-1] == {
        "type": "programmatic_tool_calling"
    }
    assert all(tool["allowed_callers"] == ["programmatic"] for tool in first["tools"][:3])
    assert first["tools"][0]["output_schema"]["required"] == ["sku", "available_units"]
    outputs = [item for item in second["input"] if item.get("type") == "function_call_output"]
    assert all(item["caller"] == _PROGRAM_CALLER for item in outputs)  # answered to the program that called
    assert json.loads(tool_outputs(second)["c4"]) == {"sku": "ergonomic-keyboard", "forecast_units": 16}
    assert second["input"][1] == program


def _search(n: int, query: dict[str, Any], tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A hosted tool search's two items, as the Responses API returns them (``created_by`` included)."""
    common = {"call_id": f"ts{n}", "execution": "server", "status": "completed", "created_by": "server"}
    return [
        {"type": "tool_search_call", "id": f"tsc_{n}", "arguments": query, **common},
        {"type": "tool_search_output", "id": f"tso_{n}", "tools": tools, **common},
    ]


def _deferred(name: str, parameter: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {parameter: {"type": "string"}}, "required": [parameter]}
    return {"type": "function", "name": name, "parameters": schema, "defer_loading": True}


def test_tools_tool_search(run: Run, fake_openai: FakeOpenAIServer) -> None:
    crm = {"type": "namespace", "name": "crm", "description": "CRM tools for customer lookups.",
           "tools": [_deferred("get_customer_profile", "customer_id"), _deferred("list_open_orders", "customer_id")]}
    fake_openai.enqueue(
        hosted_calls=[*_search(1, {"paths": ["crm"]}, [crm])],
        tool_calls=[("get_customer_profile", {"customer_id": "customer_42"}, "p")],
    )
    fake_openai.enqueue(tool_calls=[("list_open_orders", {"customer_id": "customer_42"}, "o")])
    fake_openai.enqueue(text="Avery Chen has two open orders.")
    fake_openai.enqueue(
        hosted_calls=[*_search(2, {"query": "ETA"}, [_deferred("get_shipping_eta", "tracking_number")])],
        tool_calls=[("get_shipping_eta", {"tracking_number": "ZX-123"}, "eta")],
    )
    fake_openai.enqueue(text="ZX-123 arrives 2026-03-06 14:00 JST.")
    out = run("tools.tool_search")
    namespaced, top_level = out.split("## Tool search with top-level deferred tools\n")
    assert namespaced.startswith("## Tool search with namespaces\n### Final output\nAvery Chen has two open orders.\n")
    assert "- registered: crm, billing\n- loaded: crm\n- untouched: billing\n" in namespaced
    assert top_level.startswith("### Final output\nZX-123 arrives 2026-03-06 14:00 JST.\n")
    assert "- loaded: get_shipping_eta\n- untouched: get_shipping_credit_balance\n" in top_level
    assert namespaced.count("- tool_call_item: ") == 2 and top_level.count("- tool_search_output_item: ") == 1
    sent = bodies(fake_openai)
    assert [tool["type"] for tool in sent[0]["tools"]] == ["namespace", "namespace", "tool_search"]
    assert all(body["parallel_tool_calls"] is False for body in sent)
    assert json.loads(tool_outputs(sent[1])["p"])["full_name"] == "Avery Chen"
    assert not any(item.get("created_by") for item in sent[1]["input"])  # the search's items go back without it
    assert [tool.get("defer_loading") for tool in sent[3]["tools"]] == [True, True, None]
    assert tool_outputs(sent[4]) == {"eta": "2026-03-06 14:00 JST"}


def _shell_call(call_id: str, *commands: str) -> dict[str, Any]:
    action = {"commands": list(commands), "timeout_ms": 10_000, "max_output_length": 4096}
    return {"type": "shell_call", "id": f"sh_{call_id}", "call_id": call_id, "status": "completed", "action": action}


def test_tools_local_shell_skill(run: Run, fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    # Its approval callback refuses when stdin is not a terminal, as here: neither command runs.
    fake_openai.enqueue(hosted_calls=[_shell_call("s1", f"touch {tmp_path}/orders.csv")])
    fake_openai.enqueue(text="The command was not approved.")
    fake_openai.enqueue(hosted_calls=[_shell_call("s2", "ls -la /tmp/test_orders.csv")])
    fake_openai.enqueue(text="Not approved either.")
    out = run("tools.local_shell_skill")
    assert out == "Agent: The command was not approved.\nAgent (reuse): Not approved either.\n"
    assert not (tmp_path / "orders.csv").exists()
    sent = bodies(fake_openai)
    skill = {
        "name": "csv-workbench",
        "description": "Analyze CSV files and return concise numeric summaries.",
        "path": str(EXAMPLES_DIR / "tools" / "skills" / "csv-workbench"),
    }
    assert sent[0]["tools"] == [{"type": "shell", "environment": {"type": "local", "skills": [skill]}}]
    assert sent[2]["tools"] == [{"type": "shell", "environment": {"type": "local"}}]
    refused = [{"stdout": "", "stderr": "user rejected", "outcome": {"type": "exit", "exit_code": 1}}]
    for body, call_id in ((sent[1], "s1"), (sent[3], "s2")):
        outputs = [item for item in body["input"] if item.get("type") == "shell_call_output"]
        assert outputs == [{"type": "shell_call_output", "call_id": call_id, "output": refused}]


# --------------------------------------------------------------------------------------- examples/agent_patterns


def test_agents_as_tools_conditional(run: Run, fake_openai: FakeOpenAIServer) -> None:
    orchestrator, spanish = instructions_start("You are a multilingual"), instructions_start("Respond in Spanish")
    fake_openai.enqueue(
        tool_calls=[
            ("respond_spanish", {"input": "Good morning?"}, "es"),
            ("respond_french", {"input": "Good morning?"}, "fr"),
        ],
        when=orchestrator,
    )
    fake_openai.enqueue(text="Bonjour.", when=instructions_start("You respond in French"))
    fake_openai.enqueue(tool_calls=[("get_user_name", {}, "name")], when=spanish)
    fake_openai.enqueue(text="Buenos días, Kaz.", when=spanish)
    fake_openai.enqueue(text="Buenos días, Kaz. / Bonjour.", when=orchestrator)
    out = run("agent_patterns.agents_as_tools_conditional", env=AUTO)
    assert "Language preference: french_spanish\nAvailable tools: respond_spanish, respond_french\n" in out
    # The orchestrator's approval, then the nested agent's own tool's, surfaced to the same loop.
    assert "✓ Approved: respond_spanish\n" in out and "✓ Approved: get_user_name\nGetting the user's name...\n" in out
    assert out.endswith("Response:\nBuenos días, Kaz. / Bonjour.\n")
    sent = bodies(fake_openai)
    assert tool_names(sent[0]) == ["respond_spanish", "respond_french"]  # respond_italian is not enabled
    nested = [body for body in sent if spanish(body)]
    assert nested[0]["tool_choice"] == "required" and tool_outputs(nested[1]) == {"name": "Kaz"}
    assert tool_outputs(sent[-1]) == {"es": "Buenos días, Kaz.", "fr": "Bonjour."}


def test_human_in_the_loop_server(run: Run, fake_openai: FakeOpenAIServer) -> None:
    # The paused run goes through RunState.to_string() / from_string() between the two requests, as on a server.
    fake_openai.enqueue(tool_calls=[("get_temperature", {"city": "Oakland"}, "t")])
    fake_openai.enqueue(text="It is 20 Celsius in Oakland.")
    out = run("agent_patterns.human_in_the_loop_server", stdin="y\n")
    assert out == 'Allow get_temperature with {"city": "Oakland"}? (y/n): It is 20 Celsius in Oakland.\n'
    assert tool_outputs(bodies(fake_openai)[1]) == {"t": "The temperature in Oakland is 20 Celsius."}


# ----------------------------------------------------------------------------------------------- examples/basic


def test_basic_stream_ws(run: Run, fake_openai: FakeOpenAIServer) -> None:
    support, policy = instructions_start("You are a support agent"), instructions_start("You are a refund policy")
    fake_openai.enqueue(tool_calls=[("lookup_order", {"order_id": "ORD-1001"}, "look")], when=support)
    ask = {"input": "Delivered 3 days ago."}
    fake_openai.enqueue(tool_calls=[("refund_policy_specialist", ask, "pol")], when=support)
    fake_openai.enqueue(text="Eligible: within 7 days.", when=policy)
    refund = {"order_id": "ORD-1001", "amount": 49.99, "reason": "damaged"}
    fake_openai.enqueue(tool_calls=[("submit_refund", refund, "ref")], when=support)
    fake_openai.enqueue(text="RF-1001", when=support)
    fake_openai.enqueue(text="RF-1001", when=support)
    out = run("basic.stream_ws", env=AUTO)
    assert "\n[tool call] refund_policy_specialist({\"input\": \"Delivered 3 days ago.\"})\n" in out
    assert "[tool result] Eligible: within 7 days.\n" in out
    assert "[approval] Approve submit_refund with args " in out and "-> yes\n" in out
    assert "[tool result] {'refund_ticket': 'RF-1001', 'order_id': 'ORD-1001', 'amount': 49.99," in out
    first_id = out.split("response_id: ")[1].split("\n")[0]
    assert out.count("Assistant:\nRF-1001\n") == 2 and out.count("final_output: RF-1001\n") == 2
    sent = fake_openai.requests_to("/responses")
    assert {request.method for request in sent} == {"WS"} and len(fake_openai.ws_handshakes) == 1  # one socket
    assert sent[2].body["max_output_tokens"] == 120 and policy(sent[2].body)  # the nested agent, same socket
    assert sent[0].body["reasoning"] == {"effort": "medium", "summary": "detailed"}
    assert json.loads(tool_outputs(sent[4].body)["ref"]) == {
        "refund_ticket": "RF-1001", **refund, "status": "approved_pending_processing"
    }
    assert sent[5].body["previous_response_id"] == first_id
    assert sent[5].body["input"] == [
        {"role": "user", "content": "What refund ticket did you just create? Reply with only the ticket."}
    ]

