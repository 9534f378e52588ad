"""A hub with the helpdesk skills, one vendor's fake API, a model service and an in-process RQ
worker whose engine writes a fixed draft (and records the masked prompts it was given)."""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis as sync_redis
from rq import Queue, SimpleWorker

from core.knowledge import Passage
from core.model import jobs
from core.model.contract import JobRequest
from tests.helpdesk.conftest import HelpdeskHub, HelpdeskKit, payload
from tests.model.conftest import KEYS
from tests.pii.conftest import analyzer, masker, vault  # noqa: F401 — fixtures for the PII test

MODEL = {"backend": "ctransformers", "name": "small", "path": "/nowhere.gguf", "stream": False}
DRAFT = "Hello, we have refunded the second charge on your invoice."
REFUND_DOC = Passage(
    title="Billing › Refunds",
    link="https://help.example.com/billing#refunds",
    text="Double charges are refunded within 5 days.",
    confidence=0.9,
)
HELPDESK = {
    "handoff": {"group": "360099"},
    "auto_reply": {"intents": ["login"], "threshold": 0.6},
}
BOT = {
    "skills": ["skills.helpdesk.skill", "skills.fallback"],
    "fallback": "fallback",
    "model": MODEL,
    "helpdesk": HELPDESK,
}


class DraftEngine:
    """Answers every job with `answer`; keeps the (masked) prompts and systems it saw."""

    model = "small"

    def __init__(self, answer: str = DRAFT) -> None:
        self.answer = answer
        self.prompts: list[str] = []
        self.lanes: list[str] = []

    def stream(self, request: JobRequest) -> Iterator[str]:
        self.prompts.append(request.prompt + "\n" + request.system)
        self.lanes.append(request.lane)
        yield self.answer


class FakeIndex:
    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.queries: list[str] = []

    async def search(self, query: str, limit: int = 3) -> list[Passage]:
        self.queries.append(query)
        return self.passages[:limit]


def work_off(redis_url: str, engine: Any) -> None:
    connection = sync_redis.Redis.from_url(redis_url)
    jobs.install(engine, "test-worker")
    try:
        lanes = [Queue(name, connection=connection) for name in KEYS.queues("small")]
        SimpleWorker(lanes, connection=connection).work(burst=True, logging_level="WARNING")
    finally:
        jobs.install(None)
        connection.close()


class Desk:
    """One vendor's hub: deliver webhooks, run the worker, read what the fake helpdesk holds."""

    def __init__(self, hub: HelpdeskHub, redis_url: str, engine: DraftEngine) -> None:
        self.hub = hub
        self.fake = hub.fake
        self.vendor = hub.vendor
        self.redis_url = redis_url
        self.engine = engine
        self._n = 0

    async def send(self, body: dict[str, Any]) -> dict[str, Any]:
        self._n += 1
        status, answer = await self.hub.deliver(body, delivery=f"d-{self._n}")
        assert status == 200, answer
        await self.hub.settle()
        return answer

    async def work(self) -> None:
        """Let the worker answer what is queued, then wait until the answers are delivered."""
        writes = len(self.fake.writes)
        work_off(self.redis_url, self.engine)  # RQ installs signal handlers: main thread only
        async with asyncio.timeout(10):
            while len(self.fake.writes) == writes:
                await asyncio.sleep(0.02)
        await self.hub.settle()

    def metric(self, name: str, **labels: str) -> float:
        value = self.hub.assembly.metrics.registry.get_sample_value(name, labels or None)
        return value or 0.0


_SENT = itertools.count(1)


def ticket(vendor: str, subject: str, body: str, *, sla_due: str = "") -> dict[str, Any]:
    data = copy.deepcopy(payload(vendor, "ticket_created"))
    if vendor == "zendesk":
        data["detail"].update(subject=subject, description=body)
    else:  # Freshdesk's delivery id is its update time and body: a new ticket is a new update
        hook = data["freshdesk_webhook"]
        stamp = f"2026-11-30T10:{next(_SENT) % 60:02d}:00Z"
        hook.update(
            ticket_subject=subject, ticket_description=body, ticket_due_by=sla_due, ticket_updated_at=stamp
        )
    return data


def comment(vendor: str, name: str, body: str) -> dict[str, Any]:
    """`customer_replied`, `agent_replied` or `internal_note` with this text."""
    data = copy.deepcopy(payload(vendor, name))
    if vendor == "zendesk":
        data["event"]["comment"]["body"] = body
    else:
        key = "ticket_latest_private_comment" if name == "internal_note" else "ticket_latest_public_comment"
        data["freshdesk_webhook"][key] = body
        data["freshdesk_webhook"]["ticket_updated_at"] = f"2026-11-30T12:{next(_SENT) % 60:02d}:00Z"
    return data


@pytest.fixture
async def desks(redis: Any, redis_url: str) -> AsyncIterator[Any]:
    kit = HelpdeskKit(redis)
    started: list[Any] = []

    async def build(vendor: str, *, pii_masker: Any = None, knowledge: Any = None, **bot: Any) -> Desk:
        hub = await kit.build(vendor, pii_masker=pii_masker, **{**BOT, **bot})
        assembly = hub.assembly
        assembly.services.knowledge = knowledge
        if assembly.model_service is not None:
            await assembly.model_service.start()
            started.append(assembly)
        return Desk(hub, redis_url, DraftEngine())

    yield build
    for assembly in started:
        await assembly.model_service.stop()
    await kit.close()
