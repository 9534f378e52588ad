"""Which model answers: weights, the latency ceiling and the admin's override (real Redis)."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from core.botdef import BotDefinition, parse_bot
from core.model.routing import ModelRouter
from tests.model.conftest import KEYS

PICKS = 2000


def bot_with(models: list[dict[str, Any]], **model: Any) -> BotDefinition:
    config = {"backend": "ctransformers", "models": models, **model}
    return parse_bot({"name": "testbot", "skills": ["skills.help"], "model": config}, source="test")


async def picks(router: ModelRouter, bot: BotDefinition, count: int = PICKS) -> Counter[str]:
    return Counter([await router.choose(bot) for _ in range(count)])


async def test_traffic_is_split_by_weight(redis):
    bot = bot_with(
        [{"name": "small", "path": "/s.gguf", "weight": 60}, {"name": "big", "path": "/b.gguf", "weight": 40}]
    )
    counts = await picks(ModelRouter(redis, KEYS, random.Random(1234)), bot)
    assert set(counts) == {"small", "big"}
    assert 0.57 <= counts["small"] / PICKS <= 0.63  # 60/40 within sampling noise (seeded: repeatable)


async def test_weight_zero_is_never_picked_and_the_override_always_is(redis):
    bot = bot_with(
        [{"name": "small", "path": "/s.gguf", "weight": 1}, {"name": "spare", "path": "/x.gguf", "weight": 0}]
    )
    router = ModelRouter(redis, KEYS, random.Random(7))
    assert await picks(router, bot, 200) == Counter({"small": 200})
    await router.set_override(bot, "spare")
    assert await picks(router, bot, 50) == Counter({"spare": 50})
    await router.set_override(bot, None)
    assert await picks(router, bot, 50) == Counter({"small": 50})


async def test_a_model_slower_than_the_ceiling_gets_no_traffic_while_another_is_fast(redis):
    models = [
        {"name": "small", "path": "/s.gguf", "weight": 60},
        {"name": "big", "path": "/b.gguf", "weight": 40},
    ]
    bot = bot_with(models, first_token_ms=2000)
    router = ModelRouter(redis, KEYS, random.Random(99))
    await router.observe("small", 3500.0)  # over the ceiling
    await router.observe("big", 400.0)
    assert await picks(router, bot, 200) == Counter({"big": 200})
    await router.observe("big", 9000.0)  # now both are slow: fall back to the weights
    assert set(await picks(router, bot, 200)) == {"small", "big"}
