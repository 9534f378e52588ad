"""The `Host` check for the pages a browser opens (the web chat and the admin dashboard), against
DNS rebinding: a site whose name suddenly resolves to 127.0.0.1 is "same-origin" with itself, so
the `Origin` check alone lets its pages talk to a hub on the visitor's machine. The `Host` header
still names that site, though: only the names the deployment serves pass.

`SWITCHBOARD_ALLOWED_HOSTS` lists them (host names or addresses, no port; `*` for any). Unset, a
hub bound to loopback serves `localhost`, `127.0.0.1` and `::1` only; a hub bound elsewhere
serves any name (set the list when you expose it). Webhooks and the REST API are not browser
pages (they are signed or need a token) and are not checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
BROWSER_PATHS = ("/", "/ws", "/favicon.ico")  # exact paths
BROWSER_PREFIXES = ("/static/", "/admin")  # and everything under these


def host_name(header: str) -> str | None:
    """`Example.COM:8080` → `example.com`, `[::1]:80` → `::1`; None when it is not a host."""
    if not header or not header.isascii() or any(c in header for c in "/\\@ \t?#"):
        return None
    try:
        parts = urlsplit(f"//{header}")
        _ = parts.port  # a bad port is a bad header
    except ValueError:
        return None
    return parts.hostname or None


def default_hosts(bind_host: str) -> tuple[str, ...]:
    """The names a hub serves when the deployment lists none: loopback names on loopback."""
    name = host_name(bind_host) or bind_host
    loopback = name in LOOPBACK_NAMES or name.startswith("127.")
    return LOOPBACK_NAMES if loopback else ()


def parse_hosts(value: str) -> tuple[str, ...] | None:
    """A comma-separated list → host names; `*` → () (any); None when an item is not a host."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if items == ["*"]:
        return ()
    names = []
    for item in items:
        bare_ipv6 = item.count(":") > 1 and not item.startswith("[")
        name = item.lower() if bare_ipv6 else host_name(item)
        if name is None:
            return None
        names.append(name)
    return tuple(dict.fromkeys(names))


def is_browser_path(path: str) -> bool:
    return path in BROWSER_PATHS or path.startswith(BROWSER_PREFIXES)


def host_allowed(header: str | None, allowed: Iterable[str]) -> bool:
    """Whether a browser page may be served for this `Host` (an empty list allows any)."""
    names = tuple(allowed)
    if not names:
        return True
    name = host_name(header or "")
    return name is not None and name in names
