"""Ids this replica already handed off, so a platform's redelivery never even schedules a turn.
(The core's dedup stage is the guarantee across replicas; this is the cheap first line.)"""

from __future__ import annotations

from core.lru import LruDict


class RecentIds:
    def __init__(self, size: int = 20_000) -> None:
        self._seen: LruDict[str, None] = LruDict(size)

    def first_time(self, event_id: str) -> bool:
        return self._seen.add(event_id, None)
