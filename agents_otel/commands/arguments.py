"""Argument types the subcommands share, so a bad value is argparse's usage error (exit 2), never a traceback."""

from __future__ import annotations

import argparse


def port_number(text: str) -> int:
    """``--port``: an integer 0..65535, or argparse's usage error (exit 2), never a socket traceback."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535; 0 lets the OS choose)")
    return port
