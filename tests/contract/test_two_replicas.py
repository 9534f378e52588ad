"""Two hub replicas on one Redis and one fake Slack: a streamed model answer is one message (or
one chunk set), edited, ending with the full text, no chunk posted twice — and when the replica
that shows the stream dies mid-answer, the other one finishes the same message."""

from __future__ import annotations

import asyncio

from adapters.slack.text import split
from core.model import delivery
from tests.fakes import MODEL_BOT, ScriptedWorker
from tests.slack.payloads import load

SENTENCES = [f"Step {n} of the deploy checklist is written out here in full. " for n in range(1, 9)]
MAX_CHARS = 200  # three messages for the whole answer


def mention() -> dict:
    envelope = load("app_mention")
    envelope["event"]["text"] = "<@UBOT> what does the deploy checklist say?"
    return envelope


async def replicas(slackkit, count: int = 2):  # type: ignore[no-untyped-def]
    hubs = []
    for _ in range(count):
        config = slackkit.config(max_chars=MAX_CHARS, edit_interval_s=0.05, working_delay_s=60)
        hub = await slackkit.build(config, **MODEL_BOT)
        await hub.assembly.model_service.start()
        hubs.append(hub)
    return hubs


async def stop_models(hubs) -> None:  # type: ignore[no-untyped-def]
    for hub in hubs:
        await hub.assembly.model_service.stop()


def chunks_of(text: str) -> list[str]:
    return split(text, MAX_CHARS)


async def test_a_streamed_answer_is_one_chunk_set_edited_to_the_full_text(slackkit, redis):
    fake = slackkit.fake
    hubs = await replicas(slackkit)
    try:
        await hubs[0].event(mention())
        worker = ScriptedWorker(redis)
        job = await worker.job()
        assert job.stream and job.partial_interval_s == 0.05  # the adapter's pace, passed on
        text = SENTENCES[0]
        await worker.partial(job, text)
        await fake.wait_for(lambda: bool(fake.posts()))  # the first frame is out
        for sentence in SENTENCES[1:]:  # both replicas read these partials (one consumer group)
            text += sentence
            await worker.partial(job, text)
        await worker.publish(job, "final", text=text.strip())
        full = chunks_of(text.strip())
        assert len(full) == 3
        await fake.wait_for(lambda: fake.shown() == full)
        for hub in hubs:
            await hub.settle()
            await hub.adapter.outbox.drain()
        assert fake.shown() == full
        assert len(fake.posts()) == len(full)  # every chunk posted once: the rest were edits
        assert fake.of("chat.update"), "the answer grew in place"
    finally:
        await stop_models(hubs)


async def test_when_the_stream_owner_dies_the_other_replica_finishes_the_same_message(
    slackkit, redis, monkeypatch
):
    monkeypatch.setattr(delivery, "STREAM_LEASE_S", 0.5)  # a dead owner is replaced sooner
    fake = slackkit.fake
    hubs = await replicas(slackkit)
    try:
        await hubs[0].event(mention())
        worker = ScriptedWorker(redis)
        job = await worker.job()
        text = SENTENCES[0]
        await worker.partial(job, text)
        await fake.wait_for(lambda: bool(fake.posts()))
        owner = await redis.get(worker.keys.stream(job.job_id))
        dead = next(h for h in hubs if h.assembly.model_service.owner == owner)
        survivor = next(h for h in hubs if h is not dead)
        for task in dead.assembly.model_service._tasks:  # killed: it reads and renews nothing more
            task.cancel()
        await asyncio.gather(*dead.assembly.model_service._tasks, return_exceptions=True)
        for sentence in SENTENCES[1:]:
            text += sentence
            await worker.partial(job, text)
        await worker.publish(job, "final", text=text.strip())
        full = chunks_of(text.strip())
        await fake.wait_for(lambda: fake.shown() == full)
        await survivor.settle()
        await survivor.adapter.outbox.drain()
        assert fake.shown() == full
        assert len(fake.posts()) == len(full)  # the first message was continued, not posted again
        assert await redis.get(worker.keys.stream(job.job_id)) is None  # finished: lease gone
    finally:
        await stop_models(hubs)
