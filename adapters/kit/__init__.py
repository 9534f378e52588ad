"""Machinery every adapter shares (verification, the verified route, the HTTP client, ...).

Imports `core`, aiohttp, redis and cryptography only: never a chat SDK."""
