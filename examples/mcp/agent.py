"""An agent using the MCP server in ``slow_server.py``: the server's progress streams live into the run, and the
agent, the MCP client call, the MCP server and its tool are one trace.

Offline: the model is a ScriptedModel and the server a subprocess over stdio. Both processes write their spans to
files (the zero-config default); at the end the two files are read together and shown as one waterfall.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from agents_otel import Agent, Runner, ToolProgressStreamEvent
from agents_otel.mcp import MCPServerStdio
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.trace_view import print_trace
from agents_otel.tracing.setup import flush_file_exports

HERE = Path(__file__).resolve().parent
TRACES = Path(".agents_otel")


async def run_agent(server_traces: Path) -> str:
    server = MCPServerStdio(
        params={
            "command": sys.executable,
            "args": [str(HERE / "slow_server.py")],
            "env": {"AGENTS_OTEL_TRACE_FILE": str(server_traces)},
        },
        name="crawler",
    )
    model = ScriptedModel(
        [
            [function_call("crawl_site", {"url": "https://example.com", "pages": 4})],
            [assistant_message("The site has 4 pages; all fetched.")],
        ]
    )
    async with server:
        agent = Agent(name="Researcher", mcp_servers=[server], model=model)
        result = Runner.run_streamed(agent, "Crawl example.com")
        async for event in result.stream_events():
            if isinstance(event, ToolProgressStreamEvent):
                data = event.data
                step = f"{data['progress']:.0f}/{data['total']:.0f}"
                print(f"[{event.tool_name} {event.tool_call_id}] {step} {data['message']}")
    print("Answer:", result.final_output)
    return result.trace_id


def main() -> None:
    TRACES.mkdir(exist_ok=True)
    server_traces = (TRACES / "mcp-server-traces.jsonl").resolve()
    trace_id = asyncio.run(run_agent(server_traces))
    # The server process has exited (and flushed its spans); flush ours, then show both halves as one trace.
    flush_file_exports()
    combined = TRACES / "combined.jsonl"
    combined.write_text((TRACES / "traces.jsonl").read_text() + server_traces.read_text())
    print_trace(trace_id, path=str(combined))


if __name__ == "__main__":
    main()
