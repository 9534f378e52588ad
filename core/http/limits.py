"""The edge's limits in one value, read from the environment by `core.settings`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    max_body_bytes: int = 1_048_576  # refused from Content-Length before reading (413)
    body_timeout_s: float = 10.0  # a body that takes longer to arrive is cut (408)
    header_timeout_s: float = 10.0  # a connection that has not sent its headers by then is closed
    keepalive_timeout_s: float = 15.0  # an idle kept-alive connection is closed
    readyz_timeout_s: float = 1.0  # /readyz answers 503 when a check takes longer
    ws_frame_bytes: int = 64 * 1024  # larger WebSocket frames close the socket (1009)
    sockets_per_address: int = 256  # concurrent WebSockets from one client address
    connections_per_address: int = 512  # open TCP connections from one client address
    allowed_hosts: tuple[str, ...] = ()  # Host names browser pages are served for; () = any

    def server_options(self) -> dict[str, Any]:
        """Keyword arguments for `web.AppRunner` (and aiohttp's TestServer) that match."""
        return {
            "keepalive_timeout": self.keepalive_timeout_s,
            "lingering_time": 1.0,  # reading what a refused client still sends: 1 s at most
            "max_line_size": 8190,
            "max_field_size": 8190,
        }
