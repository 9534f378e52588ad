"""OAuth v2 install end to end against FakeSlack: the second workspace is answered with its own
token, and no token is stored in Redis in the clear."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

from tests.slack.payloads import load

KEY = base64.b64encode(bytes(range(32))).decode()


def oauth_config(slackkit):  # type: ignore[no-untyped-def]
    return slackkit.config(
        {
            "SLACK_CLIENT_ID": "client-1",
            "SLACK_CLIENT_SECRET": "client-secret",
            "SWITCHBOARD_SLACK_TOKEN_KEY": KEY,
            "SWITCHBOARD_SLACK_AUTHORIZE_URL": f"{slackkit.fake.base}/oauth/v2/authorize",
        }
    )


async def install(hub, code: str = "code-for-t2", *, state: str | None = None, cookie: str | None = None):  # type: ignore[no-untyped-def]
    async with hub.session.get(hub.url + "/slack/install", allow_redirects=False) as response:
        assert response.status == 302
        location = response.headers["Location"]
        issued = response.cookies["slack_oauth_state"].value
    query = parse_qs(urlparse(location).query)
    assert query["client_id"] == ["client-1"] and "chat:write" in query["scope"][0]
    assert query["state"] == [issued]
    params = {"code": code, "state": state or issued}
    headers = {"Cookie": f"slack_oauth_state={cookie or issued}"}
    async with hub.session.get(hub.url + "/slack/oauth_redirect", params=params, headers=headers) as response:
        return response.status, await response.text()


async def test_second_workspace_is_answered_with_its_own_token(slackkit):
    hub = await slackkit.build(oauth_config(slackkit))
    status, page = await install(hub)
    assert status == 200 and "installed in Globex" in page

    keys = [k async for k in hub.assembly.redis.scan_iter("*")]
    values = [str(await hub.assembly.redis.hgetall(k)) for k in keys if k.startswith("sb:slack:install")]
    assert values and not any("xoxb-two" in v for v in values)

    second = load("app_mention")
    second["team_id"] = second["event"]["team"] = "T2"
    second["event_id"] = "Ev0T2MENTION"
    second["event"]["text"] = "<@UBOT2> /about"
    await hub.event(second)
    first = load("message_im")
    first["event"]["text"] = "/about"
    await hub.event(first)
    await slackkit.fake.wait_for(lambda: len(slackkit.fake.posts()) == 2)
    tokens = {p.args["channel"]: p.token for p in slackkit.fake.posts()}
    assert tokens == {"C0LAN2Q65": "xoxb-two", "D024BE91L": "xoxb-one"}
    assert (await hub.adapter.status())["installations"] == 1


async def test_forged_state_installs_nothing(slackkit):
    hub = await slackkit.build(oauth_config(slackkit))
    status, page = await install(hub, state="forged", cookie="forged")
    assert status == 400 and "expired" in page
    status, _ = await install(hub, cookie="another-browser")
    assert status == 400
    assert (await hub.adapter.status())["installations"] == 0
    assert slackkit.fake.of("oauth.v2.access") == []


async def test_refused_code_is_a_clear_page(slackkit):
    hub = await slackkit.build(oauth_config(slackkit))
    status, page = await install(hub, code="stolen-code")
    assert status == 400 and "did not accept" in page
    assert (await hub.adapter.status())["installations"] == 0


async def test_event_from_a_workspace_without_installation_is_acked_and_dropped(slackkit):
    oauth_only = {
        "SLACK_BOT_TOKEN": "",
        "SLACK_CLIENT_ID": "client-1",
        "SLACK_CLIENT_SECRET": "client-secret",
    }
    hub = await slackkit.build(slackkit.config({**oauth_only, "SWITCHBOARD_SLACK_TOKEN_KEY": KEY}))
    stranger = load("app_mention")
    stranger["team_id"] = stranger["event"]["team"] = "T3"
    status, _ = await hub.event(stranger)
    await hub.settle()
    assert status == 200 and hub.events_received() == 0 and slackkit.fake.posts() == []
