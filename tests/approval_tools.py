"""The two tools the approval tests share: one that waits for a person, one that does not; ``ran`` records what
actually ran (cleared by each test module's autouse fixture)."""

from __future__ import annotations

from agents_otel import function_tool

ran: list[str] = []


@function_tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    ran.append(f"delete {path}")
    return f"deleted {path}"


@function_tool
def read_file(path: str) -> str:
    """Read a file."""
    ran.append(f"read {path}")
    return "contents"

__all__ = ["delete_file", "ran", "read_file"]
