"""The OpenAI Agents SDK's own example programs (release 0.25.0), run unchanged on agents_otel.

"Code written for the SDK runs unchanged" is checked here with the SDK's code rather than ours: each test runs one
program of the SDK's ``examples/`` (``basic``, ``agent_patterns``, ``handoffs``, ``memory``) as its source stands,
with ``agents`` imports resolved to ``agents_otel`` and the official ``openai`` client (configured from
``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``) talking to the local fake OpenAI server, which answers what a model
would: tool calls with arguments fitting the example's tools, handoffs, texts, JSON for an ``output_type``. The
assertions read what the program printed and what the server was sent (the tools offered, the tool outputs and
rejections sent back, the history a handed-off agent saw), so a behaviour that differs from the SDK's fails here.

The examples are not in this repository: ``make test`` (or ``make sdk-examples``) downloads the SDK's source
distribution from PyPI and unpacks its ``examples/`` into the git-ignored ``.sdk-examples/``; without them these
tests fail saying so. Run them alone with::

    make sdk-examples && .venv/bin/python -m pytest -q tests/compat/test_sdk_examples.py

How an example is run (in this process, the import finder installed only meanwhile): tests/sdk_examples_support.py.
Examples that read ``input()`` get ``stdin``; those that offer ``EXAMPLES_INTERACTIVE_MODE=auto`` (the SDK's own
switch for unattended runs) get it where their scripted inputs suffice. ``EXCLUDED`` lists the examples in these
directories that were tried and do not run here, each with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAIServer
from sdk_examples_support import (
    AUTO,
    EXAMPLES_DIR,
    MESSAGE_FILTER_ANSWERS,
    MESSAGE_FILTER_SPANISH_INPUT,
    Run,
    SDKImportAlias,
    bodies,
    example_runner,
    instructions_start,
    require_examples,
    sdk_example_imports,
    tool_names,
    tool_outputs,
)

EXCLUDED: dict[str, str] = {}
"""Examples of the directories above that do not run here, and why (each a deliberate difference)."""


run = pytest.fixture(example_runner, name="run")


# ----------------------------------------------------------------------------------------------- the harness


def test_without_the_unpacked_examples_the_tests_fail_naming_make_test(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sdk_examples_support

    monkeypatch.setattr(sdk_examples_support, "STAMP", tmp_path / "missing")
    with pytest.raises(pytest.fail.Exception, match=r"run `make test`"):
        require_examples()


def test_the_alias_finder_gives_agents_otel_modules_and_leaves_nothing_behind(tmp_path: Path) -> None:
    import sys

    import agents_otel.decorators
    import agents_otel.memory

    with sdk_example_imports(tmp_path):
        import agents
        import agents.decorators
        from agents.memory import SQLiteSession

        assert agents is sys.modules["agents_otel"]
        assert agents.decorators is agents_otel.decorators
        assert SQLiteSession is agents_otel.memory.SQLiteSession
        with pytest.raises(ModuleNotFoundError):
            import agents.no_such_module
    assert agents_otel.decorators.__spec__.name == "agents_otel.decorators"  # the module itself is unchanged
    assert sys.modules["agents_otel"].__spec__.name == "agents_otel"
    assert not [name for name in sys.modules if name == "agents" or name.startswith("agents.")]
    assert not any(isinstance(finder, SDKImportAlias) for finder in sys.meta_path)


def test_the_excluded_examples_exist() -> None:
    require_examples()
    for path in EXCLUDED:
        assert (EXAMPLES_DIR / path).is_file(), path


# ----------------------------------------------------------------------------------------------- examples/basic


def test_basic_tools(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Tokyo"}, "call_w")])
    fake_openai.enqueue(text="Sunny in Tokyo.")
    out = run("basic.tools")
    assert out.splitlines() == ["[debug] get_weather called", "Sunny in Tokyo."]
    first, second = bodies(fake_openai)
    assert tool_names(first) == ["get_weather"]
    assert first["tools"][0]["parameters"]["properties"]["city"]["description"] == "The city to get the weather for"
    assert json.loads(tool_outputs(second)["call_w"]) == {
        "city": "Tokyo",
        "temperature_range": "14-20C",
        "conditions": "Sunny with wind.",
    }


def test_basic_stream_text(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text=["Why did ", "the joke ", "stream?"])
    assert run("basic.stream_text") == "Why did the joke stream?"
    assert bodies(fake_openai)[0]["stream"] is True


def test_basic_stream_items(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("how_many_jokes", {})])
    fake_openai.enqueue(text="Here are your jokes.")
    lines = run("basic.stream_items").splitlines()
    assert lines[:3] == ["=== Run starting ===", "Agent updated: Joker", "-- Tool was called: how_many_jokes"]
    assert lines[3].startswith("-- Tool output: ") and 1 <= int(lines[3].removeprefix("-- Tool output: ")) <= 10
    assert lines[4:] == ["-- Message output:", " Here are your jokes.", "=== Run complete ==="]


def test_basic_stream_function_call_args(run: Run, fake_openai: FakeOpenAIServer) -> None:
    """The example reads the Responses stream's raw events: a call's ``output_item.added`` (its name and call id),
    its ``function_call_arguments.delta`` pieces and its ``output_item.done``, all forwarded as the server sent them."""
    config = {"project_name": "my-app", "version": "1.0.0", "dependencies": ["fastapi", "uvicorn"]}
    write = ("write_file", {"filename": "main.py", "content": "app"}, "call_w")
    fake_openai.enqueue(tool_calls=[write, ("create_config", config, "call_c")])
    fake_openai.enqueue(text="Project created.")
    out = run("basic.stream_function_call_args")
    write_args, config_args = json.dumps({"filename": "main.py", "content": "app"}), json.dumps(config)
    assert out.count("📞 Function call streaming started") == 2
    assert out.count("✅ Function call streaming completed") == 2
    assert "📞 Function call streaming started: write_file()" in out
    assert f"📝 Arguments building...\n{write_args}\n✅ Function call streaming completed: write_file" in out
    assert f"📝 Arguments building...\n{config_args}\n✅ Function call streaming completed: create_config" in out
    summary = out[out.index("Summary of all function calls:") :].splitlines()
    assert summary == [
        "Summary of all function calls:",
        f"  - #call_w: write_file({write_args})",
        f"  - #call_c: create_config({config_args})",
        "",
        "Result: Project created.",
    ]
    assert tool_names(bodies(fake_openai)[0]) == ["write_file", "create_config"]


def test_basic_dynamic_system_prompt(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="beep boop")
    out = run("basic.dynamic_system_prompt")
    style = out.splitlines()[0].removeprefix("Using style: ")
    expected = {"haiku": "Only respond in haikus.", "pirate": "Respond as a pirate."}.get(
        style, "Respond as a robot and say 'beep boop' a lot."
    )
    assert bodies(fake_openai)[0]["instructions"] == expected
    assert out.endswith("Assistant: beep boop\n")


def _multiply_script(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("random_number", {"max": 0})])  # randint(0, 0): a known number
    fake_openai.enqueue(tool_calls=[("transfer_to_multiply_agent", {})])
    fake_openai.enqueue(tool_calls=[("multiply_by_two", {"x": 7})])
    fake_openai.enqueue(text='{"number": 14}', usage=(20, 3))


def test_basic_lifecycle_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    _multiply_script(fake_openai)
    out = run("basic.lifecycle_example", stdin="250\n").removeprefix("Enter a max number: ")
    steps = [line.split(": ", 1)[1].split(". ")[0] for line in out.splitlines() if line.startswith("### ")]
    assert steps == [
        "Agent Start Agent started",
        "LLM started",
        "LLM ended",
        "Tool random_number started",
        "Tool random_number finished",
        "LLM started",
        "LLM ended",
        "Handoff from Start Agent to Multiply Agent",
        "Agent Multiply Agent started",
        "LLM started",
        "LLM ended",
        "Tool multiply_by_two started",
        "Tool multiply_by_two finished",
        "LLM started",
        "LLM ended",
        "Agent Multiply Agent ended with output number=14",
    ]
    assert "result=14, name=multiply_by_two" in out and 'args={"x": 7}' in out
    assert "### 16: Agent Multiply Agent ended with output number=14. Usage: 4 requests, 50 input tokens, " in out
    assert "#### Multiply Agent produced output: number=14." in out and out.endswith("Done!\n")
    assert "transfer_to_multiply_agent" in tool_names(bodies(fake_openai)[0])


def test_basic_agent_lifecycle_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    _multiply_script(fake_openai)
    out = run("basic.agent_lifecycle_example", env=AUTO)
    steps = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("### ")]
    steps = [step.split(" with turn_input")[0] for step in steps]
    assert steps == [
        "Agent Start Agent started",
        "Agent Start Agent started tool random_number",
        "Agent Start Agent ended tool random_number with result 0",
        "Agent Start Agent handed off to Multiply Agent",
        "Agent Multiply Agent started",
        "Agent Multiply Agent started tool multiply_by_two",
        "Agent Multiply Agent ended tool multiply_by_two with result 14",
        "Agent Multiply Agent ended with output number=14",
    ]
    assert "[debug] auto mode returning deterministic value 0" in out
    assert "turn_input: [{'role': 'user', 'content': 'Generate a random number between 0 and 50.'}]" in out


def test_basic_non_strict_output_type(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text='{"response": {"jokes": {"1": "a", "2": "b"}}}')
    fake_openai.enqueue(text='{"jokes": {"joke": "c"}}')
    lines = run("basic.non_strict_output_type").splitlines()
    assert lines[0].startswith("Error (expected): ") and "strict_json_schema=False" in lines[0]
    assert lines[1:] == ["OutputType(jokes={1: 'a', 2: 'b'})", "['c']"]
    first, second = bodies(fake_openai)  # the refused run sent nothing
    assert first["text"]["format"]["strict"] is False and second["text"]["format"]["strict"] is False
    assert second["text"]["format"]["schema"]["properties"]["jokes"]["properties"] == {"joke": {"type": "string"}}


def test_basic_previous_response_id(run: Run, fake_openai: FakeOpenAIServer) -> None:
    for text in ("Brazil.", "Brasilia.", "Brazil.", "Brasilia."):
        fake_openai.enqueue(text=text)
    out = run("basic.previous_response_id", env=AUTO)
    assert out == "=== Non-streaming Example ===\nBrazil.\nBrasilia.\n\n=== Streaming Example ===\nBrazil.\nBrasilia."
    sent = bodies(fake_openai)
    assert [body.get("previous_response_id") for body in sent] == [None, "resp_fake0001", None, "resp_fake0005"]
    assert sent[1]["input"] == [{"role": "user", "content": "What is the capital of that country?"}]


def test_basic_usage_tracking(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Tokyo"})], usage=(30, 7))
    fake_openai.enqueue(text="Sunny.", usage=(50, 4))
    out = run("basic.usage_tracking")
    assert out.endswith(
        "Input tokens: 80\nOutput tokens: 11\nTotal tokens: 91\nRequests: 2\n"
        "  1: 30 input, 7 output\n  2: 50 input, 4 output\n"
    )


def test_basic_tool_guardrails(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("send_email", {"to": "a@b.c", "subject": "Welcome", "body": "Hi."}, "c1")])
    fake_openai.enqueue(text="Email sent.")
    fake_openai.enqueue(tool_calls=[("send_email", {"to": "a@b.c", "subject": "Intro", "body": "ACME corp."}, "c2")])
    fake_openai.enqueue(text="I cannot send that.")
    fake_openai.enqueue(tool_calls=[("get_user_data", {"user_id": "user123"}, "c3")])
    fake_openai.enqueue(tool_calls=[("get_contact_info", {"user_id": "user456"}, "c4")])
    fake_openai.enqueue(text="Contact info is restricted.")
    out = run("basic.tool_guardrails")
    assert "✅ Successful tool execution: Email sent." in out
    assert "❌ Guardrail rejected function tool call: I cannot send that." in out
    assert "Details: {'blocked_pattern': 'SSN', 'tool': 'get_user_data'}" in out
    assert "❌ Guardrail rejected function tool output: Contact info is restricted." in out
    sent = bodies(fake_openai)
    assert tool_outputs(sent[1])["c1"] == "Email sent to a@b.c with subject 'Welcome'"
    assert tool_outputs(sent[3])["c2"] == "🚨 Tool call blocked: contains 'ACME'"
    assert tool_outputs(sent[6])["c4"] == (
        "User data not retrieved as it contains a phone number which is restricted."
    )
    assert not any("123-45-6789" in json.dumps(body) for body in sent)  # the tripped output never reached a model


# --------------------------------------------------------------------------------------- examples/agent_patterns


def test_agents_as_tools(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(
        tool_calls=[
            ("translate_to_french", {"input": "Hello"}, "fr"),
            ("translate_to_spanish", {"input": "Hello"}, "es"),
        ],
        when=instructions_start("You are a translation agent"),
    )
    fake_openai.enqueue(text="Bonjour", when=instructions_start("You translate the user's message to French"))
    fake_openai.enqueue(text="Hola", when=instructions_start("You translate the user's message to Spanish"))
    fake_openai.enqueue(text="French: Bonjour. Spanish: Hola.", when=instructions_start("You are a translation"))
    fake_openai.enqueue(text="Bonjour / Hola", when=instructions_start("You inspect translations"))
    out = run("agent_patterns.agents_as_tools", stdin="Say hello in French and Spanish\n")
    assert "  - Translation step: French: Bonjour. Spanish: Hola." in out
    assert out.endswith("Final response:\nBonjour / Hola\n")
    sent = bodies(fake_openai)
    assert tool_names(sent[0]) == ["translate_to_spanish", "translate_to_french", "translate_to_italian"]
    back = next(body for body in sent if tool_outputs(body) and body["instructions"].startswith("You are a trans"))
    assert tool_outputs(back) == {"fr": "Bonjour", "es": "Hola"}
    assert sent[-1]["input"][-1] == {"role": "assistant", "content": "French: Bonjour. Spanish: Hola."}


def test_agents_as_tools_structured(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="Bonjour", when=instructions_start("Translate the input"))
    fake_openai.enqueue(
        tool_calls=[("translate_text", {"text": "Hola", "source": "Spanish", "target": "French"}, "t")],
        when=instructions_start("You are a task dispatcher"),
    )
    fake_openai.enqueue(text="Salut", when=instructions_start("Translate the input"))
    fake_openai.enqueue(text="It is Salut.", when=instructions_start("You are a task dispatcher"))
    out = run("agent_patterns.agents_as_tools_structured")
    assert out == "Translator agent direct run: Bonjour\nTranslator agent as tool: It is Salut.\n"
    sent = bodies(fake_openai)
    assert set(sent[1]["tools"][0]["parameters"]["properties"]) == {"text", "source", "target"}
    nested_input = sent[2]["input"][0]["content"]
    assert '"text": "Hola"' in nested_input and '"target": "French"' in nested_input
    assert tool_outputs(sent[3]) == {"t": "Salut"}


def test_agents_as_tools_streaming(run: Run, fake_openai: FakeOpenAIServer) -> None:
    customer, billing = instructions_start("You are a customer support"), instructions_start("You are a billing")
    fake_openai.enqueue(tool_calls=[("billing_agent", {"input": "Bill for ABC123?"}, "outer")], when=customer)
    fake_openai.enqueue(
        tool_calls=[("billing_status_checker", {"customer_id": "ABC123", "question": "my bill?"}, "inner")],
        when=billing,
    )
    fake_openai.enqueue(text="The bill is $100.", when=billing)
    fake_openai.enqueue(text="Your bill is $100.", when=customer)
    out = run("agent_patterns.agents_as_tools_streaming")
    streamed = [line for line in out.splitlines() if line.startswith("[stream] ")]
    assert streamed and all(line.startswith("[stream] agent=Billing Agent call=outer type=") for line in streamed)
    kinds = {line.split(" type=")[1].split(" ")[0] for line in streamed}
    assert {"agent_updated_stream_event", "run_item_stream_event", "raw_response_event"} <= kinds
    assert out.endswith("Final response:\nYour bill is $100.\n")
    nested = [body for body in bodies(fake_openai) if billing(body)]
    assert all(body["stream"] for body in nested)
    assert nested[0]["tool_choice"] == "required" and "tool_choice" not in nested[1]  # reset after a tool call
    assert tool_outputs(nested[1]) == {"inner": "This customer (ID: ABC123)'s bill is $100"}


def test_deterministic(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="A robot explores Mars.")
    fake_openai.enqueue(text='{"good_quality": true, "is_scifi": true}')
    fake_openai.enqueue(text="Once upon a time on Mars...")
    out = run("agent_patterns.deterministic", stdin="A sci-fi story\n")
    assert out.endswith(
        "Outline generated\nOutline is good quality and a scifi story, so we continue to write the story.\n"
        "Story: Once upon a time on Mars...\n"
    )
    checker = bodies(fake_openai)[1]
    assert checker["input"] == [{"role": "user", "content": "A robot explores Mars."}]
    assert checker["text"]["format"]["schema"]["required"] == ["good_quality", "is_scifi"]


def test_forcing_tool_use(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Tokyo"})])
    fake_openai.enqueue(text="Tokyo is sunny.")
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Tokyo"})])
    fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Tokyo"})])
    out = run("agent_patterns.forcing_tool_use", env=AUTO)
    assert out == (
        "=== default ===\n[debug] get_weather called\nTokyo is sunny.\n\n"
        "=== first_tool ===\n[debug] get_weather called\n"
        "city='Tokyo' temperature_range='14-20C' conditions='Sunny with wind'\n\n"
        "=== custom ===\n[debug] get_weather called\nTokyo is Sunny with wind.\n\n"
    )
    assert [body.get("tool_choice") for body in bodies(fake_openai)] == [None, None, "required", "required"]


def test_input_guardrails(run: Run, fake_openai: FakeOpenAIServer) -> None:
    check, support = instructions_start("Check if the user"), instructions_start("You are a customer support")
    fake_openai.enqueue(text='{"reasoning": "geography", "is_math_homework": false}', when=check)
    fake_openai.enqueue(text="Sacramento.", when=support)
    fake_openai.enqueue(text='{"reasoning": "solve for x", "is_math_homework": true}', when=check)
    fake_openai.enqueue(text="x = 3", when=support)  # asked for or not: the guardrail runs beside the agent
    out = run("agent_patterns.input_guardrails", env=AUTO)
    assert out.splitlines()[1::2] == ["Sacramento.", "Sorry, I can't help you with your math homework."]
    checks = [body for body in bodies(fake_openai) if check(body)]
    assert checks[1]["input"][-1] == {"role": "user", "content": "Can you help me solve for x: 2x + 5 = 11"}


def test_output_guardrails(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text='{"reasoning": "easy", "response": "Sacramento", "user_name": null}')
    fake_openai.enqueue(text='{"reasoning": "area code 650", "response": "Palo Alto", "user_name": null}')
    out = run("agent_patterns.output_guardrails")
    assert out == (
        "First message passed\n"
        "Guardrail tripped. Info: {'phone_number_in_response': False, 'phone_number_in_reasoning': True}\n"
    )


def test_streaming_guardrails(run: Run, fake_openai: FakeOpenAIServer) -> None:
    # Under 300 characters, so the example's one check is the one after the stream (no timing involved).
    fake_openai.enqueue(text=["A black hole ", "pulls ", "everything in."], when=instructions_start("You are a help"))
    fake_openai.enqueue(
        text='{"reasoning": "too abstract", "is_readable_by_ten_year_old": false}',
        when=instructions_start("You will be given"),
    )
    out = run("agent_patterns.streaming_guardrails")
    assert out.startswith("A black hole pulls everything in.")
    assert out.endswith("Guardrail triggered. Reasoning:\ntoo abstract\n")
    checker = bodies(fake_openai)[1]
    assert checker["model"] == "gpt-4o-mini"
    assert checker["input"] == [{"role": "user", "content": "A black hole pulls everything in."}]


def test_parallelization(run: Run, fake_openai: FakeOpenAIServer) -> None:
    translate = instructions_start("You translate")
    for text in ("Buenos días (1)", "Buenos días (2)", "Buen día (3)"):
        fake_openai.enqueue(text=text, when=translate)
    fake_openai.enqueue(text="Buenos días (2)", when=instructions_start("You pick"))
    out = run("agent_patterns.parallelization", stdin="Good morning\n")
    assert out.endswith("Best translation: Buenos días (2)\n")
    picker = bodies(fake_openai)[-1]["input"][0]["content"]
    assert picker.startswith("Input: Good morning\n\nTranslations:\n")
    assert sorted(picker.split("Translations:\n")[1].split("\n\n")) == [
        "Buen día (3)",
        "Buenos días (1)",
        "Buenos días (2)",
    ]


def test_routing(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("transfer_to_french_agent", {}, "h")])
    fake_openai.enqueue(text=["Bonsoir ", "se dit ", "bonsoir."])
    out = run("agent_patterns.routing", env=AUTO)
    assert "Bonsoir se dit bonsoir." in out
    triage, french = bodies(fake_openai)
    assert tool_names(triage) == ["transfer_to_french_agent", "transfer_to_spanish_agent", "transfer_to_english_agent"]
    assert french["instructions"] == "You only speak French" and french["stream"] is True
    assert tool_outputs(french) == {"h": '{"assistant": "french_agent"}'}


def test_llm_as_a_judge(run: Run, fake_openai: FakeOpenAIServer) -> None:
    write, judge = instructions_start("You generate"), instructions_start("You evaluate")
    fake_openai.enqueue(text="Outline 1", when=write)
    fake_openai.enqueue(text='{"response": {"feedback": "more clues", "score": "needs_improvement"}}', when=judge)
    fake_openai.enqueue(text="Outline 2", when=write)
    fake_openai.enqueue(text='{"response": {"feedback": "good", "score": "pass"}}', when=judge)
    out = run("agent_patterns.llm_as_a_judge", stdin="A space detective\n")
    assert "Evaluator score: needs_improvement\nRe-running with feedback\n" in out
    assert out.endswith("Story outline is good enough, exiting.\nFinal story outline: Outline 2\n")
    assert bodies(fake_openai)[2]["input"][-1] == {"role": "user", "content": "Feedback: more clues"}


def test_human_in_the_loop(run: Run, fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    fake_openai.enqueue(
        tool_calls=[("get_weather", {"city": "Oakland"}, "w"), ("get_temperature", {"city": "Oakland"}, "t")]
    )
    fake_openai.enqueue(text="Sunny and 20C.")
    out = run("agent_patterns.human_in_the_loop", stdin="y\n")
    assert "  Tool: get_temperature\n" in out and "✓ Approved: get_temperature" in out
    assert out.endswith("Sunny and 20C.\n")
    saved = tmp_path / ".cache/agent_patterns/human_in_the_loop/result.json"
    assert json.loads(saved.read_text())  # the paused run went through RunState JSON on disk
    assert tool_outputs(bodies(fake_openai)[1]) == {
        "w": "The weather in Oakland is sunny",
        "t": "The temperature in Oakland is 20° Celsius",
    }


def test_human_in_the_loop_stream_rejected(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(
        tool_calls=[("get_temperature", {"city": "Oakland"}, "t"), ("get_weather", {"city": "Oakland"}, "w")]
    )
    fake_openai.enqueue(text="Sunny; no temperature.")
    out = run("agent_patterns.human_in_the_loop_stream", stdin="n\n")
    assert "✗ Rejected: get_temperature" in out and "Sunny; no temperature." in out
    assert tool_outputs(bodies(fake_openai)[1]) == {
        "t": "Tool execution was not approved.",
        "w": "The weather in Oakland is sunny.",
    }


def test_human_in_the_loop_custom_rejection(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("publish_announcement", {"title": "Office", "body": "Closed at 6."}, "p")])
    fake_openai.enqueue(text="Publish action was canceled because the reviewer denied approval.")
    out = run("agent_patterns.human_in_the_loop_custom_rejection", stdin="n\n")
    assert "Formatter output:\nPublish action was canceled because the reviewer denied approval.\n" in out
    first, second = bodies(fake_openai)
    assert first["tool_choice"] == {"type": "function", "name": "publish_announcement"}
    assert tool_outputs(second) == {"p": "Publish action was canceled because the reviewer denied approval."}


# ----------------------------------------------------------------------------------- handoffs and memory


def test_handoffs_message_filter(run: Run, fake_openai: FakeOpenAIServer) -> None:
    for answer in MESSAGE_FILTER_ANSWERS:
        fake_openai.enqueue(**answer)
    # A non-GPT-5 default model, so the example's filter does its work (it passes everything through on GPT-5).
    out = run("handoffs.message_filter", env={"OPENAI_DEFAULT_MODEL": "gpt-4.1"})
    assert out.startswith("Step 1 done\nStep 2 done\nStep 3 done\nStep 4 done\n")
    spanish = bodies(fake_openai)[-1]
    assert spanish["model"] == "gpt-4.1" and spanish["instructions"].startswith("You only speak Spanish")
    # What the Spanish agent saw: tools removed, then the first two history items dropped, as the filter says.
    assert [item.get("content") for item in spanish["input"]] == MESSAGE_FILTER_SPANISH_INPUT
    # The printed to_input_list() keeps the run's whole record (docs/migrating.md: after an input filter new_items
    # keeps the handoff items), where the SDK's printout starts from the filtered history.
    assert '"text": "Te llamas Sora y vives en Nueva York."' in out


def test_memory_sqlite_session_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    for text in ("San Francisco.", "California.", "About 39 million."):
        fake_openai.enqueue(text=text)
    out = run("memory.sqlite_session_example")
    assert "Assistant: San Francisco.\n" in out and "Assistant: About 39 million.\n" in out
    assert "  1. user: What's the population of that state?\n" in out
    assert out.endswith("Fetched 2 out of total conversation history.\nTotal items in session: 6\n")
    third = bodies(fake_openai)[2]["input"]
    assert [item.get("role") for item in third] == ["user", "assistant", "user", "assistant", "user"]
    assert third[0]["content"] == "What city is the Golden Gate Bridge in?"

