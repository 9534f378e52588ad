"""Platform-free HTTP edge pieces every adapter shares: strict parsing, limits, the middleware."""

from core.http.guard import AddressSlots, ConnectionGuard, quiet_aiohttp_errors
from core.http.limits import EdgeLimits
from core.http.middleware import REQUEST_ID, SERVED, edge_middleware, started
from core.http.parsing import BadInput, check_text, load_json, validate

__all__ = [
    "REQUEST_ID",
    "SERVED",
    "AddressSlots",
    "BadInput",
    "ConnectionGuard",
    "EdgeLimits",
    "check_text",
    "edge_middleware",
    "load_json",
    "quiet_aiohttp_errors",
    "started",
    "validate",
]
