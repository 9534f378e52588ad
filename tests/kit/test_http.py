"""The kit's HTTP client against a scripted API on 127.0.0.1: what the platform sees, and waits."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from email.utils import formatdate
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.kit.http import HttpClient, HttpError, RateLimited, RetryPolicy, SharedSession, retry_after


class ScriptedApi:
    """Answers each request with the next scripted (status, headers, body); records every call."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str], Any]] = []
        self.calls: list[tuple[str, str, Any]] = []
        self.stored: list[Any] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        self.calls.append((request.method, request.path, body))
        status, headers, answer = self.script.pop(0) if self.script else (200, {}, {"ok": True})
        if request.method == "POST" and status in {200, 201, 500}:
            self.stored.append(body)  # a 500 after storing: the write landed
        return web.json_response(answer, status=status, headers=headers)


@pytest.fixture
async def api() -> AsyncIterator[tuple[ScriptedApi, HttpClient, list[float]]]:
    fake = ScriptedApi()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    session = SharedSession()
    client = HttpClient(session, f"http://127.0.0.1:{server.port}", platform="test", sleep=sleep)
    yield fake, client, waits
    await session.close()
    await server.close()


async def test_429_retry_after_seconds_is_waited_once(api):
    fake, client, waits = api
    fake.script = [(429, {"Retry-After": "2"}, {"error": "slow down"})]
    result = await client.request("POST", "/notes", json={"n": 1})
    assert result.status == 200 and waits == [2.0]
    assert [c[0] for c in fake.calls] == ["POST", "POST"] and fake.stored == [{"n": 1}]


async def test_429_retry_after_http_date(api):
    fake, client, waits = api
    fake.script = [(429, {"Retry-After": formatdate(time.time() + 5, usegmt=True)}, {})]
    await client.get("/tickets/1")
    assert len(waits) == 1 and 3.0 <= waits[0] <= 5.0


async def test_429_without_retry_after_uses_the_reset_header(api):
    fake, client, waits = api  # Intercom: X-RateLimit-Reset is an epoch second
    fake.script = [(429, {"X-RateLimit-Reset": str(int(time.time()) + 4)}, {})]
    await client.get("/conversations/1")
    assert len(waits) == 1 and 2.0 <= waits[0] <= 4.0


async def test_a_wait_longer_than_the_budget_is_raised_for_later(api):
    fake, client, waits = api
    fake.script = [(429, {"Retry-After": "3600"}, {})]
    with pytest.raises(RateLimited) as caught:
        await client.request("POST", "/notes", json={"n": 1})
    assert caught.value.retry_after == 3600 and waits == [] and len(fake.calls) == 1


async def test_idempotent_calls_retry_5xx_with_jittered_backoff(api):
    fake, client, waits = api
    fake.script = [(503, {}, {}), (502, {}, {})]
    result = await client.get("/tickets/1")
    assert result.data == {"ok": True} and len(fake.calls) == 3
    assert len(waits) == 2 and 0 <= waits[0] <= 0.5 and 0 <= waits[1] <= 1.0


async def test_a_post_that_landed_before_a_500_is_not_repeated(api):
    fake, client, _ = api
    fake.script = [(500, {}, {"error": "oops"})]
    asked: list[int] = []

    async def find_existing() -> Any:
        asked.append(1)
        return fake.stored[-1] if fake.stored else None

    result = await client.request("POST", "/notes", json={"n": 7}, find_existing=find_existing)
    assert result.recovered and result.data == {"n": 7}
    assert asked == [1] and len(fake.calls) == 1 and fake.stored == [{"n": 7}]


async def test_a_post_that_did_not_land_is_sent_again(api):
    fake, client, waits = api
    fake.script = [(503, {}, {})]  # 503: refused before storing

    async def find_existing() -> Any:
        return None

    result = await client.request("POST", "/notes", json={"n": 8}, find_existing=find_existing)
    assert not result.recovered and len(fake.calls) == 2 and fake.stored == [{"n": 8}] and len(waits) == 1


async def test_a_post_without_find_existing_is_never_repeated_blindly(api):
    fake, client, _ = api
    fake.script = [(500, {}, {"secret": "body text"})]
    with pytest.raises(HttpError) as caught:
        await client.request("POST", "/notes", json={"n": 9})
    assert len(fake.calls) == 1 and "body text" not in str(caught.value) and caught.value.status == 500


async def test_a_put_marked_non_idempotent_is_treated_as_a_write(api):
    fake, client, _ = api  # Zendesk adds a comment with PUT: it is not idempotent
    fake.script = [(500, {}, {})]
    with pytest.raises(HttpError):
        await client.request("PUT", "/tickets/1.json", json={"c": 1}, idempotent=False)
    assert len(fake.calls) == 1


async def test_4xx_is_an_error_at_once(api):
    fake, client, waits = api
    fake.script = [(404, {}, {"error": "RecordNotFound"})]
    with pytest.raises(HttpError) as caught:
        await client.get("/tickets/404")
    assert caught.value.status == 404 and len(fake.calls) == 1 and waits == []


async def test_an_unreachable_platform_is_retried_then_named():
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    session = SharedSession()
    client = HttpClient(session, "http://127.0.0.1:9", sleep=sleep, policy=RetryPolicy(attempts=2))
    with pytest.raises(HttpError, match="cannot connect"):
        await client.request("POST", "/notes", json={})
    assert len(waits) == 1
    await session.close()


def test_retry_after_forms():
    now = 1_700_000_000.0
    assert retry_after({"Retry-After": "7"}, now=now) == 7
    assert retry_after({"Retry-After": formatdate(now + 30, usegmt=True)}, now=now) == pytest.approx(
        30, abs=1
    )
    assert retry_after({"X-RateLimit-Reset": str(int(now) + 12)}, now=now) == 12
    assert retry_after({"X-RateLimit-Reset": "2023-11-14T22:13:40Z"}, now=now) == pytest.approx(20, abs=1)
    assert retry_after({"RateLimit-Reset": "9"}, now=now) == 9
    assert retry_after({"Retry-After": "soon", "X-RateLimit-Reset": "٣"}, now=now) is None
    assert retry_after({}, now=now) is None


async def test_one_session_is_shared_and_closed():
    shared = SharedSession()
    first = shared.get()
    assert shared.get() is first
    await shared.close()
    assert first.closed
