"""The web chat's /ws protocol, spoken by a real aiohttp client to a running hub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from adapters.webchat.adapter import conversation_of
from core.events import ConversationRef, Reply
from tests import slow_skills
from tests.webhub import SKILLS, web_hub

WAIT = 10  # failure guard only


@pytest.fixture
def slow_gate() -> Iterator[tuple[asyncio.Event, asyncio.Event]]:
    with slow_skills.gate() as events:
        yield events


@asynccontextmanager
async def socket(hub, session: str = "") -> AsyncIterator[tuple[aiohttp.ClientWebSocketResponse, str]]:
    query = f"?session={session}" if session else ""
    async with hub.client.ws_connect(f"/ws{query}") as ws:
        hello = await ws.receive_json(timeout=WAIT)
        assert hello["type"] == "hello"
        yield ws, hello["session"]


async def next_of(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict:
    """The next frame of type `kind`, skipping others (typing frames come and go)."""
    while True:
        frame = await ws.receive_json(timeout=WAIT)
        if frame["type"] == kind:
            return frame


async def test_hello_then_typing_then_reply(redis):
    async with web_hub(redis) as hub, socket(hub) as (ws, session):
        assert len(session) >= 8
        await ws.send_json({"type": "message", "id": "c1", "text": "/about"})
        frames = [await ws.receive_json(timeout=WAIT) for _ in range(3)]
    kinds = [(f["type"], f.get("active")) for f in frames]
    assert kinds == [("typing", True), ("typing", False), ("reply", None)]
    reply = frames[2]
    assert reply["text"].startswith("I'm webbot") and reply["notice"] is False
    assert reply["in_reply_to"] == "c1" and reply["id"]


async def test_bad_frames_get_readable_errors_and_the_socket_stays_usable(redis):
    async with web_hub(redis) as hub, socket(hub) as (ws, _session):
        bad = [
            ("not json at all", "not valid JSON"),
            ('["a", "list"]', "Unknown frame type"),
            ('{"type": "shout", "text": "hi"}', "Unknown frame type"),
            ('{"type": "message", "text": "   "}', "Type a message first"),
            ('{"type": "message", "text": 42}', "Type a message first"),
            ('{"type": "message", "text": "\\ud800 hi"}', "lone surrogate"),
            ("[" * 30_000 + "]" * 30_000, "nested deeper than 32 levels"),
        ]
        for raw, expected in bad:
            await ws.send_str(raw)
            frame = await ws.receive_json(timeout=WAIT)
            assert frame["type"] == "error" and expected in frame["text"], raw[:30]
        await ws.send_bytes(b"\x00\x01")
        assert "not binary" in (await ws.receive_json(timeout=WAIT))["text"]
        await ws.send_json({"type": "message", "text": "/about"})
        assert (await next_of(ws, "reply"))["text"].startswith("I'm webbot")


async def test_replies_wait_in_the_outbox_until_the_session_reconnects(redis):
    async with web_hub(redis) as hub:
        async with socket(hub) as (_ws, session):
            pass
        for n in range(3):
            await hub.assembly.hub.send(
                Reply(f"while you were away {n}", ConversationRef("webchat", conversation_of(session)))
            )
        async with socket(hub, session) as (ws, same):
            assert same == session
            texts = [(await next_of(ws, "reply"))["text"] for _ in range(3)]
        assert texts == [f"while you were away {n}" for n in range(3)]
        async with socket(hub, session) as (ws, _):  # delivered once, not again
            await ws.send_json({"type": "message", "text": "/about"})
            assert (await next_of(ws, "reply"))["text"].startswith("I'm webbot")


async def test_answer_to_a_turn_finished_while_disconnected_arrives_on_reconnect(redis, slow_gate):
    started, release = slow_gate
    async with web_hub(redis, skills=[*SKILLS, "tests.slow_skills"]) as hub:
        async with socket(hub) as (ws, session):
            await ws.send_json({"type": "message", "id": "s1", "text": "/slow"})
            await asyncio.wait_for(started.wait(), WAIT)
        release.set()
        async with socket(hub, session) as (ws, _):
            reply = await next_of(ws, "reply")
    assert reply["text"] == slow_skills.ANSWER


async def test_every_tab_of_a_session_sees_the_answer_and_resends_are_answered_once(redis):
    async with web_hub(redis) as hub, socket(hub) as (tab1, session), socket(hub, session) as (tab2, _):
        for _ in range(2):  # the browser resends a frame after a reconnect: same id
            await tab1.send_json({"type": "message", "id": "dup-1", "text": "/about"})
        first = await next_of(tab1, "reply")
        assert (await next_of(tab2, "reply"))["id"] == first["id"]
        await tab1.send_json({"type": "message", "id": "next", "text": "/help"})
        following = await next_of(tab1, "reply")
        assert "Here is what I can do" in following["text"]  # not a second /about answer


async def test_shutdown_closes_sockets_and_later_messages_get_a_restart_notice(redis):
    async with web_hub(redis) as hub:
        async with socket(hub) as (ws, _):
            await hub.webchat.stop()  # what hub.stop() does once turns in flight are done
            closed = await ws.receive(timeout=WAIT)
            assert closed.type in {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED}
            assert ws.close_code == 1001
        async with socket(hub) as (ws, _):  # the page reconnects while the server winds down
            await ws.send_json({"type": "message", "text": "/about"})
            frame = await ws.receive_json(timeout=WAIT)
    assert frame["type"] == "error" and "restarting" in frame["text"]
