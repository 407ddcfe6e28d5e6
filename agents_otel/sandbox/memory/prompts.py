"""The prompts of memory generation, in this project's own wording: phase one's instructions and input, phase two's
task. The SDK's cases are kept: the optional ``extra_prompt`` section (absent when unset or blank), the terminal
state of each rollout, and phase two's list of added, retained and removed inputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .storage import PhaseTwoSelection

EXTRA_PROMPT_HEADING = "## Extra guidance from the developer"

_PHASE_ONE = """You write memories for an agent that works in a sandbox workspace. You are given the record of one \
conversation (a rollout) the agent had there. Extract what would save a future run of the agent time or mistakes.

Answer with three fields:
- `rollout_slug`: a short lowercase name for the task, letters, digits, `_` and `-` only (e.g. `fix_invoice_tests`).
- `rollout_summary`: a Markdown summary of the rollout: the task, what was done, how it ended, the files, commands \
and facts that mattered, and any correction or preference the user expressed.
- `raw_memory`: compact Markdown notes meant to be merged with notes from other rollouts later: durable facts \
about the workspace, user preferences, approaches that worked or failed and why. One idea per bullet.

Keep only what the record supports; do not invent. Leave secrets (keys, tokens, passwords) out. A rollout that \
failed or was interrupted still teaches something: say what blocked it. When there is nothing worth remembering \
(an empty or trivial exchange), answer with all three fields empty.
{extra}"""

_PHASE_ONE_INPUT = """Terminal state of the rollout (JSON):
{terminal}

The rollout, one JSON record per run segment (input, generated items, final output):
{rollout}"""

_PHASE_TWO = """You maintain the memory folder `{root}` of an agent that works in this sandbox workspace. Use your \
tools to read and edit the files there; change nothing outside that folder.

Inputs (written by an earlier step):
- `{root}/raw_memories.md`: notes extracted from recent rollouts, newest first, each with its `rollout_id` and the \
`rollout_summary_file` (under `{root}/`) that holds the details.
- `{root}/rollout_summaries/`: one summary per rollout; open one when the notes are not enough.
- The current `{root}/MEMORY.md` and `{root}/memory_summary.md` (empty on the first consolidation).

What changed since the last consolidation:
{selection}
Your task:
1. Update `{root}/MEMORY.md`, the index of everything remembered: group the memories by topic; under each, short \
factual bullets with keywords a later search would use, and the `rollout_summaries/...` file each comes from. \
Merge duplicates, fix what newer rollouts contradict, and drop what came only from removed rollouts.
2. Rewrite `{root}/memory_summary.md`: at most a page that goes into the agent's prompt at the start of every \
run: the user's preferences, the most useful tips, and a list of the topics in `MEMORY.md`.
3. Optionally, when a procedure recurs across rollouts, write it as `{root}/skills/<name>/SKILL.md`.

Leave secrets out. Finish with a one-line note of what you changed.
{extra}"""


def _extra(extra_prompt: str | None) -> str:
    if extra_prompt is None or not extra_prompt.strip():
        return ""
    return f"\n{EXTRA_PROMPT_HEADING}\n\nPay particular attention to this when deciding what to keep:\n\n" + (
        extra_prompt.strip() + "\n"
    )


def phase_one_instructions(extra_prompt: str | None) -> str:
    return _PHASE_ONE.replace("{extra}", _extra(extra_prompt))


def phase_one_input(terminal_json: str, rollout: str) -> str:
    return _PHASE_ONE_INPUT.replace("{terminal}", terminal_json).replace("{rollout}", rollout)


def phase_two_prompt(root: str, selection: PhaseTwoSelection, extra_prompt: str | None) -> str:
    return (
        _PHASE_TWO.replace("{root}", root)
        .replace("{selection}", render_selection(selection))
        .replace("{extra}", _extra(extra_prompt))
    )


def render_selection(selection: PhaseTwoSelection) -> str:
    retained = selection.retained
    lines = [
        f"- selected rollouts: {len(selection.selected)} ({len(selection.selected) - len(retained)} new, "
        f"{len(retained)} already consolidated)",
        f"- removed since the last consolidation: {len(selection.removed)}",
        "",
        "Selected:",
    ]
    for item in selection.selected or ():
        status = "retained" if item.rollout_id in retained else "added"
        lines.append(f"- [{status}] {item.describe()}")
    if not selection.selected:
        lines.append("- none")
    lines.append("Removed (forget what only they supported):")
    lines.extend(f"- {item.describe()}" for item in selection.removed)
    if not selection.removed:
        lines.append("- none")
    return "\n".join(lines) + "\n"
