"""Multi-turn state: a skill asks a question and the next message of that person in that
conversation comes back to it as the answer — within a timeout, on whichever hub replica.

The waiting question lives in Redis (one key per bot, conversation and person, with the timeout
as its TTL); the answer claims it with GETDEL, so one turn alone receives it. A command (`/help`)
instead of an answer drops the wait and is routed as usual. `state` holds what the skill needs
to carry on: masked text only (what it got from its context is masked already).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from core.events import ConversationRef, Reply
from core.state import Keys

DEFAULT_TIMEOUT_S = 300


@dataclass(frozen=True, slots=True)
class Question:
    """A skill's result: send `reply`, then route this person's next message here as an Answer."""

    reply: Reply
    step: str = ""  # which question this is, for a skill that asks several
    state: Mapping[str, str] = field(default_factory=dict, repr=False)
    timeout_s: int = DEFAULT_TIMEOUT_S


@dataclass(frozen=True, slots=True)
class Answer:
    """What `ctx.answer` holds when this turn answers the skill's question (`ctx.event.text`)."""

    step: str
    state: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class Waiting:
    skill: str
    answer: Answer


class FollowUps:
    """The questions waiting for an answer, in Redis."""

    def __init__(self, redis: Redis, keys: Keys, bot: str) -> None:
        self._redis = redis
        self._keys = keys
        self._bot = bot

    def _key(self, conversation: ConversationRef, sender: str) -> str:
        return self._keys.follow_up(self._bot, conversation.key, sender)

    def queue_peek(self, batch: Any, conversation: ConversationRef, sender: str) -> Any:
        """EXISTS on the turn's opening batch: is a question waiting (cheap, not yet claimed)?"""
        return batch.exists(self._key(conversation, sender))

    async def wait_for(
        self, skill: str, question: Question, conversation: ConversationRef, sender: str
    ) -> None:
        data = {"skill": skill, "step": question.step, "state": dict(question.state)}
        await self._redis.set(
            self._key(conversation, sender), json.dumps(data), ex=max(1, question.timeout_s)
        )

    async def claim(self, conversation: ConversationRef, sender: str) -> Waiting | None:
        """Take the waiting question (once: a second replica gets None)."""
        raw = await self._redis.getdel(self._key(conversation, sender))
        if not raw:
            return None
        data = json.loads(raw)
        state = {str(k): str(v) for k, v in (data.get("state") or {}).items()}
        return Waiting(str(data["skill"]), Answer(str(data.get("step", "")), state))

    async def drop(self, conversation: ConversationRef, sender: str) -> None:
        await self._redis.delete(self._key(conversation, sender))
