"""`switchboard discord sync-commands`: registers /ask and /switchboard only when they changed."""

from __future__ import annotations

from adapters.discord.commands import definitions, fingerprint
from bots.discord_tools import sync_commands
from core.settings import Settings
from tests.discord.fake_discord import GUILD_ID


def settings(fake) -> Settings:  # type: ignore[no-untyped-def]
    return Settings.from_env(fake.env())


async def test_commands_are_registered_once_then_left_alone(fake_discord, capsys):
    assert await sync_commands(settings(fake_discord), GUILD_ID) == 0
    assert "registered for server" in capsys.readouterr().out
    assert len(fake_discord.of("PUT", f"/guilds/{GUILD_ID}/commands")) == 1
    names = [c["name"] for c in fake_discord.commands[GUILD_ID]]
    assert names == ["ask", "switchboard"]
    admin = fake_discord.commands[GUILD_ID][1]
    assert admin["default_member_permissions"] == "32"  # Manage Server sees it
    assert await sync_commands(settings(fake_discord), GUILD_ID) == 0
    assert "already up to date" in capsys.readouterr().out
    assert len(fake_discord.of("PUT")) == 1  # no second create: Discord allows 200 a day


async def test_global_sync_and_a_changed_set_is_written_again(fake_discord):
    assert await sync_commands(settings(fake_discord), None) == 0
    fake_discord.commands["global"][0]["description"] = "an old description"
    assert await sync_commands(settings(fake_discord), None) == 0
    assert len(fake_discord.of("PUT", "/applications/1100000000000000001/commands")) == 2


def test_fingerprint_ignores_what_discord_adds():
    wanted = definitions("32")
    stored = [{**c, "id": "123", "version": "456", "application_id": "1"} for c in wanted]
    assert fingerprint(stored) == fingerprint(wanted)
    assert fingerprint(definitions("8")) != fingerprint(wanted)


async def test_a_refused_sync_says_so(fake_discord, capsys):
    fake_discord.fail_next("PUT /applications", 403, {"message": "Missing Access", "code": 50001})
    assert await sync_commands(settings(fake_discord), GUILD_ID) == 1
    assert "HTTP 403" in capsys.readouterr().err


def test_the_cli_has_the_command():
    from bots.cli import build_parser

    args = build_parser().parse_args(["discord", "sync-commands", "--guild", GUILD_ID])
    assert args.guild == GUILD_ID and args.func.__name__ == "cmd_discord_sync_commands"
