"""A bounded map that forgets its least recently used entries: the one shape for the per-process
memories that must not grow without end (recent event ids, pending slash commands, pacing slots,
edit timestamps)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar, overload

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")


class LruDict(Generic[K, V]):
    __slots__ = ("_data", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("an LruDict holds at least one entry")
        self.limit = limit
        self._data: OrderedDict[K, V] = OrderedDict()

    def __setitem__(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.limit:
            self._data.popitem(last=False)

    def __getitem__(self, key: K) -> V:
        value = self._data[key]
        self._data.move_to_end(key)
        return value

    @overload
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: D) -> V | D: ...
    def get(self, key: K, default: object = None) -> object:
        if key not in self._data:
            return default
        return self[key]

    def pop(self, key: K, default: V | None = None) -> V | None:
        return self._data.pop(key, default)

    def add(self, key: K, value: V) -> bool:
        """Store `value` unless `key` is present; True when it was new (first-time checks)."""
        if key in self._data:
            return False
        self[key] = value
        return True

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)
