"""Compatibility: the SDK's ``Compaction`` sandbox capability (``agents.sandbox.capabilities.compaction``).

What the SDK does and this runtime must do too: each model call of the agent asks the Responses API for server-side
compaction (``context_management=[{"type": "compaction", "compact_threshold": N}]``), ``N`` from the policy — a
static count, or 90% of a known model's context window (names compared without dots and dashes), else 240 000 —
and the input the model gets starts at the latest ``compaction`` item. Over the real wire: the official ``openai``
client against the fake server, and the command a real subprocess in a ``UnixLocalSandboxClient`` workspace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import wire_model

from agents_otel import ModelSettings, RunConfig, Runner, UserError
from agents_otel.sandbox import SandboxAgent, SandboxRunConfig
from agents_otel.sandbox.capabilities import (
    Capability,
    Compaction,
    CompactionModelInfo,
    DynamicCompactionPolicy,
    Shell,
    StaticCompactionPolicy,
)
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.testing import ScriptedModel, assistant_message

COMPACTION = {"type": "compaction", "id": "cmp_1", "encrypted_content": "enc", "created_by": "server"}


@pytest.fixture(autouse=True)
def snapshot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def threshold(params: dict[str, Any]) -> int:
    (entry,) = params["context_management"]
    assert entry["type"] == "compaction"
    value: int = entry["compact_threshold"]
    return value


def test_the_threshold_follows_the_policy_or_the_model() -> None:
    assert threshold(Compaction(policy=StaticCompactionPolicy(threshold=123)).sampling_params({})) == 123
    assert threshold(Compaction().sampling_params({"model": "gpt-5-2"})) == 360_000
    assert threshold(Compaction().sampling_params({"model": "openai/GPT-5.6-sol"})) == 942_818
    assert threshold(Compaction().sampling_params({"model": "azure-prod-deployment"})) == 240_000
    assert threshold(Compaction().sampling_params({})) == 240_000
    dynamic = Compaction.model_validate({"policy": {"type": "dynamic", "model_info": {"context_window": 1000}}})
    assert isinstance(dynamic.policy, DynamicCompactionPolicy) and threshold(dynamic.sampling_params({})) == 900
    dumped = {"type": "dynamic", "model_info": {"context_window": 1000}, "threshold": 0.9}
    assert dynamic.model_dump()["policy"] == dumped
    assert CompactionModelInfo.for_model("o3").context_window == 200_000
    with pytest.raises(ValueError, match="Unknown context window"):
        CompactionModelInfo.for_model("my-model")
    with pytest.raises(ValueError, match="Unsupported compaction policy type: 'unknown'"):
        Compaction.model_validate({"policy": {"type": "unknown"}})
    with pytest.raises(ValueError):
        DynamicCompactionPolicy(model_info=CompactionModelInfo(context_window=10), threshold=1.5)


def test_the_context_starts_at_the_latest_compaction_item() -> None:
    context: list[Any] = [
        {"role": "user", "content": "old"},
        {"type": "compaction", "encrypted_content": "first"},
        {"role": "assistant", "content": "between"},
        {"type": "compaction", "encrypted_content": "second"},
        {"role": "assistant", "content": "latest"},
    ]
    assert Compaction().process_context(context) == context[3:]
    assert Compaction().process_context(context[:1]) == context[:1]


async def test_a_run_asks_for_compaction_and_sends_only_what_follows_it(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    call = ("exec_command", {"cmd": "echo from-the-sandbox"}, "c1")
    fake_openai.enqueue(tool_calls=[call], hosted_calls=[COMPACTION])
    fake_openai.enqueue(text="done")
    agent = SandboxAgent(
        name="Worker",
        model=wire_model("responses", client, name="gpt-5.2"),
        capabilities=[Shell(), Compaction()],
        model_settings=ModelSettings(extra_args={"metadata": {"team": "a"}}),
    )
    config = RunConfig(sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    result = await Runner.run(agent, [{"role": "user", "content": "old question"}], run_config=config)
    assert result.final_output == "done"
    first, second = (r.body for r in fake_openai.requests_to("/responses"))
    for body in (first, second):
        assert body["context_management"] == [{"type": "compaction", "compact_threshold": 360_000}]
        assert body["metadata"] == {"team": "a"}  # the agent's own extra_args are kept
    assert first["input"][0] == {"role": "user", "content": "old question"}
    assert second["input"][0] == {"type": "compaction", "id": "cmp_1", "encrypted_content": "enc"}
    assert not any(item.get("content") == "old question" for item in second["input"])
    outputs = [item for item in second["input"] if item.get("type") == "function_call_output"]
    assert "from-the-sandbox" in str(outputs[0]["output"])
    assert agent.model_settings.extra_args == {"metadata": {"team": "a"}}  # the agent itself is unchanged


class BadContext(Capability):
    type: str = "bad"

    def process_context(self, context: list[Any]) -> list[Any]:
        return None  # type: ignore[return-value]


async def test_a_capability_returning_no_context_is_a_user_error() -> None:
    agent = SandboxAgent(name="W", model=ScriptedModel([[assistant_message("x")]]), capabilities=[BadContext()])
    config = RunConfig(sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    with pytest.raises(UserError, match=r"BadContext\.process_context\(\) returned NoneType"):
        await Runner.run(agent, "go", run_config=config)
