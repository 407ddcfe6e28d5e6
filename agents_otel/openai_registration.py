"""The SDK's OpenAI agent registration: a harness id that runs record in their trace metadata.

As in the SDK, the id comes from ``set_default_openai_agent_registration(...)`` / ``set_default_openai_harness(...)``,
else from the ``OPENAI_AGENT_HARNESS_ID`` environment variable; a run then carries it as the trace metadata key
``agent_harness_id`` unless ``RunConfig.trace_metadata`` already has that key. Here trace metadata is the
``invoke_workflow`` span's attributes (see ``tracing.workflow``), so a configured harness id gives each top-level
run that span, with the id on it. Read once per run, never per tool call.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .exceptions import UserError

HARNESS_ENV = "OPENAI_AGENT_HARNESS_ID"
HARNESS_METADATA_KEY = "agent_harness_id"


@dataclass(frozen=True)
class OpenAIAgentRegistrationConfig:
    """The SDK's agent registration settings: ``harness_id`` names the agent harness the runs belong to."""

    harness_id: str | None


_default: OpenAIAgentRegistrationConfig | None = None


def set_default_openai_agent_registration(config: OpenAIAgentRegistrationConfig | Mapping[str, Any] | None) -> None:
    """As in the SDK: the registration every run uses unless ``None`` (then ``OPENAI_AGENT_HARNESS_ID`` applies)."""
    global _default
    _default = None if config is None else _coerce(config)


def set_default_openai_harness(harness_id: str | None) -> None:
    """As in the SDK: ``set_default_openai_agent_registration(OpenAIAgentRegistrationConfig(harness_id))``;
    ``None`` clears it."""
    set_default_openai_agent_registration(None if harness_id is None else OpenAIAgentRegistrationConfig(harness_id))


def harness_id() -> str | None:
    """The configured harness id (the default's, else the environment's), stripped; ``None`` when none is set."""
    for candidate in (_default.harness_id if _default is not None else None, os.environ.get(HARNESS_ENV)):
        if candidate is not None and candidate.strip():
            return candidate.strip()
    return None


def resolve_registration(config: OpenAIAgentRegistrationConfig | Mapping[str, Any] | None) -> (
    OpenAIAgentRegistrationConfig | None
):
    """A provider's registration as the SDK resolves it when the provider is made: the given harness id, else the
    default's, else the environment's (each stripped); ``None`` when none is set."""
    given = _coerce(config) if config is not None else None
    for candidate in (given.harness_id if given is not None else None, harness_id()):
        if candidate is not None and candidate.strip():
            return OpenAIAgentRegistrationConfig(candidate.strip())
    return None


def provider_harness_id(provider: object) -> str | None:
    """The harness id a run's ``model_provider`` carries (an ``OpenAIProvider``'s ``agent_registration``, or that
    of a ``MultiProvider``'s ``openai_provider``), as the SDK looks it up."""
    for _ in range(8):  # a chain of wrapping providers, never a cycle
        registration = getattr(provider, "agent_registration", None)
        found = getattr(registration, "harness_id", None)
        if isinstance(found, str) and found.strip():
            return found.strip()
        inner = getattr(provider, "openai_provider", None)
        if inner is None or inner is provider:
            return None
        provider = inner
    return None


def with_harness(metadata: dict[str, Any] | None, provider: object = None) -> dict[str, Any] | None:
    """A run's trace metadata with the harness id added, as the SDK adds it (an existing key wins): the run's
    ``model_provider``'s registration first, then the process default's."""
    found = (provider_harness_id(provider) if provider is not None else None) or harness_id()
    if found is None or (metadata is not None and HARNESS_METADATA_KEY in metadata):
        return metadata
    return {**(metadata or {}), HARNESS_METADATA_KEY: found}


def _coerce(config: object) -> OpenAIAgentRegistrationConfig:
    if isinstance(config, OpenAIAgentRegistrationConfig):
        found = config
    elif isinstance(config, Mapping):
        names = {f.name for f in dataclasses.fields(OpenAIAgentRegistrationConfig)}
        unknown = sorted(str(k) for k in config if k not in names)
        if unknown:
            raise UserError(f"OpenAI agent registration: unknown keys {unknown} (known: {sorted(names)})")
        found = OpenAIAgentRegistrationConfig(harness_id=config.get("harness_id"))
    else:
        raise UserError(
            f"OpenAI agent registration must be an OpenAIAgentRegistrationConfig, a dict or None, got {config!r}"
        )
    if found.harness_id is not None and not isinstance(found.harness_id, str):
        raise UserError(f"OpenAI agent registration: harness_id must be a str or None, got {found.harness_id!r}")
    return found
