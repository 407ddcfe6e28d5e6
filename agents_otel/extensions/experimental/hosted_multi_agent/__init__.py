"""The SDK's ``agents.extensions.experimental.hosted_multi_agent`` is not offered here: importing it fails loudly
rather than leaving SDK code to run without the hosted model it expects."""

from __future__ import annotations

from ...errors import ExtensionUnavailableError

raise ExtensionUnavailableError(
    "agents.extensions.experimental.hosted_multi_agent is not supported by agents_otel yet (see docs/migrating.md); "
    "agents_otel.extensions.experimental.codex is"
)
