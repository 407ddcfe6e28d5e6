"""What the subcommands share: argument types (a bad value is argparse's usage error, exit 2, never a traceback)
and finding the ``MODULE:ATTR`` object they serve."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any


def port_number(text: str) -> int:
    """``--port``: an integer 0..65535, or argparse's usage error (exit 2), never a socket traceback."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535; 0 lets the OS choose)")
    return port


def import_target(target: str, error: type[Exception]) -> Any:
    """The object ``MODULE:ATTR`` names (``ATTR`` may be dotted), or ``error`` saying what is wrong. The current
    directory is importable, as with ``python -m``, so ``myapp:agent`` finds ``myapp.py``."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise error(f"expected MODULE:ATTR (e.g. myapp:agent), got {target!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        value: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise error(f"cannot import {module_name!r}: {exc}") from None
    for part in attr.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise error(f"{module_name!r} has no attribute {attr!r}") from None
    return value
