"""Socket Mode: the real slack_sdk SocketModeClient against a fake Socket Mode server, and the
single-holder lock when several hubs run."""

from __future__ import annotations

from tests.slack.fake_slack import APP_TOKEN
from tests.slack.payloads import load


def socket_config(slackkit, **options):  # type: ignore[no-untyped-def]
    return slackkit.config({"SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": APP_TOKEN}, **options)


def envelope(event_payload: dict, envelope_id: str = "env-1") -> dict:
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "payload": event_payload,
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
    }


async def test_events_arrive_over_the_socket_and_are_acked(slackkit):
    hub = await slackkit.build(socket_config(slackkit))
    fake = slackkit.fake
    await fake.wait_for(lambda: len(fake.sockets) == 1)
    assert hub.adapter.routes() == []  # no public endpoint in Socket Mode without a signing secret
    payload = load("app_mention")
    payload["event"]["text"] = "<@UBOT> /about"
    await fake.push(envelope(payload))
    await fake.wait_for(lambda: fake.posts())
    assert {"envelope_id": "env-1"} in fake.acks
    (post,) = fake.posts()
    assert post.args["thread_ts"] == "1515449522.000016" and "I'm testbot" in post.args["text"]


async def test_slash_command_over_the_socket_answers_in_the_ack(slackkit):
    await slackkit.build(socket_config(slackkit))
    fake = slackkit.fake
    await fake.wait_for(lambda: len(fake.sockets) == 1)
    form = {
        "command": "/switchboard",
        "text": "status",
        "user_id": "UADMIN",
        "team_id": "T1",
        "channel_id": "C0LAN2Q65",
        "trigger_id": "123.456.abc",
        "response_url": f"{fake.base}/response/9",
    }
    await fake.push(
        {"envelope_id": "cmd-1", "type": "slash_commands", "payload": form, "accepts_response_payload": True}
    )
    await fake.wait_for(lambda: any(a.get("envelope_id") == "cmd-1" for a in fake.acks))
    (ack,) = [a for a in fake.acks if a["envelope_id"] == "cmd-1"]
    assert ack["payload"]["response_type"] == "ephemeral" and "Status of bot" in ack["payload"]["text"]


async def test_one_hub_holds_the_socket_and_another_takes_over_when_it_dies(slackkit):
    fake = slackkit.fake
    first = await slackkit.build(socket_config(slackkit, lock_ttl_s=1))
    second = await slackkit.build(socket_config(slackkit, lock_ttl_s=1))
    await fake.wait_for(lambda: len(fake.sockets) == 1)
    holders = [h for h in (first, second) if (await h.adapter.status())["socket_holder"]]
    assert len(holders) == 1
    (holder,) = holders
    standby = second if holder is first else first
    await fake.wait_for(lambda: len(fake.of("apps.connections.open")) == 1)

    await holder.adapter._socket.stop(release=False)  # the holder dies without letting go
    await fake.wait_for(lambda: len(fake.of("apps.connections.open")) == 2 and len(fake.sockets) == 1)
    assert (await standby.adapter.status())["socket_holder"]

    payload = load("app_mention")
    payload["event"]["text"] = "<@UBOT> /about"
    await fake.push(envelope(payload, "env-2"))
    await fake.wait_for(lambda: fake.posts())
    await standby.settle()
    assert len(fake.posts()) == 1
