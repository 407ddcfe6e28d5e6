"""The seed's second usage: an agent used as a tool, its inner stream delivered to ``on_stream``.

The inner run's spans are children of the outer ``execute_tool researcher`` span. The outer stream sees the inner
tool calls and their progress too, each with ``parent_tool_call_id`` = the outer call's id.
"""

from __future__ import annotations

import asyncio

from agents_otel import Agent, AgentToolStreamEvent, Runner, ToolContext, ToolProgressStreamEvent, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
async def analyze_data(ctx: ToolContext, query: str) -> str:
    """Analyse data.

    Args:
        query: What to analyse.
    """
    ctx.send_progress({"status": "fetching", "progress": 0.25})
    await asyncio.sleep(0.1)
    ctx.send_progress({"status": "processing", "progress": 0.75})
    return "analysis complete"


def handle_inner_stream(payload: AgentToolStreamEvent) -> None:
    event = payload["event"]
    if isinstance(event, ToolProgressStreamEvent):
        print(f"Inner tool progress: {event.data}")


inner_agent = Agent(
    name="Researcher",
    tools=[analyze_data],
    model=ScriptedModel([[function_call("analyze_data", {"query": "churn"})], [assistant_message("Churn is 3%.")]]),
)
outer_agent = Agent(
    name="Orchestrator",
    tools=[inner_agent.as_tool(on_stream=handle_inner_stream)],
    model=ScriptedModel(
        [[function_call("researcher", {"input": "What is our churn?"})], [assistant_message("Churn is 3%.")]]
    ),
)


async def main() -> None:
    result = Runner.run_streamed(outer_agent, "Research churn")
    async for event in result.stream_events():
        if isinstance(event, ToolProgressStreamEvent):
            print(f"Outer stream sees [{event.tool_name}] under {event.parent_tool_call_id}: {event.data}")
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
