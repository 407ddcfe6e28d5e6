"""Compatibility: the OpenAI Agents SDK's ``ShellTool`` and ``LocalShellTool``.

What the SDK pins and this runtime must do too: a local ``ShellTool`` needs an executor, a hosted-environment one
refuses an executor and approvals; the model's ``shell_call`` reaches the executor as a ``ShellCommandRequest``
(``ShellCallData`` with a ``ShellActionRequest``); a ``ShellResult`` is rendered as text for
``ToolCallOutputItem.output`` and sent back as a ``shell_call_output`` item with one ``{stdout, stderr, outcome}``
entry per command; the smaller of the model's and the executor's ``max_output_length`` cuts the output (negative: 0);
an executor that raises answers the model with its message in a failed output (exit code 1) instead of failing the
run; ``needs_approval`` pauses the run and a rejection answers with the message in ``stderr``; a malformed call fails
the run. ``LocalShellTool``'s executor gets the ``LocalShellCall`` and its text goes back as
``local_shell_call_output``.

This runtime's own guarantees: each call is an ``execute_tool`` span (``gen_ai.tool.type`` ``shell`` /
``local_shell``) with ``tool_called`` / ``tool_output`` events; a sync executor runs in a worker thread; Chat
Completions refuses these tools with ``UserError``. ``on_approval``, ``custom_data_extractor`` and ``allowed_callers``:
test_sdk_local_tool_extras.py.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    HostedToolCallItem,
    LocalShellCommandRequest,
    LocalShellTool,
    ModelBehaviorError,
    RawInputItem,
    RunItemStreamEvent,
    Runner,
    ShellCallOutcome,
    ShellCommandOutput,
    ShellCommandRequest,
    ShellResult,
    ShellTool,
    Tool,
    ToolCallOutputItem,
    UserError,
)
from agents_otel.testing import ScriptedModel, assistant_message


def shell_call(commands: list[str], call_id: str = "call_sh", **action: Any) -> RawInputItem:
    return RawInputItem(
        {
            "type": "shell_call",
            "id": f"sh_{call_id}",
            "call_id": call_id,
            "status": "completed",
            "action": {"commands": commands, **action},
        }
    )


def scripted(tools: list[Tool], *first: RawInputItem) -> tuple[Agent[Any], ScriptedModel]:
    model = ScriptedModel([list(first), [assistant_message("done")]])
    return Agent("shell-agent", model=model, tools=tools), model


def sent_back(model: ScriptedModel, kind: str) -> list[dict[str, Any]]:
    """The items of ``kind`` the second model call was given."""
    return [i.data for i in model.calls[1].input if isinstance(i, RawInputItem) and i.data["type"] == kind]


# ---- construction --------------------------------------------------------------------------------------------------


def test_shell_tool_is_local_by_default_and_needs_an_executor() -> None:
    tool = ShellTool(executor=lambda request: "ok")
    assert tool.environment == {"type": "local"}
    assert tool.name == "shell" and tool.type == "shell"
    assert ShellTool(executor=lambda r: "", environment={}).environment == {"type": "local"}  # type: ignore[typeddict-item]
    with pytest.raises(UserError, match="requires an executor"):
        ShellTool()


def test_hosted_environment_takes_no_executor_and_no_approvals() -> None:
    hosted = ShellTool(environment={"type": "container_auto", "network_policy": {"type": "disabled"}})
    assert hosted.tool_param() == {
        "type": "shell",
        "environment": {"type": "container_auto", "network_policy": {"type": "disabled"}},
    }
    reference = {"type": "container_reference", "container_id": "cntr_1"}
    with pytest.raises(UserError, match="does not accept an executor"):
        ShellTool(executor=lambda r: "", environment=reference)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="does not support needs_approval"):
        ShellTool(needs_approval=True, environment=reference)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="must be a mapping"):
        ShellTool(executor=lambda r: "", environment="local")  # type: ignore[arg-type]


# ---- running a call ------------------------------------------------------------------------------------------------


async def test_structured_result_is_rendered_and_sent_back_as_shell_call_output(tracing: Tracing) -> None:
    seen: list[ShellCommandRequest] = []
    threads: list[str] = []

    def executor(request: ShellCommandRequest) -> ShellResult:
        seen.append(request)
        threads.append(threading.current_thread().name)
        return ShellResult(
            output=[
                ShellCommandOutput(command="echo hi", stdout="hi\n", outcome=ShellCallOutcome("exit", 0)),
                ShellCommandOutput(
                    command="ls", stdout="README.md\n", stderr="warning", outcome=ShellCallOutcome("exit", 2)
                ),
            ],
            provider_data={"runner": "demo"},
        )

    agent, model = scripted([ShellTool(executor=executor)], shell_call(["echo hi", "ls"], timeout_ms=5000))
    result = await Runner.run(agent, "go", run_config=tracing.config)

    assert result.final_output == "done"
    (request,) = seen
    assert request.data.call_id == "call_sh"
    assert request.data.action.commands == ["echo hi", "ls"]
    assert request.data.action.timeout_ms == 5000
    assert request.data.status == "completed"
    assert request.data.raw["id"] == "sh_call_sh"
    assert threads[0] != threading.main_thread().name  # a sync executor never blocks the event loop
    outputs = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert outputs[0].output == "$ echo hi\nhi\n\n$ ls\nREADME.md\n\nstderr:\nwarning\nexit code: 2"
    assert sent_back(model, "shell_call_output") == [
        {
            "type": "shell_call_output",
            "call_id": "call_sh",
            "output": [
                {"stdout": "hi\n", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}},
                {"stdout": "README.md\n", "stderr": "warning", "outcome": {"type": "exit", "exit_code": 2}},
            ],
        }
    ]
    assert result.to_input_list()[1]["type"] == "shell_call"  # the model's call goes back as it came
    span = tracing.tool_span("call_sh")
    assert span.name == "execute_tool shell"
    assert span.attributes["gen_ai.tool.type"] == "shell"  # type: ignore[index]
    assert span.attributes["gen_ai.tool.name"] == "shell"  # type: ignore[index]


async def test_async_executor_text_and_the_stream_events() -> None:
    async def executor(request: ShellCommandRequest) -> str:
        await asyncio.sleep(0)
        return "hello"

    agent, model = scripted([ShellTool(executor=executor)], shell_call(["echo hello"]))
    streamed = Runner.run_streamed(agent, "go")
    names = [
        (e.name, e.item.tool_name)
        async for e in streamed.stream_events()
        if isinstance(e, RunItemStreamEvent) and e.name in ("tool_called", "tool_output")
    ]
    assert names == [("tool_called", "shell"), ("tool_output", "shell")]
    assert sent_back(model, "shell_call_output")[0]["output"] == [
        {"stdout": "hello", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}
    ]


@pytest.mark.parametrize(
    ("asked", "own", "text", "stdout", "stderr"),
    [
        (6, None, "012345", "012345", ""),  # the model's limit cuts stdout, then stderr
        (12, None, "0123456789\n\n", "0123456789", "ab"),  # the rendered text is cut to the limit too
        (8, 4, "0123", "0123", ""),  # the smaller limit wins
        (None, 0, "", "", ""),  # the executor may ask for none at all
        (-5, None, "", "", ""),  # a negative limit is 0
    ],
)
async def test_max_output_length(asked: int | None, own: int | None, text: str, stdout: str, stderr: str) -> None:
    def executor(request: ShellCommandRequest) -> ShellResult:
        return ShellResult([ShellCommandOutput(stdout="0123456789", stderr="abcdef")], max_output_length=own)

    action = {} if asked is None else {"max_output_length": asked}
    agent, model = scripted([ShellTool(executor=executor)], shell_call(["x"], **action))
    result = await Runner.run(agent, "go")
    (output,) = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert output.output == text
    (item,) = sent_back(model, "shell_call_output")
    assert item["output"][0]["stdout"] == stdout and item["output"][0]["stderr"] == stderr
    assert item["max_output_length"] == max(0, min(x for x in (asked, own) if x is not None))


async def test_a_raising_executor_tells_the_model_and_marks_the_span(tracing: Tracing) -> None:
    def executor(request: ShellCommandRequest) -> str:
        raise RuntimeError("boom" * 10)

    agent, model = scripted([ShellTool(executor=executor)], shell_call(["x"], max_output_length=6))
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "done"
    (output,) = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert output.output == "boombo"
    (item,) = sent_back(model, "shell_call_output")
    assert item["output"] == [{"stdout": "boombo", "stderr": "", "outcome": {"type": "exit", "exit_code": 1}}]
    assert item["max_output_length"] == 6
    assert tracing.tool_span("call_sh").attributes["error.type"] == "RuntimeError"  # type: ignore[index]


async def test_wrong_executor_return_type_is_a_typed_error_the_model_reads() -> None:
    agent, _ = scripted([ShellTool(executor=lambda r: 42)], shell_call(["x"]))  # type: ignore[arg-type,return-value]
    result = await Runner.run(agent, "go")
    (output,) = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert "expected str or ShellResult" in output.output


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"commands": "ls"}, "sequence of command strings"),
        ({"commands": []}, "at least one command"),
        ({"commands": ["ls"], "timeout_ms": -1}, "timeout must be"),
    ],
)
async def test_a_malformed_call_fails_the_run_before_anything_runs(action: dict[str, Any], message: str) -> None:
    ran: list[Any] = []
    call = RawInputItem({"type": "shell_call", "call_id": "c", "action": action})
    agent, _ = scripted([ShellTool(executor=ran.append)], call)  # type: ignore[arg-type]
    with pytest.raises(ModelBehaviorError, match=message):
        await Runner.run(agent, "go")
    assert ran == []


async def test_a_shell_call_to_an_agent_without_the_tool_fails_the_run() -> None:
    agent, _ = scripted([LocalShellTool(executor=lambda r: "")], shell_call(["ls"]))
    with pytest.raises(ModelBehaviorError, match="has no ShellTool"):
        await Runner.run(agent, "go")


# ---- approvals -----------------------------------------------------------------------------------------------------


async def test_needs_approval_pauses_and_a_rejection_answers_in_stderr() -> None:
    ran: list[str] = []
    tool = ShellTool(executor=lambda r: ran.append("x") or "ran", needs_approval=True)
    agent, model = scripted([tool], shell_call(["rm -rf /tmp/x"]))
    first = await Runner.run(agent, "go")
    (waiting,) = first.interruptions
    assert waiting.tool_name == "shell" and waiting.call_id == "call_sh"
    assert ran == []
    state = first.to_state()
    state.reject(waiting)
    result = await Runner.run(agent, state)
    assert result.final_output == "done" and ran == []
    assert sent_back(model, "shell_call_output") == [
        {
            "type": "shell_call_output",
            "call_id": "call_sh",
            "output": [
                {
                    "stdout": "",
                    "stderr": "Tool execution was not approved.",
                    "outcome": {"type": "exit", "exit_code": 1},
                }
            ],
        }
    ]


async def test_a_policy_sees_the_action_and_an_approved_call_runs() -> None:
    asked: list[tuple[list[str], str]] = []

    def policy(ctx: Any, action: Any, call_id: str) -> bool:
        asked.append((action.commands, call_id))
        return "rm" in action.commands[0]

    tool = ShellTool(executor=lambda r: "removed", needs_approval=policy)
    agent, model = scripted([tool], shell_call(["ls"], call_id="a"), shell_call(["rm x"], call_id="b"))
    first = await Runner.run(agent, "go")
    assert asked == [(["ls"], "a"), (["rm x"], "b")]
    assert [i.call_id for i in first.interruptions] == ["b"]
    state = first.to_state()
    state.approve(first.interruptions[0])
    result = await Runner.run(agent, state)
    assert [o.output for o in result.new_items if isinstance(o, ToolCallOutputItem)][-1] == "removed"
    assert [i["call_id"] for i in sent_back(model, "shell_call_output")] == ["a", "b"]


# ---- LocalShellTool ------------------------------------------------------------------------------------------------


async def test_local_shell_tool_runs_its_executor_with_the_call(tracing: Tracing) -> None:
    seen: list[LocalShellCommandRequest] = []

    def executor(request: LocalShellCommandRequest) -> str:
        seen.append(request)
        return "hi"

    call = RawInputItem(
        {
            "type": "local_shell_call",
            "id": "lsh_1",
            "call_id": "call_local",
            "status": "completed",
            "action": {"type": "exec", "command": ["echo", "hi"], "env": {}},
        }
    )
    agent, model = scripted([LocalShellTool(executor=executor)], call)
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert seen[0].data.action.command == ["echo", "hi"]
    assert seen[0].data.call_id == "call_local"
    assert [o.output for o in result.new_items if isinstance(o, ToolCallOutputItem)] == ["hi"]
    assert sent_back(model, "local_shell_call_output") == [
        {"type": "local_shell_call_output", "call_id": "call_local", "output": "hi"}
    ]
    assert tracing.tool_span("call_local").attributes["gen_ai.tool.type"] == "local_shell"  # type: ignore[index]


# ---- the wire ------------------------------------------------------------------------------------------------------


WIRE_SHELL_CALL = {
    "type": "shell_call",
    "id": "sh_w",
    "call_id": "call_w",
    "status": "completed",
    "action": {"commands": ["pwd"], "timeout_ms": 1000, "max_output_length": 100},
}


@pytest.mark.parametrize("stream", [False, True])
async def test_responses_wire_declares_the_tools_and_answers_the_call(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, stream: bool
) -> None:
    fake_openai.enqueue(hosted_calls=[WIRE_SHELL_CALL])
    fake_openai.enqueue(text="Done.")
    tools: list[Tool] = [ShellTool(executor=lambda r: "/work"), LocalShellTool(executor=lambda r: "")]
    agent = Agent("A", tools=tools, model=wire_model("responses", client))
    if stream:
        streamed = Runner.run_streamed(agent, "where?")
        async for _ in streamed.stream_events():
            pass
        final = streamed.final_output
    else:
        final = (await Runner.run(agent, "where?")).final_output
    assert final == "Done."
    first, second = (r.body for r in fake_openai.requests)
    assert first["tools"] == [{"type": "shell", "environment": {"type": "local"}}, {"type": "local_shell"}]
    call, answer = second["input"][1:]
    assert call["type"] == "shell_call" and call["call_id"] == "call_w" and call["action"]["commands"] == ["pwd"]
    assert answer == {
        "type": "shell_call_output",
        "call_id": "call_w",
        "output": [{"stdout": "/work", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}],
        "max_output_length": 100,
    }


async def test_a_hosted_environment_shell_call_is_shown_not_run(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    hosted_output = {
        "type": "shell_call_output",
        "id": "sho_1",
        "call_id": "call_w",
        "status": "completed",
        "output": [{"stdout": "/mnt", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}],
    }
    fake_openai.enqueue(hosted_calls=[WIRE_SHELL_CALL, hosted_output], text="In /mnt.")
    tool = ShellTool(environment={"type": "container_auto"})
    agent = Agent("A", tools=[tool], model=wire_model("responses", client))
    result = await Runner.run(agent, "where?")
    assert result.final_output == "In /mnt."
    (item,) = [i for i in result.new_items if isinstance(i, HostedToolCallItem)]
    assert item.tool_name == "shell" and item.data["call_id"] == "call_w"
    assert fake_openai.last_request.body["tools"] == [{"type": "shell", "environment": {"type": "container_auto"}}]


async def test_chat_completions_refuses_the_local_tools(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    agent = Agent("A", tools=[ShellTool(executor=lambda r: "")], model=wire_model("chat", client))
    with pytest.raises(UserError, match="not supported with the ChatCompletions API"):
        await Runner.run(agent, "go")
    assert fake_openai.requests == []
