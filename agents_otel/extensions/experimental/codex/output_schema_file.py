"""A turn's output schema as the file ``codex exec --output-schema`` reads, removed when the turn ends."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ....exceptions import UserError


@dataclass
class OutputSchemaFile:
    schema_path: str | None
    """``None`` when the turn has no schema."""
    cleanup: Callable[[], None]
    """Removes the file and its private directory; safe to call more than once."""


def create_output_schema_file(schema: dict[str, Any] | None) -> OutputSchemaFile:
    if schema is None:
        return OutputSchemaFile(schema_path=None, cleanup=lambda: None)
    if not isinstance(schema, dict):
        raise UserError(f"output_schema must be a plain JSON object (a dict), got {type(schema).__name__}")
    directory = tempfile.mkdtemp(prefix="codex-output-schema-")
    path = os.path.join(directory, "schema.json")

    def cleanup() -> None:
        shutil.rmtree(directory, ignore_errors=True)

    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(schema, handle)
    except BaseException:
        cleanup()
        raise
    return OutputSchemaFile(schema_path=path, cleanup=cleanup)
