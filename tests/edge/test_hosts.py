"""DNS rebinding and connection floods at the edge: browser pages (web chat, admin dashboard)
are served only for the host names the hub serves, and one client address cannot hold more
than its share of TCP connections."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from core.errors import ConfigError
from core.http import SERVED, ConnectionGuard, EdgeLimits
from core.http.hosts import LOOPBACK_NAMES, host_allowed
from core.metrics import Metrics
from core.server import build_app
from core.settings import Settings
from tests.edge.test_webchat_edge import UPGRADE
from tests.webhub import web_hub

WAIT = 5  # failure guard only
REBOUND = "evil.example:8080"  # a site whose name now resolves to 127.0.0.1


async def test_a_rebound_site_gets_no_page_and_no_socket_but_loopback_names_do(redis):
    async with web_hub(redis) as hub:  # bound to loopback: localhost, 127.0.0.1, ::1
        for path in ("/", "/static/chat.js", "/favicon.ico"):
            refused = await hub.client.get(path, headers={"Host": REBOUND})
            assert refused.status == 403, path
            assert "SWITCHBOARD_ALLOWED_HOSTS" in (await refused.json())["error"]
        upgrade = {**UPGRADE, "Host": REBOUND, "Origin": f"http://{REBOUND}"}  # "same-origin" to itself
        assert (await hub.client.get("/ws", headers=upgrade)).status == 403
        for host in (None, "localhost:8080", "[::1]:8080"):
            headers = {"Host": host} if host else {}
            assert (await hub.client.get("/", headers=headers)).status == 200, host
        # not browser pages: health, and the REST API (its token is the check) stay reachable
        assert (await hub.client.get("/healthz", headers={"Host": REBOUND})).status == 200
        assert (await hub.post("/help")).status == 200


def test_allowed_hosts_come_from_the_environment_and_default_to_loopback_on_loopback():
    assert Settings.from_env({}).limits.allowed_hosts == LOOPBACK_NAMES
    assert Settings.from_env({"SWITCHBOARD_HTTP_HOST": "0.0.0.0"}).limits.allowed_hosts == ()
    listed = Settings.from_env({"SWITCHBOARD_ALLOWED_HOSTS": "Chat.Example.com, 10.0.0.5:8080"})
    assert listed.limits.allowed_hosts == ("chat.example.com", "10.0.0.5")
    assert Settings.from_env({"SWITCHBOARD_ALLOWED_HOSTS": "*"}).limits.allowed_hosts == ()
    with pytest.raises(ConfigError, match="SWITCHBOARD_ALLOWED_HOSTS"):
        Settings.from_env({"SWITCHBOARD_ALLOWED_HOSTS": "https://chat.example.com/x"})
    assert not host_allowed("127.0.0.1.evil.example", LOOPBACK_NAMES)
    assert not host_allowed("localhost:bad", LOOPBACK_NAMES)
    assert host_allowed("anything.example", ())  # an empty list: any host


async def test_one_address_holds_at_most_its_share_of_connections():
    limits = EdgeLimits(connections_per_address=3)
    app = build_app(metrics=Metrics(), ready_checks={}, limits=limits)
    served = app[SERVED] = set()
    runner = web.AppRunner(app, **limits.server_options())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert runner.server is not None
    guard = ConnectionGuard(runner.server, served, 30, per_address=limits.connections_per_address)
    guard.start()
    port = runner.addresses[0][1]
    try:
        opened = [await asyncio.open_connection("127.0.0.1", port) for _ in range(5)]
        for reader, _writer in opened[3:]:  # over the cap: closed as they arrive
            assert await asyncio.wait_for(reader.read(), WAIT) == b""
        assert guard.refused == 2
        reader, writer = opened[0]
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # the first ones are served
        assert (await asyncio.wait_for(reader.readline(), WAIT)).startswith(b"HTTP/1.1 200")
        for _reader, writer in opened[:3]:
            writer.close()
        while runner.server.connections:  # their slots come back
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await asyncio.wait_for(reader.readline(), WAIT)).startswith(b"HTTP/1.1 200")
        writer.close()
    finally:
        await guard.stop()
        await runner.cleanup()
