"""The SDK's ``agents.models.openai_agent_registration`` path: the agent harness a run is registered under.

The resolution helpers the SDK's providers call (``resolve_openai_*``, ``add_openai_harness_id_to_metadata``) are
its internals and are not kept: the run adds the harness id to its workflow span itself.
"""

from __future__ import annotations

from ..openai_registration import (
    HARNESS_METADATA_KEY,
    OpenAIAgentRegistrationConfig,
    set_default_openai_agent_registration,
)

OPENAI_HARNESS_ID_TRACE_METADATA_KEY = HARNESS_METADATA_KEY
set_default_openai_agent_registration_config = set_default_openai_agent_registration

__all__ = [
    "OPENAI_HARNESS_ID_TRACE_METADATA_KEY",
    "OpenAIAgentRegistrationConfig",
    "set_default_openai_agent_registration_config",
]
