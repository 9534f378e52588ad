"""The queue contract with real Redis and a real RQ SimpleWorker (in this process, burst mode).

The worker here serves small scripted engines, so each test shows one behaviour of the hub
side plainly: masking, order, back-pressure, failures, switching, caching, timeouts.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis as sync_redis
from rq import Queue, SimpleWorker

from core import messages
from core.model import jobs
from core.model.contract import JobRequest, Kind
from core.pipeline import Outcome
from tests.model.conftest import KEYS, EmailMasker

MODEL = {"backend": "ctransformers", "name": "small", "path": "/nowhere.gguf", "stream": False}


class EchoEngine:
    """Answers 'You said: <masked prompt>' word by word."""

    def __init__(self, model: str = "small") -> None:
        self.model = model
        self.prompts: list[str] = []

    def stream(self, request: JobRequest) -> Iterator[str]:
        self.prompts.append(request.prompt)
        yield "You said:"
        for word in request.prompt.split():
            yield " " + word


class BrokenEngine:
    model = "small"

    def stream(self, request: JobRequest) -> Iterator[str]:
        raise RuntimeError("the model fell over")
        yield ""  # pragma: no cover


def work_off(redis_url: str, engine: Any, model: str = "small") -> None:
    """Run a real RQ SimpleWorker until its queue is empty."""
    connection = sync_redis.Redis.from_url(redis_url)
    jobs.install(engine, "test-worker")
    try:
        SimpleWorker(
            [Queue(q, connection=connection) for q in KEYS.queues(model)], connection=connection
        ).work(burst=True, logging_level="WARNING")
    finally:
        jobs.install(None)
        connection.close()


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_answer_is_restored_for_the_user_and_kept_masked_everywhere_else(modelkit, redis, redis_url):
    assembly, chat = await modelkit(masker=EmailMasker(), model=MODEL)
    record = await chat.say("please write to carol.canary@example.com today")
    assert record.outcome == Outcome.QUEUED
    assert chat.sent == [] and chat.typing_events == [True]  # typing stays on while queued
    stored = everything_in_redis(redis_url)
    assert b"<EMAIL_1>" in stored and b"canary" not in stored  # job, pending turn: placeholders only

    engine = EchoEngine()
    work_off(redis_url, engine)
    await until(lambda: len(chat.sent) == 1)
    assert engine.prompts == ["please write to <EMAIL_1> today"]
    reply = chat.sent[0]
    assert reply.text == "You said: please write to carol.canary@example.com today"
    assert not reply.notice and reply.in_reply_to == record.event_id
    assert chat.typing_events == [True, False]
    memory = await assembly.memory.recall(assembly.hub.bot, reply.conversation)
    assert [m["text"] for m in memory] == [
        "please write to <EMAIL_1> today",
        "You said: please write to <EMAIL_1> today",
    ]
    assert b"canary" not in everything_in_redis(redis_url)


def everything_in_redis(redis_url: str) -> bytes:
    """Every value in the database, RQ's compressed job data unpacked, as one blob."""
    connection = sync_redis.Redis.from_url(redis_url)
    blob = bytearray()
    for key in connection.keys("*"):
        kind = connection.type(key)
        if kind == b"string":
            values = [connection.get(key)]
        elif kind == b"hash":
            values = list(connection.hgetall(key).values())
        elif kind == b"list":
            values = connection.lrange(key, 0, -1)
        elif kind == b"stream":
            values = [v for _id, fields in connection.xrange(key) for v in fields.values()]
        elif kind == b"zset":
            values = connection.zrange(key, 0, -1)
        else:
            values = list(connection.smembers(key))
        for value in values:
            try:
                value = zlib.decompress(value)
            except zlib.error:
                pass
            blob += key + b"=" + value + b"\n"
    connection.close()
    return bytes(blob)


async def test_answers_go_out_in_the_order_the_questions_came(modelkit, redis_url):
    _assembly, chat = await modelkit(model=MODEL)
    for text in ("first", "second", "third"):
        await chat.say(text)
    connection = sync_redis.Redis.from_url(redis_url)
    queue = Queue(KEYS.queue("small"), connection=connection)
    payloads = [queue.fetch_job(job_id).args[0] for job_id in queue.get_job_ids()]
    for payload in reversed(payloads):  # the last question is answered first
        request = JobRequest.from_payload(payload)
        jobs.publish(connection, request, Kind.FINAL, text=f"answer to {request.prompt}")
    await until(lambda: len(chat.sent) == 3)
    assert chat.texts() == ["answer to first", "answer to second", "answer to third"]
    connection.close()


async def test_long_queue_tells_people_their_place_and_a_full_one_refuses(modelkit):
    _assembly, chat = await modelkit(model={**MODEL, "busy_depth": 1, "max_queue": 3})
    outcomes = [(await chat.say(f"question {n}")).outcome for n in range(4)]
    assert outcomes == [Outcome.QUEUED, Outcome.QUEUED, Outcome.QUEUED, Outcome.REPLIED]
    assert chat.texts() == [
        messages.QUEUE_BUSY.format(position=2),
        messages.QUEUE_BUSY.format(position=3),
        messages.QUEUE_FULL,
    ]
    assert all(reply.notice for reply in chat.sent)


async def test_failed_job_gives_an_apology_and_keeps_masked_arguments_only(modelkit, redis_url):
    _assembly, chat = await modelkit(masker=EmailMasker(), model=MODEL)
    await chat.say("mail bob@example.org about it")
    work_off(redis_url, BrokenEngine())
    await until(lambda: len(chat.sent) == 1)
    assert chat.last() == messages.MODEL_UNAVAILABLE and chat.sent[0].notice
    connection = sync_redis.Redis.from_url(redis_url)
    failed = Queue(KEYS.queue("small"), connection=connection).failed_job_registry
    (job_id,) = failed.get_job_ids()
    job = Queue(KEYS.queue("small"), connection=connection).fetch_job(job_id)
    stored = json.dumps(job.args) + str(job.description) + str(job.latest_result().exc_string)
    assert "<EMAIL_1>" in stored and "bob@example.org" not in stored
    connection.close()


async def test_admin_switches_the_model_at_run_time(modelkit, redis):
    two = {
        "backend": "ctransformers",
        "stream": False,
        "models": [
            {"name": "small", "path": "/s.gguf", "weight": 100},
            {"name": "big", "path": "/b.gguf", "weight": 0},
        ],
    }
    _assembly, chat = await modelkit(model=two)
    await chat.say("/model", user="root")
    assert "Model in use: automatic" in chat.last() and "- big (ctransformers, weight 0" in chat.last()
    await chat.say("/model use big", user="root")
    assert "'big' answers" in chat.last()
    await chat.say("/model use huge", user="root")
    assert "no model named 'huge'" in chat.last()
    await chat.say("please summarise the quarterly numbers")
    assert await redis.llen("rq:queue:" + KEYS.queue("big")) == 1
    assert await redis.llen("rq:queue:" + KEYS.queue("small")) == 0
    await chat.say("/model auto", user="root")
    await chat.say("please summarise the quarterly numbers again")
    assert await redis.llen("rq:queue:" + KEYS.queue("small")) == 1
    await chat.say("/model use small")  # not an admin
    assert "admin command" in chat.last()


async def test_identical_masked_question_is_answered_from_the_cache(modelkit, redis_url):
    _assembly, chat = await modelkit(
        masker=EmailMasker(), model={**MODEL, "cache_ttl_s": 60}, memory={"turns": 0}
    )
    await chat.say("tell me about x@example.com")
    work_off(redis_url, EchoEngine())
    await until(lambda: len(chat.sent) == 1)
    record = await chat.say("tell me about x@example.com")
    assert record.outcome == Outcome.REPLIED  # no queue this time
    assert chat.texts() == ["You said: tell me about x@example.com"] * 2


async def test_person_waiting_too_long_gets_a_timeout_apology(modelkit):
    _assembly, chat = await modelkit(model={**MODEL, "wait_timeout_s": 1})
    await chat.say("anyone there?")  # no worker serves this queue
    await until(lambda: len(chat.sent) == 1)
    assert chat.last() == messages.MODEL_TIMEOUT and chat.sent[0].notice


async def test_status_reports_the_queue(modelkit):
    assembly, chat = await modelkit(model=MODEL)
    await chat.say("one")
    await chat.say("two")
    status = await assembly.hub.status()
    small = status["model"]["models"]["small"]
    assert small["queued"] == 2 and small["workers"] == 0 and small["oldest_wait_s"] is not None


@pytest.fixture(autouse=True)
def _no_engine_left() -> Iterator[None]:
    yield
    jobs.install(None)
