"""The two model-driven steps of memory generation, each a run of its own through ``Runner.run`` (so each model call
is a traced ``chat`` span under the ``sandbox.generate_memory`` span).

Phase one reads one rollout and answers ``RolloutExtractionArtifacts`` (a structured output); phase two is a
``SandboxAgent`` on the same session that edits ``MEMORY.md`` and ``memory_summary.md`` with its tools.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ...agent import Agent
from ...models.interface import ModelSettings
from ...run import Runner
from ...run_config import RunConfig
from ...run_config_sandbox import SandboxRunConfig
from .interface import RolloutExtractionArtifacts
from .prompts import phase_one_input, phase_one_instructions, phase_two_prompt

if TYPE_CHECKING:
    from ...run_runtime import RunRuntime
    from ..config import MemoryGenerateConfig
    from ..session.base_sandbox_session import BaseSandboxSession
    from .storage import PhaseTwoSelection

PHASE_ONE_MAX_CHARS = 600_000
"""About the SDK's 150 000-token cap on the rollout phase one reads, in characters (no tokenizer here)."""
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def phase_run_config(run: RunRuntime, session: BaseSandboxSession | None = None) -> RunConfig:
    """The run that recorded the rollout's telemetry and model settings, for a memory phase's own run."""
    config = run.config
    return RunConfig(
        model_provider=config.model_provider,
        tracer_provider=config.tracer_provider,
        meter_provider=config.meter_provider,
        capture_content=config.capture_content,
        redact=config.redact,
        tracing_disabled=config.tracing_disabled,
        sandbox=SandboxRunConfig(session=session) if session is not None else None,
    )


def phase_one_prompt(rollout: str) -> str:
    records = [json.loads(line) for line in rollout.splitlines() if line.strip()]
    if not records:
        raise ValueError("the rollout file holds no run segment")
    last: dict[str, Any] = records[-1]
    terminal: object = last.get("terminal_metadata", {})
    if len(records) > 1:
        terminal = {
            "segment_count": len(records),
            "final_terminal_metadata": terminal,
            "terminal_states": [r.get("terminal_metadata", {}).get("terminal_state", "unknown") for r in records],
        }
    shown = rollout
    if len(rollout) > PHASE_ONE_MAX_CHARS:  # keep the beginning and the end, say what was cut
        half = PHASE_ONE_MAX_CHARS // 2
        shown = (
            f"[part of this rollout was cut to fit: {len(rollout)} characters in all, the first and last {half} "
            f"shown; do not treat it as complete]\n\n{rollout[:half]}\n[...]\n{rollout[-half:]}"
        )
    return phase_one_input(json.dumps(terminal, sort_keys=True, indent=2), shown)


def checked_artifacts(artifacts: RolloutExtractionArtifacts) -> RolloutExtractionArtifacts | None:
    """``None`` when all three fields are empty (nothing to remember); a half-empty answer is a ``ValueError``."""
    fields = (artifacts.rollout_slug, artifacts.rollout_summary, artifacts.raw_memory)
    if not any(value.strip() for value in fields):
        return None
    if not all(value.strip() for value in fields):
        raise ValueError("phase one answered partly empty memory artifacts")
    slug = artifacts.rollout_slug.strip().removesuffix(".md")
    if not _SLUG.fullmatch(slug):
        raise ValueError(f"phase one answered an invalid rollout_slug: {artifacts.rollout_slug!r}")
    return artifacts.model_copy(update={"rollout_slug": slug})


async def run_phase_one(config: MemoryGenerateConfig, prompt: str, run: RunRuntime) -> RolloutExtractionArtifacts:
    agent: Agent[Any] = Agent(
        name="sandbox-memory-phase-one",
        instructions=phase_one_instructions(config.extra_prompt),
        output_type=RolloutExtractionArtifacts,
        model=config.phase_one_model,
        model_settings=config.phase_one_model_settings or ModelSettings(),
    )
    result = await Runner.run(agent, prompt, run_config=phase_run_config(run))
    return result.final_output_as(RolloutExtractionArtifacts, raise_if_incorrect_type=True)


async def run_phase_two(
    config: MemoryGenerateConfig,
    root: str,
    selection: PhaseTwoSelection,
    run: RunRuntime,
    session: BaseSandboxSession,
    sandbox_agent: type[Agent[Any]],
) -> None:
    """``sandbox_agent``: the ``SandboxAgent`` class, given by the runtime (this package may not import it: the
    agent's module imports the runtime, which imports this one)."""
    agent = sandbox_agent(
        name="sandbox-memory-phase-two",
        model=config.phase_two_model,
        model_settings=config.phase_two_model_settings or ModelSettings(),
    )
    prompt = phase_two_prompt(root, selection, config.extra_prompt)
    await Runner.run(agent, prompt, run_config=phase_run_config(run, session), max_turns=config.phase_two_max_turns)
