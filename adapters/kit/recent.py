"""Ids this replica already handed off, so a platform's redelivery never even schedules a turn.
(The core's dedup stage is the guarantee across replicas; this is the cheap first line.)"""

from __future__ import annotations

from collections import OrderedDict


class RecentIds:
    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True
