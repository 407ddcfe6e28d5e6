"""Compatibility: the SDK's sandbox test doubles (``agents.testing``: ``scripted_sandbox_session`` and friends).

What the SDK does and this runtime must do too: steps are taken in order, each checked when the session is made
(``InvalidSandboxStep`` with its ``reason`` and ``input_index``); a call of the wrong method, past the script or
rejected by a matcher raises at the call (``UnexpectedSandboxCall`` / ``SandboxCallMatcherError``), and leftover
steps fail ``assert_complete()`` (``UnconsumedSandboxSteps``); results and recorded arguments are detached copies; only
the scripted methods exist on the session; a ``SandboxAgent`` run drives the session like a real one.
"""

from __future__ import annotations

import io
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import pytest

from agents_otel import RunConfig, Runner
from agents_otel.sandbox import Manifest, SandboxAgent
from agents_otel.sandbox.capabilities import Filesystem, Shell
from agents_otel.sandbox.session.base_sandbox_session import BaseSandboxSession
from agents_otel.sandbox.types import ExecResult
from agents_otel.testing import (
    InvalidSandboxStep,
    SandboxCall,
    SandboxCallMatcherError,
    SandboxScriptError,
    ScriptedModel,
    ScriptedSandboxSession,
    UnconsumedSandboxSteps,
    UnexpectedSandboxCall,
    assistant_message,
    custom_tool_call,
    function_call,
    scripted_sandbox_session,
)

OK = ExecResult(stdout=b"ok", stderr=b"", exit_code=0)


def test_the_session_is_a_sandbox_session_with_only_the_scripted_methods() -> None:
    manifest = Manifest(root="/work")
    session = scripted_sandbox_session([{"method": "exec", "result": OK}, {"method": "read", "result": None}],
                                       manifest=manifest)  # fmt: skip
    assert isinstance(session, ScriptedSandboxSession) and isinstance(session, BaseSandboxSession)
    assert hasattr(session, "exec") and hasattr(session, "read")
    for missing in ("write", "ls", "mkdir", "rm", "persist_workspace", "extract", "resolve_exposed_port"):
        assert not hasattr(session, missing) and missing not in dir(session)
    assert session.state.manifest == manifest and session.state.manifest is not manifest
    assert session.supports_pty() is False
    assert issubclass(UnexpectedSandboxCall, SandboxScriptError) and issubclass(InvalidSandboxStep, SandboxScriptError)


@pytest.mark.parametrize(
    ("step", "reason"),
    [
        ("not a mapping", "invalid_input"),
        ({"method": "exec", "matc": lambda _call: True, "result": None}, "invalid_input"),
        ({"method": "unknown", "result": None}, "unknown_method"),
        ({"method": "exec", "match": "no", "result": None}, "invalid_matcher"),
        ({"method": "exec", "match": io.BytesIO(b""), "result": None}, "invalid_matcher"),
        ({"method": "exec"}, "invalid_outcome"),
        ({"method": "exec", "result": None, "error": RuntimeError()}, "invalid_outcome"),
        ({"method": "exec", "responder": "no"}, "invalid_outcome"),
        ({"method": "exec", "error": "no"}, "invalid_outcome"),
        ({"method": "read", "result": io.BufferedReader(io.BytesIO(b"x"))}, "invalid_outcome"),
    ],
)
def test_steps_are_checked_when_the_session_is_made(step: object, reason: str) -> None:
    with pytest.raises(InvalidSandboxStep) as info:
        scripted_sandbox_session([{"method": "exec", "result": OK}, cast(Any, step)])
    assert info.value.reason == reason and info.value.input_index == 1 and "step #2" in str(info.value)


async def test_calls_follow_the_script_and_are_recorded_detached() -> None:
    error = RuntimeError("sandbox unavailable")
    configured = ExecResult(stdout=b"before", stderr=b"", exit_code=0)
    session = scripted_sandbox_session(
        [
            {"method": "exec", "result": configured},
            {"method": "exec", "match": lambda c: c.args == ("pwd",), "responder": lambda c: OK},
            {"method": "write", "result": None},
            {"method": "read", "result": io.BytesIO(b"payload")},
            {"method": "exec", "error": error},
        ]
    )
    configured.stdout = b"after"
    assert (await session.exec("ls")).stdout == b"before"  # the result was copied when queued

    async def respond(call: SandboxCall) -> ExecResult:
        return ExecResult(stdout=str(call.args).encode(), stderr=b"", exit_code=0)

    assert (await session.exec("pwd", shell=False)).stdout == b"ok"
    data = io.BytesIO(b"written")
    await session.write(Path("out.txt"), data)
    data.write(b"later")
    assert (await session.read(Path("in.txt"))).read() == b"payload"
    with pytest.raises(RuntimeError) as raised:
        await session.exec("next")
    assert raised.value is error
    session.assert_complete()
    assert session.calls[1] == SandboxCall(
        call_index=1,
        method="exec",
        args=("pwd",),
        kwargs=MappingProxyType({"timeout": None, "shell": False, "user": None}),
    )
    recorded = cast(io.BytesIO, session.calls[2].args[1])
    assert recorded.getvalue() == b"written" and recorded is not data
    _ = respond


async def test_wrong_calls_raise_at_the_call_and_keep_the_step() -> None:
    session = scripted_sandbox_session(
        [{"method": "exec", "match": lambda c: c.args == ("pwd",), "result": OK}, {"method": "read", "result": None}]
    )
    with pytest.raises(UnexpectedSandboxCall) as unexpected:
        await session.read(Path("x"))
    assert (unexpected.value.actual_method, unexpected.value.expected_method) == ("read", "exec")
    assert unexpected.value.remaining_steps == 2
    with pytest.raises(SandboxCallMatcherError) as rejected:
        await session.exec("ls")
    assert rejected.value.method == "exec" and rejected.value.call_index == 1
    with pytest.raises(UnconsumedSandboxSteps) as unconsumed:
        session.assert_complete()
    assert unconsumed.value.pending_methods == ("exec", "read") and unconsumed.value.remaining_steps == 2
    assert (await session.exec("pwd")).stdout == b"ok"
    await session.read(Path("x"))
    with pytest.raises(UnexpectedSandboxCall, match="no scripted steps remain") as past:
        await session.read(Path("y"))
    assert past.value.expected_method is None
    with pytest.raises(TypeError, match=r"support only io\.BytesIO"):
        await scripted_sandbox_session([{"method": "write", "result": None}]).write(
            Path("o"), io.BufferedReader(io.BytesIO(b"x"))  # type: ignore[arg-type]
        )


async def test_a_sandbox_agent_run_drives_the_scripted_session() -> None:
    session = scripted_sandbox_session(
        [
            {"method": "exec", "match": lambda c: c.args == ("pwd",),
             "result": ExecResult(stdout=b"/workspace\n", stderr=b"", exit_code=0)},
            {"method": "read", "match": lambda c: str(c.args[0]).endswith("notes.txt"), "result": io.BytesIO(b"old\n")},
            {"method": "write", "match": lambda c: c.args[1].getvalue() == b"new\n", "result": None},
        ]
    )  # fmt: skip
    patch = "*** Begin Patch\n*** Update File: notes.txt\n@@\n-old\n+new\n*** End Patch"
    model = ScriptedModel(
        [
            [function_call("exec_command", {"cmd": "pwd"}, call_id="call_1")],
            [custom_tool_call("apply_patch", patch, call_id="call_2")],
            [assistant_message("The workspace is /workspace.")],
        ]
    )
    agent = SandboxAgent(name="Test agent", model=model, capabilities=[Shell(), Filesystem()])
    result = await Runner.run(agent, "Where am I?", run_config=RunConfig(sandbox=cast(Any, {"session": session})))
    assert result.final_output == "The workspace is /workspace."
    assert [call.method for call in session.calls] == ["exec", "read", "write"]
    session.assert_complete()
    model.assert_complete()
    assert await session.running()  # the run's caller owns a live session: it is left running


async def test_the_pty_methods_come_as_a_pair() -> None:
    from agents_otel.sandbox.session.pty_types import PtyExecUpdate

    update = PtyExecUpdate(process_id=7, output=b"$ ", exit_code=None, original_token_count=None)
    session = scripted_sandbox_session([{"method": "pty_exec_start", "result": update}])
    assert session.supports_pty() and hasattr(session, "pty_write_stdin") and not hasattr(session, "pty_terminate_all")
    assert await session.pty_exec_start("bash", tty=True) == update
    assert session.calls[0].kwargs["tty"] is True
    with pytest.raises(UnexpectedSandboxCall):
        await session.pty_write_stdin(session_id=7, chars="ls\n")
    assert not scripted_sandbox_session().supports_pty()
    await session.aclose()  # shutting down does not reach for PTY cleanup it does not have
