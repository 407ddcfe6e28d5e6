"""The ``agents-otel`` command. Each subcommand lives in ``agents_otel/commands/<name>.py`` and registers itself."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

_COMMANDS = ("traces", "serve", "mcp")


def main(argv: list[str] | None = None) -> int:
    from . import __version__

    parser = argparse.ArgumentParser(prog="agents-otel", description="agents_otel command-line tools")
    parser.add_argument("--version", action="version", version=f"agents-otel {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        module = importlib.import_module(f"agents_otel.commands.{name}")
        module.register(subparsers)
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
