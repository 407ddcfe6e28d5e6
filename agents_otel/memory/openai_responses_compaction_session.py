"""The SDK's ``agents.memory.openai_responses_compaction_session`` path: a session that compacts its history with
the Responses API, and the helpers its hooks use."""

from __future__ import annotations

from ..openai_responses_compaction_session import (
    DEFAULT_COMPACTION_THRESHOLD,
    OpenAIResponsesCompactionSession,
    default_should_trigger_compaction,
    is_openai_model_name,
    select_compaction_candidate_items,
)
from ..session_compaction import OpenAIResponsesCompactionMode

__all__ = [
    "DEFAULT_COMPACTION_THRESHOLD",
    "OpenAIResponsesCompactionMode",
    "OpenAIResponsesCompactionSession",
    "default_should_trigger_compaction",
    "is_openai_model_name",
    "select_compaction_candidate_items",
]
