"""Slash commands over the signed HTTP endpoint and over the gateway."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.kit.verify import Ed25519Verifier
from core.events import Reply, reply_to
from core.pipeline import Turn
from core.skills import AskModel
from tests.discord.conftest import MODEL_BOT, PUBLIC_KEY, signed_headers
from tests.discord.payloads import ASKER_ID, load

# RFC 8032 TEST 1 key and a body signed with it (../shared/FACTS.md).
RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC_BODY = b'{"id":"787053080478613555","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}'
RFC_SIGNATURE = (
    "f0bd878adcef1f6d475c9644421905bd02b5de38e0d3ecfc6f58a711962c69cc"
    "c8dd7c9db312f9bdf08b1e1b8182e27a844da728c5e0dbb5507bf9931c1ed80b"
)


class SlowModel:
    """Answers only when the test says so (longer than the 3 s an interaction may wait)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def submit(self, turn: Turn, ask: AskModel) -> Reply | None:
        await self.release.wait()
        return reply_to(turn.event, "Step 1: check the build. <@&123> @everyone")


def endpoint(discordkit, **options):  # type: ignore[no-untyped-def]
    return discordkit.config({"DISCORD_PUBLIC_KEY": PUBLIC_KEY}, gateway=False, **options)


def test_discords_documented_signature_is_accepted_and_one_byte_more_is_not():
    verifier = Ed25519Verifier(RFC_PUBLIC)
    headers = {"X-Signature-Ed25519": RFC_SIGNATURE, "X-Signature-Timestamp": "1700000000"}
    verifier.verify(headers, RFC_BODY, now=1700000000)
    with pytest.raises(Exception, match="signature"):
        verifier.verify(headers, RFC_BODY + b" ", now=1700000000)
    with pytest.raises(Exception, match="signature"):
        verifier.verify({**headers, "X-Signature-Timestamp": "1700000001"}, RFC_BODY, now=1700000000)


async def test_ping_is_answered_with_pong(discordkit):
    hub = await discordkit.build(endpoint(discordkit))
    status, body = await hub.interaction(load("interaction_ping"))
    assert (status, body) == (200, {"type": 1})


def _tampered(body: bytes) -> dict[str, str]:
    headers = signed_headers(body)
    return {**headers, "X-Signature-Timestamp": str(int(headers["X-Signature-Timestamp"]) - 1)}


@pytest.mark.parametrize(
    "headers_for",
    [
        lambda body: signed_headers(body.replace(b"deploy", b"DEPLOY")),
        _tampered,
        lambda body: signed_headers(body, ts=int(time.time()) - 3600),
        lambda body: {"Content-Type": "application/json"},
        lambda body: {**signed_headers(body), "X-Signature-Ed25519": "zz" * 64},
        lambda body: {**signed_headers(body), "X-Signature-Ed25519": "ab" * 10},
        lambda body: signed_headers(body, key=Ed25519PrivateKey.generate()),
    ],
    ids=["tampered-body", "changed-timestamp", "stale", "no-headers", "non-hex", "short", "other-key"],
)
async def test_bad_signatures_get_401_and_no_turn(discordkit, headers_for):
    hub = await discordkit.build(endpoint(discordkit))
    body = json.dumps(load("interaction_ask")).encode()
    status, answer = await hub.post("/discord/interactions", body, headers_for(body))
    assert status == 401 and answer == {"error": "invalid Discord signature"}
    await hub.settle()
    assert hub.events_received() == 0 and discordkit.fake.calls == discordkit.fake.of("GET")


async def test_signed_garbage_is_a_400(discordkit):
    hub = await discordkit.build(endpoint(discordkit))
    body = b'{"type": 2, "id": "1"}'
    status, answer = await hub.post("/discord/interactions", body, signed_headers(body))
    assert status == 400 and "token" in answer["error"]


async def test_ask_is_deferred_then_answered_as_an_edit_of_the_original(discordkit):
    model = SlowModel()
    hub = await discordkit.build(endpoint(discordkit, command_ack_s=0.1), gateway=model, **MODEL_BOT)
    payload = load("interaction_ask")
    status, body = await hub.interaction(payload)
    assert (status, body) == (200, {"type": 5, "data": {"flags": 0}})
    model.release.set()
    fake = discordkit.fake
    await fake.wait_for(lambda: payload["token"] in fake.originals)
    await hub.settle()
    original = fake.originals[payload["token"]]
    assert original["content"] == "Step 1: check the build. <@&123> @everyone"
    assert original["allowed_mentions"] == {"parse": [], "users": [ASKER_ID], "replied_user": False}
    assert fake.posted() == []  # nothing else in the channel


async def test_a_quick_answer_is_the_interaction_response_itself(discordkit):
    hub = await discordkit.build(endpoint(discordkit))
    payload = load("interaction_ask")
    payload["data"]["options"][0]["value"] = "/about"  # answered at once by a skill
    status, body = await hub.interaction(payload)
    assert status == 200 and body["type"] == 4
    assert "I'm testbot" in body["data"]["content"]
    assert body["data"]["allowed_mentions"] == {"parse": [], "users": [ASKER_ID], "replied_user": False}


async def test_the_same_interaction_twice_runs_one_turn(discordkit):
    model = SlowModel()
    hub = await discordkit.build(endpoint(discordkit, command_ack_s=0.1), gateway=model, **MODEL_BOT)
    payload = load("interaction_ask")
    first, second = await asyncio.gather(hub.interaction(payload), hub.interaction(payload))
    assert first[0] == second[0] == 200
    model.release.set()
    await discordkit.fake.wait_for(lambda: payload["token"] in discordkit.fake.originals)
    await hub.settle()
    assert hub.events_received() == 1
    assert len(discordkit.fake.originals[payload["token"]]["edits"]) == 1


async def test_admin_command_from_a_non_admin_is_refused_and_audited(discordkit):
    hub = await discordkit.build(endpoint(discordkit))
    status, body = await hub.interaction(load("interaction_admin"))
    assert status == 200 and body["type"] == 4
    assert body["data"]["flags"] == 64  # only the asker sees it
    assert "not an admin" in body["data"]["content"]
    (entry,) = await hub.assembly.audit.latest(5)
    assert (entry.user, entry.command, entry.allowed) == (f"discord:{ASKER_ID}", "skills", False)


async def test_admin_command_from_an_admin_runs(discordkit):
    hub = await discordkit.build(endpoint(discordkit), admins=[f"discord:{ASKER_ID}"])
    payload = load("interaction_admin")
    payload["data"]["options"][0]["value"] = "status"
    status, body = await hub.interaction(payload)
    assert status == 200 and body["data"]["flags"] == 64
    assert "Status of bot 'testbot'" in body["data"]["content"]


async def test_slash_command_over_the_gateway_is_acknowledged_by_callback(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    payload = load("interaction_ask")
    payload["data"]["options"][0]["value"] = "/about"
    await fake.dispatch("INTERACTION_CREATE", payload)
    await fake.wait_for(lambda: fake.callbacks)
    await hub.settle()
    (callback,) = fake.callbacks
    assert callback["interaction_id"] == payload["id"] and callback["type"] == 4
    assert "I'm testbot" in callback["data"]["content"]


async def test_an_interaction_discord_py_cannot_read_does_not_end_the_gateway_session(discordkit, caplog):
    hub = await discordkit.build()
    fake = discordkit.fake
    payload = load("interaction_ask")
    payload["data"]["options"][0]["value"] = "/about"
    payload.pop("attachment_size_limit", None)  # discord.py 2.7 reads it from every interaction
    payload["message"] = {"id": "1"}  # and this half message would make its parser raise
    await fake.dispatch("INTERACTION_CREATE", payload)
    await fake.wait_for(lambda: fake.callbacks)
    await hub.settle()
    assert "I'm testbot" in fake.callbacks[0]["data"]["content"]  # it was answered all the same
    await fake.dispatch("INTERACTION_CREATE", {**payload, "id": "1000000000000000999"})
    await fake.wait_for(lambda: len(fake.callbacks) == 2)
    assert len(fake.connections) == 1 and fake.resumes == []  # the session was never dropped
