"""What people see of an answer: one reply, grown in place, split under 2,000 characters with
fences balanced, typing while it is written, and nobody pinged by what the model wrote."""

from __future__ import annotations

import asyncio

from adapters.kit.chunks import open_fence
from core.events import Reply, reply_to
from core.pipeline import Turn
from core.skills import AskModel
from tests.discord.conftest import MODEL_BOT, ScriptedModel
from tests.discord.fake_discord import CHANNEL_ID
from tests.discord.payloads import ASKER_ID, load

ALLOWED = {"parse": [], "users": [ASKER_ID], "replied_user": False}


async def ask(discordkit, model, text="how do I deploy?", **options):  # type: ignore[no-untyped-def]
    hub = await discordkit.build(discordkit.config(**options), gateway=model, **MODEL_BOT)
    payload = load("message_guild_mention")
    payload["d"]["content"] = f"<@1100000000000000001> {text}"
    await discordkit.fake.say(payload)
    await discordkit.fake.wait_for(lambda: hub.events_received() == 1)
    await hub.settle()
    return hub


async def test_streamed_answer_is_one_message_edited_to_the_full_text(discordkit):
    model = ScriptedModel("Step one: build. ", "Step two: test. ", "Step three: ship.")
    await ask(discordkit, model)
    fake = discordkit.fake
    (message,) = fake.posted()
    assert message["content"] == "Step one: build. Step two: test. Step three: ship."
    assert message["message_reference"]["message_id"] == "334385199974967042"
    assert message["edits"], "the answer grew in place"
    assert all(edit["allowed_mentions"] == ALLOWED for edit in message["edits"])


async def test_a_long_answer_is_three_messages_under_the_limit_with_fences_balanced(discordkit):
    code = "\n".join(f"    step_{i}()  # do the thing number {i}" for i in range(60))
    prose = " ".join(f"Sentence number {i} explains the deploy." for i in range(50))
    text = f"{prose}\n\n```python\n{code}\n```\n\n{prose}"[:4500]
    text = text if open_fence(text) is None else text + "\n```"
    assert 4400 < len(text) <= 4504
    await ask(discordkit, ScriptedModel(text))
    fake = discordkit.fake
    posted = fake.posted(CHANNEL_ID)
    assert len(posted) == 3
    assert all(len(m["content"]) <= 2000 for m in posted)
    assert all(open_fence(m["content"]) is None for m in posted)
    assert posted[0]["message_reference"] and not posted[1]["message_reference"]
    joined = "".join(m["content"] for m in posted)
    for line in ("    step_0()  # do the thing number 0", "Sentence number 49 explains the deploy."):
        assert line in joined


async def test_model_output_pings_nobody(discordkit):
    text = "Done! @everyone @here <@&4242> <@999999999999999999> and you, <@53908099506183680>."
    await ask(discordkit, ScriptedModel(text))
    fake = discordkit.fake
    (message,) = fake.posted()
    assert message["content"] == text  # shown as written…
    assert fake.pinged(message) == {f"user:{ASKER_ID}"}  # …but only the asker could be notified


async def test_streamed_edits_with_mentions_ping_nobody_either(discordkit):
    model = ScriptedModel("Hello ", "@everyone ", "and <@&4242>.")
    await ask(discordkit, model)
    fake = discordkit.fake
    (message,) = fake.posted()
    for edit in message["edits"]:
        assert fake.pinged({**message, **edit}) == set()


class TypingModel:
    """Keeps the answer back until released (the person sees the bot typing meanwhile)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def submit(self, turn: Turn, ask: AskModel) -> Reply | None:
        await self.release.wait()
        return reply_to(turn.event, "Here you go.")


async def test_typing_is_shown_while_the_answer_is_written(discordkit):
    model = TypingModel()
    hub = await discordkit.build(gateway=model, **MODEL_BOT)
    fake = discordkit.fake
    payload = load("message_guild_mention")
    await fake.say(payload)
    await fake.wait_for(lambda: fake.of("POST", "/typing"))
    assert not fake.posted()
    model.release.set()
    await fake.wait_for(lambda: fake.posted())
    await hub.settle()
    assert fake.of("POST", f"/channels/{CHANNEL_ID}/typing")
    assert not hub.adapter.typing_sign.active(
        hub.adapter.outbox._answers[fake.posted()[0]["id"]].conversation
    )


async def test_a_rate_limited_post_is_retried_by_discord_py(discordkit):
    discordkit.fake.rate_limit_next(f"POST /channels/{CHANNEL_ID}/messages")
    await ask(discordkit, ScriptedModel("Answer after a 429."))
    fake = discordkit.fake
    assert [c.path for c in fake.of("POST", "/messages")] == [f"/channels/{CHANNEL_ID}/messages"] * 2
    assert fake.shown() == ["Answer after a 429."]


async def test_a_final_edit_that_fails_is_posted_anew(discordkit):
    fake = discordkit.fake
    fake.fail_next("PATCH /channels/", 403, {"message": "Missing Access", "code": 50001})
    fake.fail_next("PATCH /channels/", 403, {"message": "Missing Access", "code": 50001})
    model = ScriptedModel("First part. ", "Second part.")
    hub = await ask(discordkit, model, edit_interval_s=0)
    shown = fake.shown()
    assert shown[-1] == "First part. Second part."
    assert hub.adapter.rest.refusals[403] >= 1


async def test_a_very_long_answer_is_attached_as_a_markdown_file(discordkit):
    text = "\n\n".join(f"Paragraph {i}: " + "words " * 40 for i in range(60))
    assert len(text) > 12_000
    await ask(discordkit, ScriptedModel(text))
    fake = discordkit.fake
    (message,) = fake.posted()
    assert "attached as answer.md" in message["content"]
    assert message["attachments"] == [{"filename": "answer.md", "content": text}]
    assert fake.pinged(message) == set()
    assert message["message_reference"]["message_id"] == "334385199974967042"
