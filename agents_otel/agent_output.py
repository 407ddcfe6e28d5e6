"""The SDK's ``agents.agent_output`` path: structured-output schemas, kept so SDK imports of it run unchanged."""

from __future__ import annotations

from .output_schema import AgentOutputSchema, AgentOutputSchemaBase

__all__ = ["AgentOutputSchema", "AgentOutputSchemaBase"]
