"""How answers look in Telegram: split under 4,096 UTF-16 units with fences balanced, escaped HTML,
nobody pinged, drafts in private chats and one edited message in groups."""

from __future__ import annotations

from adapters.kit.chunks import open_fence, utf16_len
from tests.fakes import MODEL_BOT, ScriptedModel
from tests.telegram.payloads import load

PIECES = ("The deploy", " checklist", " has five", " steps.", " First, freeze merges.")
FULL = "".join(PIECES)


def question(name: str = "private_text") -> dict:  # type: ignore[type-arg]
    update = load(name)
    update["message"]["text"] = "@switchboard_test_bot what does the deploy checklist say?"
    update["message"]["entities"] = [{"offset": 0, "length": 21, "type": "mention"}]
    return update


def long_answer() -> str:
    parts = []
    for i in range(12):
        parts.append(f"Step {i}: " + " ".join(["check the 📦 bundle and the logs."] * 18))
        if i % 4 == 1:
            parts.append(
                "```python\n" + "\n".join(f"deploy(step={i}, item={j})  # ✓" for j in range(30)) + "\n```"
            )
    text = "\n\n".join(parts)
    assert 9_500 <= len(text) <= 11_000
    return text


async def test_a_long_answer_arrives_in_messages_under_the_limit_with_fences_balanced(tgkit):
    answer = long_answer()
    hub = await tgkit.build(gateway=ScriptedModel(answer), **MODEL_BOT)
    await hub.update(question())
    await tgkit.fake.wait_for(lambda: len(tgkit.fake.messages) >= 3, timeout=10)
    await hub.settle()
    shown = tgkit.fake.messages
    assert len(shown) == 3
    assert all(utf16_len(m.text) <= 4096 for m in shown)  # the fake refuses longer ones anyway
    calls = tgkit.fake.of("sendMessage")
    assert all(c.args["parse_mode"] == "HTML" for c in calls)
    assert all(c.args["text"].count("<pre>") == c.args["text"].count("</pre>") for c in calls)
    assert [m.reply_to for m in shown] == [11, None, None]  # the first quotes the question
    for i in range(12):  # every step arrived, in order
        assert sum(f"Step {i}:" in m.text for m in shown) == 1
    assert "".join(m.text for m in shown).count("deploy(step=5, item=29)") == 1


def test_the_splitter_balances_fences_in_utf16_units():
    from adapters.kit.chunks import split

    chunks = split(long_answer(), 4096, measure=utf16_len)
    assert len(chunks) == 3
    assert all(utf16_len(c) <= 4096 and open_fence(c) is None for c in chunks)


async def test_model_html_and_mentions_are_delivered_escaped_and_ping_nobody(tgkit):
    answer = (
        'Use <b>bold</b> & "quotes" if a < b > c, ask @channel_admins or <a href="tg://user?id=42">him</a>.'
    )
    hub = await tgkit.build(gateway=ScriptedModel(answer), **MODEL_BOT)
    await hub.update(question())
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    (shown,) = tgkit.fake.messages
    assert shown.pings == []
    assert shown.text == answer.replace("@channel_admins", "@\u2060channel_admins")
    assert shown.link_preview_disabled


async def test_a_mention_the_asker_used_stays_live(tgkit):
    hub = await tgkit.build(gateway=ScriptedModel("Sure, @bob_b can rotate it."), **MODEL_BOT)
    update = load("forum_topic_mention")
    await hub.update(update)
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    assert tgkit.fake.messages[0].pings == ["bob_b"]


async def test_streamed_answer_in_a_private_chat_is_drafts_then_one_message(tgkit):
    model = ScriptedModel(*PIECES, pause=0.25)
    hub = await tgkit.build(gateway=model, **MODEL_BOT)
    await hub.update(question())
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages, timeout=10)
    await hub.settle()
    drafts = tgkit.fake.drafts
    assert len(drafts) >= 2 and len({d["draft_id"] for d in drafts}) == 1
    assert drafts[0]["text"] == "The deploy" and all(FULL.startswith(d["text"]) for d in drafts)
    (shown,) = tgkit.fake.messages
    assert shown.text == FULL and shown.reply_to == 11
    assert tgkit.fake.of("editMessageText") == []


async def test_streamed_answer_in_a_group_is_one_message_edited_to_the_full_text(tgkit):
    model = ScriptedModel(*PIECES, pause=0.25)
    hub = await tgkit.build(gateway=model, **MODEL_BOT)
    await hub.update(question("group_mention"))
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages and tgkit.fake.messages[0].text == FULL, timeout=15)
    await hub.settle()
    (shown,) = tgkit.fake.messages
    assert shown.edits >= 1 and shown.reply_to == 21
    assert tgkit.fake.drafts == [] and len(tgkit.fake.of("sendMessageDraft")) == 0
    assert model.sent[0].message_id == str(shown.message_id)


async def test_a_draft_refused_falls_back_to_an_edited_message(tgkit):
    from tests.telegram.fake_telegram import Failure

    tgkit.fake.fail("sendMessageDraft", Failure(400, "Bad Request: TEXTDRAFT_PEER_INVALID"))
    hub = await tgkit.build(gateway=ScriptedModel(*PIECES, pause=0.25), **MODEL_BOT)
    await hub.update(question())
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages and tgkit.fake.messages[0].text == FULL, timeout=15)
    await hub.settle()
    assert len(tgkit.fake.messages) == 1


async def test_typing_is_shown_in_the_topic_and_stops_when_answered(tgkit):
    model = ScriptedModel(*PIECES, pause=0.5)
    hub = await tgkit.build(gateway=model, **MODEL_BOT)
    await hub.update(load("forum_topic_mention"))
    await tgkit.fake.wait_for(lambda: tgkit.fake.of("sendChatAction"))
    action = tgkit.fake.of("sendChatAction")[0]
    assert action.args["action"] == "typing" and action.args["message_thread_id"] == "40"
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages and tgkit.fake.messages[0].text == FULL, timeout=15)
    await hub.settle()
    assert not await hub.adapter.redis.keys("*working*")
