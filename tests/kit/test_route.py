"""The verified route: 413 before reading, 401 before parsing, 415/400 as JSON, then the handler."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.kit.route import MalformedPayload, VerifiedRoute
from adapters.kit.verify import HmacVerifier

VERIFIER = HmacVerifier(b"route-secret", signature_header="X-Sig", prefix="sha256=")


class Recorder:
    def __init__(self) -> None:
        self.payloads: list[Any] = []

    async def handle(self, payload: Any, _request: web.Request) -> dict[str, Any] | None:
        if isinstance(payload, dict) and payload.get("bad"):
            raise MalformedPayload("field 'bad' is set")
        self.payloads.append(payload)
        return {"ok": True}


@pytest.fixture
async def route() -> AsyncIterator[tuple[Recorder, Any]]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_routes([VerifiedRoute("/hooks/x", VERIFIER, recorder.handle, max_body=1024).route()])
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    session = aiohttp.ClientSession()

    async def post(body: bytes, *, sign: bool = True, **headers: str) -> tuple[int, Any]:
        hdrs = {"Content-Type": "application/json", **headers}
        if sign:
            hdrs["X-Sig"] = VERIFIER.sign(body)
        async with session.post(f"http://127.0.0.1:{server.port}/hooks/x", data=body, headers=hdrs) as resp:
            text = await resp.text()
            return resp.status, json.loads(text) if text else None

    yield recorder, post
    await session.close()
    await server.close()


async def test_signed_json_reaches_the_handler(route):
    recorder, post = route
    assert await post(b'{"a": 1}') == (200, {"ok": True})
    assert recorder.payloads == [{"a": 1}]


async def test_oversize_is_413_before_the_signature(route):
    recorder, post = route
    status, body = await post(b'{"a": "' + b"x" * 2000 + b'"}', sign=False)
    assert status == 413 and "1024" in body["error"] and recorder.payloads == []


async def test_oversize_without_content_length_is_413_while_reading(route):
    recorder, post = route

    async def chunks():
        for _ in range(5):
            yield b"x" * 400

    # a chunked body has no Content-Length: the limit holds while reading
    status, _ = await post(chunks(), sign=False)  # type: ignore[arg-type]
    assert status == 413 and recorder.payloads == []


@pytest.mark.parametrize("headers", [{}, {"X-Sig": "sha256=" + "0" * 64}, {"X-Sig": "sha256=é"}])
async def test_unsigned_is_401_and_never_parsed(route, headers):
    recorder, post = route
    status, body = await post(b"{not json", sign=False, **headers)
    assert (status, body) == (401, {"error": "invalid signature"}) and recorder.payloads == []


async def test_signed_but_wrong_media_type_is_415(route):
    recorder, post = route
    status, body = await post(b'{"a": 1}', **{"Content-Type": "text/plain"})
    assert status == 415 and "application/json" in body["error"] and recorder.payloads == []


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b'{"bad": true}'])
async def test_signed_garbage_is_400(route, raw):
    recorder, post = route
    status, body = await post(raw)
    assert status == 400 and body["error"] and recorder.payloads == []
