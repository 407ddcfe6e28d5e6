"""More of the OpenAI Agents SDK's own example programs (release 0.25.0), run unchanged on agents_otel.

The companion of tests/compat/test_sdk_examples.py (its docstring says how an example is run): the rest of
``examples/basic`` that runs offline, ``examples/handoffs/message_filter_streaming``, the ``examples/memory`` session
programs (SQLite, encrypted, Redis on a real ``redis-server``, SQLAlchemy on ``aiosqlite``, compaction, the
human-in-the-loop ones) and the ``examples/tools`` programs whose tools run on this machine (shell, apply_patch),
their hosted and local tool calls scripted on the fake server. Each test checks what the program printed and what
the server was sent. ``EXCLUDED`` lists the examples of these directories that were tried and do not run here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAIServer
from sdk_examples_support import (
    EXAMPLES_DIR,
    MESSAGE_FILTER_ANSWERS,
    MESSAGE_FILTER_SPANISH_INPUT,
    Run,
    bodies,
    example_runner,
    require_examples,
    run_example_in_process_of_its_own,
    tool_names,
    tool_outputs,
)

EXCLUDED: dict[str, str] = {}
"""Examples of the directories above that were tried and do not run here, and why (each a deliberate difference)."""


run = pytest.fixture(example_runner, name="run")


def test_the_excluded_examples_exist() -> None:
    require_examples()
    for path in EXCLUDED:
        assert (EXAMPLES_DIR / path).is_file(), path


# ----------------------------------------------------------------------------------------------- examples/basic


def test_basic_hello_world(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="Code calls itself,\nsmaller each time.")
    assert run("basic.hello_world") == "Code calls itself,\nsmaller each time.\n"
    (body,) = bodies(fake_openai)
    assert body["instructions"] == "You only respond in haikus."
    assert body["input"] == [{"role": "user", "content": "Tell me about recursion in programming."}]


def test_basic_hello_world_gpt_5(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="Recursion: a function that calls itself.")
    assert run("basic.hello_world_gpt_5") == "Recursion: a function that calls itself.\n"
    (body,) = bodies(fake_openai)
    assert body["model"] == "gpt-5.6-sol"
    assert body["reasoning"] == {"effort": "low"} and body["text"]["verbosity"] == "low"


def test_basic_local_image(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="A bison.")
    assert run("basic.local_image") == "A bison.\n"
    image, question = bodies(fake_openai)[0]["input"]
    (part,) = image["content"]
    assert part["type"] == "input_image" and part["detail"] == "auto"
    assert part["image_url"].startswith("data:image/jpeg;base64,/9j/")  # the JPEG file, base64
    assert question == {"role": "user", "content": "What do you see in this image?"}


def test_basic_local_file(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="OpenAI o3 and o4-mini are the latest models.")
    assert run("basic.local_file") == "OpenAI o3 and o4-mini are the latest models.\n"
    (part,) = bodies(fake_openai)[0]["input"][0]["content"]
    assert part["type"] == "input_file" and part["filename"] == "partial_o3-and-o4-mini-system-card.pdf"
    assert part["file_data"].startswith("data:application/pdf;base64,JVBERi")  # "%PDF-", base64


def test_basic_remote_image(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="Big Ben.")
    assert run("basic.remote_image") == "Big Ben.\n"
    (part,) = bodies(fake_openai)[0]["input"][0]["content"]
    assert part == {
        "type": "input_image",
        "detail": "auto",
        "image_url": "https://images.unsplash.com/photo-1505761671935-60b3a7427bad?auto=format&fit=crop&w=400&q=80",
    }


def test_basic_remote_pdf(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="A paper.")
    assert run("basic.remote_pdf") == "A paper.\n"
    (part,) = bodies(fake_openai)[0]["input"][0]["content"]
    assert part["type"] == "input_file" and part["file_url"].startswith("https://")


def test_basic_image_tool_output(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("fetch_random_image", {}, "img")])
    fake_openai.enqueue(text="A clock tower.")
    assert run("basic.image_tool_output") == "Image tool called\nA clock tower.\n"
    first, second = bodies(fake_openai)
    assert tool_names(first) == ["fetch_random_image"]
    (part,) = tool_outputs(second)["img"]
    assert part["type"] == "input_image" and part["image_url"].startswith("https://images.unsplash.com/")


def test_basic_prompt_template(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="There once was a function...")
    fake_openai.enqueue(text="Calls itself again.")
    assert run("basic.prompt_template", argv=("--prompt-id", "pmpt_static")) == "There once was a function...\n"
    out = run("basic.prompt_template", argv=("--dynamic", "--prompt-id", "pmpt_dyn"))
    style = out.splitlines()[0].removeprefix("[debug] DynamicContext initialized with poem_style: ")
    assert style in ("limerick", "haiku", "ballad") and out.endswith("\nCalls itself again.\n")
    static, dynamic = bodies(fake_openai)
    assert static["prompt"] == {"id": "pmpt_static", "version": "1", "variables": {"poem_style": "limerick"}}
    assert dynamic["prompt"] == {"id": "pmpt_dyn", "version": "1", "variables": {"poem_style": style}}
    assert "instructions" not in static


def test_basic_retry(run: Run, fake_openai: FakeOpenAIServer) -> None:
    # The openai client's own two retries come first (kept on a first, stateless attempt, as in the SDK); the
    # example's policy sees the third failure and the runtime retries once more, the client's retries now off.
    for _ in range(3):
        fake_openai.enqueue(error=503)
    fake_openai.enqueue(text="- Wait, then try again.")
    out = run("basic.retry")
    assert "[retry] retry attempt 1/5" in out
    assert out.endswith("\nFinal output:\n\n- Wait, then try again.\n")
    assert len(bodies(fake_openai)) == 4


def test_basic_trace_redaction(fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    # In a process of its own: its trace and span come from the zero-config OpenTelemetry provider, which a test
    # process does not install (tests/conftest.py).
    done = run_example_in_process_of_its_own("basic.trace_redaction", fake_openai.base_url, tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    exported = [item for line in out.splitlines() for item in json.loads(line)]
    assert {item["object"] for item in exported} == {"trace", "trace.span"}
    assert all(set(item) <= {"object", "id", "trace_id", "parent_id"} for item in exported)
    assert "synthetic" not in out and not fake_openai.requests


# ------------------------------------------------------------------------------------------------ examples/handoffs


def test_handoffs_message_filter_streaming(run: Run, fake_openai: FakeOpenAIServer) -> None:
    for answer in MESSAGE_FILTER_ANSWERS:
        fake_openai.enqueue(**answer)
    out = run("handoffs.message_filter_streaming", env={"OPENAI_DEFAULT_MODEL": "gpt-4.1"})
    assert out.startswith("Step 1 done\nStep 2 done\nStep 3 done\n")
    sent = bodies(fake_openai)
    assert [body.get("stream", False) for body in sent] == [False] * 4 + [True, True]
    spanish = sent[-1]
    assert spanish["instructions"].startswith("You only speak Spanish") and "tools" not in spanish
    assert [item.get("content") for item in spanish["input"]] == MESSAGE_FILTER_SPANISH_INPUT
    assert '"text": "Te llamas Sora y vives en Nueva York."' in out


# -------------------------------------------------------------------------------------------------- examples/memory


def _three_turns(fake_openai: FakeOpenAIServer) -> None:
    for text in ("San Francisco.", "California.", "About 39 million."):
        fake_openai.enqueue(text=text)


def _third_turn_input(fake_openai: FakeOpenAIServer) -> list[dict[str, Any]]:
    third: list[dict[str, Any]] = bodies(fake_openai)[2]["input"]
    assert [item.get("role") for item in third] == ["user", "assistant", "user", "assistant", "user"]
    assert third[0]["content"] == "What city is the Golden Gate Bridge in?"
    return third


def test_memory_encrypted_session_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    _three_turns(fake_openai)
    out = run("memory.encrypted_session_example")
    assert "Assistant: California.\n" in out
    assert "Latest 2 items (automatically decrypted):\n  1. user: What's the population of that state?\n" in out
    assert "Total items in session: 6\n" in out
    envelopes = [line for line in out.splitlines() if "Encrypted envelope: __enc__=1, payload length=" in line]
    assert len(envelopes) == 6 and "Unencrypted item" not in out
    assert out.endswith("All 6 items are stored encrypted with TTL-based expiration.\n")
    _third_turn_input(fake_openai)


async def test_encrypted_envelope_is_the_shape_the_store_holds(tmp_path: Path) -> None:
    # Parity found by examples/memory/encrypted_session_example: the SDK's TypedDict at its module path.
    from cryptography.fernet import Fernet

    from agents_otel import SQLiteSession
    from agents_otel.extensions.memory.encrypt_session import EncryptedEnvelope, EncryptedSession

    assert set(EncryptedEnvelope.__annotations__) == {"__enc__", "v", "kid", "payload"}
    store = SQLiteSession("s", str(tmp_path / "s.db"))
    session = EncryptedSession("s", store, Fernet.generate_key().decode(), ttl=60)
    await session.add_items([{"role": "user", "content": "hi"}])
    (stored,) = await store.get_items()
    assert set(stored) == set(EncryptedEnvelope.__annotations__) and stored["__enc__"] == 1
    assert await session.get_items() == [{"role": "user", "content": "hi"}]
    store.close()


def test_memory_sqlalchemy_session_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    _three_turns(fake_openai)
    out = run("memory.sqlalchemy_session_example")
    assert "  1. user: What's the population of that state?\n" in out
    assert out.endswith("Fetched 2 out of total conversation history.\nTotal items in session: 6\n")
    _third_turn_input(fake_openai)


def test_memory_redis_session_example(run: Run, fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    from redis_support import RedisServer

    _three_turns(fake_openai)
    for text in ("Hello!", "Noted.", "Hi, tenant."):
        fake_openai.enqueue(text=text)
    with RedisServer(tmp_path) as redis_server:
        out = run("memory.redis_session_example", env={"REDIS_URL": redis_server.url})
    assert "Connected to Redis successfully!\n" in out and "failed" not in out
    assert "Total messages stored in Redis: 6\n" in out
    assert "New session response: Hello!\nOriginal session has 6 items\nNew session has 2 items\n" in out
    assert out.endswith("Custom key prefix demo:\nSession with custom key prefix created successfully\n")
    _third_turn_input(fake_openai)
    assert bodies(fake_openai)[3]["input"] == [{"role": "user", "content": "Hello, this is a new conversation!"}]


def _kinds(listing: str) -> list[str]:
    return [line.removeprefix("  - ") for line in listing.splitlines() if line.startswith("  - ")]


def test_memory_compaction_session_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    for n in range(5):
        fake_openai.enqueue(text=f"Answer {n + 1}.")
    out = run("memory.compaction_session_example")
    auto, manual = out.split("=== Session State (Auto Compaction) ===\n")[1].split("=== Manual Compaction ===")
    assert "Turn 5:\nUser: What country is the mountain in?\nAssistant: Answer 5.\n" in out
    assert "Total items: 3\n" in auto
    assert _kinds(auto) == ["compaction (encrypted content)", "message (user)", "message (assistant)"]
    assert manual.endswith("Total items: 1\n  - compaction (encrypted content)\n")
    # Four assistant answers make four candidates: compaction after turn 4, from the stored response (the
    # default mode, responses being stored), then once more when asked.
    sent = bodies(fake_openai)
    first, second = [request.body for request in fake_openai.requests_to("/responses/compact")]
    # The 0.25 example no longer names a model: compaction runs on the session's default, gpt-6-luna since 0.25.
    assert first["model"] == "gpt-6-luna" and str(first["previous_response_id"]).startswith("resp_")
    assert "input" not in first and second["previous_response_id"] != first["previous_response_id"]
    fifth = sent[4]["input"]
    assert fifth[0].get("type") == "compaction"
    assert fifth[-1] == {"role": "user", "content": "What country is the mountain in?"}


def test_memory_custom_session_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    """SDK 0.25's adapter of a synchronous store, built on ``agents.memory``'s public helpers
    (``coerce_session_settings``, ``resolve_session_limit``, ``await_session_mutation``); its model is scripted."""
    out = run("memory.custom_session")
    # Two runs on one session: both turns' user and assistant messages were written through the adapter, and read
    # back under its settings' limit (a dict, coerced).
    assert out == "You said hello.\nStored 4 history items.\n"
    assert bodies(fake_openai) == []


def test_memory_compaction_session_stateless_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    for n in range(4):
        fake_openai.enqueue(text=f"Answer {n + 1}.")
    out = run("memory.compaction_session_stateless_example")
    assert "=== Stateless Compaction Session Example ===\n" in out
    auto = out.split("=== Session State (Auto Compaction) ===\n")[1].split("=== Manual Compaction ===")[0]
    assert _kinds(auto) == ["compaction (encrypted content)", "message (user)", "message (assistant)"]
    assert out.endswith("=== Final Session State ===\nTotal items: 1\n  - compaction (encrypted content)\n")
    sent = bodies(fake_openai)
    assert all(body["store"] is False for body in sent)
    # store=False: compaction sends the history itself (after turn 3, three candidates), never a response id.
    first, second = [request.body for request in fake_openai.requests_to("/responses/compact")]
    assert "previous_response_id" not in first and "previous_response_id" not in second
    assert [item.get("content") for item in first["input"] if item.get("role") == "user"] == [
        "What is the tallest mountain in the world?",
        "How tall is it in feet?",
        "When was it first climbed?",
    ]
    assert [item["type"] for item in second["input"] if "type" in item] == ["compaction", "message"]
    fourth = sent[3]["input"]
    assert fourth[0]["type"] == "compaction"
    assert fourth[-1] == {"role": "user", "content": "Who was on that expedition?"}


# --------------------------------------------------------------------------------------------------- examples/tools


def _shell_call(call_id: str, *commands: str) -> dict[str, Any]:
    return {
        "type": "shell_call",
        "id": f"sh_{call_id}",
        "call_id": call_id,
        "status": "completed",
        "action": {"commands": list(commands), "timeout_ms": 10_000, "max_output_length": 4096},
    }


def _items_of(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [item for item in body.get("input") or [] if isinstance(item, dict) and item.get("type") == kind]


_REFUSED = [{"stdout": "", "stderr": "Tool execution was not approved.", "outcome": {"type": "exit", "exit_code": 1}}]


def test_tools_shell_refused_without_a_terminal(run: Run, fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    # Its approval callback refuses when stdin is not a terminal, as here: the command never runs.
    fake_openai.enqueue(hosted_calls=[_shell_call("s1", "touch ran.txt")])
    fake_openai.enqueue(text="The command was not approved.")
    out = run("tools.shell")
    assert out == "[info] Using model: gpt-5.6-sol\n\nFinal response:\nThe command was not approved.\n"
    assert not (tmp_path / "ran.txt").exists()
    first, second = bodies(fake_openai)
    assert first["model"] == "gpt-5.6-sol" and first["tool_choice"] == "required"
    assert first["tools"] == [{"type": "shell", "environment": {"type": "local"}}]
    assert _items_of(second, "shell_call")[0]["action"]["commands"] == ["touch ran.txt"]
    # The callback's reason is the rejection message the model reads, as in the SDK.
    refused = [{**_REFUSED[0], "stderr": "user rejected"}]
    assert _items_of(second, "shell_call_output") == [{"type": "shell_call_output", "call_id": "s1", "output": refused}]


def test_tools_shell_human_in_the_loop(run: Run, fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    # The run stops for approval; the example's prompt refuses (no terminal) and the run resumes from its state.
    fake_openai.enqueue(hosted_calls=[_shell_call("s1", "touch ran.txt")])
    fake_openai.enqueue(text="Rejected.")
    out = run("tools.shell_human_in_the_loop")
    assert out == "[info] Using model: gpt-5.6-sol\n\n== Pending approvals ==\n\nFinal response:\nRejected.\n"
    assert not (tmp_path / "ran.txt").exists()
    first, second = bodies(fake_openai)
    assert first["instructions"].endswith("Ask for approval before running commands.")
    assert second["input"][0] == {
        "role": "user",
        "content": "List the files in the current directory and show the current working directory.",
    }
    refused = {"type": "shell_call_output", "call_id": "s1", "output": _REFUSED}
    assert _items_of(second, "shell_call_output") == [refused]


def test_tools_apply_patch(run: Run, fake_openai: FakeOpenAIServer) -> None:
    created = "+- [ ] milk\n+- [ ] eggs\n+- [ ] bread\n+- [ ] apples\n+- [ ] rice\n"
    update = "@@\n - [ ] bread\n-- [ ] apples\n-- [ ] rice\n+- [x] apples\n+- [x] rice\n"
    for call_id, operation, answer in (
        ("p1", {"type": "create_file", "path": "tasks.md", "diff": created}, "Created tasks.md."),
        ("p2", {"type": "update_file", "path": "tasks.md", "diff": update}, "Checked off two."),
    ):
        call = {"type": "apply_patch_call", "id": f"ap_{call_id}", "call_id": call_id, "status": "completed"}
        fake_openai.enqueue(hosted_calls=[{**call, "operation": operation}])
        fake_openai.enqueue(text=answer)
    out = run("tools.apply_patch", argv=("--auto-approve",))
    assert "[run] Final response #1:\nCreated tasks.md.\n" in out
    assert "[file] tasks.md after creation:\n\n- [ ] milk\n- [ ] eggs\n- [ ] bread\n- [ ] apples\n- [ ] rice\n" in out
    assert out.endswith(
        "[run] Final response #2:\nChecked off two.\n\n[file] Final tasks.md:\n\n"
        "- [ ] milk\n- [ ] eggs\n- [ ] bread\n- [x] apples\n- [x] rice\n"
    )
    sent = bodies(fake_openai)
    assert sent[0]["tools"] == [{"type": "apply_patch"}]
    assert _items_of(sent[1], "apply_patch_call_output") == [
        {"type": "apply_patch_call_output", "call_id": "p1", "status": "completed", "output": "Created tasks.md"}
    ]
    # The second run continues the first's response, so it sends only what is new.
    assert [body.get("previous_response_id") for body in sent] == [None, None, "resp_fake0002", "resp_fake0004"]
    assert sent[3]["input"] == [
        {"type": "apply_patch_call_output", "call_id": "p2", "status": "completed", "output": "Updated tasks.md"}
    ]
