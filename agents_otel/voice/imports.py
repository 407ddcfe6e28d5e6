"""numpy for the voice pipeline, or an error naming the extra that installs it.

Why a module of its own: audio travels through the pipeline as numpy arrays (as in the SDK), but numpy is an
optional dependency — ``import agents_otel`` never loads it; only ``agents_otel.voice`` does, through here, so a
missing numpy fails once, at import, with what to install instead of a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..extensions.errors import ExtensionUnavailableError

try:
    import numpy as np
    import numpy.typing as npt
except ModuleNotFoundError as _exc:  # pragma: no cover - the test venvs have numpy
    raise ExtensionUnavailableError(
        "agents_otel.voice needs numpy: pip install 'agents_otel[voice]'"
    ) from _exc



def websockets_module() -> ModuleType:
    """The ``websockets`` package, imported on first use: only streamed transcription on OpenAI's model (its
    realtime transcription websocket) needs it, so a pipeline that never opens one runs without it."""
    try:
        import websockets
    except ModuleNotFoundError as exc:
        raise ExtensionUnavailableError(
            "streamed transcription on OpenAISTTModel needs websockets: pip install 'agents_otel[voice]'"
        ) from exc
    return websockets


def __getattr__(name: str) -> Any:
    """``websockets``, the SDK's name here (``from agents.voice.imports import websockets``): the package, loaded
    on first use by :func:`websockets_module` (so with its error when it is missing)."""
    if name == "websockets":
        return websockets_module()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["np", "npt", "websockets_module"]  # not websockets: `import *` would load it
