"""``agents.extensions.handoff_prompt`` and ``agents.extensions.handoff_filters`` as the SDK pins them down, under
``agents_otel.extensions``: the recommended prefix byte for byte, the prompt joined after it, and the filters
(``remove_all_tools`` also dropping approval items and the tool items ``nest_handoff_history`` keeps in
``input_items``)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from agents_otel import (
    Agent,
    FunctionCall,
    FunctionCallOutput,
    HandoffInputData,
    MessageOutputItem,
    Runner,
    ToolCallItem,
    UserError,
    function_tool,
    handoff,
)
from agents_otel import handoff_filters as core_filters
from agents_otel.approval_item import ToolApprovalItem
from agents_otel.extensions import handoff_filters
from agents_otel.extensions.handoff_prompt import RECOMMENDED_PROMPT_PREFIX, prompt_with_handoff_instructions
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def test_prefix_is_the_sdks_text() -> None:
    # SHA-256 of the SDK's RECOMMENDED_PROMPT_PREFIX: a changed byte anywhere fails here.
    assert hashlib.sha256(RECOMMENDED_PROMPT_PREFIX.encode()).hexdigest() == (
        "61d0c9fd2de480a2045f81191112d6666ea55dbdf7ac7cc5809ea92570baa458"
    )


def test_prompt_with_handoff_instructions() -> None:
    prompt = prompt_with_handoff_instructions("You answer billing questions.")
    assert prompt == RECOMMENDED_PROMPT_PREFIX + "\n\nYou answer billing questions."
    assert prompt.startswith("# System context\n")
    assert prompt_with_handoff_instructions("") == RECOMMENDED_PROMPT_PREFIX + "\n\n"
    with pytest.raises(UserError, match="needs a str"):
        prompt_with_handoff_instructions(None)  # type: ignore[arg-type]


async def test_the_prompt_reaches_the_model_as_instructions() -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    agent = Agent("A", instructions=prompt_with_handoff_instructions("Be brief."), model=model)
    await Runner.run(agent, "hi")
    assert model.calls[0].system_instructions == RECOMMENDED_PROMPT_PREFIX + "\n\nBe brief."


def test_handoff_filters_are_the_sdks_names() -> None:
    assert handoff_filters.remove_all_tools is core_filters.remove_all_tools
    assert handoff_filters.nest_handoff_history is core_filters.nest_handoff_history
    assert handoff_filters.default_handoff_history_mapper is core_filters.default_handoff_history_mapper
    expected = {"remove_all_tools", "nest_handoff_history", "default_handoff_history_mapper"}
    assert set(handoff_filters.__all__) == expected


async def test_remove_all_tools_through_the_extensions_path() -> None:
    @function_tool
    def lookup() -> str:
        return "found"

    b_model = ScriptedModel([[assistant_message("b")]])
    b = Agent("B", model=b_model)
    model = ScriptedModel([[function_call("lookup", {})], [function_call("transfer_to_b", {})]])
    to_b = handoff(b, input_filter=handoff_filters.remove_all_tools)
    agent = Agent("A", model=model, tools=[lookup], handoffs=[to_b])
    result = await Runner.run(agent, "go")
    assert not any(isinstance(i, FunctionCall | FunctionCallOutput) for i in b_model.calls[0].input)
    assert any(isinstance(i, ToolCallItem) for i in result.new_items)


def _data(**changes: Any) -> HandoffInputData:
    message = MessageOutputItem("kept", "A")
    approval = ToolApprovalItem(FunctionCall(call_id="c", name="t", arguments="{}"), "A")
    history = (
        {"role": "user", "content": "hi"},
        {"type": "shell_call", "call_id": "s", "action": {"commands": ["ls"]}},
        {"type": "apply_patch_call", "call_id": "p"},
        {"type": "code_interpreter_call", "id": "ci"},
        {"type": "image_generation_call", "id": "ig"},
    )
    base = HandoffInputData(
        input_history=history,
        pre_handoff_items=(approval, message),
        new_items=(message,),
        input_items=(approval, message),
    )
    return base.clone(**changes)


def test_remove_all_tools_drops_the_newer_tool_items_and_approvals() -> None:
    filtered = handoff_filters.remove_all_tools(_data())
    assert filtered.input_history == ({"role": "user", "content": "hi"},)
    assert [type(i).__name__ for i in filtered.pre_handoff_items] == ["MessageOutputItem"]
    assert filtered.input_items is not None
    assert [type(i).__name__ for i in filtered.input_items] == ["MessageOutputItem"]
    assert handoff_filters.remove_all_tools(_data(input_items=None)).input_items is None
    assert handoff_filters.remove_all_tools(_data(input_history="just text")).input_history == "just text"
