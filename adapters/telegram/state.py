"""What the Telegram adapter keeps in Redis, shared by every hub replica (key names in one place):
chats that moved (group → supergroup), chats whose user blocked the bot, business connections."""

from __future__ import annotations

from typing import cast

from redis.asyncio import Redis

MIGRATION_TTL_S = 365 * 86_400
BLOCKED_TTL_S = 30 * 86_400  # cleared as soon as the person writes again
BUSINESS_TTL_S = 30 * 86_400


class TelegramState:
    def __init__(self, redis: Redis, prefix: str, bot_id: str) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:telegram:{bot_id}"

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- group → supergroup ---------------------------------------------------------------
    async def migrate(self, old_chat_id: str, new_chat_id: str) -> None:
        await self.redis.set(self.key("migrated", old_chat_id), new_chat_id, ex=MIGRATION_TTL_S)

    async def current_chat(self, chat_id: str) -> str:
        if not chat_id.startswith("-") or chat_id.startswith("-100"):
            return chat_id  # only basic groups (negative, no -100) ever migrate
        moved = await self.redis.get(self.key("migrated", chat_id))
        return str(moved) if moved else chat_id

    # -- chats that refuse the bot (403) ------------------------------------------------------
    async def mark_blocked(self, chat_id: str) -> None:
        await self.redis.set(self.blocked_key(chat_id), "1", ex=BLOCKED_TTL_S)

    async def unblock(self, chat_id: str) -> None:
        await self.redis.delete(self.blocked_key(chat_id))

    def blocked_key(self, chat_id: str) -> str:
        return self.key("blocked", chat_id)

    async def is_blocked(self, chat_id: str) -> bool:
        return bool(await self.redis.exists(self.key("blocked", chat_id)))

    # -- business connections -------------------------------------------------------------------
    async def put_business(
        self, connection_id: str, owner_id: str, *, can_reply: bool, enabled: bool
    ) -> None:
        key = self.key("business", connection_id)
        mapping = {"owner": owner_id, "can_reply": int(can_reply), "enabled": int(enabled)}
        await self.redis.hset(key, mapping=mapping)  # type: ignore[arg-type]
        await self.redis.expire(key, BUSINESS_TTL_S)

    async def business(self, connection_id: str) -> dict[str, str] | None:
        found = cast("dict[str, str]", await self.redis.hgetall(self.key("business", connection_id)))
        return found or None
