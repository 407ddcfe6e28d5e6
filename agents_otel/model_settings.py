"""The SDK's ``agents.model_settings`` path: ``ModelSettings`` and the tool-choice types, for SDK imports of it."""

from __future__ import annotations

from typing import Literal, TypeAlias

from .models.interface import MCPToolChoice, ModelSettings

ToolChoice: TypeAlias = Literal["auto", "required", "none"] | str | MCPToolChoice | None
"""What ``ModelSettings.tool_choice`` takes: a mode, a tool's name, or an MCP tool."""

__all__ = ["MCPToolChoice", "ModelSettings", "ToolChoice"]
