"""The SDK's interactive-process records: what ``pty_exec_start`` / ``pty_write_stdin`` return, and the bounds
they work within (yield times, how many processes a session keeps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PTY_YIELD_TIME_MS_MIN = 250
PTY_EMPTY_YIELD_TIME_MS_MIN = 5_000
PTY_YIELD_TIME_MS_MAX = 30_000
PTY_PROCESSES_MAX = 64
PTY_PROCESSES_PROTECTED_RECENT = 8
APPROX_BYTES_PER_TOKEN = 4


@dataclass(frozen=True)
class PtyExecUpdate:
    """Output since the last update; ``process_id`` is None once the process has exited (``exit_code`` set)."""

    process_id: int | None
    output: bytes
    exit_code: int | None
    original_token_count: int | None


def clamp_pty_yield_time_ms(yield_time_ms: int) -> int:
    return max(PTY_YIELD_TIME_MS_MIN, min(PTY_YIELD_TIME_MS_MAX, yield_time_ms))


def resolve_pty_write_yield_time_ms(*, yield_time_ms: int, input_empty: bool) -> int:
    """A poll (no input) waits at least 5 s: polling in a tight loop would only burn model turns."""
    normalized = clamp_pty_yield_time_ms(yield_time_ms)
    return max(normalized, PTY_EMPTY_YIELD_TIME_MS_MIN) if input_empty else normalized


def truncate_text_by_tokens(text: str, max_output_tokens: int | None) -> tuple[str, int | None]:
    """``text`` within about ``max_output_tokens`` tokens (4 bytes each): its head and tail kept, the middle
    replaced by a marker saying how much was cut; also the original's approximate token count when cut."""
    if max_output_tokens is None:
        return text, None
    data = text.encode("utf-8")
    budget = max(0, max_output_tokens) * APPROX_BYTES_PER_TOKEN
    if len(data) <= budget:
        return text, None
    original = math.ceil(len(data) / APPROX_BYTES_PER_TOKEN)
    head = data[: budget // 2].decode("utf-8", errors="ignore")
    tail = data[len(data) - budget // 2 :].decode("utf-8", errors="ignore") if budget else ""
    omitted = original - max_output_tokens
    return f"Total output lines: {len(text.splitlines())}\n\n{head}…{omitted} tokens truncated…{tail}", original
