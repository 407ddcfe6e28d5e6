"""numpy for the voice pipeline, or an error naming the extra that installs it.

Why a module of its own: audio travels through the pipeline as numpy arrays (as in the SDK), but numpy is an
optional dependency — ``import agents_otel`` never loads it; only ``agents_otel.voice`` does, through here, so a
missing numpy fails once, at import, with what to install instead of a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

from ..extensions.errors import ExtensionUnavailableError

try:
    import numpy as np
    import numpy.typing as npt
except ModuleNotFoundError as _exc:  # pragma: no cover - the test venvs have numpy
    raise ExtensionUnavailableError(
        "agents_otel.voice needs numpy: pip install 'agents_otel[voice]'"
    ) from _exc

__all__ = ["np", "npt"]
