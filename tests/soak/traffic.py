"""The soak's clients: web-chat sessions and REST callers that count what a person would see.

A message is *answered* when a non-notice reply to it arrives, *apologised* when only a notice
does, *duplicated* when more than one non-notice reply to it arrives, *lost* when nothing
arrives before the deadline. A web-chat session whose socket drops (its hub replica was
killed) reconnects to the other replica with the same session id, as the browser does. A REST
caller whose connection drops retries on the other replica with the same `message_id`.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

ANSWER_WAIT_S = 90.0


@dataclass
class Tally:
    sent: int = 0
    answered: int = 0
    apologised: int = 0
    duplicated: int = 0
    lost: int = 0
    server_errors: int = 0
    retries: int = 0
    unsent: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    apologies: dict[str, int] = field(default_factory=dict)

    def apology(self, text: str) -> None:
        self.apologised += 1
        self.apologies[text[:60]] = self.apologies.get(text[:60], 0) + 1

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000) if ordered else 0

        return {
            "sent": self.sent,
            "answered": self.answered,
            "apologised": self.apologised,
            "duplicated": self.duplicated,
            "lost": self.lost,
            "5xx": self.server_errors,
            "retries": self.retries,
            "unsent_at_deadline": self.unsent,
            "p50_ms": pct(0.5),
            "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1000) if ordered else 0,
            "apologies": self.apologies,
            "client_errors": self.errors,
        }


async def _session(bases: list[str], index: int, messages: int, tally: Tally) -> None:
    session = uuid.uuid4().hex
    replies: dict[str, list[dict[str, Any]]] = {}
    try:
        await _converse(bases, index, session, messages, replies, tally)
    finally:  # also when the soak's deadline cancels us: what did not arrive is lost
        _count(replies, messages, tally)


def sent_count(replies: dict[str, list[dict[str, Any]]], messages: int) -> int:
    return sum(1 for number in range(messages) if f"m{number}" in replies)


def _count(replies: dict[str, list[dict[str, Any]]], messages: int, tally: Tally) -> None:
    for number in range(messages):
        if f"m{number}" not in replies:
            if number >= sent_count(replies, messages):
                tally.unsent += 1  # the soak's deadline came before it was sent
                continue
        got = replies.get(f"m{number}", [])
        finals = [r for r in got if not r.get("notice")]
        if len(finals) > 1:
            tally.duplicated += 1
        if finals:
            tally.answered += 1
        elif got:
            tally.apology(got[0]["text"])
        else:
            tally.lost += 1


async def _converse(
    bases: list[str],
    index: int,
    session: str,
    messages: int,
    replies: dict[str, list[dict[str, Any]]],
    tally: Tally,
) -> None:
    target = index % len(bases)
    async with aiohttp.ClientSession() as http:
        for number in range(messages):
            mid = f"m{number}"
            began = time.monotonic()
            sent = False
            deadline = began + ANSWER_WAIT_S
            while time.monotonic() < deadline and not replies.get(mid):  # [] once sent
                try:
                    url = f"{bases[target]}/ws?session={session}"
                    async with http.ws_connect(url, heartbeat=None) as ws:
                        await ws.receive_json(timeout=10)  # hello
                        if not sent:
                            await ws.send_json({"type": "message", "id": mid, "text": f"question {number}"})
                            sent = True
                            replies.setdefault(mid, [])
                            tally.sent += 1
                        await _read_until_answered(ws, mid, replies, deadline)
                        if number == messages - 1:  # a late duplicate would show up here
                            try:
                                await _read_until_answered(ws, "-", replies, time.monotonic() + 1.0)
                            except TimeoutError:
                                pass
                except (aiohttp.ClientError, TimeoutError, ConnectionError, TypeError):
                    target = (target + 1) % len(bases)  # the replica went away: the other one
                    await asyncio.sleep(0.2)
            if any(not r.get("notice") for r in replies.get(mid, [])):
                tally.latencies.append(time.monotonic() - began)


async def _read_until_answered(
    ws: aiohttp.ClientWebSocketResponse, mid: str, replies: dict[str, list[dict[str, Any]]], deadline: float
) -> None:
    while time.monotonic() < deadline:
        message = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
        if message.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError("socket closed")
        frame = message.json()
        if frame.get("type") == "reply":
            replies.setdefault(frame.get("in_reply_to") or "", []).append(frame)
            if frame.get("in_reply_to") == mid:
                return


async def webchat_load(bases: list[str], sessions: int, messages: int, tally: Tally) -> None:
    await asyncio.gather(*(_session(bases, i, messages, tally) for i in range(sessions)))


async def rest_load(bases: list[str], requests: int, in_flight: int, token: str, tally: Tally) -> None:
    slots = asyncio.Semaphore(in_flight)
    headers = {"Authorization": f"Bearer {token}"}

    async def one(index: int) -> None:
        async with slots, aiohttp.ClientSession() as http:
            body = {
                "conversation_id": f"rest-{index}",
                "user_id": f"u{index}",
                "message_id": f"q{index}",
                "text": f"rest question {index}",
            }
            tally.sent += 1
            try:
                await _ask(http, bases, index, body, headers, tally)
            except asyncio.CancelledError:
                tally.lost += 1  # the soak's deadline came first
                raise

    await asyncio.gather(*(one(i) for i in range(requests)))


async def _ask(
    http: aiohttp.ClientSession,
    bases: list[str],
    index: int,
    body: dict[str, Any],
    headers: dict[str, str],
    tally: Tally,
) -> None:
    began = time.monotonic()
    target = index % len(bases)
    attempt = 0
    while time.monotonic() - began < ANSWER_WAIT_S:  # a restarting hub takes a while: keep trying
        attempt += 1
        try:
            async with http.post(
                f"{bases[target]}/api/v1/messages",
                json=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=ANSWER_WAIT_S),
            ) as response:
                if response.status >= 500 and response.status != 503:
                    tally.server_errors += 1
                data = await response.json(content_type=None)
                if response.status == 503:  # shutting down: try the other replica
                    raise ConnectionError("503")
            replies = data.get("replies", [])
            finals = [r for r in replies if not r.get("notice")]
            if len(finals) > 1:
                tally.duplicated += 1
            if finals:
                tally.answered += 1
                tally.latencies.append(time.monotonic() - began)
            elif replies:
                tally.apology(replies[0]["text"])
            else:
                tally.lost += 1  # e.g. "duplicate" with no replies after a retry
            return
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
            tally.retries += 1
            tally.errors[type(exc).__name__] = tally.errors.get(type(exc).__name__, 0) + 1
            target = (target + 1) % len(bases)
            await asyncio.sleep(min(0.3 * attempt, 2.0))
    tally.lost += 1
