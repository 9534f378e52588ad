"""The background-task group: failures are logged and counted, stop waits a grace then cancels."""

from __future__ import annotations

import asyncio

from core.metrics import PlatformMetrics
from core.tasks import TaskGroup


def failures(metrics: PlatformMetrics, group: str) -> float:
    return metrics.background_failures.labels(group)._value.get()


async def test_a_failing_task_is_logged_and_counted_not_lost(caplog):
    metrics = PlatformMetrics()
    group = TaskGroup("test group", metrics=metrics)

    async def fail() -> None:
        raise RuntimeError("secret text must not be logged")

    group.spawn(fail())
    assert await group.drain()
    assert failures(metrics, "test group") == 1 and len(group) == 0
    assert "RuntimeError" in caplog.text and "secret text" not in caplog.text


async def test_drain_waits_for_tasks_spawned_meanwhile():
    group = TaskGroup("chain", metrics=PlatformMetrics())
    done: list[str] = []

    async def second() -> None:
        done.append("second")

    async def first() -> None:
        group.spawn(second())
        done.append("first")

    group.spawn(first())
    assert await group.drain()
    assert done == ["first", "second"]


async def test_stop_lets_quick_work_finish_and_cancels_stragglers():
    group = TaskGroup("stopping", metrics=PlatformMetrics())
    finished, cancelled = asyncio.Event(), asyncio.Event()
    release = asyncio.Event()

    async def quick() -> None:
        await release.wait()
        finished.set()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    group.spawn(quick())
    group.spawn(forever())
    asyncio.get_running_loop().call_soon(release.set)
    assert not await group.drain(timeout=0)  # `forever` still runs
    await group.stop(grace_s=0.2)
    assert finished.is_set() and cancelled.is_set() and len(group) == 0
