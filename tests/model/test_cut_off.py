"""An answer that stopped at the length limit says so ("…") and offers more; "continue" asks
the model to carry on, with the cut answer in the conversation's memory."""

from __future__ import annotations

from collections.abc import Iterator

import redis as sync_redis
from rq import Queue

from bots.backends import load_engine
from core import messages
from core.model.config import ModelSpec
from core.model.contract import JobRequest
from skills.more import CONTINUE_PROMPT
from tests.model.conftest import KEYS
from tests.model.test_queue import MODEL, EchoEngine, until, work_off

SKILLS = ["skills.help", "skills.more", "skills.fallback"]


class LongEngine:
    """Writes until the limit, as a model with more to say does."""

    model = "small"
    cut_off = False

    def stream(self, request: JobRequest) -> Iterator[str]:
        self.cut_off = True
        yield "The first reason is history, the second is"


def queued_payloads(redis_url: str) -> list[dict]:
    connection = sync_redis.Redis.from_url(redis_url)
    queue = Queue(KEYS.queue("small"), connection=connection)
    payloads = [queue.fetch_job(job_id).args[0] for job_id in queue.get_job_ids()]
    connection.close()
    return payloads


async def test_a_cut_off_answer_is_marked_and_continue_carries_on(modelkit, redis_url):
    _assembly, chat = await modelkit(model=MODEL, skills=SKILLS)
    await chat.say("why do people learn Latin?")
    work_off(redis_url, LongEngine())
    await until(lambda: len(chat.sent) == 1)
    answer = chat.last()
    assert answer.startswith("The first reason is history, the second is…")
    assert answer.endswith(messages.CUT_OFF) and not chat.sent[0].notice

    await chat.say("continue")
    (payload,) = queued_payloads(redis_url)
    request = JobRequest.from_payload(payload)
    assert request.prompt == CONTINUE_PROMPT
    history = [text for role, text in request.history if role == "assistant"]
    assert history == ["The first reason is history, the second is"]  # the cut answer, unmarked
    work_off(redis_url, EchoEngine())
    await until(lambda: len(chat.sent) == 2)
    assert not chat.last().endswith(messages.CUT_OFF)  # a complete answer carries no marker


async def test_continue_with_nothing_to_continue_says_so(modelkit):
    _assembly, chat = await modelkit(model=MODEL, skills=SKILLS)
    await chat.say("go on")
    assert "nothing to continue" in chat.last()


def test_the_ctransformers_engine_knows_when_it_stopped_at_the_limit(tiny_models):
    engine = load_engine(
        ModelSpec(name="l", backend="ctransformers", path=str(tiny_models["llama"]), threads=1)
    )
    request = JobRequest(job_id="j", model="l", prompt="hello", max_tokens=3, temperature=0.0)
    pieces = list(engine.stream(request))
    assert pieces and engine.cut_off is True
