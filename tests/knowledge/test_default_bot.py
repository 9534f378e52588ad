"""The embedded default bot answers "how do I connect Slack?" from its sample folder (the README
split into pages), with a link to the right section: what `make run` shows."""

from __future__ import annotations

from bots.compose import assemble
from core.botdef import BOTS_DIR, load_bot
from tests.fakes import FakeAdapter
from tests.knowledge.test_answers import ContextEcho
from tests.model.conftest import EmailMasker
from tests.model.test_queue import until, work_off


async def test_the_default_bot_links_the_slack_section(redis, redis_url, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # where the default index goes
    chat = FakeAdapter()
    bot = load_bot("assistant")
    assembly = assemble(bot, redis, adapters=[chat], masker=EmailMasker(), skill_path=BOTS_DIR)
    assert assembly.knowledge is not None and str(assembly.knowledge.path).startswith(str(tmp_path))
    await assembly.hub.start()
    await assembly.model_service.start()
    try:
        await chat.say("how do I connect Slack?")
        model = bot.model.specs()[0].name
        engine = ContextEcho(model)
        work_off(redis_url, engine, model=model)
        await until(lambda: len(chat.sent) == 1)
        assert "Connect a platform › Slack" in engine.requests[0].prompt
        assert chat.last().endswith("[1] Connect a platform › Slack — README.md#slack")
        await chat.say("/help")
        assert "/ask — answers from my documents, with sources" in chat.last()
    finally:
        await assembly.model_service.stop()
        await assembly.hub.stop(grace=2)
