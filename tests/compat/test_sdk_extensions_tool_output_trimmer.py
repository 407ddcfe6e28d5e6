"""``agents.extensions.ToolOutputTrimmer`` as the SDK's tests pin it down, as ``agents_otel.extensions``: a
``call_model_input_filter`` that sends older turns' long tool outputs as a short note and a preview, keeps the
latest ``recent_turns`` turns whole, honours ``trimmable_tools`` (bare and ``namespace.name``), turns structured
outputs into text within the budget, never edits the items it was given, and leaves the run's history whole."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from agents_otel import (
    Agent,
    CallModelData,
    FunctionCallOutput,
    ModelInputData,
    RunConfig,
    Runner,
    function_tool,
)
from agents_otel.extensions import ToolOutputTrimmer
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def _user(text: str = "q") -> dict[str, Any]:
    return {"role": "user", "content": text}


def _call(call_id: str, name: str, namespace: str | None = None) -> dict[str, Any]:
    item = {"type": "function_call", "call_id": call_id, "name": name, "arguments": "{}"}
    return item if namespace is None else {**item, "namespace": namespace}


def _out(call_id: str, output: Any) -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": call_id, "output": output}


def _run(trimmer: ToolOutputTrimmer, items: list[Any], instructions: str | None = "sys") -> ModelInputData:
    given = ModelInputData(input=items, instructions=instructions)
    return trimmer(CallModelData(model_data=given, agent=Agent("A"), context=None))


def _turns(*outputs: Any, name: str = "search") -> list[Any]:
    """One user turn per output: user, call, output, answer."""
    items: list[Any] = []
    for index, output in enumerate(outputs):
        items += [_user(f"q{index}"), _call(f"c{index}", name), _out(f"c{index}", output)]
        items.append({"role": "assistant", "content": f"a{index}"})
    return items


def test_defaults_and_validation() -> None:
    trimmer = ToolOutputTrimmer()
    assert (trimmer.recent_turns, trimmer.max_output_chars, trimmer.preview_chars) == (2, 500, 200)
    assert trimmer.trimmable_tools is None
    assert ToolOutputTrimmer(trimmable_tools=["a", "b"]).trimmable_tools == frozenset({"a", "b"})
    assert ToolOutputTrimmer(trimmable_tools="search").trimmable_tools == frozenset({"search"})
    assert ToolOutputTrimmer(preview_chars=0).preview_chars == 0
    for bad in ({"recent_turns": 0}, {"recent_turns": -1}, {"max_output_chars": 0}, {"preview_chars": -1}):
        with pytest.raises(ValueError):
            ToolOutputTrimmer(**bad)
    with pytest.raises(ValueError):
        ToolOutputTrimmer(trimmable_tools=b"search")


def test_recent_boundary() -> None:
    trimmer = ToolOutputTrimmer()
    assert trimmer._find_recent_boundary([]) == 0
    assert trimmer._find_recent_boundary([_user()]) == 0
    assert trimmer._find_recent_boundary([_user(), {"role": "assistant", "content": "a"}, _user()]) == 0
    items = [_user(), {"role": "assistant", "content": "a"}, _user(), {"role": "assistant", "content": "b"}, _user()]
    assert trimmer._find_recent_boundary(items) == 2
    assert ToolOutputTrimmer(recent_turns=3)._find_recent_boundary(items) == 0
    assert ToolOutputTrimmer(recent_turns=1)._find_recent_boundary(items) == 4


def test_old_large_output_trimmed_recent_and_small_kept() -> None:
    large, small = "x" * 1000, "y" * 100
    items = _turns(large, small, large, large)
    given = copy.deepcopy(items)
    result = _run(ToolOutputTrimmer(), items)
    trimmed = result.input[2]["output"]
    assert trimmed.startswith("[Trimmed:") and "search" in trimmed and "1000 chars" in trimmed
    assert trimmed.endswith("x" * 200 + "...") and len(trimmed) < len(large)
    assert result.input[6]["output"] == small
    assert result.input[10]["output"] == large and result.input[14]["output"] == large  # the two recent turns
    assert items == given  # the filter's input is not edited
    assert result.instructions == "sys"
    assert [i.get("role") for i in result.input] == [i.get("role") for i in items]


def test_nothing_trimmed_while_every_turn_is_recent() -> None:
    items = _turns("x" * 1000, "x" * 1000)
    assert _run(ToolOutputTrimmer(), items).input == items
    assert _run(ToolOutputTrimmer(), []).input == []


def test_trimmable_tools_allowlist_and_names() -> None:
    items = [_user(), _call("a", "search"), _out("a", "x" * 1000), _call("b", "fetch"), _out("b", "x" * 1000)]
    items += [_user(), _user()]
    result = _run(ToolOutputTrimmer(trimmable_tools={"search"}), items)
    assert result.input[2]["output"].startswith("[Trimmed:")
    assert result.input[4]["output"] == "x" * 1000
    namespaced = [_user(), _call("a", "lookup_account", "billing"), _out("a", "x" * 1000), _user(), _user()]
    for allowed in ("billing.lookup_account", "lookup_account"):
        out = _run(ToolOutputTrimmer(trimmable_tools=allowed), namespaced).input[2]["output"]
        assert out.startswith("[Trimmed:") and "billing.lookup_account" in out
    orphan = [_user(), _out("gone", "x" * 1000), _user(), _user()]
    assert _run(ToolOutputTrimmer(trimmable_tools="search"), orphan).input[1]["output"] == "x" * 1000
    assert "unknown_tool" in _run(ToolOutputTrimmer(), orphan).input[1]["output"]


def test_summary_never_longer_than_the_output() -> None:
    items = [_user(), _call("a", "search"), _out("a", "x" * 30), _user(), _user()]
    assert _run(ToolOutputTrimmer(max_output_chars=10, preview_chars=25), items).input[2]["output"] == "x" * 30


def test_structured_output_keeps_text_and_names_dropped_parts() -> None:
    caption = "a chart of sales"
    parts = [
        {"type": "input_text", "text": caption},
        {"type": "input_image", "image_url": "data:image/png;base64," + "A" * 2000, "detail": "auto"},
    ]
    items = [_user(), _call("a", "plot"), _out("a", parts), _user(), _user()]
    trimmed = _run(ToolOutputTrimmer(), items).input[2]["output"]
    assert isinstance(trimmed, str) and caption in trimmed and "base64," not in trimmed
    assert f"preview {len(caption)}" in trimmed and "dropped 1 input_image" in trimmed
    assert not trimmed.endswith("...")
    assert _run(ToolOutputTrimmer(), _run(ToolOutputTrimmer(), items).input).input[2]["output"] == trimmed


@pytest.mark.parametrize("budget", [1, 9, 22, 40, 70, 200])
def test_structured_output_fits_the_budget(budget: int) -> None:
    text = "abcdefghij" * 40
    parts = [{"type": "input_text", "text": text}, {"type": "input_file", "file_data": "Z" * 500, "filename": "r.pdf"}]
    items = [_user(), _call("a", "report"), _out("a", parts), _user(), _user()]
    trimmed = _run(ToolOutputTrimmer(max_output_chars=budget, preview_chars=40), items).input[2]["output"]
    assert isinstance(trimmed, str) and len(trimmed) <= budget
    assert "ZZZZ" not in trimmed and "r.pdf" not in trimmed
    if budget >= 70:
        assert text[:20] in trimmed


def test_structured_output_threshold_counts_payload_and_odd_lists_are_kept() -> None:
    parts = [{"type": "input_text", "text": "t" * 400}]
    items = [_user(), _call("a", "s"), _out("a", parts), _user(), _user()]
    assert _run(ToolOutputTrimmer(max_output_chars=400), items).input[2]["output"] == parts
    assert _run(ToolOutputTrimmer(max_output_chars=399), items).input[2]["output"].startswith("[Trimmed")
    for odd in ([], [{"type": "input_text", "text": "t" * 900, "extra": 1}], [{"type": "audio", "data": "x" * 900}]):
        odd_items = [_user(), _call("a", "s"), _out("a", odd), _user(), _user()]
        assert _run(ToolOutputTrimmer(), odd_items).input[2]["output"] == odd


async def test_in_a_run_only_the_model_call_is_trimmed() -> None:
    @function_tool
    def search(q: str) -> str:
        """Search."""
        return "r" * 2000

    model = ScriptedModel(
        [
            [function_call("search", {"q": "1"}, call_id="s1")],
            [assistant_message("first")],
            [assistant_message("second")],
            [assistant_message("third")],
        ]
    )
    agent = Agent("A", model=model, tools=[search])
    config = RunConfig(call_model_input_filter=ToolOutputTrimmer(recent_turns=1, preview_chars=10))
    result = await Runner.run(agent, "one", run_config=config)
    history = [*result.to_input_list(), {"role": "user", "content": "two"}]
    result = await Runner.run(agent, history, run_config=config)
    sent = [i for i in model.calls[-1].input if isinstance(i, FunctionCallOutput)]
    assert len(sent) == 1 and sent[0].output.startswith("[Trimmed: search output, 2000 chars")
    assert len(sent[0].output) < 100
    kept = [i for i in result.to_input_list() if i.get("type") == "function_call_output"]
    assert kept[0]["output"] == "r" * 2000  # the run's own history is whole


def test_opaque_only_output_names_its_kind_when_that_is_all_that_fits() -> None:
    parts = [{"type": "input_image", "image_url": "data:image/png;base64," + "A" * 900}]
    items = [_user(), _call("a", "camera"), _out("a", parts), _user(), _user()]
    budget = len("[Trimmed: input_image]")
    assert _run(ToolOutputTrimmer(max_output_chars=budget), items).input[2]["output"] == "[Trimmed: input_image]"
    roomy = _run(ToolOutputTrimmer(), items).input[2]["output"]
    assert roomy == "[Trimmed: camera; payload 922; dropped 1 input_image]"
