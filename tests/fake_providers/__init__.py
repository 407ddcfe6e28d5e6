"""Local HTTP servers speaking providers' own APIs, for driving LiteLLM's real provider code in tests.

``FakeAnthropicServer`` answers ``POST /v1/messages`` (Anthropic's Messages API, plain JSON or SSE);
``FakeGeminiServer`` answers ``:generateContent`` / ``:streamGenerateContent`` (Google AI Studio's API). Each takes
scripted answers in order and records every request, so a test asserts what LiteLLM sent on the wire. Point
``LitellmModel(model="anthropic/...", base_url=server.base_url)`` (or ``gemini/...``) at one.
"""

from .anthropic import FakeAnthropicServer
from .base import RecordedRequest
from .gemini import FakeGeminiServer

__all__ = ["FakeAnthropicServer", "FakeGeminiServer", "RecordedRequest"]
