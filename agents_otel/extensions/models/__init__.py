"""The SDK's ``agents.extensions.models``: models on other providers' SDKs, each in its own module
(``agents_otel.extensions.models.litellm_model``, ``any_llm_model``), so the provider's package is imported only by
code that asks for it.
"""
