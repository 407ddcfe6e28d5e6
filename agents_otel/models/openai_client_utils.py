"""The SDK's ``agents.models.openai_client_utils`` path, kept so an import of the module itself does not fail.

Its two functions (is the client's base URL OpenAI's own?) are the SDK models' internals; the module has no names.
"""

from __future__ import annotations

__all__: list[str] = []
