"""Structured output as each OpenAI API spells it: Responses ``text.format``, Chat Completions ``response_format``."""

from __future__ import annotations

from typing import Any, Literal

from .interface import OutputSchemaSpec


def output_format_params(spec: OutputSchemaSpec | None, api: Literal["responses", "chat"]) -> dict[str, Any]:
    """Nothing for plain text, so a request without ``output_type`` is exactly what it was before."""
    if spec is None:
        return {}
    if api == "responses":
        return {
            "text": {"format": {"type": "json_schema", "name": spec.name, "schema": spec.schema, "strict": spec.strict}}
        }
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": spec.name, "schema": spec.schema, "strict": spec.strict},
        }
    }
