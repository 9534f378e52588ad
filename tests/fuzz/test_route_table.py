"""The fuzz corpus covers every route of the hub: the route table is the one the hub assembles
(`bots.runner.adapters_for` + `Assembly.http_app`) with every adapter switched on, as in the
fuzz hub; each of its (method, resource) pairs must be hit by some case of the sample. A route
added later without fuzz cases fails here, by name."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from redis.asyncio import Redis

from bots.compose import assemble
from bots.runner import adapters_for
from core.botdef import load_bot
from core.settings import Settings
from tests.discord.conftest import PUBLIC_KEY
from tests.discord.fake_discord import APPLICATION_ID, TOKEN
from tests.fuzz import corpus
from tests.fuzz.hubenv import bot_definition, hub_env
from tests.fuzz.routes import HELPDESKS, HOOK_NAME

NOWHERE = "http://127.0.0.1:9"


def hub_routes(tmp_path: Path) -> list[tuple[str, web.AbstractResource]]:
    bot_file = tmp_path / "fuzzbot.toml"
    bot_file.write_text(
        bot_definition("http://127.0.0.1:9/replies").replace("enabled = true", "enabled = false")
    )
    discord = {
        "DISCORD_BOT_TOKEN": TOKEN,
        "DISCORD_APPLICATION_ID": APPLICATION_ID,
        "DISCORD_PUBLIC_KEY": PUBLIC_KEY,
    }
    env = hub_env(
        bot_file,
        slack_base=NOWHERE,
        telegram_api=NOWHERE,
        discord=discord,
        desks=dict.fromkeys(HELPDESKS, NOWHERE),
    )
    settings = Settings.from_env(env)
    redis = Redis.from_url("redis://127.0.0.1:9")  # never connected: nothing here starts
    bot = load_bot(settings.bot)
    app = assemble(bot, redis, settings=settings, adapters=adapters_for(bot, settings, redis)).http_app()
    return [(route.method, route.resource) for route in app.router.routes() if route.resource is not None]


def _hits(resource: web.AbstractResource, path: str) -> bool:
    info = resource.get_info()
    if "path" in info:
        return info["path"] == path
    return bool(info["pattern"].fullmatch(path))


def test_every_route_of_the_hub_gets_fuzz_cases(tmp_path: Path) -> None:
    table = hub_routes(tmp_path)
    paths = {resource.canonical for _, resource in table}
    assert {f"/hooks/{v}" for v in (*HELPDESKS, HOOK_NAME)} | {"/telegram/webhook", "/admin/login"} <= paths
    sent = {
        ("GET" if case.method == "WS" else case.method, case.path.split("?")[0])
        for case in corpus.cases(False)
    }
    missing = [
        f"{method} {resource.canonical}"
        for method, resource in table
        if method != "HEAD" and not any(m == method and _hits(resource, p) for m, p in sent)
    ]
    assert missing == []
