"""The worker's hang watchdog does not count time spent waiting for Redis: a job whose result
waits out a Redis outage longer than the watchdog's grace is delivered, not ended as hung
(the full-size soak saw a worker end itself 9 s into a 10 s outage)."""

from __future__ import annotations

import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bots import worker
from core.model import jobs


class Outage:
    """A Redis call that fails `failures` times, and a sleep that only advances a clock."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.slept = 0.0

    def call(self) -> str:
        if self.failures:
            self.failures -= 1
            raise RedisConnectionError("Connection refused")
        return "published"

    def sleep(self, seconds: float) -> None:
        self.slept += seconds


@pytest.fixture
def job_in_hand(monkeypatch):
    monkeypatch.setenv(worker.WATCHDOG_ENV, "3")
    monkeypatch.setattr(jobs._Installed, "running", ("job-1", time.monotonic(), 5.0))
    ended: list[int] = []
    monkeypatch.setattr(worker.os, "_exit", ended.append)
    monkeypatch.setattr(worker.logging, "shutdown", lambda: None)  # the test process keeps its logs
    return ended


def test_waiting_for_redis_does_not_count_as_a_hang(job_in_hand):
    outage = Outage(failures=8)
    assert jobs.patiently(outage.call, sleep=outage.sleep) == "published"
    assert outage.slept > 15  # far past the job's 5 s timeout and the watchdog's 3 s grace
    worker.watch_for_hang(now=time.monotonic() + outage.slept)
    assert job_in_hand == []


def test_a_job_that_really_runs_long_is_still_ended(job_in_hand):
    outage = Outage(failures=3)
    jobs.patiently(outage.call, sleep=outage.sleep)
    worker.watch_for_hang(now=time.monotonic() + outage.slept + 5.0 + 3.0 + 1.0)
    assert job_in_hand == [worker.EXIT_HUNG]
