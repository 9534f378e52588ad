"""A raw HTTP/1.1 client (it sends anything: odd header bytes, lying Content-Lengths, half bodies)
and the campaign that sends the corpus to a hub and keeps the figures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.fuzz.corpus import Case

HANG_S = 5.0  # an answer later than this is a hang


@dataclass
class Figures:
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)  # labels of 5xx answers
    hangs: list[str] = field(default_factory=list)  # labels of requests with no answer in HANG_S
    max_latency_s: float = 0.0
    health_failures: int = 0
    sessions_seen: list[str] = field(default_factory=list)  # web chat session ids the hub issued
    by_route: dict[str, dict[int, int]] = field(default_factory=dict)

    def record(self, label: str, status: int, elapsed: float, route: str = "other") -> None:
        self.sent += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        counts = self.by_route.setdefault(route, {})
        counts[status] = counts.get(status, 0) + 1
        self.max_latency_s = max(self.max_latency_s, elapsed)
        if status >= 500:
            self.server_errors.append(f"{label}: {status}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


async def raw_request(port: int, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
    """One request on its own connection; the status code (0: the hub closed without answering).
    The body is written while the answer is read: a hub that refuses a large body early (413)
    and closes must not turn into a reset that loses its answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        if body or method == "POST":
            head.append(f"Content-Length: {len(body)}")
        head += [f"{k}: {v}" for k, v in headers.items()]
        writer.write("\r\n".join(head).encode("utf-8", "surrogateescape") + b"\r\n\r\n")
        sending = asyncio.create_task(_send_body(writer, body))
        try:
            line = await reader.readline()
            with contextlib.suppress(ConnectionError):
                await reader.read()  # the rest, until the hub closes
        except ConnectionError:
            line = b""
        finally:
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await sending
        parts = line.split()
        return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0
    finally:
        writer.close()


async def _send_body(writer: asyncio.StreamWriter, body: bytes) -> None:
    for start in range(0, len(body), 64 * 1024):
        writer.write(body[start : start + 64 * 1024])
        await writer.drain()


async def send_case(port: int, case: Case, figures: Figures, session: aiohttp.ClientSession) -> None:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(HANG_S if case.frames is None else HANG_S * (len(case.frames) + 1)):
            if case.frames is not None:
                await _ws_session(port, case, figures, session)
                return
            status = await raw_request(port, case.method, case.path, case.headers, case.body)
    except TimeoutError:
        figures.hangs.append(case.label)
        figures.sent += 1
        return
    figures.record(case.label, status, time.perf_counter() - started, _route(case.path))


NAMED = ("/static/", "/admin/static/", "/admin/actions/", "/hooks/")
KNOWN_HOOKS = ("zendesk", "freshdesk", "jsm", "intercom", "chatwoot", "zammad", "orders")


def _route(path: str) -> str:
    """The figures' row: the path, with a name from the request folded into `*`."""
    path = path.split("?")[0]
    for prefix in NAMED:
        if path.startswith(prefix) and path[len(prefix) :] not in KNOWN_HOOKS:
            return prefix + "*"
    return path


async def _ws_session(port: int, case: Case, figures: Figures, session: aiohttp.ClientSession) -> None:
    """Every frame gets an answer (an error frame, a reply, or a close for an oversize frame)."""
    assert case.frames is not None
    pending = list(case.frames)
    while pending:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws", headers=case.headers) as ws:
            hello = await ws.receive_json()
            figures.sessions_seen.append(hello["session"])
            while pending:
                frame = pending.pop(0)
                started = time.perf_counter()
                if isinstance(frame, bytes):
                    await ws.send_bytes(frame)
                else:
                    await ws.send_str(frame)
                answer = await _answer(ws)
                elapsed = time.perf_counter() - started
                figures.record(
                    f"{case.label} frame", 200 if answer != "closed" else 101, elapsed, "/ws frames"
                )
                if answer == "closed":
                    break


async def _answer(ws: aiohttp.ClientWebSocketResponse) -> str:
    while True:
        message = await ws.receive(timeout=HANG_S)
        if message.type in {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING}:
            return "closed"
        if message.type == aiohttp.WSMsgType.TEXT:
            kind = json.loads(message.data).get("type")
            if kind in {"reply", "error"}:
                return str(kind)


async def healthy(port: int, figures: Figures) -> None:
    status = await raw_request(port, "GET", "/healthz", {}, b"")
    if status != 200:
        figures.health_failures += 1
