"""agents_otel tools to serve over MCP (``agents-otel mcp mcp_support.our_tools:agent``)."""

from __future__ import annotations

from agents_otel import Agent, ToolContext, function_tool


@function_tool
async def slow_steps(ctx: ToolContext, n: int) -> str:
    """Work in n steps, reporting each."""
    for i in range(1, n + 1):
        ctx.send_progress({"progress": i, "total": n, "message": f"step {i} of {n}"})
    return f"did {n} steps in trace {ctx.trace_id}"


@function_tool
async def phases(ctx: ToolContext) -> str:
    """Report phases by status only, then a payload with neither message nor status."""
    ctx.send_progress({"status": "fetching"})
    ctx.send_progress({"status": "parsing"})
    ctx.send_progress({"rows": 3})
    return "phased"


@function_tool
def boom(reason: str) -> str:
    """Always fails."""
    raise ValueError(f"boom: {reason}")


agent = Agent(name="served", tools=[slow_steps, phases, boom])
tools = [slow_steps, phases]
