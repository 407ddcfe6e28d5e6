"""What the third-party model adapters (``LitellmModel``, ``AnyLLMModel``) share and that needs neither package:
``gen_ai.provider.name`` in the GenAI conventions' spelling from the adapter's provider prefix, and closing the
adapter's provider stream however a streamed call ends. Kept apart so each adapter module imports only its own
package, and the two cannot name one provider differently or close their streams differently.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["ANY_LLM_PROVIDER_NAMES", "LITELLM_PROVIDER_NAMES", "close_provider_stream", "genai_spelling"]

logger = logging.getLogger(__name__)

_WELL_KNOWN: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "bedrock": "aws.bedrock",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "gemini": "gcp.gemini",
    "groq": "groq",
    "watsonx": "ibm.watsonx.ai",
    "mistral": "mistral_ai",
    "perplexity": "perplexity",
    "xai": "x_ai",
}
"""Provider prefixes both adapters spell alike, with their well-known ``gen_ai.provider.name`` value."""

LITELLM_PROVIDER_NAMES: dict[str, str] = {
    **_WELL_KNOWN,
    "text-completion-openai": "openai",
    "azure": "azure.ai.openai",  # LiteLLM's azure/ is Azure OpenAI
    "azure_ai": "azure.ai.inference",
    "cohere_chat": "cohere",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
}

ANY_LLM_PROVIDER_NAMES: dict[str, str] = {
    **_WELL_KNOWN,
    "azure": "azure.ai.inference",  # any-llm's azure/ is Azure AI Inference; Azure OpenAI is azureopenai/
    "azureopenai": "azure.ai.openai",
    "vertexai": "gcp.vertex_ai",
}


def genai_spelling(prefix: str, table: dict[str, str]) -> str:
    """The conventions' value for an adapter's provider prefix; a prefix without one (``ollama``) as it is."""
    return table.get(prefix, prefix)


async def close_provider_stream(stream: Any, finished: bool, adapter: str) -> None:
    """Close an adapter's stream. ``finished``: the whole answer arrived, so a failure to close is only logged (the
    answer is complete); before that it is raised, since the call failed anyway and the cause must not be lost."""
    close = getattr(stream, "aclose", None)
    if close is None:  # a stream wrapper without aclose: its response closes when collected
        return
    if not finished:
        await close()
        return
    try:
        await close()
    except Exception as error:
        logger.debug("Closing the %s stream after its complete answer failed: %r", adapter, error)
