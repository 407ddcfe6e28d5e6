"""The SDK's ``agents.memory.session`` path: the session protocol and its base class."""

from __future__ import annotations

from ..session_compaction import (
    OpenAIResponsesCompactionArgs,
    OpenAIResponsesCompactionAwareSession,
    is_openai_responses_compaction_aware_session,
)
from ..session_mutation import await_session_mutation
from ..sessions import Session, SessionABC

__all__ = [
    "OpenAIResponsesCompactionArgs",
    "OpenAIResponsesCompactionAwareSession",
    "Session",
    "SessionABC",
    "await_session_mutation",
    "is_openai_responses_compaction_aware_session",
]
