"""Which model answers a turn: the admin's choice if set, else by weight among the models
whose recent time to first token is under the bot's ceiling."""

from __future__ import annotations

import random
from typing import cast

from redis.asyncio import Redis

from core.botdef import BotDefinition
from core.model.contract import ModelKeys

TTFT_TTL_S = 600
SMOOTHING = 0.3


class ModelRouter:
    def __init__(self, redis: Redis, keys: ModelKeys, rng: random.Random | None = None) -> None:
        self._redis = redis
        self._keys = keys
        self._rng = rng or random.Random()

    async def override(self, bot: BotDefinition) -> str | None:
        return cast("str | None", await self._redis.get(self._keys.active_model(bot.name)))

    async def set_override(self, bot: BotDefinition, model: str | None) -> None:
        key = self._keys.active_model(bot.name)
        if model is None:
            await self._redis.delete(key)
        else:
            await self._redis.set(key, model)

    async def choose(self, bot: BotDefinition) -> str:
        specs = bot.model.specs()
        names = [s.name for s in specs]
        chosen = await self.override(bot)
        if chosen in names:
            return str(chosen)
        candidates = [s for s in specs if s.weight > 0] or specs
        ceiling = bot.model.first_token_ms
        if ceiling and len(candidates) > 1:
            fast = [s for s in candidates if (await self.first_token_ms(s.name) or 0) <= ceiling]
            candidates = fast or candidates
        if len(candidates) == 1:
            return candidates[0].name
        weights = [max(s.weight, 1) for s in candidates]
        return self._rng.choices(candidates, weights=weights)[0].name

    async def first_token_ms(self, model: str) -> float | None:
        value = await self._redis.get(self._keys.first_token_ms(model))
        return float(value) if value else None

    async def observe(self, model: str, ttft_ms: float) -> None:
        """Smoothed time to first token, as seen from the hub."""
        previous = await self.first_token_ms(model)
        value = ttft_ms if previous is None else previous + SMOOTHING * (ttft_ms - previous)
        await self._redis.set(self._keys.first_token_ms(model), f"{value:.1f}", ex=TTFT_TTL_S)
