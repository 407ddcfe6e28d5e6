"""Run ids and stream tokens stay out of the access log at the levels that ship by default.

A run id is the key to a run for its principal, and an ``events_url`` carries a stream token that reads it; an
INFO access log that ends up in a log pipeline would hand both to whoever reads the logs. This filter, on
uvicorn's ``uvicorn.access`` logger (``create_app`` installs it, so it holds under ``agents-otel serve`` and plain
uvicorn alike; other servers' access logs need their own),
rewrites the logged path: query strings are dropped and the id segment after ``/runs/`` becomes ``{id}``. The
unredacted line is logged at DEBUG on ``agents_otel.server.access``, for when you really need it.
"""

from __future__ import annotations

import logging
import re

_RUN_ID = re.compile(r"(/runs/)[^/?#]+")

debug_logger = logging.getLogger("agents_otel.server.access")


def redact_path(path: str) -> str:
    return _RUN_ID.sub(r"\1{id}", path.partition("?")[0])


class RedactRunIds(logging.Filter):
    """For uvicorn's access records, whose args are ``(client, method, path, http_version, status)``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            if debug_logger.isEnabledFor(logging.DEBUG):
                debug_logger.debug(record.msg, *args)
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def install() -> None:
    """Add the filter to ``uvicorn.access`` once."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactRunIds) for f in access.filters):
        access.addFilter(RedactRunIds())
