"""Compatibility (SDK 0.25): ``run_demo_loop`` asks about tool calls that need approval, then goes on.

Learnt from the SDK 0.25 changelog entry "tool approval handling in the demo REPL" (#6045): each waiting call is
shown (its agent, tool and arguments) with an ``Approve this tool call? [y/N]`` prompt; ``y`` / ``yes`` approves it,
anything else rejects it; the run resumes from its state (whose context a handoff may have changed); end of input,
Ctrl-C, ``exit`` or ``quit`` at that prompt ends the loop (tests test_repl.py). The scenarios are our own.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents_otel import Agent, RunContextWrapper, function_tool, handoff, run_demo_loop
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tool_approvals import DEFAULT_REJECTION_MESSAGE


def _answers(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *lines: str,
             then: type[BaseException] = EOFError) -> list[str]:
    """Feed ``lines`` to ``input()``; each prompt is recorded with what was printed before it."""
    shown: list[str] = []
    queue = iter(lines)

    def read(prompt: str) -> str:
        shown.append(capsys.readouterr().out + prompt)
        try:
            return next(queue)
        except StopIteration:
            raise then from None

    monkeypatch.setattr("builtins.input", read)
    return shown


def _outputs(model: ScriptedModel, index: int) -> list[tuple[str, str]]:
    call = model.model_calls[index]
    return sorted((i["call_id"], i["output"]) for i in call.input if i.get("type") == "function_call_output")


@pytest.mark.parametrize("stream", [False, True], ids=["run", "streamed"])
async def test_waiting_calls_are_asked_about_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stream: bool
) -> None:
    saved: list[str] = []

    @function_tool(needs_approval=True)
    def save(note: str) -> str:
        """Save a note."""
        saved.append(note)
        return f"saved {note}"

    model = ScriptedModel(
        [
            [
                function_call("save", {"note": "alpha"}, call_id="c1"),
                function_call("save", {"note": "beta"}, call_id="c2"),
            ],
            [function_call("save", {"note": "gamma"}, call_id="c3")],
            [assistant_message("All saved")],
            [assistant_message("Welcome")],
        ]
    )
    agent = Agent(name="notes", model=model, tools=[save])
    shown = _answers(monkeypatch, capsys, "Save these", "y", "", "YES ", "Thanks", "quit")
    await run_demo_loop(agent, stream=stream)

    assert saved == ["alpha", "gamma"]
    for prompt, note in zip(shown[1:4], ["alpha", "beta", "gamma"], strict=True):
        assert "'notes' requested 'save'" in prompt and note in prompt
        assert prompt.endswith("Approve this tool call? [y/N] ")
    assert shown[4].endswith(" > ") and "All saved" in shown[4]
    assert len(model.model_calls) == 4 and all(c.streamed == stream for c in model.model_calls)
    assert _outputs(model, 1) == [("c1", "saved alpha"), ("c2", DEFAULT_REJECTION_MESSAGE)]
    assert _outputs(model, 2) == [("c1", "saved alpha"), ("c2", DEFAULT_REJECTION_MESSAGE), ("c3", "saved gamma")]
    follow_up = model.model_calls[3].input
    assert follow_up[-1] == {"role": "user", "content": "Thanks"}
    assert [i.get("content") for i in follow_up if i.get("role") == "user"][:1] == ["Save these"]


@pytest.mark.parametrize("stream", [False, True], ids=["run", "streamed"])
async def test_the_resumed_run_keeps_the_context_a_handoff_changed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stream: bool
) -> None:
    def on_handoff(wrapper: RunContextWrapper[Any]) -> None:
        wrapper.context["stage"] = "after handoff"

    @function_tool(needs_approval=True)
    def read_stage(wrapper: RunContextWrapper[Any]) -> str:
        """Read the stage."""
        return str(wrapper.context["stage"])

    model = ScriptedModel()
    target = Agent(name="target", model=model, tools=[read_stage])
    source = Agent(name="source", model=model, handoffs=[handoff(target, on_handoff=on_handoff)])
    model.extend(
        [
            [function_call("transfer_to_target", {}, call_id="h")],
            [function_call("read_stage", {}, call_id="read")],
            [assistant_message("done")],
        ]
    )
    _answers(monkeypatch, capsys, "Start", "yes", "quit")
    await run_demo_loop(source, stream=stream, context={"stage": "before handoff"})
    assert ("read", "after handoff") in _outputs(model, 2)


@pytest.mark.parametrize("stop", [EOFError, KeyboardInterrupt])
@pytest.mark.parametrize("last", [None, "exit"], ids=["end-of-input", "exit"])
async def test_leaving_at_the_approval_prompt_ends_the_loop(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stop: type[BaseException],
    last: str | None,
) -> None:
    @function_tool(needs_approval=True)
    def run_command(command: str) -> str:
        """Run a command."""
        pytest.fail("nothing may run")

    model = ScriptedModel(
        [[function_call("run_command", {"command": f"echo {word}"}) for word in ("alpha", "beta")]]
    )
    lines = ["Run these", "y", *([last] if last else [])]
    shown = _answers(monkeypatch, capsys, *lines, then=stop)
    await run_demo_loop(Agent(name="ops", model=model, tools=[run_command]), stream=False)
    assert "echo alpha" in shown[1] and "echo beta" in shown[2]
    assert len(shown) == 3  # no prompt after leaving: the loop ended there
    assert len(model.model_calls) == 1
