"""The web chat's edge: other sites cannot open the socket, one address cannot open hundreds,
the session id never reaches a log line, only the page's own files are served, and one size
cap (the hub's) answers long messages politely on every adapter."""

from __future__ import annotations

import base64
import logging

import pytest

from core import messages
from core.errors import ConfigError
from core.http import EdgeLimits
from core.logs import FieldsFormatter, RedactionFilter, redact
from core.settings import Settings
from tests.webhub import web_hub

WAIT = 10  # failure guard only
UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode(),
}


def hub_with(redis, **webchat):  # type: ignore[no-untyped-def]
    return web_hub(redis, webchat=webchat)


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example", "file://"]
)
async def test_other_sites_are_refused_403_before_the_upgrade(redis, origin):
    async with web_hub(redis) as hub:
        response = await hub.client.get("/ws", headers={**UPGRADE, "Origin": origin})
        assert response.status == 403
        assert "Origin not allowed" in (await response.json())["error"]


async def test_same_origin_and_configured_origins_may_open_the_socket(redis):
    async with hub_with(redis, origins=["https://chat.example.com"]) as hub:
        own = str(hub.client.make_url("/")).rstrip("/")
        for origin in (own, "https://chat.example.com"):
            async with hub.client.ws_connect("/ws", headers={"Origin": origin}) as ws:
                assert (await ws.receive_json(timeout=WAIT))["type"] == "hello"
        response = await hub.client.get("/ws", headers={**UPGRADE, "Origin": "https://other.example.com"})
        assert response.status == 403


async def test_one_address_holds_at_most_its_share_of_sockets(redis):
    async with hub_with(redis, limits=EdgeLimits(sockets_per_address=2)) as hub:
        first = await hub.client.ws_connect("/ws")
        second = await hub.client.ws_connect("/ws")
        refused = await hub.client.get("/ws", headers=UPGRADE)
        assert refused.status == 429
        await first.close()
        third = await hub.client.ws_connect("/ws")  # a closed socket frees its slot
        assert (await third.receive_json(timeout=WAIT))["type"] == "hello"
        await second.close()
        await third.close()


async def test_the_session_id_never_reaches_the_log(redis, caplog):
    caplog.set_level(logging.DEBUG)
    async with web_hub(redis) as hub:
        async with hub.client.ws_connect("/ws") as ws:
            session = (await ws.receive_json(timeout=WAIT))["session"]
            for text in ("/about", "hello", "/nosuchcommand"):
                await ws.send_json({"type": "message", "text": text})
                while (await ws.receive_json(timeout=WAIT))["type"] != "reply":
                    pass
            await ws.send_json({"type": "message", "id": "again", "text": "/about"})
            await ws.send_json({"type": "message", "id": "again", "text": "/about"})  # deduplicated, logged
            await ws.send_str("{broken")
            while (await ws.receive_json(timeout=WAIT))["type"] != "error":
                pass
        async with hub.client.ws_connect(f"/ws?session={session}") as ws:  # a reconnect
            await ws.receive_json(timeout=WAIT)
    formatter, redaction = FieldsFormatter("%(name)s %(message)s"), RedactionFilter()
    lines = [formatter.format(r) for r in caplog.records if redaction.filter(r)]  # as the hub logs
    assert any("duplicate event dropped" in line and "event_id=webchat:" in line for line in lines)
    assert not [line for line in lines if session in line]


async def test_only_the_pages_own_files_are_served(redis):
    async with web_hub(redis) as hub:
        assert (await hub.client.get("/static/chat.js")).status == 200
        for name in ("a" * 5000, "..%2f..%2fpyproject.toml", "index.html", "%00", "chat.js%00.png"):
            assert (await hub.client.get("/static/" + name)).status == 404, name[:20]


async def test_a_message_over_the_cap_gets_the_polite_reply_on_web_chat_and_rest(redis):
    async with web_hub(redis) as hub:
        limit = Settings().max_message_chars
        expected = messages.TOO_LONG.format(limit=limit)
        async with hub.client.ws_connect("/ws") as ws:
            await ws.receive_json(timeout=WAIT)
            await ws.send_json({"type": "message", "text": "x" * (limit + 1)})
            while (frame := await ws.receive_json(timeout=WAIT))["type"] != "reply":
                pass
        assert frame["text"] == expected and frame["notice"] is True
        answer = await (await hub.post("y" * (limit + 1))).json()
        assert answer["outcome"] == "too_long"
        assert answer["replies"] == [{"text": expected, "notice": True}]
        answer = await (await hub.post("z" * limit)).json()  # at the cap: answered normally
        assert answer["outcome"] == "replied"


def test_origins_and_limits_come_from_the_environment_and_bad_values_name_the_key():
    settings = Settings.from_env(
        {
            "SWITCHBOARD_WEBCHAT_ORIGINS": "https://Chat.Example.com/, http://localhost:3000",
            "SWITCHBOARD_MAX_MESSAGE_CHARS": "500",
        }
    )
    assert settings.webchat_origins == ("https://chat.example.com", "http://localhost:3000")
    assert settings.max_message_chars == 500
    with pytest.raises(ConfigError, match="SWITCHBOARD_WEBCHAT_ORIGINS: 'chat.example.com' is not an origin"):
        Settings.from_env({"SWITCHBOARD_WEBCHAT_ORIGINS": "chat.example.com"})
    with pytest.raises(ConfigError, match="SWITCHBOARD_READYZ_TIMEOUT"):
        Settings.from_env({"SWITCHBOARD_READYZ_TIMEOUT": "soon"})


def test_log_redaction_keeps_transport_addresses_and_still_masks_phone_numbers():
    for line in ("Error handling request from 127.0.0.1", "peer 127.0.0.1:54321", "('10.1.2.3', 54321)"):
        assert redact(line) == line
    assert redact("call me on +44 20 7946 0958") == "call me on [REDACTED PHONE]"
    line = '"GET /ws?session=d16668a5cf814381a906400f5d1cf40c HTTP/1.1" 101'
    assert redact(line) == '"GET /ws?session=[REDACTED] HTTP/1.1" 101'
    assert (
        redact("/slack/oauth_redirect?code=123.456&state=abc")
        == "/slack/oauth_redirect?code=[REDACTED]&state=[REDACTED]"
    )
