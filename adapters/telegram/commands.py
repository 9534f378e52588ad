"""The bot's command menu in Telegram (`setMyCommands`), per scope: the skills' commands for
everyone, those plus the admin commands in each bot admin's private chat. Telegram only shows the
menu; who may run an admin command is checked by the core on every call (`telegram:<user id>`).
A scope is written only when what Telegram has differs (`getMyCommands` first)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import BadRequest

from core.admin import AdminCommands
from core.skills import Skill

log = logging.getLogger(__name__)

NAME = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_COMMANDS = 100


@dataclass(frozen=True, slots=True)
class CommandMenu:
    """What the menus show: (command, description) pairs, and the admins' Telegram user ids."""

    users: tuple[tuple[str, str], ...] = ()
    admins_extra: tuple[tuple[str, str], ...] = ()
    admin_ids: tuple[int, ...] = field(default=())

    @classmethod
    def build(
        cls, skills: Iterable[Skill], admin_commands: AdminCommands, admins: Iterable[str]
    ) -> CommandMenu:
        users: dict[str, str] = {}
        for item in skills:
            for command in item.commands:
                users.setdefault(command, item.description or item.name)
        users.update({c.name: c.summary for c in admin_commands if c.anyone})  # /stop: everyone's
        extra = {c.name: c.summary for c in admin_commands if c.name not in users}
        ids = tuple(int(a.split(":", 1)[1]) for a in admins if re.fullmatch(r"telegram:\d+", a))
        return cls(_valid(users.items()), _valid(extra.items()), ids)


def _valid(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    found = []
    for name, description in sorted(pairs):
        if NAME.match(name):
            found.append((name, (description.strip() or name)[:256]))
    return tuple(found[:MAX_COMMANDS])


async def register(bot: Bot, menu: CommandMenu) -> int:
    """Bring every scope up to date; returns how many scopes were written."""
    scopes: list[tuple[BotCommandScope, Sequence[tuple[str, str]]]] = [(BotCommandScopeDefault(), menu.users)]
    admin_menu = (*menu.users, *menu.admins_extra)
    scopes += [(BotCommandScopeChat(chat_id=user), admin_menu) for user in menu.admin_ids]
    written = 0
    for scope, wanted in scopes:
        try:
            current = await bot.get_my_commands(scope=scope)
            if [(c.command, c.description) for c in current] == list(wanted):
                continue
            if wanted:
                await bot.set_my_commands([BotCommand(n, d) for n, d in wanted], scope=scope)
            else:
                await bot.delete_my_commands(scope=scope)
        except BadRequest as exc:  # e.g. an admin who never opened a chat with the bot
            log.warning(
                "command menu not set for a scope: %s", exc.message[:80], extra={"platform": "telegram"}
            )
            continue
        written += 1
    if written:
        log.info("telegram command menus updated (%d scopes)", written, extra={"platform": "telegram"})
    return written
