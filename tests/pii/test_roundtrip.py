"""Through the full hub (real stages, real Redis, real presidio) with a model stand-in."""

from __future__ import annotations

import json
import re

from core import messages
from core.events import ConversationRef, Reply
from core.pipeline import Outcome
from tests.pii.conftest import PII_BOT, StandInModel

PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")


def echo_placeholders(prompt: str) -> str:
    return "Sure " + " and ".join(PLACEHOLDER.findall(prompt)) + ", noted."


async def test_model_sees_placeholders_and_the_user_sees_the_originals(hubkit, masker):
    model = StandInModel(masker, echo_placeholders)
    _assembly, chat = await hubkit.build(masker=masker, model=model, **PII_BOT)
    await chat.say("Hi, I'm Maria Gonzalez, write to maria.g@example.com or call +44 20 7946 0958")
    prompt = model.prompts[-1]
    assert "Maria" not in prompt and "maria.g@" not in prompt and "7946" not in prompt
    assert "<PERSON_1>" in prompt and "<EMAIL_ADDRESS_1>" in prompt and "<PHONE_NUMBER_1>" in prompt
    assert chat.last() == "Sure Maria Gonzalez and maria.g@example.com and +44 20 7946 0958, noted."


async def test_a_channel_whose_policy_forbids_person_shows_a_redaction(hubkit, masker):
    model = StandInModel(masker, echo_placeholders)
    bot = {**PII_BOT, "pii": {"enabled": True, "restore": {"channel": ["EMAIL_ADDRESS"]}}}
    _assembly, chat = await hubkit.build(masker=masker, model=model, **bot)
    await chat.say("Hello, this is Maria Gonzalez, my mail is maria.g@example.com")
    assert chat.last() == "Sure [name withheld] and maria.g@example.com, noted."


async def test_the_same_value_keeps_its_placeholder_across_turns(hubkit, masker):
    model = StandInModel(masker, echo_placeholders)
    _assembly, chat = await hubkit.build(masker=masker, model=model, **PII_BOT)
    await chat.say("my mail is maria.g@example.com")
    await chat.say("and my colleague uses lars.e@example.com")
    await chat.say("please write to MARIA.G@example.com again")
    assert "<EMAIL_ADDRESS_1>" in model.prompts[0]
    assert "<EMAIL_ADDRESS_2>" in model.prompts[1]
    assert "<EMAIL_ADDRESS_1>" in model.prompts[2] and "<EMAIL_ADDRESS_2>" not in model.prompts[2]


async def test_placeholders_never_expand_to_another_conversations_values(hubkit, masker):
    model = StandInModel(masker, lambda prompt: "Is that <EMAIL_ADDRESS_1> or <PERSON_7>?")
    _assembly, chat = await hubkit.build(masker=masker, model=model, **PII_BOT)
    await chat.say("my mail is maria.g@example.com", channel="one")
    assert chat.last() == "Is that maria.g@example.com or [name withheld]?"
    await chat.say("the parcel arrived damaged", channel="two")
    assert chat.last() == "Is that [email withheld] or [name withheld]?"


async def test_memory_and_vault_hold_no_plain_values(hubkit, masker, redis):
    model = StandInModel(masker, echo_placeholders)
    assembly, chat = await hubkit.build(masker=masker, model=model, **PII_BOT)
    await chat.say("card 4111 1111 1111 1111, mail maria.g@example.com")
    history = await assembly.memory.recall(chat_bot(assembly), ConversationRef("fake", "general"))
    assert history and "maria" not in json.dumps(history) and "<EMAIL_ADDRESS_1>" in history[0]["text"]
    vault_keys = [k async for k in redis.scan_iter(match="sb:testbot:pii:*")]
    assert len(vault_keys) == 1 and 0 < await redis.ttl(vault_keys[0]) <= 3600
    stored = json.dumps(await redis.hgetall(vault_keys[0]))
    assert "maria" not in stored and "4111" not in stored


def chat_bot(assembly):  # type: ignore[no-untyped-def]
    return assembly.hub.bot


async def test_admin_reveals_a_placeholder_of_this_conversation_and_it_is_audited(hubkit, masker):
    model = StandInModel(masker, echo_placeholders)
    assembly, chat = await hubkit.build(masker=masker, model=model, **PII_BOT)
    await chat.say("call me at +44 20 7946 0958")
    await chat.say("/pii reveal <PHONE_NUMBER_1>", user="root")
    assert chat.last() == "PHONE_NUMBER_1 = +44 20 7946 0958" and chat.sent[-1].ephemeral
    await chat.say("/pii reveal <PHONE_NUMBER_1>", user="root", channel="elsewhere")
    assert "not a placeholder of this conversation" in chat.last()
    await chat.say("/pii reveal <PHONE_NUMBER_1>")  # alice is no admin
    assert chat.last() == messages.ADMIN_REFUSED.format(command="pii")
    audit = await assembly.audit.latest(3)
    assert [(e.command, e.args, e.allowed) for e in audit] == [
        ("pii", "reveal <PHONE_NUMBER_1>", False),
        ("pii", "reveal <PHONE_NUMBER_1>", True),
        ("pii", "reveal <PHONE_NUMBER_1>", True),
    ]
    assert b'switchboard_pii_reveals_total{platform="fake"} 1.0' in assembly.metrics.render()  # shown once


class ExplodingMasker:
    async def mask(self, turn):  # type: ignore[no-untyped-def]
        raise RuntimeError("analyzer crashed")


async def test_fail_closed_apology_nothing_enqueued_nothing_stored(hubkit, redis):
    model = StandInModel(None)
    assembly, chat = await hubkit.build(masker=ExplodingMasker(), model=model, **PII_BOT)
    record = await chat.say("my card is 4111 1111 1111 1111")
    assert record.outcome == Outcome.PRIVACY_STOP
    assert chat.last() == messages.PRIVACY_APOLOGY
    assert model.prompts == []
    assert [k async for k in redis.scan_iter(match="sb:testbot:memory:*")] == []


async def test_analysis_timeout_fails_closed(hubkit, masker):
    model = StandInModel(masker)
    bot = {**PII_BOT, "pii": {"enabled": True, "timeout_seconds": 1e-9}}
    _assembly, chat = await hubkit.build(masker=masker, model=model, **bot)
    record = await chat.say("my card is 4111 1111 1111 1111")
    assert record.outcome == Outcome.PRIVACY_STOP and model.prompts == []


async def test_streaming_restore_holds_back_a_split_placeholder(hubkit, masker):
    model = StandInModel(masker)
    _assembly, chat = await hubkit.build(masker=masker, model=model, **PII_BOT)
    await chat.say("Hi, I'm Maria Gonzalez, mail maria.g@example.com")
    state = {"scope": "testbot:pii:fake:-:general:-", "restore": ["PERSON", "EMAIL_ADDRESS"]}
    answer = "Dear <PERSON_1>, I wrote to <EMAIL_ADDRESS_1> today."
    shown = []
    for cut in range(1, len(answer) + 1):
        partial = Reply(text=answer[:cut], conversation=ConversationRef("fake", "general"))
        shown.append((await masker.restore_partial(state, partial)).text)
    assert all("<PER" not in s and "<EMAIL" not in s and "PERSON_" not in s for s in shown)
    assert shown[answer.index("<PERSON_1>") + 4] == "Dear "
    assert shown[-1] == "Dear Maria Gonzalez, I wrote to maria.g@example.com today."
    assert all(later.startswith(earlier) for earlier, later in zip(shown, shown[1:], strict=False))
