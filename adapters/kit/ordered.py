"""One conversation's items handed to the hub in sequence order, across hub replicas.

Behind a webhook load balancer two replicas can receive consecutive updates of one chat at the
same moment; each prepares its own (a few Redis calls, sometimes more) and the second may be
ready first. Per-replica order does not help there. So every item says it has arrived (a member
of the conversation's Redis sorted set, scored by its sequence number: Telegram's `update_id`,
which grows per bot) before it is prepared, and it is handed off only when no earlier item of
that conversation is still pending. An item leaves the set only after it was handed off, so
its entry is the lock that holds later items back (no separate `core.locks` lock: it would add
two round trips to every update, on the core that also answers the webhook, and exclude nothing
the entry does not already exclude). In the common case an update costs two script calls (one
on arrival, one after the hand-off), carried with other updates' calls in shared pipelines
(`adapters.kit.scripts`); the next update of the chat on the same replica is
told by the one before whether anything earlier is left, so it needs no check of its own, and
the preparation's own deletes can ride along with the arrival.

Bounded and never lossy: an item waits at most `wait_s` for earlier ones (a replica that died
after arriving leaves its entry behind; the waiter gives up on it, removes it, and goes on), and
an item older than one already handed off (it arrived late) is handed off at once, not dropped.
All of this runs after the platform was acknowledged, never in the request. Redis away: the item
is handed off unordered (logged), never held.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable, Sequence

from redis.asyncio import Redis

from adapters.kit.scripts import ScriptBatcher

log = logging.getLogger(__name__)

NOTHING_PENDING = sys.maxsize  # what `hand_off` returns when no item of the chat is left

_ARRIVE = (  # KEYS: pending, then keys to delete; ARGV: seq, keep ms -> earlier items pending
    "for i = 2, #KEYS do redis.call('del', KEYS[i]) end "
    "redis.call('zadd', KEYS[1], ARGV[1], ARGV[1]) "
    "redis.call('pexpire', KEYS[1], ARGV[2]) "
    "return redis.call('zcount', KEYS[1], '-inf', '(' .. ARGV[1])"
)
_CHECK = (  # KEYS: pending; ARGV: seq, give up (1/0) -> earlier items pending (given up on: removed)
    "local earlier = redis.call('zcount', KEYS[1], '-inf', '(' .. ARGV[1]) "
    "if earlier > 0 and ARGV[2] == '1' then "
    "redis.call('zremrangebyscore', KEYS[1], '-inf', '(' .. ARGV[1]) end "
    "return earlier"
)
_DONE = (  # KEYS: pending, last; ARGV: seq, keep ms -> {the first still pending, the newest before}
    "redis.call('zrem', KEYS[1], ARGV[1]) "
    "local last = tonumber(redis.call('get', KEYS[2]) or '-1') "
    "if tonumber(ARGV[1]) > last then redis.call('set', KEYS[2], ARGV[1], 'PX', ARGV[2]) end "
    "local first = redis.call('zrange', KEYS[1], 0, 0)[1] or '-1' "
    "return {first, tostring(last)}"
)


class ConversationOrder:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        wait_s: float,
        pending_ttl_s: float = 600.0,
        first_pause_s: float = 0.01,
        max_pause_s: float = 0.1,
        platform: str = "",
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self.wait_s = wait_s
        self._pending_ms = int(max(pending_ttl_s, wait_s * 10) * 1000)
        self._first_pause_s = first_pause_s
        self._max_pause_s = max_pause_s
        self._scripts = ScriptBatcher(redis, {"arrive": _ARRIVE, "check": _CHECK, "done": _DONE})
        self._extra = {"platform": platform} if platform else {}
        self.waiting = 0  # items waiting behind an earlier one right now
        self.counts = {"waited": 0, "late": 0, "gave_up": 0, "unordered": 0}

    def _keys(self, conversation: str) -> tuple[str, str]:
        base = f"{self._prefix}:{conversation}"
        return f"{base}:pending", f"{base}:last"

    async def arrive(self, conversation: str, seq: int, *, delete: Sequence[str] = ()) -> bool:
        """Say that item `seq` of `conversation` is here; call it first, before preparing the
        item. `delete`: keys the item's preparation deletes anyway, in the same round trip.
        True: nothing earlier is pending, the item may go as soon as it is ready."""
        pending, _ = self._keys(conversation)
        try:
            found = await self._scripts.call("arrive", (pending, *delete), (seq, self._pending_ms))
            return int(found) == 0
        except Exception as exc:  # noqa: BLE001 — ordering is best effort; the item is never held
            log.warning("arrival not recorded: %s", type(exc).__name__, extra=self._extra)
            return True

    async def hand_off(
        self, conversation: str, seq: int, deliver: Callable[[], object], *, clear: bool = False
    ) -> int | None:
        """Call `deliver` once no earlier item of `conversation` is pending (at most `wait_s`),
        then take `seq` off the list. `clear`: already known that nothing earlier is pending
        (from `arrive`, or the item before it on this replica). Returns the first item still
        pending after this one (`NOTHING_PENDING`; None: not known), for the next item here."""
        pending, last = self._keys(conversation)
        deadline = time.monotonic() + self.wait_s
        pause = self._first_pause_s
        waited = False
        try:
            while not clear:
                late = time.monotonic() >= deadline
                earlier = int(await self._scripts.call("check", (pending,), (seq, "1" if late else "0")))
                if not earlier:
                    break
                if late:
                    self._gave_up(earlier)
                    break
                if not waited:
                    waited = True
                    self.waiting += 1
                    self.counts["waited"] += 1
                await asyncio.sleep(pause)
                pause = min(pause * 2, self._max_pause_s)
        except Exception as exc:  # noqa: BLE001 — Redis away: hand it off unordered, never hold it
            log.warning("handed off unordered: %s", type(exc).__name__, extra=self._extra)
            self.counts["unordered"] += 1
            deliver()
            return None
        finally:
            if waited:
                self.waiting -= 1
        try:
            deliver()  # while `seq` is still pending: no later item of the chat goes before it
        finally:
            first = await self._done_with(pending, last, seq)
        return first

    async def _done_with(self, pending: str, last: str, seq: int) -> int | None:
        try:
            first, newest = await self._scripts.call("done", (pending, last), (seq, self._pending_ms))
        except Exception as exc:  # noqa: BLE001 — the entry expires, or later items give up on it
            log.warning("ordering after a hand-off failed: %s", type(exc).__name__, extra=self._extra)
            return None
        if seq < int(newest):
            self.counts["late"] += 1
            log.info("an update arrived after a newer one of its chat: handed off late", extra=self._extra)
        return NOTHING_PENDING if int(first) < 0 else int(first)

    def _gave_up(self, earlier: int) -> None:
        """Earlier items did not come in `wait_s` (slow, or their replica died): they were taken
        off the list. They are still handed off if they do come (late, not dropped)."""
        self.counts["gave_up"] += 1
        log.warning(
            "stopped waiting for %d earlier update(s) of a chat after %.1f s",
            earlier,
            self.wait_s,
            extra=self._extra,
        )
