"""The listening socket ``agents-otel serve`` binds before uvicorn starts (so its banner names a connectable port).

It is made with ``IPPROTO_TCP`` explicitly: asyncio turns ``TCP_NODELAY`` on for an accepted connection only when
its socket says it is TCP (``proto == IPPROTO_TCP``), and ``socket.create_server`` leaves ``proto`` at 0. Without
it, Nagle's algorithm held each small response back until the client's delayed ACK: 44 ms per request against
0.1 to 0.5 ms for the same app on a socket uvicorn made itself.
"""

from __future__ import annotations

import socket


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A bound, listening TCP socket on ``host:port`` (``port`` 0: the OS picks); raises ``OSError``."""
    family, kind, _, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets on Linux too
        sock.bind(address)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock
