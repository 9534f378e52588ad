"""No raw placeholder ever reaches a person: what the vault cannot restore for this destination,
malformed copies and the generic tokens a model invents are shown as short redactions, the same
way in streamed edits and in the final text."""

from __future__ import annotations

import asyncio
import re

import pytest
import redis as sync_redis
from rq import Queue

from core.model import jobs
from core.model.contract import JobRequest, Kind
from core.pii.redaction import hold_back, render
from tests.fakes import EditingAdapter
from tests.model.conftest import KEYS, modelkit  # noqa: F401 — the fixture, for this module

VALUES = {"<PERSON_1>": "Ann Smith", "<EMAIL_ADDRESS_1>": "ann@example.com"}
RAW = re.compile(r"<[A-Za-z_ ]+\d*>|\[[A-Z_]+\]|\{[a-z_]+\}|[A-Z]{4,}_\d")


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ("Hello <PERSON_1>!", "Hello Ann Smith!"),
        ("Hello <PERSON_9>!", "Hello [name withheld]!"),  # no such value in the vault
        ("Dear <NAME>, your order", "Dear [name withheld], your order"),
        ("It goes to <address_123>.", "It goes to [address withheld]."),
        ("Call [PHONE] or [phone number]", "Call [phone number withheld] or [phone number withheld]"),
        ("Write to {email} or <EMAIL>", "Write to [email withheld] or [email withheld]"),
        ("Hi <person_1>, <PERSON 1>, [PERSON_1]", "Hi [name withheld], [name withheld], [name withheld]"),
        ("Hi <<PERSON_1>> and <PERSON_1 said", "Hi [name withheld] and [name withheld] said"),
        ("Card <CREDIT_CARD_1>, ssn [SSN], ip <IP_ADDRESS>", None),
        ("<FIRST_NAME> <Last Name> [REDACTED] <SOMETHING_4>", None),
    ],
)
def test_a_person_sees_values_or_readable_redactions(answer, shown):
    rendered = render(answer, VALUES, {"PERSON", "EMAIL_ADDRESS"})
    if shown is not None:
        assert rendered == shown
    assert not RAW.search(rendered), rendered
    assert "withheld]" in rendered or "Ann Smith" in rendered


def test_a_type_the_destination_may_not_see_is_withheld_even_when_known():
    assert render("Mail <EMAIL_ADDRESS_1>", VALUES, {"PERSON"}) == "Mail [email withheld]"


def test_ordinary_brackets_are_left_alone():
    text = "Use <div> and [link](x) with {count} items; 3 < 4 > 2 [1] <b>bold</b> {name_of_day"
    assert render(text, VALUES, {"PERSON"}) == text


def test_streaming_holds_back_what_may_still_become_a_placeholder():
    assert hold_back("Dear <PERS") == "Dear "
    assert hold_back("Dear [pho") == "Dear "
    assert hold_back("Dear {") == "Dear "
    assert hold_back("Dear <PERSON_1>, hi") == "Dear <PERSON_1>, hi"


STREAMED = ["Hello <PERSON_9>", "Hello <PERSON_9>, dear <NA", "Hello <PERSON_9>, dear <NAME>, at <address_1"]
FINAL = "Hello <PERSON_9>, dear <NAME>, at <address_123>. Bye <PERSON_1>."


async def test_invented_placeholders_show_as_redactions_streamed_and_final(
    modelkit,  # noqa: F811
    masker,
    redis_url,
):
    adapter = EditingAdapter()
    model = {"backend": "ctransformers", "name": "small", "path": "/x.gguf", "edit_interval_ms": 50}
    _assembly, chat = await modelkit(adapter, masker=masker, model=model, pii={"enabled": True})
    await chat.say("Hi, I'm Ann Smith, what should I write?")
    connection = sync_redis.Redis.from_url(redis_url)
    queue = Queue(KEYS.queue("small"), connection=connection)
    request = JobRequest.from_payload(queue.fetch_job(queue.get_job_ids()[0]).args[0])
    assert "Ann" not in request.prompt and "<PERSON_1>" in request.prompt
    for text in STREAMED:
        jobs.publish(connection, request, Kind.PARTIAL, text=text)
        shown = len(chat.sent) + len(adapter.edited)
        async with asyncio.timeout(5):
            while len(chat.sent) + len(adapter.edited) == shown:
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.06)  # past the edit interval: the next part is shown too
    jobs.publish(connection, request, Kind.FINAL, text=FINAL)
    async with asyncio.timeout(5):
        while not adapter.edited or "Bye" not in adapter.edited[-1]:
            await asyncio.sleep(0.02)
    connection.close()
    everything = [r.text for r in chat.sent] + adapter.edited
    assert all(not RAW.search(text) and "<" not in text for text in everything), everything
    assert everything[0] == "Hello [name withheld]"
    assert adapter.edited[-1] == (
        "Hello [name withheld], dear [name withheld], at [address withheld]. Bye Ann Smith."
    )
