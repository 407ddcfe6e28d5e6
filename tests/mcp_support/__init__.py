"""Real MCP servers and clients for the MCP tests: the official ``mcp`` SDK, over stdio and Streamable HTTP."""
