"""The seed's first usage: a tool reports progress and the stream shows it while the tool runs.

Runs offline with a ScriptedModel; pass ``model="gpt-4.1-mini"`` to the Agent to use OpenAI instead.
"""

from __future__ import annotations

import asyncio

from agents_otel import Agent, Runner, ToolContext, ToolProgressStreamEvent, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
async def analyze_data(ctx: ToolContext, query: str) -> str:
    """Analyse sales data.

    Args:
        query: What to analyse.
    """
    ctx.send_progress({"status": "fetching", "progress": 0.25})
    await asyncio.sleep(0.2)  # ... work ...
    ctx.send_progress({"status": "processing", "progress": 0.75})
    await asyncio.sleep(0.2)  # ... more work ...
    return "analysis complete"


model = ScriptedModel(
    [[function_call("analyze_data", {"query": "Q4 sales"})], [assistant_message("Q4 sales grew 12%.")]]
)
agent = Agent(name="Analyst", tools=[analyze_data], model=model)


async def main() -> None:
    result = Runner.run_streamed(agent, "Analyze Q4 sales")
    async for event in result.stream_events():
        if isinstance(event, ToolProgressStreamEvent):
            print(f"[{event.tool_name}] {event.data}")
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
