"""The HTTP API against a running aiohttp server: real hub, real adapters, real Redis."""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis

from bots.redis_runner import free_port
from core import messages
from tests.webhub import TOKEN, web_hub

API = "/api/v1/messages"


async def test_message_gets_replies_and_turn_id(redis):
    async with web_hub(redis) as hub:
        response = await hub.post("/about")
        assert response.status == 200
        body = await response.json()
        assert body["outcome"] == "replied"
        assert len(body["turn_id"]) == 32
        assert [r["text"] for r in body["replies"]][0].startswith("I'm webbot")


async def test_free_text_reaches_the_fallback(redis):
    async with web_hub(redis) as hub:
        body = await (await hub.post("summarise the quarterly numbers please")).json()
        assert [r["text"] for r in body["replies"]] == [messages.NO_MODEL]


async def test_without_configured_token_every_request_is_refused(redis, caplog):
    caplog.set_level(logging.WARNING)
    async with web_hub(redis, token=None) as hub:
        body = {"conversation_id": "c", "user_id": "u", "text": "/help"}
        for headers in ({}, hub.auth(), hub.auth(""), {"Authorization": "Bearer anything"}):
            response = await hub.client.post(API, json=body, headers=headers)
            assert response.status == 401
            assert "SWITCHBOARD_API_TOKEN" in (await response.json())["error"]
    assert "Set SWITCHBOARD_API_TOKEN" in caplog.text  # the startup log says how to enable it


async def test_wrong_or_missing_token_is_401(redis):
    async with web_hub(redis) as hub:
        body = {"conversation_id": "c", "user_id": "u", "text": "/help"}
        for headers in (
            {},
            hub.auth("wrong-token"),
            {"Authorization": TOKEN},  # no scheme
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer tökén-ünïcode"},
        ):
            response = await hub.client.post(API, json=body, headers=headers)
            assert response.status == 401, headers
            assert (await response.json())["error"] == "missing or wrong bearer token"
            assert response.headers["Content-Type"].startswith("application/json")


async def test_malformed_json_is_400_naming_the_problem(redis):
    async with web_hub(redis) as hub:
        headers = {**hub.auth(), "Content-Type": "application/json"}
        cases = {
            b"{not json": "body is not valid JSON",
            b"": "body is not valid JSON",
            b"\xff\xfe\x00": "body is not valid UTF-8",
            b"[" * 100_000 + b"]" * 100_000: "JSON nested deeper than 32 levels",
            b'{"text": "\\ud800"}': "a JSON string is not valid Unicode (it contains a lone surrogate)",
        }
        for raw, error in cases.items():
            response = await hub.client.post(API, data=raw, headers=headers)
            assert response.status == 400, raw[:10]
            assert (await response.json())["error"] == error
        response = await hub.client.post(API, json=["a", "list"], headers=hub.auth())
        assert response.status == 400
        assert "JSON object" in (await response.json())["error"]


async def test_missing_or_wrong_fields_are_400_naming_the_field(redis):
    async with web_hub(redis) as hub:
        full = {"conversation_id": "c", "user_id": "u", "text": "hi"}
        for name in full:
            body = {k: v for k, v in full.items() if k != name}
            response = await hub.client.post(API, json=body, headers=hub.auth())
            assert response.status == 400
            assert (await response.json())["error"] == f"missing field '{name}'"
        cases = [
            ({**full, "text": 42}, "field 'text' must be a non-empty string"),
            ({**full, "text": "   "}, "field 'text' must be a non-empty string"),
            ({**full, "user_id": None}, "missing field 'user_id'"),
            ({**full, "conversation_id": "x" * 201}, "field 'conversation_id' is longer than 200"),
            ({**full, "message_id": 7}, "field 'message_id' must be a string"),
        ]
        for body, expected in cases:
            response = await hub.client.post(API, json=body, headers=hub.auth())
            assert response.status == 400
            assert (await response.json())["error"].startswith(expected)


async def test_wrong_content_type_is_415(redis):
    async with web_hub(redis) as hub:
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
            response = await hub.client.post(
                API,
                data=b'{"conversation_id": "c", "user_id": "u", "text": "hi"}',
                headers={**hub.auth(), "Content-Type": content_type},
            )
            assert response.status == 415
            assert "application/json" in (await response.json())["error"]
        # a charset parameter is fine
        response = await hub.client.post(
            API,
            data=b'{"conversation_id": "c", "user_id": "u", "text": "/about"}',
            headers={**hub.auth(), "Content-Type": "application/json; charset=utf-8"},
        )
        assert response.status == 200


async def test_body_over_the_limit_is_413_with_json_body(redis):
    async with web_hub(redis, max_body_bytes=4096) as hub:
        body = {"conversation_id": "c", "user_id": "u", "text": "x" * 5000}
        response = await hub.client.post(API, json=body, headers=hub.auth())
        assert response.status == 413
        answer = await response.json()
        assert answer == {
            "error": "request body too large",
            "limit_bytes": 4096,
            "request_id": response.headers["X-Request-Id"],
        }
        small = await hub.post("/about")
        assert small.status == 200  # the server is fine afterwards


async def test_wrong_method_and_unknown_path_answer_json(redis):
    async with web_hub(redis) as hub:
        response = await hub.client.get(API)
        assert response.status == 405 and "error" in await response.json()
        response = await hub.client.get("/api/v1/nothing-here")
        assert response.status == 404 and "error" in await response.json()


async def test_healthz_and_readyz(redis):
    async with web_hub(redis) as hub:
        response = await hub.client.get("/healthz")
        assert response.status == 200 and (await response.json())["status"] == "ok"
        response = await hub.client.get("/readyz")
        assert response.status == 200
        assert await response.json() == {"status": "ready", "checks": {"redis": "ok"}}


async def test_readyz_is_503_with_a_reason_when_redis_is_unreachable():
    unreachable = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", decode_responses=True)
    try:
        async with web_hub(unreachable) as hub:
            assert (await hub.client.get("/healthz")).status == 200  # alive, just not ready
            response = await hub.client.get("/readyz")
            assert response.status == 503
            body = await response.json()
            assert body["status"] == "not ready"
            assert body["checks"]["redis"].startswith("redis unreachable")
            # a message still gets a polite answer, never a 500
            answer = await hub.post("/about")
            assert answer.status == 200
            assert (await answer.json())["replies"][0][
                "text"
            ] == messages.TEMPORARILY_UNAVAILABLE  # not "went wrong"
    finally:
        await unreachable.aclose()


async def test_metrics_count_without_message_text(redis):
    secret_text = "canary zebra 4111-1111-1111-1111"
    async with web_hub(redis, limits={"user_per_minute": 2}) as hub:
        await hub.post(secret_text, user="alice")
        await hub.post("/about", user="alice", message_id="m-1")
        await hub.post("/about", user="alice", message_id="m-1")  # redelivery
        limited = await (await hub.post("/about", user="alice")).json()
        assert limited["outcome"] == "rate_limited"
        assert "faster than I can answer" in limited["replies"][0]["text"]
        response = await hub.client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    assert 'switchboard_events_received_total{platform="api"} 4.0' in text
    assert 'switchboard_turns_total{outcome="replied",platform="api"} 2.0' in text
    assert 'switchboard_turns_total{outcome="duplicate",platform="api"} 1.0' in text
    assert 'switchboard_events_duplicate_total{platform="api"} 1.0' in text
    assert 'switchboard_events_rate_limited_total{platform="api",scope="user"} 1.0' in text
    assert 'switchboard_turns_duration_seconds_count{platform="api"} 4.0' in text
    assert "zebra" not in text and "4111" not in text


async def test_same_message_id_twice_is_answered_once(redis):
    async with web_hub(redis) as hub:
        first = await (await hub.post("/about", message_id="client-42")).json()
        second = await (await hub.post("/about", message_id="client-42")).json()
        assert first["outcome"] == "replied" and len(first["replies"]) == 1
        assert second["outcome"] == "duplicate" and second["replies"] == first["replies"]  # the same answer


async def test_concurrent_redeliveries_are_answered_once(redis):
    async with web_hub(redis) as hub:
        responses = await asyncio.gather(*(hub.post("/about", message_id="burst") for _ in range(5)))
        bodies = [await r.json() for r in responses]
    assert all(r.status == 200 for r in responses)
    assert sorted(b["outcome"] for b in bodies) == ["duplicate"] * 4 + ["replied"]
    assert sum(len(b["replies"]) for b in bodies) == 1


async def test_a_full_turn_logs_neither_token_nor_text(redis, caplog):
    caplog.set_level(logging.DEBUG)
    async with web_hub(redis) as hub:
        await hub.post("my secret plan is pineapple-71", message_id="log-check")
        await hub.post("/about")
        await hub.client.post(API, json={"text": "pineapple-71"}, headers=hub.auth("wrong"))
    assert caplog.records  # something was logged
    assert TOKEN not in caplog.text
    assert "pineapple" not in caplog.text


async def test_undecodable_authorization_bytes_are_401_not_500(redis):
    async with web_hub(redis) as hub:
        reader, writer = await asyncio.open_connection("127.0.0.1", hub.client.port)
        body = b'{"conversation_id": "c", "user_id": "u", "text": "hi"}'
        head = (
            b"POST /api/v1/messages HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \xff\xfe\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        )
        writer.write(head % len(body) + body)
        await writer.drain()
        answer = await reader.read()
        writer.close()
        await writer.wait_closed()
    assert answer.startswith(b"HTTP/1.1 401 ")
    assert b"missing or wrong bearer token" in answer
