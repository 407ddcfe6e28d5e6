"""The Resource of the providers this package installs, with a ``service.name`` worth reading.

Left to itself the SDK names every process ``unknown_service:python``, so in a backend all examples, scripts and
services collapse into one entry. Ours defaults to the program's name (``demo`` for ``python examples/demo.py``,
the package for ``python -m pkg``, ``agents-otel`` for the CLI), falling back to ``agents_otel``. Precedence,
highest first: ``configure_tracing(service_name=...)``, ``OTEL_SERVICE_NAME``, ``service.name`` in
``OTEL_RESOURCE_ATTRIBUTES``, then this default.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.util.types import AttributeValue

FALLBACK_SERVICE_NAME = "agents_otel"
_SDK_DEFAULT_PREFIX = "unknown_service"
_NOT_A_PROGRAM = {"", "-c", "-m", "-", "__main__", "python", "python3", "ipykernel_launcher"}


def default_service_name(argv0: str | None = None) -> str:
    """The program's name from ``sys.argv[0]`` (``argv0`` for tests), else :data:`FALLBACK_SERVICE_NAME`."""
    raw = argv0 if argv0 is not None else (sys.argv[0] if sys.argv else "")
    path = Path(raw)
    name = path.stem
    if name == "__main__" and path.parent.name:  # python -m package: argv[0] is package/__main__.py
        name = path.parent.name
    return name if name not in _NOT_A_PROGRAM else FALLBACK_SERVICE_NAME


def build_resource(
    service_name: str | None = None, attributes: Mapping[str, AttributeValue] | None = None
) -> Resource:
    """``Resource.create`` (detectors, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_SERVICE_NAME``) with our default name."""
    merged: dict[str, AttributeValue] = dict(attributes or {})
    if service_name is not None:
        merged[SERVICE_NAME] = service_name
    resource = Resource.create(merged)
    current = resource.attributes.get(SERVICE_NAME)
    if not isinstance(current, str) or current.startswith(_SDK_DEFAULT_PREFIX):
        resource = resource.merge(Resource({SERVICE_NAME: default_service_name()}))
    return resource


__all__ = ["FALLBACK_SERVICE_NAME", "build_resource", "default_service_name"]
