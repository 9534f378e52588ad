"""A hub with the real Slack adapter (slack_sdk against the fake Slack) and the real Zendesk adapter
(against the fake Zendesk), both on 127.0.0.1, real Redis, the bridge between them.

The fakes behave like the platforms: `echo()` delivers what each would send back for everything
the bot wrote (Slack: a message event for every post; Zendesk: a comment_added webhook for every
comment), so a test can count what a loop would add."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.helpdesk import HelpdeskAdapter, build, config_for
from adapters.kit.http import SharedSession
from adapters.slack import SlackAdapter, SlackConfig
from bots.compose import Assembly, assemble
from core.botdef import parse_bot
from tests.helpdesk.conftest import VAULT_KEY, helpdesks, payload  # noqa: F401 — helpdesks: a fixture
from tests.helpdesk.fake_helpdesk import AGENT_ID, CUSTOMER_ID, FakeHelpdesk
from tests.helpdesk.signing import ENV, signed
from tests.pii.conftest import analyzer, masker, vault  # noqa: F401 — the real masker
from tests.slack.conftest import FAST, SIGNING_SECRET, signed_headers
from tests.slack.fake_slack import FakeSlack

CHANNEL = "C0SWARM01"
REF = "35436"
BRIDGE = {"channel": CHANNEL}


class Swarm:
    def __init__(self, redis: Any, slack: FakeSlack, zendesk: FakeHelpdesk) -> None:
        self.redis = redis
        self.slack = slack
        self.zendesk = zendesk
        self.session = aiohttp.ClientSession()
        self.assembly: Assembly | None = None
        self.server: TestServer | None = None
        self.slack_adapter: SlackAdapter | None = None
        self.zendesk_adapter: HelpdeskAdapter | None = None
        self._http = SharedSession()
        self._echoed_posts: set[str] = set()
        self._echoed_comments: set[str] = set()
        self._ids = itertools.count(1)

    # -- a hub replica --------------------------------------------------------------------------
    async def start(
        self,
        *,
        pii_masker: Any = None,
        bridge: dict[str, Any] | None = None,
        skill: str = "tests.helpdesk.ticket_skill:answer",
        model: dict[str, Any] | None = None,
        bot: dict[str, Any] | None = None,
        knowledge: Any = None,
        clock: Any = None,
        **zendesk_options: Any,
    ) -> Swarm:
        """Start a hub replica (stopping the one before: a restart keeps only Redis and the fakes).
        `clock`: what parked writes read (the tests sweep them: `sweep()`)."""
        await self.stop_hub()
        options = {"bridge": bridge or BRIDGE, **zendesk_options}
        slack_env = {
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": "xoxb-one",
            "SWITCHBOARD_SLACK_API_URL": self.slack.api_url,
        }
        self.slack_adapter = SlackAdapter(SlackConfig.from_env(slack_env, FAST), self.redis)
        env = {**ENV["zendesk"], "ZENDESK_URL": self.zendesk.url}
        zendesk = build(
            "zendesk",
            config_for("zendesk", env, options),
            self.redis,
            self._http,
            vault_key=lambda: VAULT_KEY,
            clock=clock,
            sweep_every_s=None,
        )
        self.zendesk_adapter = zendesk
        module, _, fallback = skill.partition(":")
        data: dict[str, Any] = {
            "name": "testbot",
            "skills": [module],
            "fallback": fallback,
            "adapters": {"zendesk": options},
        }
        if model is not None:
            data["model"] = model
        data.update(bot or {})
        if pii_masker is not None:
            data["pii"] = {"enabled": True}
        self.assembly = assemble(
            parse_bot(data, source="test"),
            self.redis,
            adapters=[self.slack_adapter, zendesk],
            masker=pii_masker,
        )
        self.assembly.services.knowledge = knowledge
        await self.assembly.hub.start()
        if self.assembly.model_service is not None:
            await self.assembly.model_service.start()
        self.server = TestServer(self.assembly.http_app(), host="127.0.0.1", port=0)
        await self.server.start_server()
        return self

    async def stop_hub(self) -> None:
        if self.server is not None:
            await self.server.close()
        if self.assembly is not None:
            if self.assembly.model_service is not None:
                await self.assembly.model_service.stop()
            await self.assembly.hub.stop(grace=2)
        self.server = self.assembly = None

    async def close(self) -> None:
        await self.stop_hub()
        await self.session.close()
        await self._http.close()

    async def settle(self) -> None:
        assert self.assembly is not None and self.slack_adapter is not None
        hub, adapter = self.assembly.hub, self.slack_adapter
        while hub.in_flight or len(adapter.background):
            await hub.drain()
            await adapter.background.drain()

    async def _post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        assert self.server is not None
        url = f"http://127.0.0.1:{self.server.port}{path}"
        async with self.session.post(url, data=body, headers=headers) as response:
            text = await response.text()
            return response.status, json.loads(text) if text else None

    # -- Zendesk side -------------------------------------------------------------------------------
    async def webhook(self, body: dict[str, Any]) -> tuple[int, Any]:
        raw = json.dumps(body).encode()
        delivery = f"zd-{next(self._ids)}"
        headers = {"Content-Type": "application/json", **signed("zendesk", raw, delivery)}
        result = await self._post("/hooks/zendesk", raw, headers)
        await self.settle()
        return result

    async def ticket_created(self, description: str | None = None) -> None:
        body = payload("zendesk", "ticket_created")
        if description is not None:
            body["detail"]["description"] = description
        self.zendesk.ticket(REF, status="new")
        assert (await self.webhook(body))[0] == 200

    def _comment_event(self, comment_id: str, author: str, text: str, public: bool) -> dict[str, Any]:
        body = payload("zendesk", "customer_replied")
        body["detail"]["status"] = self.zendesk.ticket(REF).status.upper()
        body["event"]["comment"] = {
            "id": comment_id,
            "body": text,
            "is_public": public,
            "author": {"id": author, "is_staff": author != CUSTOMER_ID, "name": "someone"},
        }
        return body

    async def customer_says(self, text: str, *, tags: list[str] | None = None) -> None:
        ticket = self.zendesk.ticket(REF)
        if ticket.status in {"solved", "closed"}:
            ticket.status = "open"  # Zendesk reopens a solved ticket when the requester writes
        comment = self.zendesk.add_comment(REF, CUSTOMER_ID, text)
        self._echoed_comments.add(comment.id)
        body = self._comment_event(comment.id, CUSTOMER_ID, text, True)
        if tags is not None:
            body["detail"]["tags"] = tags
        assert (await self.webhook(body))[0] == 200

    async def agent_writes(self, text: str, *, public: bool) -> None:
        """An agent answers (or notes) in the helpdesk's own UI."""
        comment = self.zendesk.add_comment(REF, AGENT_ID, text, public=public)
        self._echoed_comments.add(comment.id)
        assert (await self.webhook(self._comment_event(comment.id, AGENT_ID, text, public)))[0] == 200

    async def status(self, status: str) -> None:
        self.zendesk.ticket(REF, status=status)
        body = payload("zendesk", "status_solved")
        body["detail"]["status"] = status.upper()
        assert (await self.webhook(body))[0] == 200

    async def sweep(self) -> int:
        """This replica's sweep of the parked writes (the sweeper's every 5 s)."""
        assert self.zendesk_adapter is not None
        return await self.zendesk_adapter.sweep()

    def metric(self, **labels: str) -> float:
        """`switchboard_skills_bridge_messages_total` for these labels, on this hub."""
        assert self.assembly is not None
        registry = self.assembly.metrics.registry
        return registry.get_sample_value("switchboard_skills_bridge_messages_total", labels) or 0.0

    def comments(self) -> list[Any]:
        return list(self.zendesk.ticket(REF).comments)

    # -- Slack side ---------------------------------------------------------------------------------
    def parent(self) -> dict[str, Any]:
        (first,) = [m for m in self.slack.messages if m["channel"] == CHANNEL and not m.get("thread_ts")]
        return first

    def in_thread(self) -> list[str]:
        ts = self.parent()["ts"]
        return [m["text"] for m in self.slack.messages if m.get("thread_ts") == ts and m.get("bot_id")]

    def _envelope(self, event: dict[str, Any]) -> dict[str, Any]:
        return {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{next(self._ids):08d}",
            "event_time": 1,
            "event": {"type": "message", "channel": CHANNEL, "channel_type": "channel", "team": "T1"} | event,
        }

    async def slack_event(self, envelope: dict[str, Any]) -> None:
        raw = json.dumps(envelope).encode()
        headers = {"Content-Type": "application/json", **signed_headers(raw)}
        status, _ = await self._post("/slack/events", raw, headers)
        assert status == 200
        await self.settle()

    async def says(self, user: str, text: str) -> dict[str, Any]:
        """`user` writes `text` in the ticket's thread (Slack shows it, then sends the event)."""
        message = {"ts": self.slack._next_ts(), "thread_ts": self.parent()["ts"], "user": user, "text": text}
        self.slack.messages.append({**message, "channel": CHANNEL})
        envelope = self._envelope(message)
        await self.slack_event(envelope)
        return envelope

    # -- the echoes a real platform sends back -------------------------------------------------------
    async def echo(self) -> None:
        """Slack: a message event for every bot post; Zendesk: a webhook for every comment."""
        for message in [m for m in self.slack.messages if m.get("bot_id")]:
            if message["ts"] in self._echoed_posts:
                continue
            self._echoed_posts.add(message["ts"])
            event = {k: v for k, v in copy.deepcopy(message).items() if v is not None and k != "metadata"}
            await self.slack_event(self._envelope({**event, "user": "UBOT", "app_id": "A1"}))
        for comment in self.comments():
            if comment.id in self._echoed_comments:
                continue
            self._echoed_comments.add(comment.id)
            echo = self._comment_event(comment.id, comment.author_id, comment.body, comment.public)
            await self.webhook(echo)


@pytest.fixture
async def swarm(redis: Any) -> AsyncIterator[Swarm]:
    slack = await FakeSlack().start()
    zendesk = await FakeHelpdesk("zendesk").start()
    world = Swarm(redis, slack, zendesk)
    yield world
    await world.close()
    await zendesk.close()
    await slack.close()
