"""Bounded per-process memories forget the oldest entry, not the one just used."""

from __future__ import annotations

import pytest

from core.lru import LruDict


def test_keeps_at_most_the_limit_and_forgets_the_least_recently_used():
    seen: LruDict[str, int] = LruDict(3)
    for n, key in enumerate("abc"):
        seen[key] = n
    assert seen["a"] == 0  # "a" is now the most recent
    seen["d"] = 3
    assert len(seen) == 3 and "b" not in seen and "a" in seen and seen.get("zz", -1) == -1


def test_add_says_whether_a_key_is_new():
    recent: LruDict[str, None] = LruDict(2)
    assert recent.add("ev1", None) and not recent.add("ev1", None)
    assert recent.add("ev2", None) and recent.add("ev3", None) and recent.add("ev1", None)


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        LruDict(0)
