"""The SDK's ``agents.tracing.model_tracing`` path: a run's two tracing settings as one ``ModelTracing`` level."""

from __future__ import annotations

from ..models.interface import ModelTracing


def get_model_tracing_impl(tracing_disabled: bool, trace_include_sensitive_data: bool) -> ModelTracing:
    """The level the SDK derives from ``RunConfig.tracing_disabled`` and ``trace_include_sensitive_data``."""
    if tracing_disabled:
        return ModelTracing.DISABLED
    return ModelTracing.ENABLED if trace_include_sensitive_data else ModelTracing.ENABLED_WITHOUT_DATA


__all__ = ["ModelTracing", "get_model_tracing_impl"]
