"""The whole core through a FakeAdapter: real stages, real Redis, real skills."""

from __future__ import annotations

import asyncio

import pytest

from core import messages
from core.errors import SkillConflictError
from core.pipeline import Outcome
from core.skills import collect


async def test_help_lists_what_the_bot_can_do(hubkit):
    _assembly, chat = await hubkit.build()
    record = await chat.say("/help")
    assert record.outcome == Outcome.REPLIED
    assert "/help" in chat.last() and "/about" in chat.last()
    assert "Admin commands" not in chat.last()  # alice is not an admin


async def test_help_shows_admin_commands_to_admins(hubkit):
    _assembly, chat = await hubkit.build()
    await chat.say("/help", user="root")
    assert "Admin commands" in chat.last() and "/mute" in chat.last()


async def test_command_routing(hubkit):
    _assembly, chat = await hubkit.build()
    await chat.say("/about")
    assert "I'm testbot" in chat.last()


async def test_example_utterance_routing(hubkit):
    _assembly, chat = await hubkit.build()
    await chat.say("hey, what are you able to do for me?")
    assert "Here is what I can do" in chat.last()
    await chat.say("who are you?")
    assert "I'm testbot" in chat.last()


async def test_fallback_says_no_model_is_configured(hubkit):
    _assembly, chat = await hubkit.build()
    await chat.say("please summarise the quarterly numbers")
    assert chat.last() == messages.NO_MODEL


async def test_unknown_command_goes_to_fallback(hubkit):
    _assembly, chat = await hubkit.build()
    await chat.say("/frobnicate now")
    assert chat.last() == messages.NO_MODEL


async def test_redelivered_event_is_answered_once(hubkit):
    assembly, chat = await hubkit.build()
    event = chat.event("/about", event_id="same-native-id")
    records = await asyncio.gather(*(chat.receive(event) for _ in range(5)))
    assert len(chat.sent) == 1
    assert sorted(r.outcome for r in records).count(Outcome.DUPLICATE) == 4
    assert b'switchboard_events_duplicate_total{platform="fake"} 4.0' in assembly.metrics.render()


async def test_dedup_holds_across_hub_replicas(hubkit):
    _a1, chat1 = await hubkit.build()
    _a2, chat2 = await hubkit.build()
    event = chat1.event("/about", event_id="replicated")
    await asyncio.gather(chat1.receive(event), chat2.receive(event))
    assert len(chat1.sent) + len(chat2.sent) == 1


async def test_rate_limit_gives_one_polite_notice(hubkit):
    _assembly, chat = await hubkit.build(limits={"user_per_minute": 3})
    outcomes = [(await chat.say("/about")).outcome for _ in range(6)]
    assert outcomes[:3] == [Outcome.REPLIED] * 3
    assert outcomes[3:] == [Outcome.RATE_LIMITED] * 3
    notices = [r for r in chat.sent if r.notice]
    assert len(notices) == 1
    assert "faster than I can answer" in notices[0].text
    assert len(chat.sent) == 4


async def test_conversation_rate_limit_covers_all_users(hubkit):
    _assembly, chat = await hubkit.build(limits={"conversation_per_minute": 2})
    for user in ("a", "b", "c"):
        await chat.say("/about", user=user)
    assert "conversation is very busy" in chat.last()


async def test_admin_command_allowed_and_audited(hubkit):
    assembly, chat = await hubkit.build()
    record = await chat.say("/status", user="root")
    assert record.outcome == Outcome.ADMIN
    assert "Status of bot 'testbot'" in chat.last()
    assert "redis" in chat.last() and "fake" in chat.last()
    entries = await assembly.audit.latest()
    assert [(e.user, e.command, e.allowed) for e in entries] == [("fake:root", "status", True)]


async def test_admin_command_refused_for_others_and_audited(hubkit):
    assembly, chat = await hubkit.build()
    record = await chat.say("/mute", user="mallory")
    assert record.outcome == Outcome.REFUSED
    assert "not an admin" in chat.last()
    entries = await assembly.audit.latest()
    assert [(e.user, e.command, e.allowed) for e in entries] == [("fake:mallory", "mute", False)]
    await chat.say("/about")
    assert "I'm testbot" in chat.last()  # the refused mute changed nothing


async def test_muted_conversation_stays_quiet_until_unmuted(hubkit):
    _assembly, chat = await hubkit.build()
    await chat.say("/mute", user="root")
    sent_before = len(chat.sent)
    record = await chat.say("/about")
    assert record.outcome == Outcome.MUTED and len(chat.sent) == sent_before
    other = await chat.say("/about", channel="random")
    assert other.outcome == Outcome.REPLIED  # only that conversation is muted
    await chat.say("/unmute", user="root")
    await chat.say("/about")
    assert "I'm testbot" in chat.last()


async def test_skills_disable_and_enable_per_conversation(hubkit):
    _assembly, chat = await hubkit.build()
    await chat.say("/skills disable about", user="root")
    assert "now disabled" in chat.last()
    await chat.say("/about")
    assert chat.last() == messages.NO_MODEL  # routed past the disabled skill
    await chat.say("/about", channel="elsewhere")
    assert "I'm testbot" in chat.last()
    await chat.say("/skills list", user="root")
    assert "about (disabled)" in chat.last()
    await chat.say("/skills enable about", user="root")
    await chat.say("/about")
    assert "I'm testbot" in chat.last()


async def test_audit_command_shows_recent_actions(hubkit):
    _assembly, chat = await hubkit.build()
    await chat.say("/mute", user="mallory")
    await chat.say("/audit 5", user="root")
    assert "fake:mallory `mute` REFUSED" in chat.last()


async def test_memory_keeps_last_turns_with_ttl(hubkit):
    assembly, chat = await hubkit.build(memory={"turns": 4, "ttl_seconds": 120})
    for i in range(5):
        await chat.say(f"/about {i}")
    key = assembly.keys.memory("testbot", chat.event("x").conversation.key)
    assert await hubkit.redis.llen(key) == 4
    assert 0 < await hubkit.redis.ttl(key) <= 120


async def test_skill_error_gives_apology_and_logs_event_id(hubkit, caplog):
    from core.skills import skill

    @skill("boom", commands=["boom"])
    async def boom(ctx):
        raise RuntimeError(f"failed on {ctx.event.text}")

    import skills.about as about_module

    about_module.boom = boom  # type: ignore[attr-defined]
    try:
        _assembly, chat = await hubkit.build()
        record = await chat.say("/boom my card is 4111-1111-1111-1111")
    finally:
        del about_module.boom  # type: ignore[attr-defined]
    assert record.outcome == Outcome.ERROR
    assert chat.last() == messages.APOLOGY
    assert any(getattr(r, "event_id", None) == record.event_id for r in caplog.records)
    assert "4111" not in caplog.text


async def test_typing_indicator_around_a_turn(hubkit):
    _assembly, chat = await hubkit.build()
    await chat.say("/about")
    assert chat.typing_events == [True, False]


def test_two_skills_claiming_one_command_fail_at_load():
    with pytest.raises(SkillConflictError) as err:
        collect(["skills.help", "tests.skill_conflict"], source="bots/x.toml")
    text = str(err.value)
    assert "bots/x.toml" in text and "'help'" in text and "'helper'" in text and "/help" in text


async def test_shutdown_finishes_turns_in_flight(hubkit):
    assembly, chat = await hubkit.build()
    tasks = [chat.receive(chat.event("/about", user=f"u{i}")) for i in range(10)]
    await assembly.hub.stop(grace=5)
    records = [t.record for t in tasks]
    assert [r.outcome for r in records] == [Outcome.REPLIED] * 10
    late = await assembly.hub.receive(chat.event("/about"))
    assert late.outcome == Outcome.REJECTED and chat.last() == messages.SHUTTING_DOWN


async def test_redeliveries_do_not_use_up_the_rate_limit(hubkit):
    _assembly, chat = await hubkit.build(limits={"user_per_minute": 2})
    event = chat.event("/about", event_id="retried")
    for _ in range(5):
        await chat.receive(event)
    second = await chat.say("/about")
    assert second.outcome == Outcome.REPLIED
    assert [r.notice for r in chat.sent] == [False, False]


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("what can you do for me?", "help"),
        ("which commands are there", "help"),
        ("What can this bot do?", "help"),
        ("tell me about yourself", "about"),
        ("are you a bot?", "about"),
        ("What is my name?", "fallback"),
        ("help me write an email to my landlord", "fallback"),
        ("What is the capital of France?", "fallback"),
        ("how do I reset my password", "fallback"),
    ],
)
def test_example_routing_matches_intent_not_function_words(text, skill):
    from core.botdef import parse_bot
    from core.events import ConversationRef, Event
    from core.routing import Router

    bot = parse_bot({"name": "t", "skills": ["skills.help", "skills.about", "skills.fallback"]}, source="t")
    router = Router(collect(bot.skills), fallback=bot.fallback)
    event = Event(id="x:1", conversation=ConversationRef("x", "c"), sender_id="u", text=text)
    assert router.classify(event).skill == skill
