"""`/switchboard <admin command>`: acked in time, run for admins, refused (and audited) for others."""

from __future__ import annotations

import asyncio

from adapters.slack.convert import parse_form
from core.admin import AdminCommand
from core.events import ConversationRef
from tests.slack.payloads import load, raw


def form(text: str, *, user: str = "UADMIN", response_url: str = "") -> dict[str, str]:
    fields = parse_form(raw("slash_command.txt"))
    fields.update(command="/switchboard", text=text, user_id=user, team_id="T1", channel_id="C0LAN2Q65")
    fields["response_url"] = response_url
    return fields


async def test_admin_runs_an_admin_command(slackkit):
    hub = await slackkit.build()
    status, body = await hub.command(form("status"))
    assert status == 200 and body["response_type"] == "ephemeral"
    assert "Status of bot 'testbot'" in body["text"] and "slack" in body["text"]
    (entry,) = await hub.assembly.audit.latest(5)
    assert (entry.user, entry.command, entry.allowed) == ("slack:UADMIN", "status", True)
    assert slackkit.fake.posts() == []  # nothing public in the channel


async def test_non_admin_is_refused_and_audited(slackkit):
    hub = await slackkit.build()
    status, body = await hub.command(form("mute", user="U0MALLORY"))
    assert status == 200 and body["response_type"] == "ephemeral"
    assert "not an admin" in body["text"]
    (entry,) = await hub.assembly.audit.latest(5)
    assert (entry.user, entry.command, entry.allowed) == ("slack:U0MALLORY", "mute", False)
    assert not await hub.assembly.controls.is_muted(ConversationRef("slack", "C0LAN2Q65", workspace_id="T1"))


async def test_slow_work_is_acked_then_answered_through_response_url(slackkit):
    hub = await slackkit.build(slackkit.config(command_ack_s=0.2))
    release = asyncio.Event()

    async def reindex(_ctx) -> str:  # type: ignore[no-untyped-def]
        await release.wait()
        return "Reindexed 42 documents."

    hub.assembly.admin_commands.add(AdminCommand("reindex", "reindex", "slow work", reindex))
    status, body = await hub.command(form("reindex", response_url=f"{slackkit.fake.base}/response/1"))
    assert status == 200 and body == {"response_type": "ephemeral", "text": "Working on it…"}
    assert not release.is_set()  # the ack did not wait for the work
    release.set()
    await slackkit.fake.wait_for(lambda: slackkit.fake.responses)
    (answer,) = slackkit.fake.responses
    assert answer["text"] == "Reindexed 42 documents." and answer["response_type"] == "ephemeral"


async def test_other_commands_and_ssl_check(slackkit):
    hub = await slackkit.build()
    status, body = await hub.command({**form("status"), "command": "/other"})
    assert status == 200 and "/switchboard" in body["text"]
    status, body = await hub.command({"ssl_check": "1", "token": "x"})
    assert (status, body) == (200, None)
    assert await hub.assembly.audit.latest(5) == []


async def test_unsigned_command_is_refused(slackkit):
    hub = await slackkit.build()
    status, _ = await hub.post("/slack/commands", b"command=%2Fswitchboard&text=mute&user_id=UADMIN", {})
    assert status == 401
    assert await hub.assembly.audit.latest(5) == []


async def test_admin_command_by_mention_in_a_channel_is_ephemeral(slackkit):
    hub = await slackkit.build()
    envelope = load("app_mention")
    envelope["event"].update(text="<@UBOT> /status", user="UADMIN")
    await hub.event(envelope)
    await slackkit.fake.wait_for(lambda: slackkit.fake.of("chat.postEphemeral"))
    (ephemeral,) = slackkit.fake.of("chat.postEphemeral")
    assert ephemeral.args["user"] == "UADMIN" and "Status of bot" in ephemeral.args["text"]
    assert slackkit.fake.posts() == []
