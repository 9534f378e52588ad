"""Who delivers a web chat / REST answer (`core.model.callers`), on real Redis: the replica that
holds the caller, another live one (woken), or nobody (the answer waits); a hold survives a
Redis outage without breaking the caller's connection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from bots.redis_runner import free_port
from core.events import ConversationRef
from core.model.callers import HERE, NOBODY, Callers
from core.model.contract import JobRequest
from core.model.pending import PendingTurn
from tests.fakes import EditingAdapter
from tests.model.beside import SLOW_MODEL, work_beside
from tests.model.test_queue import until

CHAT = ConversationRef("webchat", "s123")


class Words:
    model = "small"

    def stream(self, request: JobRequest) -> Iterator[str]:
        for n in range(20):
            yield f"w{n} "
            time.sleep(0.03)


def turn(conversation: ConversationRef = CHAT, event_id: str = "webchat:s123:m1") -> PendingTurn:
    return PendingTurn(job_id="j1", model="small", event_id=event_id, conversation=conversation)


def replica(redis: Redis, name: str) -> Callers:
    return Callers(redis, prefix="sb", replica=name, platforms={"webchat", "api"})


async def test_the_holder_delivers_another_live_replica_is_woken_a_dead_one_is_nobody(redis):
    a, b = replica(redis, "hub-a"), replica(redis, "hub-b")
    assert await a.where(turn()) == NOBODY  # nobody holds the session: the answer waits
    await a.hold(CHAT.key, CHAT)
    assert await a.where(turn()) == HERE
    assert await b.where(turn()) == NOBODY  # hub-a has not announced itself: as good as dead
    await a._beat()
    assert await b.where(turn()) == "hub-a"  # alive: b wakes it instead of delivering
    await a.close()  # hub-a goes away: its holds read as nobody at once
    assert await b.where(turn()) == NOBODY
    slack = turn(ConversationRef("slack", "C1"))
    assert await b.where(slack) == HERE  # any replica can post to a platform


async def test_an_old_sockets_late_release_does_not_drop_a_newer_hold(redis):
    a = replica(redis, "hub-a")
    await a.hold(CHAT.key, CHAT)  # the first socket
    first = a._held[CHAT.key]
    await a.hold(CHAT.key, CHAT)  # the browser reconnected (same replica)
    a._held[CHAT.key], newer = first, a._held[CHAT.key]
    await a.release(CHAT.key)  # the first socket's release arrives late
    a._held[CHAT.key] = newer
    assert await a.where(turn()) == HERE  # the newer hold stands


async def test_a_hold_during_a_redis_outage_keeps_the_caller_and_comes_back_later(redis):
    down = Redis(port=free_port(), retry=Retry(NoBackoff(), 0), decode_responses=True)  # no server
    away = replica(down, "hub-a")
    await away.hold(CHAT.key, CHAT)  # no exception: the socket / request is served anyway
    await away.release(CHAT.key)
    await away.hold(CHAT.key, CHAT)
    assert CHAT.key in away._held  # kept: the refresh records it when Redis is back
    await down.aclose()
    back = replica(redis, "hub-a")
    back._held = away._held
    await back._refresh_holds()
    assert await back.where(turn()) == HERE


async def test_a_stream_whose_first_frame_redis_could_not_record_is_still_one_message(modelkit, redis_url):
    """A Redis hiccup right after the first frame was shown must not start the stream again."""
    assembly, chat = await modelkit(EditingAdapter(), model=SLOW_MODEL)
    store = assembly.model_service.store
    real, failed = store.set_sent, []

    async def flaky(job_id, sent):  # type: ignore[no-untyped-def]
        if not failed:
            failed.append(job_id)
            raise RedisConnectionError("Redis went away for a moment")
        await real(job_id, sent)

    store.set_sent = flaky
    await chat.say("count for me")
    await asyncio.wait_for(work_beside(redis_url, Words()), 15)
    await until(lambda: bool(chat.edited) and chat.edited[-1].strip().endswith("w19"))
    assert failed and [r.interim for r in chat.sent] == [True]  # one message, edited to the end
