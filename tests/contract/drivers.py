"""One small driver per platform, so that the adapter contract suite runs the same checks on
every adapter against its fake platform: deliver an inbound event (signed, unsigned, again),
read what the fake platform shows, and make its next sends fail."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Protocol

from adapters.kit.chunks import utf16_len
from core.hub import Hub
from core.outbound import Retry
from tests.fakes import MODEL_BOT

FAST_RETRY = Retry(attempts=3, backoff_s=0.01)
ASK = "what does the deploy checklist say?"


class Driver(Protocol):
    platform: str
    limit: int | None  # the longest message; None: one message holds any answer
    measure: Callable[[str], int]
    streams: bool  # answers can grow in place
    notices: bool  # system notices (apologies) are shown to the person
    asker: str  # the native id of the person asking

    async def start(self, gateway: Any = None) -> Hub:
        """A hub with this adapter on the fake platform (a model bot when `gateway` is given)."""

    async def ask(self, text: str = ASK, *, native: int = 1) -> None:
        """A signed inbound message that reaches a turn; the same `native` is a redelivery."""

    async def unverified(self, text: str = ASK) -> int:
        """The same with a wrong signature; returns the HTTP status the hub answered."""

    def shown(self) -> list[str]:
        """The bot's messages as people see them, in order."""

    def pinged(self) -> set[str]:
        """Who the bot's messages would notify, besides the asker."""

    def fail(self, times: int) -> None:
        """The platform refuses the next `times` sends (one API call each)."""

    async def settle(self) -> None: ...

    def turns(self) -> float:
        """Events the hub handed to a turn."""


def _fast(hub: Hub) -> Hub:
    hub.outbound.retry = FAST_RETRY  # the contract is about counts, not about waiting
    return hub


class SlackDriver:
    platform = "slack"
    limit = 3_900
    measure = staticmethod(len)
    streams = True
    notices = True
    asker = "U061F7AUR"

    def __init__(self, kit: Any) -> None:
        self.kit = kit
        self.fake = kit.fake
        self.hub: Any = None

    async def start(self, gateway: Any = None) -> Hub:
        config = self.kit.config(max_chars=self.limit)
        self.hub = await self.kit.build(config, gateway=gateway, **(MODEL_BOT if gateway else {}))
        return _fast(self.hub.assembly.hub)

    def _envelope(self, text: str, native: int) -> dict[str, Any]:
        from tests.slack.payloads import load

        envelope = load("app_mention")
        envelope["event"]["text"] = f"<@UBOT> {text}"
        envelope["event_id"] = f"Ev{native:08d}"
        return envelope

    async def ask(self, text: str = ASK, *, native: int = 1) -> None:
        status, _ = await self.hub.event(self._envelope(text, native))
        assert status == 200

    async def unverified(self, text: str = ASK) -> int:
        status, _ = await self.hub.event(self._envelope(text, 99), sign=False)
        return int(status)

    def shown(self) -> list[str]:
        return self.fake.shown()

    def pinged(self) -> set[str]:
        found = set()
        for text in self.shown():
            found |= set(re.findall(r"<(![a-z^]+|@[A-Z0-9]+)", text))
        return found - {f"@{self.asker}"}

    def fail(self, times: int) -> None:
        for _ in range(times):  # a 4xx: refused at once (a 5xx is retried inside the adapter)
            self.fake.fail_next("chat.postMessage", 400)

    async def settle(self) -> None:
        await self.hub.settle()
        await self.hub.adapter.outbox.drain()

    def turns(self) -> float:
        return float(self.hub.events_received())


class TelegramDriver:
    platform = "telegram"
    limit = 4_096
    measure = staticmethod(utf16_len)
    streams = True
    notices = True
    asker = "111111111"

    def __init__(self, kit: Any) -> None:
        self.kit = kit
        self.fake = kit.fake
        self.hub: Any = None

    async def start(self, gateway: Any = None) -> Hub:
        self.hub = await self.kit.build(gateway=gateway, **(MODEL_BOT if gateway else {}))
        return _fast(self.hub.assembly.hub)

    def _update(self, text: str, native: int) -> dict[str, Any]:
        from tests.telegram.payloads import load

        update = load("group_mention")
        update["update_id"] = 900_000_000 + native
        update["message"]["message_id"] = 20 + native
        update["message"]["text"] = f"@Switchboard_Test_Bot {text}"
        update["message"]["entities"] = [{"offset": 0, "length": 21, "type": "mention"}]
        return update

    async def ask(self, text: str = ASK, *, native: int = 1) -> None:
        status, _ = await self.hub.update(self._update(text, native))
        assert status == 200

    async def unverified(self, text: str = ASK) -> int:
        status, _ = await self.hub.update(self._update(text, 99), secret="not-the-secret")
        return int(status)

    def shown(self) -> list[str]:
        return [m.text for m in self.fake.messages]

    def pinged(self) -> set[str]:
        return {ping for m in self.fake.messages for ping in m.pings}

    def fail(self, times: int) -> None:
        from tests.telegram.fake_telegram import Failure

        self.fake.fail("sendMessage", *[Failure(400, "Bad Request: try again later")] * times)

    async def settle(self) -> None:
        await self.hub.settle()
        await self.hub.adapter.streams.drain()

    def turns(self) -> float:
        return float(self.hub.events_received())


class DiscordDriver:
    platform = "discord"
    limit = 2_000
    measure = staticmethod(len)
    streams = True
    notices = True
    asker = "53908099506183680"

    def __init__(self, kit: Any) -> None:
        self.kit = kit
        self.fake = kit.fake
        self.hub: Any = None
        self._seen: set[int] = set()

    async def start(self, gateway: Any = None) -> Hub:
        from tests.discord.conftest import PUBLIC_KEY

        config = self.kit.config({"DISCORD_PUBLIC_KEY": PUBLIC_KEY})
        self.hub = await self.kit.build(config, gateway=gateway, **(MODEL_BOT if gateway else {}))
        return _fast(self.hub.assembly.hub)

    async def ask(self, text: str = ASK, *, native: int = 1) -> None:
        from tests.discord.payloads import load

        payload = load("message_guild_mention")
        payload["d"]["content"] = f"<@1100000000000000001> {text}"
        payload["d"]["id"] = str(1_200_000_000_000_000_000 + native)
        before = self.hub.events_received()
        await self.fake.say(payload)
        if native not in self._seen:  # a redelivery is dropped before the hub: nothing to wait for
            await self.fake.wait_for(lambda: self.hub.events_received() > before)
        self._seen.add(native)

    async def unverified(self, text: str = ASK) -> int:
        from tests.discord.conftest import signed_headers
        from tests.discord.payloads import load

        body = json.dumps(load("interaction_ask")).encode()
        headers = signed_headers(body)
        headers["X-Signature-Ed25519"] = "00" * 64
        status, _ = await self.hub.post("/discord/interactions", body, headers)
        return int(status)

    def shown(self) -> list[str]:
        return self.fake.shown()

    def pinged(self) -> set[str]:
        return {p for m in self.fake.posted() for p in self.fake.pinged(m)} - {f"user:{self.asker}"}

    def fail(self, times: int) -> None:
        from tests.discord.fake_discord import CHANNEL_ID

        for _ in range(times):  # (not the typing calls: those are POSTs to the channel too)
            self.fake.fail_next(f"POST /channels/{CHANNEL_ID}/messages", 400)

    async def settle(self) -> None:
        await self.hub.settle()

    def turns(self) -> float:
        return float(self.hub.events_received())


class HelpdeskDriver:
    """One helpdesk vendor (`platform`): Zendesk, Freshdesk, Jira Service Management, Intercom,
    Chatwoot or Zammad, each against its fake from tests/helpdesk."""

    platform = "zendesk"
    limit = None  # one comment holds any answer
    measure = staticmethod(len)
    streams = False
    notices = False  # a ticket gets answers and notes, never the hub's notices
    asker = ""

    def __init__(self, kit: Any, vendor: str = "zendesk") -> None:
        self.kit = kit
        self.platform = vendor
        self.hub: Any = None

    async def start(self, gateway: Any = None) -> Hub:
        """(Ticket skills answer here, not a model: `gateway` is not used.)"""
        self.hub = await self.kit.build(self.platform)
        return _fast(self.hub.assembly.hub)

    async def ask(self, text: str = ASK, *, native: int = 1) -> None:
        from tests.helpdesk.conftest import payload

        status, _ = await self.hub.deliver(payload(self.platform, "ticket_created"), delivery=f"d-{native}")
        assert status == 200

    async def unverified(self, text: str = ASK) -> int:
        from tests.helpdesk.conftest import payload

        status, _ = await self.hub.deliver(payload(self.platform, "ticket_created"), sign=False)
        return int(status)

    def shown(self) -> list[str]:
        from tests.helpdesk.vendor_facts import text

        return [text(self.platform, w.body) for w in self.hub.fake.writes if w.stored]

    def pinged(self) -> set[str]:
        return set()

    def fail(self, times: int) -> None:
        self.hub.fake.refuse_writes = times

    async def settle(self) -> None:
        await self.hub.settle()

    def turns(self) -> float:
        return float(self.hub.events_received())
