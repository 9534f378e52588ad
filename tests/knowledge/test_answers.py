"""Answers through a real hub and the real model queue (real Redis, an RQ SimpleWorker serving
an engine that echoes the context it was given): the model answers from the passages found, the
answer cites them, and a question the documents do not cover costs no model call."""

from __future__ import annotations

from collections.abc import Iterator

import redis as sync_redis
from rq import Queue

from core.model.contract import JobRequest
from core.pipeline import Outcome
from skills.knowledge.answer import DONT_KNOW
from tests.knowledge.conftest import SKILLS
from tests.model.conftest import KEYS, EmailMasker
from tests.model.test_queue import until, work_off

MODEL = {"backend": "ctransformers", "name": "small", "path": "/nowhere.gguf", "stream": False}


class ContextEcho:
    """A stand-in model that answers with the prompt it received (the passages and question)."""

    def __init__(self, model: str = "small") -> None:
        self.model = model
        self.requests: list[JobRequest] = []

    def stream(self, request: JobRequest) -> Iterator[str]:
        self.requests.append(request)
        yield f"I read: {request.prompt}"


def queued(redis_url: str) -> int:
    connection = sync_redis.Redis.from_url(redis_url)
    try:
        return Queue(KEYS.queue("small"), connection=connection).count
    finally:
        connection.close()


async def knowledge_hub(modelkit, knowledge, **extra):  # type: ignore[no-untyped-def]
    return await modelkit(model=MODEL, skills=SKILLS, fallback="knowledge", knowledge={**knowledge, **extra})


async def test_the_answer_comes_from_the_right_section_and_cites_it(modelkit, knowledge, redis_url):
    _assembly, chat = await knowledge_hub(modelkit, knowledge)
    record = await chat.say("/ask how do I connect Slack?")
    assert record.outcome == Outcome.QUEUED
    engine = ContextEcho()
    work_off(redis_url, engine)
    await until(lambda: len(chat.sent) == 1)
    (request,) = engine.requests
    assert "[1] Connect a platform › Slack" in request.prompt and "SLACK_SIGNING_SECRET" in request.prompt
    assert request.prompt.endswith("Question: how do I connect Slack?")
    assert request.history == ()  # answered from the documents, not from the chat so far
    answer = chat.last()
    assert answer.startswith("I read: ")
    assert answer.endswith("Sources:\n[1] Connect a platform › Slack — README.md#slack")


async def test_free_text_reaches_the_documents_through_the_fallback(modelkit, knowledge, redis_url):
    _assembly, chat = await knowledge_hub(modelkit, knowledge)
    await chat.say("How do I connect Slack?")
    work_off(redis_url, ContextEcho())
    await until(lambda: len(chat.sent) == 1)
    assert "README.md#slack" in chat.last()


async def test_an_unknown_question_gets_i_dont_know_and_no_model_call(modelkit, knowledge, redis_url):
    _assembly, chat = await knowledge_hub(modelkit, knowledge)
    record = await chat.say("/ask what's the weather in Lisbon tomorrow?")
    assert record.outcome == Outcome.REPLIED and chat.last() == DONT_KNOW
    await chat.say("What's the weather in Lisbon tomorrow?")  # free text, unmatched = dont_know
    assert chat.last() == DONT_KNOW
    assert queued(redis_url) == 0


async def test_free_text_the_documents_do_not_cover_goes_to_the_model_when_the_bot_says_so(
    modelkit, knowledge, redis_url
):
    _assembly, chat = await knowledge_hub(modelkit, knowledge, unmatched="model")
    await chat.say("What's the weather in Lisbon tomorrow?")
    engine = ContextEcho()
    work_off(redis_url, engine)
    await until(lambda: len(chat.sent) == 1)
    assert engine.requests[0].prompt == "What's the weather in Lisbon tomorrow?"  # plain chat
    assert "Sources" not in chat.last()
    await chat.say("/ask what's the weather in Lisbon tomorrow?")  # /ask never guesses
    assert chat.last() == DONT_KNOW


async def test_the_question_reaches_the_model_masked_and_the_answer_is_restored(
    modelkit, knowledge, redis_url
):
    _assembly, chat = await modelkit(
        model=MODEL, masker=EmailMasker(), skills=SKILLS, fallback="knowledge", knowledge=knowledge
    )
    await chat.say("/ask how do I connect Slack for dora.canary@example.com?")
    engine = ContextEcho()
    work_off(redis_url, engine)
    await until(lambda: len(chat.sent) == 1)
    assert "dora.canary" not in engine.requests[0].prompt and "<EMAIL_1>" in engine.requests[0].prompt
    assert "for dora.canary@example.com?" in chat.last() and "README.md#slack" in chat.last()


async def test_without_a_model_the_best_passage_itself_is_shown_with_its_source(hubkit, knowledge):
    _assembly, chat = await hubkit.build(skills=SKILLS, fallback="knowledge", knowledge=knowledge)
    await chat.say("/ask how do I connect Slack?")
    assert chat.last().startswith("From my documents:\n\n```sh\nswitchboard slack manifest")
    assert chat.last().endswith("— README.md#slack")


async def test_kb_search_shows_what_a_question_finds_and_bad_arguments_get_usage(hubkit, knowledge):
    _assembly, chat = await hubkit.build(skills=SKILLS, fallback="knowledge", knowledge=knowledge)
    await chat.say("/kb search docker compose replicas")
    first = chat.last().splitlines()[1]
    assert first.endswith("  Deploy — README.md#deploy") and 0.5 <= float(first.split()[0]) <= 1
    await chat.say("/kb find docker")
    assert chat.last() == "<action> must be one of search, not 'find'. Usage: /kb <search> <terms>"
    await chat.say("/ask")
    assert chat.last() == "missing <question>. Usage: /ask <question>"
