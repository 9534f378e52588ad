"""The `Origin` check for browser-facing endpoints (the web chat socket, forms): a page on
another site must not be able to talk to the hub in its visitor's name (cross-site WebSocket
hijacking, CSRF). Same-origin is allowed, plus the origins the deployment lists."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normal_origin(value: str) -> str | None:
    """`scheme://host[:port]` in lower case with the default port dropped; None if not one."""
    if not value.isascii() or any(c in value for c in " \t\r\n\\@"):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in DEFAULT_PORTS or not host or parts.path not in ("", "/") or parts.query:
        return None
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def origin_allowed(origin: str | None, *, scheme: str, host: str, allowed: Iterable[str] = ()) -> bool:
    """No `Origin` header (a program, not a browser) passes; `null` and other sites do not."""
    if origin is None:
        return True
    given = normal_origin(origin)
    if given is None:
        return False
    own = normal_origin(f"{scheme}://{host}")
    return given == own or given in set(allowed)
