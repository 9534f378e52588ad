"""The adapter contract: what a person notices, checked the same way on every platform against
its fake (Slack, Telegram, Discord, a helpdesk). Each platform plugs in with a small driver
(`tests/contract/drivers.py`)."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from adapters.kit.chunks import open_fence
from core import messages
from tests.contract.drivers import DiscordDriver, Driver, HelpdeskDriver, SlackDriver, TelegramDriver
from tests.fakes import ScriptedModel

HELPDESKS = ("zendesk", "freshdesk", "jsm", "intercom", "chatwoot", "zammad")
DRIVERS: dict[str, tuple[Any, str]] = {
    "slack": (SlackDriver, "slackkit"),
    "telegram": (TelegramDriver, "tgkit"),
    "discord": (DiscordDriver, "discordkit"),
    **{vendor: (functools.partial(HelpdeskDriver, vendor=vendor), "helpdesks") for vendor in HELPDESKS},
}
ANSWER = "The deploy checklist has five steps; the first is to freeze merges."
INJECTION = "Done! @everyone @here <!channel> <!here> <@U0EVE> <@&4242> <@999999999999999999> ping them"


@pytest.fixture(params=sorted(DRIVERS))
def driver(request: pytest.FixtureRequest) -> Driver:
    make, kit = DRIVERS[request.param]
    return make(request.getfixturevalue(kit))


def undelivered(hub: Any, driver: Driver) -> float:
    return hub.metrics.replies_undelivered.labels(driver.platform)._value.get()


def long_answer(driver: Driver) -> str:
    """Prose, a long code block, more prose: about 2.5 times the platform's limit."""
    paragraph = " ".join(f"Sentence number {i} explains one more step of the deploy." for i in range(10))
    code = "\n".join(f"    deploy_step({i})  # then check the logs for step {i}" for i in range(60))
    parts = [paragraph, f"```python\n{code}\n```"]
    while driver.measure("\n\n".join(parts)) < 2.5 * (driver.limit or 0):
        parts.append(paragraph)
    return "\n\n".join(parts)


def needs(condition: bool, why: str) -> None:
    if not condition:
        pytest.skip(why)


async def test_an_unverified_request_never_reaches_a_turn(driver):
    await driver.start(ScriptedModel(ANSWER))
    status = await driver.unverified()
    await driver.settle()
    assert status in (401, 403)
    assert driver.turns() == 0 and driver.shown() == []


async def test_a_redelivered_event_gets_one_reply(driver):
    await driver.start(ScriptedModel(ANSWER))
    for _ in range(2):
        await driver.ask(native=7)
        await driver.settle()
    assert len(driver.shown()) == 1


async def test_a_long_answer_arrives_split_under_the_limit_with_fences_balanced(driver):
    needs(driver.limit is not None, "one message holds any answer here")
    text = long_answer(driver)
    await driver.start(ScriptedModel(text))
    await driver.ask()
    await driver.settle()
    shown = driver.shown()
    assert len(shown) >= 3
    assert all(driver.measure(m) <= driver.limit for m in shown)
    assert all(open_fence(m) is None for m in shown)
    joined = "\n".join(shown)
    for line in ("    deploy_step(59)  # then check the logs for step 59", "Sentence number 9 explains"):
        assert line in joined


async def test_a_streamed_answer_ends_as_one_message_holding_exactly_the_full_text(driver):
    needs(driver.streams, "this platform does not edit messages")
    pieces = ("The deploy", " checklist", " has five", " steps;", " first, freeze merges.")
    await driver.start(ScriptedModel(*pieces))
    await driver.ask()
    await driver.settle()
    assert driver.shown() == ["".join(pieces)]


async def test_a_send_that_fails_twice_then_succeeds_delivers_once(driver):
    hub = await driver.start(ScriptedModel(ANSWER))
    driver.fail(2)
    await driver.ask()
    await driver.settle()
    (shown,) = driver.shown()
    assert messages.UNDELIVERED not in shown
    assert undelivered(hub, driver) == 0


async def test_a_send_that_always_fails_ends_in_one_apology_and_a_metric(driver):
    """(A helpdesk writes no notices into tickets: there the metric and the log say it.)"""
    hub = await driver.start(ScriptedModel(ANSWER))
    driver.fail(hub.outbound.retry.attempts)  # every try of the answer; the apology gets through
    await driver.ask()
    await driver.settle()
    assert driver.shown() == ([messages.UNDELIVERED] if driver.notices else [])
    assert undelivered(hub, driver) == 1


async def test_mention_injection_from_the_model_is_neutralised(driver):
    needs(driver.platform != "zendesk", "helpdesk comments notify nobody by mention")
    await driver.start(ScriptedModel(INJECTION))
    await driver.ask()
    await driver.settle()
    assert len(driver.shown()) == 1
    assert driver.pinged() == set()
