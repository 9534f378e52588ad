"""Priority lanes: a job on the urgent lane is served before older jobs on the normal lane, a
retry keeps its lane, and depth and status count every lane."""

from __future__ import annotations

import redis as sync_redis
from rq import Queue

from core.model.contract import JobRequest
from core.model.queue import ModelQueues
from tests.model.conftest import KEYS


def payload(job_id: str, lane: str = "") -> dict[str, object]:
    return JobRequest(job_id=job_id, model="small", prompt="<PERSON_1> asks", lane=lane).to_payload()


async def test_workers_take_the_urgent_lane_first(redis, redis_url):
    queues = ModelQueues(redis, KEYS)
    try:
        await queues.enqueue("small", payload("normal-1"), rq_id="normal-1", timeout_s=5)
        await queues.enqueue("small", payload("normal-2"), rq_id="normal-2", timeout_s=5)
        await queues.enqueue("small", payload("high-1", "high"), rq_id="high-1", timeout_s=5)
        await queues.enqueue("small", payload("urgent-1", "urgent"), rq_id="urgent-1", timeout_s=5)
        await queues.enqueue("small", payload("odd", "whenever"), rq_id="odd", timeout_s=5)  # unknown: normal
        assert await queues.depth("small") == 5
        stats = await queues.stats("small")
        assert stats["queued"] == 5 and stats["queued_by_lane"] == {"urgent": 1, "high": 1}
        connection = sync_redis.Redis.from_url(redis_url)
        lanes = [Queue(name, connection=connection) for name in KEYS.queues("small")]
        order = []
        for _ in range(5):
            job, _queue = Queue.dequeue_any(lanes, None, connection=connection)
            order.append(job.id)
        connection.close()
        assert order == ["urgent-1", "high-1", "normal-1", "normal-2", "odd"]
    finally:
        queues.close()


def test_old_payloads_without_a_lane_still_load():
    data = payload("x")
    data.pop("lane")
    assert JobRequest.from_payload(data).lane == ""
