"""Customer PII through triage, drafts and handoff: the model, the queue, Redis and the logs see
placeholders only; the agents' notes show what the internal-note policy allows."""

from __future__ import annotations

import logging

import pytest

from tests.helpdesk.vendor_facts import text
from tests.helpdesk_skills.conftest import DraftEngine, comment, ticket
from tests.model.test_queue import everything_in_redis
from tests.pii.conftest import PII_BOT

CANARIES = ("zk.canary@example.org", "123 45 67", "Wojciechowska")
BODY = (
    "Hi, I was charged twice for my invoice, please refund one of them. You can call me on "
    "+48 22 123 45 67 or mail zk.canary@example.org.\n\nThanks,\nAgnieszka Wojciechowska"
)


@pytest.mark.parametrize("vendor", ["zendesk", "freshdesk"])
async def test_customer_pii_never_in_clear_towards_the_model_queue_or_logs(desks, vendor, masker, caplog):
    caplog.set_level(logging.DEBUG)
    desk = await desks(vendor, pii_masker=masker, pii=PII_BOT["pii"])
    desk.engine = DraftEngine("Dear <PERSON_1>, we refunded the second charge.")
    await desk.send(ticket(vendor, "Charged twice", BODY))
    dump = everything_in_redis(desk.redis_url).decode(errors="replace")  # queued job, pending turn, store
    await desk.work()
    await desk.send(
        comment(vendor, "customer_replied", "I want to speak to a human.\n\nThanks,\nAgnieszka Wojciechowska")
    )
    for canary in CANARIES:
        assert canary not in dump and canary not in caplog.text
        assert all(canary not in prompt for prompt in desk.engine.prompts)
    assert "<EMAIL_ADDRESS_1>" in desk.engine.prompts[0]
    draft, summary = (text(vendor, w.body) for w in desk.fake.writes)
    assert "Wojciechowska" in draft  # restored for the agents' note: <PERSON_1> is the customer
    assert summary.startswith("Handed to a person") and "zk.canary@example.org" in summary
    blob = everything_in_redis(desk.redis_url)
    assert b"Wojciechowska" not in blob, _where(blob, b"Wojciechowska")


def _where(blob: bytes, word: bytes) -> list[bytes]:
    return [line[:200] for line in blob.split(b"\n") if word in line]
