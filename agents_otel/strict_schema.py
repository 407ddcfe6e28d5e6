"""The SDK's ``agents.strict_schema`` path.

The SDK's ``ensure_strict_json_schema`` rewrites any schema into OpenAI's strict form, making optional properties
required; agents_otel makes a schema strict only where that keeps what it accepts and otherwise sends it
non-strict, so a function that always rewrites is not offered: the import says so rather than returning a schema
with another meaning.
"""

from __future__ import annotations

from ._sdk_paths import not_supported

__all__: list[str] = []

__getattr__ = not_supported(
    __name__,
    {
        "ensure_strict_json_schema": (
            "schemas are made strict only where that keeps what they accept (FunctionTool.params_json_schema and "
            "AgentOutputSchema.json_schema() show the schema sent)"
        ),
    },
)
