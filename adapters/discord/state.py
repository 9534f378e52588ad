"""What the Discord adapter keeps in Redis, shared by every hub replica (key names in one place)."""

from __future__ import annotations

from typing import cast

from redis.asyncio import Redis

THREAD_TTL_S = 7 * 86_400  # a thread the bot spoke in stays "its" thread for a week
SEEN_TTL_S = 86_400  # channels whose last message is remembered, for catching up after a gap
_SET_IF_NEWER = (
    "local cur = redis.call('hget', KEYS[1], ARGV[1]) "
    "if (not cur) or #ARGV[2] > #cur or (#ARGV[2] == #cur and ARGV[2] > cur) then "
    "redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) end "
    "redis.call('expire', KEYS[1], ARGV[3]) return 1"
)


class DiscordState:
    def __init__(self, redis: Redis, prefix: str = "sb") -> None:
        self.redis = redis
        self.prefix = f"{prefix}:discord"

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- threads the bot is part of ------------------------------------------------------
    async def mark_thread(self, thread_id: str) -> None:
        await self.redis.set(self.key("thread", thread_id), "1", ex=THREAD_TTL_S)

    async def in_thread(self, thread_id: str) -> bool:
        return bool(await self.redis.exists(self.key("thread", thread_id)))

    # -- the newest message seen per channel (where to catch up from after a gap) -------
    async def saw(self, channel_id: str, message_id: str) -> None:
        """Remember `message_id` as the newest seen in `channel_id` (snowflakes grow with time;
        kept as strings: they do not fit a float score)."""
        await self.redis.eval(_SET_IF_NEWER, 1, self.key("seen"), channel_id, message_id, SEEN_TTL_S)

    async def last_seen(self, limit: int = 200) -> list[tuple[str, str]]:
        """(channel, newest message id), most recently active channels first."""
        found = cast("dict[str, str]", await self.redis.hgetall(self.key("seen")))
        newest = sorted(found.items(), key=lambda item: int(item[1]), reverse=True)
        return newest[:limit]
