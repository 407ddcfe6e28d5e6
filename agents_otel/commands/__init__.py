"""Subcommands of ``agents-otel``: each module defines ``register(subparsers)`` and sets ``handler``."""
