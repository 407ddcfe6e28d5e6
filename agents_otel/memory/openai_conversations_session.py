"""The SDK's ``agents.memory.openai_conversations_session`` path: a session stored in OpenAI's Conversations API."""

from __future__ import annotations

from ..openai_conversations_session import OpenAIConversationsSession, start_openai_conversations_session

__all__ = ["OpenAIConversationsSession", "start_openai_conversations_session"]
