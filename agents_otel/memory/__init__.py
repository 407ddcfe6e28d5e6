"""The SDK's ``agents.memory`` package: sessions (conversation history kept between runs), for SDK imports of it.

The objects are the package root's; this package and its modules only keep the SDK's import paths working.
"""

from __future__ import annotations

from ..openai_conversations_session import OpenAIConversationsSession
from ..openai_responses_compaction_session import OpenAIResponsesCompactionSession
from ..session_compaction import (
    OpenAIResponsesCompactionArgs,
    OpenAIResponsesCompactionAwareSession,
    is_openai_responses_compaction_aware_session,
)
from ..session_mutation import await_session_mutation
from ..session_settings import coerce_session_settings, resolve_session_limit
from ..sessions import Session, SessionABC, SessionInputCallback, SessionSettings, SQLiteSession

__all__ = [
    "OpenAIConversationsSession",
    "OpenAIResponsesCompactionArgs",
    "OpenAIResponsesCompactionAwareSession",
    "OpenAIResponsesCompactionSession",
    "SQLiteSession",
    "Session",
    "SessionABC",
    "SessionInputCallback",
    "SessionSettings",
    "await_session_mutation",
    "coerce_session_settings",
    "is_openai_responses_compaction_aware_session",
    "resolve_session_limit",
]
